"""The soak command's arguments: parsed and checked before anything starts.

Kept free of heavy imports: ``weaviate-telemetry --help`` loads this module
only.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)?")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}

#: Toxics a fault step may name, and what their value means.
FAULT_KINDS = {
    "latency": "added delay per response, e.g. latency=200ms",
    "jitter": "random extra delay, with latency, e.g. jitter=50ms",
    "reset": "share of connections reset (0..1), e.g. reset=0.05",
    "bandwidth": "downstream limit in KB/s, e.g. bandwidth=64",
    "down": "the proxy refuses connections (no value)",
    "none": "remove every fault (no value)",
}


#: What a node step may do to a cluster node the harness started (``node1=kill``).
NODE_ACTIONS = {
    "kill": "SIGKILL the node (no shutdown; open connections are reset)",
    "term": "stop the node gracefully (SIGTERM)",
    "stop": "freeze the node (SIGSTOP): connections hang until cont",
    "cont": "resume a frozen node (SIGCONT)",
    "start": "start a stopped node again on the same ports and data dir, wait until healthy",
}
_NODE = re.compile(r"node(\d+)")


class UsageError(Exception):
    """A bad argument or an unusable setting (exit code 2)."""


def parse_duration(text: str, name: str = "duration") -> float:
    """Seconds in ``90``, ``90s``, ``10m``, ``1.5h`` or ``250ms``."""
    match = _DURATION.fullmatch(str(text).strip())
    if not match:
        raise UsageError(f"{name}: not a duration: {text!r} (e.g. 90s, 10m, 1h)")
    return float(match.group(1)) * _UNIT[match.group(2)]


@dataclass(frozen=True)
class FaultStep:
    """From ``at`` seconds into the run, the proxy has exactly ``toxics`` (empty: none)."""

    at: float
    toxics: tuple[tuple[str, float], ...]
    text: str

    @property
    def down(self) -> bool:
        return any(kind == "down" for kind, _ in self.toxics)


@dataclass(frozen=True)
class NodeStep:
    """At ``at`` seconds into the run, do ``action`` (see :data:`NODE_ACTIONS`) to node ``node``."""

    at: float
    node: int
    action: str
    text: str


def split_faults(text: str) -> tuple[list[FaultStep], list[NodeStep]]:
    """A schedule's proxy steps and node steps (``20m:node1=kill,25m:node1=start``).

    Node steps act on a cluster node the harness started (0-based index); they
    do not replace the proxy's faults. Times must increase within each kind.
    """
    proxy_parts: list[str] = []
    nodes: list[NodeStep] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        when, sep, spec = part.partition(":")
        kind, _, action = spec.partition("=")
        match = _NODE.fullmatch(kind.strip())
        if not sep or match is None:
            proxy_parts.append(part)
            continue
        if action not in NODE_ACTIONS:
            known = ", ".join(NODE_ACTIONS)
            raise UsageError(f"--faults: {part!r}: a node step is nodeN=ACTION ({known})")
        nodes.append(
            NodeStep(parse_duration(when, "--faults time"), int(match.group(1)), action, part)
        )
    times = [s.at for s in nodes]
    if times != sorted(times):
        raise UsageError("--faults: node step times must increase")
    proxy = parse_faults(",".join(proxy_parts)) if proxy_parts else []
    if not proxy and not nodes:
        raise UsageError("--faults: no steps given")
    return proxy, nodes


def parse_faults(text: str) -> list[FaultStep]:
    """``"30s:latency=200ms,60s:reset=0.05,90s:none"`` → steps in time order.

    Each step replaces the faults of the one before; ``+`` joins toxics in one
    step (``30s:latency=200ms+jitter=50ms``).
    """
    steps: list[FaultStep] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        when, sep, spec = part.partition(":")
        if not sep or not spec:
            raise UsageError(f"--faults: {part!r} is not TIME:FAULT (e.g. 30s:latency=200ms)")
        toxics: list[tuple[str, float]] = []
        for item in spec.split("+"):
            kind, has_value, value = item.strip().partition("=")
            if kind not in FAULT_KINDS:
                known = ", ".join(FAULT_KINDS)
                raise UsageError(f"--faults: unknown fault {kind!r} in {part!r} (known: {known})")
            if kind in ("down", "none"):
                if has_value:
                    raise UsageError(f"--faults: {kind!r} takes no value in {part!r}")
                if kind == "down":
                    toxics.append((kind, 1.0))
                continue
            if not has_value:
                raise UsageError(f"--faults: {kind!r} needs a value in {part!r}")
            if kind in ("latency", "jitter"):
                amount = parse_duration(value, f"--faults {kind}")
            else:
                try:
                    amount = float(value)
                except ValueError:
                    raise UsageError(f"--faults: {kind}={value!r} is not a number") from None
            if kind == "reset" and not 0.0 < amount <= 1.0:
                raise UsageError(f"--faults: reset={value} must be a share in (0, 1]")
            if amount < 0:
                raise UsageError(f"--faults: {kind}={value} must not be negative")
            toxics.append((kind, amount))
        steps.append(FaultStep(parse_duration(when, "--faults time"), tuple(toxics), part))
    if not steps:
        raise UsageError("--faults: no steps given")
    times = [s.at for s in steps]
    if times != sorted(times) or len(set(times)) != len(times):
        raise UsageError("--faults: step times must increase")
    return steps


@dataclass(frozen=True)
class SoakOptions:
    """Everything one soak run needs, validated."""

    url: str
    duration: float
    writers: int = 2
    readers: int = 2
    batch_size: int = 50
    dimensions: int = 32
    api_key: str | None = field(default=None, repr=False)
    fallback_urls: tuple[str, ...] = ()
    retries: bool = True
    report: Path = Path("soak-report")
    prometheus: str | None = None
    otlp_endpoint: str | None = None
    service_name: str = "weaviate-soak"
    scrape_interval: float = 15.0
    weaviate_job: str = "weaviate"
    dashboards: tuple[Path, ...] = ()
    max_rss_growth: float = 25.0
    warmup: float | None = None
    sample_interval: float = 2.0
    think_time: float = 0.0
    toxiproxy: str | None = None
    toxiproxy_proxy: str | None = None
    faults: tuple[FaultStep, ...] = ()
    keep_collection: bool = False
    seed: int = 8
    ready_timeout: float = 30.0
    #: gRPC port for searches and batch imports; None: everything over REST/GraphQL.
    grpc_port: int | None = None
    #: Every endpoint given with ``--url`` (``url`` is the first).
    urls: tuple[str, ...] = ()
    #: Worker processes, each with its own client and ``service.instance.id``.
    processes: int = 1
    start_method: str = "spawn"
    #: Replicas of the soak collection (None: the server's default, no replication config).
    replication_factor: int | None = None
    #: Consistency level of the end-of-run read-back of every acknowledged id.
    check_consistency: str | None = None
    node_faults: tuple[NodeStep, ...] = ()
    #: Drive the AsyncClient: each process's writers and readers are asyncio tasks on one client.
    async_client: bool = False

    @property
    def client_kind(self) -> str:
        """``async`` (``--async``: asyncio tasks on one AsyncClient) or ``sync`` (threads)."""
        return "async" if self.async_client else "sync"

    @property
    def endpoints(self) -> tuple[str, ...]:
        """Every ``--url`` (at least ``url``)."""
        return self.urls or (self.url,)

    @property
    def fleet(self) -> bool:
        """Whether the run uses worker processes (several, several endpoints, or node faults)."""
        return self.processes > 1 or len(self.endpoints) > 1 or bool(self.node_faults)

    @property
    def transport(self) -> str:
        """``grpc`` (searches and batch imports over gRPC) or ``rest``."""
        return "rest" if self.grpc_port is None else "grpc"

    @property
    def warmup_seconds(self) -> float:
        """The warm-up after which RSS growth counts: given, else 20 % of the run (≤ 2 min)."""
        if self.warmup is not None:
            return self.warmup
        return min(120.0, self.duration * 0.2)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``soak`` sub-command's options."""
    add = parser.add_argument
    add(
        "--url",
        action="append",
        default=[],
        help="server base URL (default: $WEAVIATE_URL); repeat (or separate with commas) for "
        "several endpoints of one cluster: worker k uses the k-th as its primary, the rest as "
        "fallbacks",
    )
    add(
        "--processes",
        type=int,
        default=1,
        help="worker processes, each with its own client and service.instance.id (default 1)",
    )
    add(
        "--start-method",
        choices=("spawn", "fork", "forkserver"),
        default="spawn",
        help="how worker processes start (default spawn)",
    )
    add(
        "--replication-factor",
        type=int,
        help="replicas of the soak collection (default: the number of --url endpoints when "
        "more than one, else the server's default)",
    )
    add(
        "--check-consistency",
        choices=("ONE", "QUORUM", "ALL"),
        help="consistency level of the end-of-run read-back of every acknowledged id "
        "(default ALL with replication)",
    )
    add("--duration", default="60s", help="how long the workload runs (e.g. 90s, 10m; default 60s)")
    add("--writers", type=int, default=2, help="writer threads: batch import, updates, deletes")
    add("--readers", type=int, default=2, help="reader threads: near-vector, bm25, hybrid, gets")
    add("--batch-size", type=int, default=50, help="objects per batch (default 50)")
    add("--dimensions", type=int, default=32, help="vector length (default 32)")
    add("--api-key", help="API key (default: $WEAVIATE_API_KEY); never written anywhere")
    add(
        "--fallback-url",
        action="append",
        default=[],
        metavar="URL",
        help="another endpoint of the same cluster (repeatable)",
    )
    add("--no-retries", action="store_true", help="run with the SDK's retries off")
    add("--report", default="soak-report", type=Path, help="folder for report.json/.md and PNGs")
    add("--prometheus", metavar="URL", help="render the dashboards from this Prometheus")
    add(
        "--otlp-endpoint",
        metavar="URL",
        help="export spans and metrics over OTLP/HTTP to this collector (e.g. "
        "http://127.0.0.1:4318; default: $OTEL_EXPORTER_OTLP_ENDPOINT)",
    )
    add("--service-name", default="weaviate-soak", help="OTel service.name (the Prometheus job)")
    add(
        "--scrape-interval",
        default="15s",
        help="Prometheus scrape interval, for $__rate_interval in the charts (default 15s)",
    )
    add("--weaviate-job", default="weaviate", help="Prometheus job of Weaviate's /metrics")
    add(
        "--dashboard",
        action="append",
        default=[],
        type=Path,
        metavar="JSON",
        help="dashboard to render with --prometheus (repeatable; default: the shipped ones)",
    )
    add(
        "--max-rss-growth",
        type=float,
        default=25.0,
        metavar="PCT",
        help="fail when RSS grows more than PCT %% after warm-up (default 25)",
    )
    add("--warmup", help="warm-up before RSS growth counts (default 20%% of the run, max 2m)")
    add("--sample-interval", default="2s", help="RSS/CPU/GC sampling period (default 2s)")
    add("--think-time", default="0s", help="pause between one thread's operations (default 0)")
    add("--toxiproxy", metavar="URL", help="toxiproxy API to apply --faults with")
    add("--toxiproxy-proxy", metavar="NAME", help="proxy name (default: the one behind --url)")
    add(
        "--faults",
        metavar="SCHEDULE",
        help='fault schedule, e.g. "30s:latency=200ms,60s:reset=0.05,90s:down,95s:none"; '
        'node steps ("20m:node1=kill,25m:node1=start") act on a cluster the harness started',
    )
    add(
        "--transport",
        choices=("auto", "grpc", "rest"),
        default="auto",
        help="searches and batch imports over gRPC or REST/GraphQL (default auto: gRPC when "
        "a gRPC port is known)",
    )
    add("--grpc-port", type=int, help="Weaviate's gRPC port (default: $WEAVIATE_GRPC_PORT)")
    add(
        "--async",
        dest="async_client",
        action="store_true",
        help="drive the AsyncClient: each process runs its writers and readers as asyncio tasks "
        "on one AsyncClient (needs the async extra)",
    )
    add("--keep-collection", action="store_true", help="do not drop the soak collection")
    add("--seed", type=int, default=8, help="random seed of the workload")
    add("--ready-timeout", default="30s", help="how long to wait for the server (default 30s)")


def _positive(value: int, name: str, most: int) -> int:
    if not 0 < value <= most:
        raise UsageError(f"{name} must be between 1 and {most}, got {value}")
    return value


def from_args(args: argparse.Namespace, environ: dict[str, str]) -> SoakOptions:
    """Validated options from parsed arguments and the environment."""
    given = [u.strip() for item in args.url for u in item.split(",") if u.strip()]
    if not given and environ.get("WEAVIATE_URL"):
        given = [environ["WEAVIATE_URL"]]
    if not given:
        raise UsageError("no server: pass --url or set WEAVIATE_URL")
    if len(set(given)) != len(given):
        raise UsageError("--url: the endpoints must be distinct")
    url = given[0]
    duration = parse_duration(args.duration, "--duration")
    if duration <= 0:
        raise UsageError("--duration must be positive")
    faults: tuple[FaultStep, ...] = ()
    node_faults: tuple[NodeStep, ...] = ()
    if args.faults:
        proxy_steps, node_steps = split_faults(args.faults)
        if proxy_steps and not args.toxiproxy:
            raise UsageError("--faults needs --toxiproxy URL (the toxiproxy API)")
        faults, node_faults = tuple(proxy_steps), tuple(node_steps)
        if not faults and args.toxiproxy:
            raise UsageError("--toxiproxy without proxy steps in --faults does nothing")
    elif args.toxiproxy:
        raise UsageError("--toxiproxy without --faults does nothing; give a schedule")
    if args.max_rss_growth <= 0:
        raise UsageError("--max-rss-growth must be positive")
    warmup = None if args.warmup is None else parse_duration(args.warmup, "--warmup")
    if warmup is not None and warmup >= duration:
        raise UsageError("--warmup must be shorter than --duration")
    sample = parse_duration(args.sample_interval, "--sample-interval")
    if not 0.1 <= sample <= 60:
        raise UsageError("--sample-interval must be between 100ms and 60s")
    for dashboard in args.dashboard:
        if not dashboard.is_file():
            raise UsageError(f"--dashboard {dashboard}: no such file")
    grpc_port = args.grpc_port
    if grpc_port is None and environ.get("WEAVIATE_GRPC_PORT"):
        try:
            grpc_port = int(environ["WEAVIATE_GRPC_PORT"])
        except ValueError:
            raise UsageError("WEAVIATE_GRPC_PORT must be a port number") from None
    if grpc_port is not None:
        grpc_port = _positive(grpc_port, "--grpc-port", 65535)
    if args.transport == "grpc" and grpc_port is None:
        raise UsageError("--transport grpc needs --grpc-port (or WEAVIATE_GRPC_PORT)")
    if args.transport == "rest":
        grpc_port = None
    processes = _positive(args.processes, "--processes", 64)
    factor = args.replication_factor
    if factor is None and len(given) > 1:
        factor = len(given)
    if factor is not None:
        factor = _positive(factor, "--replication-factor", 64)
    consistency = args.check_consistency
    if consistency is None and factor is not None and factor > 1:
        consistency = "ALL"
    if len(given) > 1 and grpc_port is not None:
        raise UsageError(
            "several --url endpoints run over REST/GraphQL (each node has its own gRPC port): "
            "pass --transport rest"
        )
    return SoakOptions(
        url=url,
        duration=duration,
        writers=_positive(args.writers, "--writers", 64),
        readers=_positive(args.readers, "--readers", 64) if args.readers else 0,
        batch_size=_positive(args.batch_size, "--batch-size", 10_000),
        dimensions=_positive(args.dimensions, "--dimensions", 4096),
        api_key=args.api_key or environ.get("WEAVIATE_API_KEY") or None,
        fallback_urls=tuple(args.fallback_url),
        retries=not args.no_retries,
        report=args.report,
        prometheus=args.prometheus,
        otlp_endpoint=args.otlp_endpoint or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None,
        service_name=args.service_name,
        scrape_interval=parse_duration(args.scrape_interval, "--scrape-interval"),
        weaviate_job=args.weaviate_job,
        dashboards=tuple(args.dashboard),
        max_rss_growth=args.max_rss_growth,
        warmup=warmup,
        sample_interval=sample,
        think_time=parse_duration(args.think_time, "--think-time"),
        toxiproxy=args.toxiproxy,
        toxiproxy_proxy=args.toxiproxy_proxy,
        faults=faults,
        keep_collection=args.keep_collection,
        seed=args.seed,
        ready_timeout=parse_duration(args.ready_timeout, "--ready-timeout"),
        grpc_port=grpc_port,
        urls=tuple(given),
        processes=processes,
        start_method=args.start_method,
        replication_factor=factor,
        check_consistency=consistency,
        node_faults=node_faults,
        async_client=bool(getattr(args, "async_client", False)),
    )
