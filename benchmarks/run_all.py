"""The performance targets (docs/performance.md) in one command.

Every performance measure, one table, ``--check`` for CI gates.

Run: ``python benchmarks/run_all.py [--check] [--quick] [--repeat N] [--soak-minutes N]``
(the ``bench`` extra brings the official client and its httpx instrumentation).

Starts one real local Weaviate (``EmbeddedWeaviate``) and runs each measure in
:data:`MEASURES` against it; each prints nothing itself and returns rows of
``(measure, ours, peer, ratio, target)``. Real-server timings interleave the
contenders round by round (alternating order) and take medians (``--stat min``:
the best round), so drift on a shared machine hits every contender alike.
``--check`` exits 1 when a target is missed; it is a benchmark, not a timed
test: run it on a quiet machine.

Adding a measure: write ``def measure_x(bench: Bench) -> list[Row]`` and append
it to :data:`MEASURES` (``measure_grpc`` wraps ``benchmarks/grpc_query.py`` so),
or give a module here a ``MEASURES`` list of such functions and add its name to
:data:`EXTRA_MODULES`.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import urllib3
from _common import floor_pool, official_connect, per_call

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate


@dataclass
class Row:
    measure: str
    ours: str
    peer: str
    ratio: float
    target: str
    met: bool | None  # None: a reference figure with no target of its own
    value: float = float("nan")  # the figure of a row without a ratio (to take medians)
    spread: str = ""  # with --repeat: the ratio's range over the runs and runs met


def combine(runs: list[list[Row]]) -> list[Row]:
    """One row per measure from repeated runs: the run with the median figure, plus spread.

    The row's figures and verdict are those of its median run (by ratio, or by
    value for rows without one); ``spread`` says ``min-max`` of the ratio and
    in how many runs the target was met.
    """
    by_name: dict[str, list[Row]] = {}
    for rows in runs:
        for row in rows:
            by_name.setdefault(row.measure, []).append(row)
    combined = []
    for same in by_name.values():
        ratios = [r.ratio for r in same if r.ratio == r.ratio]
        key = (lambda r: r.ratio) if ratios else (lambda r: r.value)
        ordered = sorted(same, key=key)
        middle = ordered[(len(ordered) - 1) // 2]
        met = sum(1 for r in same if r.met)
        verdict = "" if middle.met is None else f", met {met}/{len(same)}"
        span = f"{min(ratios):.3f}-{max(ratios):.3f}" if ratios else "-"
        combined.append(dataclasses.replace(middle, spread=span + verdict))
    return combined


def ratio_row(
    measure: str, ours: float, peer: float, target: float, unit: str, higher: bool = False
) -> Row:
    """A row comparing two figures; ``higher``: bigger ratios are better (throughput)."""
    ratio = ours / peer if peer else float("inf")
    met = ratio >= target if higher else ratio <= target
    fmt = _fmt(unit)
    return Row(
        measure, fmt(ours), fmt(peer), ratio, f"{'>=' if higher else '<='} {target:g} x", met
    )


def reference_row(measure: str, ours: float, peer: float, unit: str) -> Row:
    """A ratio shown for context, with no target of its own (never a miss)."""
    fmt = _fmt(unit)
    return Row(measure, fmt(ours), fmt(peer), ours / peer if peer else float("inf"), "-", None)


def absolute_row(measure: str, ours: float, target: float, unit: str) -> Row:
    return Row(
        measure,
        _fmt(unit)(ours),
        "-",
        float("nan"),
        f"<= {target:g} {unit}",
        ours <= target,
        value=ours,
    )


def _fmt(unit: str) -> Callable[[float], str]:
    if unit == "us":
        return lambda v: f"{v:.1f} us"
    if unit == "ms":
        return lambda v: f"{v:.1f} ms"
    if unit == "obj/s":
        return lambda v: f"{v:,.0f} obj/s"
    return lambda v: f"{v:.2f} {unit}"


@dataclass
class Bench:
    """What every measure gets: the server, an SDK client, the floor's pool, options."""

    server: EmbeddedWeaviate
    sdk: wt.Client
    pool: urllib3.PoolManager
    quick: bool
    calls: int
    rounds: int
    collection: str = ""
    object_id: str = ""
    vector: list[float] = field(default_factory=list)
    stat: str = "median"
    _official: Any = None

    @property
    def url(self) -> str:
        return self.server.url

    def official(self) -> Any:
        """The official client connected to this server (None when not installed)."""
        if self._official is None:
            assert self.server.ports is not None
            self._official = official_connect(
                self.url, self.server.ports.grpc, skip_init_checks=True
            )
        return self._official


def interleave(
    bench: Bench, contenders: dict[str, tuple[Callable[[], object], Callable[[], Any]]]
) -> dict[str, float]:
    """Seconds per call of each contender (median or best round), rounds interleaved.

    A contender is ``(call, setup)``; ``setup()`` is a context manager entered for
    each of its rounds (attaching handlers, instrumenting a peer).
    """
    for fn, setup in contenders.values():
        with setup():
            per_call(fn, 50)
    samples: dict[str, list[float]] = {k: [] for k in contenders}
    order = list(contenders.items())
    per_round = max(1, bench.calls // bench.rounds)
    for number in range(bench.rounds):
        for name, (fn, setup) in order if number % 2 == 0 else reversed(order):
            with setup():
                samples[name].append(per_call(fn, per_round))
    pick = min if bench.stat == "min" else statistics.median
    return {k: pick(v) for k, v in samples.items()}


# -- the measures ------------------------------------------------------------------------


def measure_import(bench: Bench) -> list[Row]:
    """Cold ``import weaviate_telemetry`` vs ``import weaviate``: CPU time of fresh processes.

    Bytecode is cached (as installed packages have it) in a private prefix; CPU time
    (user + system) of the child is used because wall time on a shared machine also
    counts other processes. Interpreter start-up (``python -c pass``) is subtracted.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "wt-bench-pycache")

    def cpu(code: str) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-W", "ignore", "-c", code],
            check=True,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    codes = {"bare": "pass", "ours": "import weaviate_telemetry", "official": "import weaviate"}
    for code in codes.values():
        cpu(code)  # compile and cache bytecode, warm the file cache
    runs = 5 if bench.quick else 15
    times: dict[str, list[float]] = {k: [] for k in codes}
    for _ in range(runs):
        for name, code in codes.items():
            times[name].append(cpu(code))
    bare = statistics.median(times["bare"])
    ours = (statistics.median(times["ours"]) - bare) * 1e3
    theirs = (statistics.median(times["official"]) - bare) * 1e3
    return [ratio_row("import weaviate_telemetry vs import weaviate", ours, theirs, 0.15, "ms")]


def measure_own_work(bench: Bench) -> list[Row]:
    """The SDK's in-process work per call: a transport replaying one canned answer."""
    from own_cost import measure

    calls = 5000 if bench.quick else 20000
    none = measure("none", calls) * 1e6
    otel = measure("otel", calls) * 1e6
    return [
        absolute_row("own work per call, no handlers (replayed answer)", none, 15, "us"),
        absolute_row("own work per call, OTel spans + metrics (replayed)", otel, 50, "us"),
    ]


@contextlib.contextmanager
def _providers() -> Iterator[tuple[Any, Any]]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from telemetry_overhead import NoopExporter

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(NoopExporter()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    try:
        yield tracer_provider, meter_provider
    finally:
        tracer_provider.shutdown()
        meter_provider.shutdown()


def measure_rest_and_telemetry(bench: Bench) -> list[Row]:
    """GET /v1/meta: raw urllib3, the SDK bare / with OTel / with loguru, the official client
    bare and with ``opentelemetry-instrumentation-httpx``; object exists and get."""
    from loguru import logger

    url, pool, sdk = bench.url, bench.pool, bench.sdk
    rows: list[Row] = []
    with _providers() as (tracer_provider, meter_provider):

        @contextlib.contextmanager
        def otel() -> Iterator[None]:
            with wt.telemetry.instrument_opentelemetry(tracer_provider, meter_provider):
                yield

        @contextlib.contextmanager
        def loguru(level: str) -> Iterator[None]:
            logger.remove()
            sink = logger.add(lambda message: None, level=level)
            try:
                with wt.telemetry.log_to_loguru():
                    yield
            finally:
                logger.remove(sink)

        @contextlib.contextmanager
        def httpx_otel() -> Iterator[None]:
            from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

            instrumentor = HTTPXClientInstrumentor()
            instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)
            try:
                yield
            finally:
                instrumentor.uninstrument()

        none = contextlib.nullcontext
        contenders: dict[str, tuple[Callable[[], object], Callable[[], Any]]] = {
            "raw": (lambda: orjson.loads(pool.request("GET", f"{url}/v1/meta").data), none),
            "sdk": (sdk.meta, none),
            "sdk+otel": (sdk.meta, otel),
            # The production setup of docs/telemetry.md: an INFO sink, successful calls
            # logged at DEBUG (so skipped), retries and failures taken.
            "sdk+loguru": (sdk.meta, lambda: loguru("INFO")),
            # Every call a line: loguru's own logger.log is most of this row.
            "sdk+loguru-every": (sdk.meta, lambda: loguru("DEBUG")),
        }
        official = bench.official()
        if official is not None:
            contenders["official"] = (official.get_meta, none)
            contenders["official+httpx-otel"] = (official.get_meta, httpx_otel)
        m = interleave(bench, contenders)
        us = {k: v * 1e6 for k, v in m.items()}
        rows += [
            ratio_row("meta: SDK, no handlers vs raw urllib3", us["sdk"], us["raw"], 1.05, "us"),
            ratio_row("meta: SDK + OTel vs raw urllib3", us["sdk+otel"], us["raw"], 1.20, "us"),
            ratio_row(
                "meta: SDK + loguru, INFO sink (call lines skipped)",
                us["sdk+loguru"],
                us["raw"],
                1.10,
                "us",
            ),
            reference_row(
                "meta: SDK + loguru, DEBUG sink (every call a line)",
                us["sdk+loguru-every"],
                us["raw"],
                "us",
            ),
        ]
        if official is not None:
            rows += [
                ratio_row(
                    "meta: SDK + OTel vs official + httpx OTel",
                    us["sdk+otel"],
                    us["official+httpx-otel"],
                    0.5,
                    "us",
                ),
                ratio_row("meta: SDK vs official client", us["sdk"], us["official"], 0.6, "us"),
            ]
    collection, object_id = bench.collection, bench.object_id
    path = f"{url}/v1/objects/{collection}/{object_id}"
    exists: dict[str, tuple[Callable[[], object], Callable[[], Any]]] = {
        "raw": (lambda: pool.request("HEAD", path).status == 204, contextlib.nullcontext),
        "sdk": (lambda: sdk.objects.exists(collection, object_id), contextlib.nullcontext),
    }
    get: dict[str, tuple[Callable[[], object], Callable[[], Any]]] = {
        "raw": (lambda: orjson.loads(pool.request("GET", path).data), contextlib.nullcontext),
        "sdk": (lambda: sdk.objects.get(collection, object_id), contextlib.nullcontext),
    }
    official = bench.official()
    if official is not None:
        handle = official.collections.get(collection)
        exists["official"] = (lambda: handle.data.exists(object_id), contextlib.nullcontext)
        get["official"] = (
            lambda: handle.query.fetch_object_by_id(object_id),
            contextlib.nullcontext,
        )
    for label, contenders in (("object exists", exists), ("object get", get)):
        us = {k: v * 1e6 for k, v in interleave(bench, contenders).items()}
        rows.append(ratio_row(f"{label}: SDK vs raw urllib3", us["sdk"], us["raw"], 1.05, "us"))
        if "official" in us:
            rows.append(
                ratio_row(f"{label}: SDK vs official client", us["sdk"], us["official"], 0.6, "us")
            )
    return rows


def measure_graphql(bench: Bench) -> list[Row]:
    """near_vector (limit 10) through the GraphQL builder vs raw urllib3 posting the same text."""
    sdk, pool, url, collection = bench.sdk, bench.pool, bench.url, bench.collection
    vector = bench.vector

    def ours() -> object:
        return (
            sdk.query.get(collection)
            .near_vector(vector)
            .limit(10)
            .fields("title", "n")
            .additional("id", "distance")
            .do()
        )

    text = (
        sdk.query.get(collection)
        .near_vector(vector)
        .limit(10)
        .fields("title", "n")
        .additional("id", "distance")
        .to_graphql()
    )
    body = orjson.dumps({"query": text})
    headers = {"Content-Type": "application/json"}

    def raw() -> object:
        answer = orjson.loads(
            pool.request("POST", f"{url}/v1/graphql", body=body, headers=headers).data
        )
        assert not answer.get("errors"), answer
        return answer

    contenders = {"raw": (raw, contextlib.nullcontext), "sdk": (ours, contextlib.nullcontext)}
    us = {k: v * 1e6 for k, v in interleave(bench, contenders).items()}
    return [
        ratio_row(
            "GraphQL near_vector: SDK vs raw urllib3 (same query)", us["sdk"], us["raw"], 1.05, "us"
        )
    ]


def measure_batch(bench: Bench) -> list[Row]:
    """REST batch ingest, objects/s: the SDK vs raw urllib3 (same chunks) and the official batch."""
    import time

    from batch_ingest import count, make_objects, run_official, run_raw, run_sdk

    n = 5_000 if bench.quick else 20_000
    args = argparse.Namespace(batch_size=500, concurrency=4)
    objs = make_objects(n, 128)
    assert bench.server.ports is not None
    contenders: dict[str, Callable[[str], int | None]] = {
        "sdk": lambda c: run_sdk(bench.sdk, c, objs, args),
        "raw": lambda c: run_raw(bench.url, c, objs, args),
        "official": lambda c: run_official(bench.url, bench.server.ports.grpc, c, objs, args),  # type: ignore[union-attr]
    }
    rates: dict[str, float] = {}
    lost: dict[str, int] = {}
    for name, run in contenders.items():
        collection = "Ingest" + uuid.uuid4().hex[:8]
        bench.sdk.collections.create_from_dict(
            {
                "class": collection,
                "vectorizer": "none",
                "properties": [
                    {"name": "title", "dataType": ["text"]},
                    {"name": "n", "dataType": ["int"]},
                ],
            }
        )
        started = time.perf_counter()
        failed = run(collection)
        elapsed = time.perf_counter() - started
        if failed is not None:
            rates[name] = n / elapsed
            lost[name] = n - count(bench.sdk, collection)
        bench.sdk.collections.delete(collection)
    rows = [
        ratio_row(
            "batch ingest (REST): SDK vs raw urllib3",
            rates["sdk"],
            rates["raw"],
            0.9,
            "obj/s",
            True,
        )
    ]
    if "official" in rates:
        rows.append(
            ratio_row(
                "batch ingest (REST): SDK vs official batch",
                rates["sdk"],
                rates["official"],
                1.0,
                "obj/s",
                True,
            )
        )
    rows.append(
        Row(
            "batch ingest: objects lost by the SDK",
            str(lost["sdk"]),
            str(lost.get("official", "-")),
            float("nan"),
            "0",
            lost["sdk"] == 0,
        )
    )
    return rows


def measure_grpc(bench: Bench) -> list[Row]:
    """gRPC near_vector p50/p95 vs the official client and gRPC/REST ingest (grpc_query.py)."""
    import warnings

    try:
        import grpc_query
    except ImportError:  # the gRPC benchmark is not in this checkout
        return []
    n = 5_000 if bench.quick else 20_000
    args = argparse.Namespace(
        objects=n,
        dim=128,
        queries=400 if bench.quick else 1200,
        rounds=4 if bench.quick else 8,
        batch_size=500,
        concurrency=4,
    )
    objs = grpc_query.make_objects(n, 128)
    with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
        warnings.simplefilter("ignore")
        client = bench.server.client(pool_maxsize=10, timeouts=wt.Timeouts(read=120, total=600))
        try:
            name, rates, lost = grpc_query.ingest(client, bench.server, objs, args)
            lat = grpc_query.queries(client, bench.server, name, args)
        finally:
            client.close()
    us = {k: (p50 * 1e6, p95 * 1e6) for k, (p50, p95) in lat.items()}
    g, o = us["SDK gRPC"], us["official gRPC"]
    q, r = us["SDK GraphQL"], us["raw GraphQL"]
    return [
        ratio_row("near_vector p50, 20k x 128-d: SDK gRPC vs official", g[0], o[0], 0.9, "us"),
        ratio_row("near_vector p95: SDK gRPC vs official", g[1], o[1], 0.9, "us"),
        ratio_row("near_vector p50: SDK GraphQL vs raw GraphQL", q[0], r[0], 1.05, "us"),
        ratio_row("near_vector p95: SDK GraphQL vs raw GraphQL", q[1], r[1], 1.05, "us"),
        ratio_row(
            "batch ingest: SDK gRPC vs official",
            rates["SDK gRPC"],
            rates["official"],
            1.1,
            "obj/s",
            True,
        ),
        ratio_row(
            "batch ingest: SDK REST vs official (grpc_query)",
            rates["SDK REST"],
            rates["official"],
            1.0,
            "obj/s",
            True,
        ),
        Row(
            "batch ingest: objects lost (all gRPC-bench runs)",
            str(lost),
            "-",
            float("nan"),
            "0",
            lost == 0,
        ),
    ]


MEASURES: list[Callable[[Bench], list[Row]]] = [
    measure_import,
    measure_own_work,
    measure_rest_and_telemetry,
    measure_graphql,
    measure_batch,
    measure_grpc,
]
#: Modules in this folder whose own ``MEASURES`` list (functions taking a :class:`Bench`)
#: is appended when they exist.
EXTRA_MODULES: list[str] = ["async_calls", "stream_import"]


def prepare(bench: Bench) -> None:
    """A collection with one known object and a few hundred vectors for the query measures."""
    import random

    rng = random.Random(5)
    bench.collection = "Bench" + uuid.uuid4().hex[:8]
    bench.sdk.collections.create_from_dict(
        {
            "class": bench.collection,
            "vectorizer": "none",
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "n", "dataType": ["int"]},
            ],
        }
    )
    objs = [
        {
            "class": bench.collection,
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "properties": {"title": f"object {i}", "n": i},
            "vector": [rng.random() for _ in range(128)],
        }
        for i in range(2000)
    ]
    bench.sdk.batch.insert_objects(objs)
    bench.object_id = str(objs[0]["id"])
    bench.vector = [rng.random() for _ in range(128)]


def in_fresh_process(measure: Callable[[Bench], list[Row]], bench: Bench) -> list[Row]:
    """Run one measure in a forked child with its own clients; return its rows.

    A measure leaves state behind (the official client's gRPC threads, OTel
    providers, loguru sinks, a larger heap) that slowed every later one by up
    to 40 % in one process; each now starts from the state after ``prepare``.
    """
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(measure, bench, send))
    child.start()
    send.close()
    try:
        rows: list[Row] = receive.recv()
    except EOFError:
        rows = []
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"{measure.__name__} failed (exit code {child.exitcode})")
    return rows


def _child(measure: Callable[[Bench], list[Row]], bench: Bench, send: Any) -> None:
    # Fresh connections: the parent's pooled sockets stay the parent's.
    bench.sdk = wt.Client(bench.url, pool_maxsize=10, timeouts=wt.Timeouts(read=120, total=600))
    bench.pool = floor_pool()
    bench._official = None
    rows = measure(bench)
    if bench._official is not None:
        bench._official.close()
    bench.sdk.close()
    send.send(rows)
    send.close()


def print_table(rows: list[Row]) -> None:
    spread = any(r.spread for r in rows)
    headers: tuple[str, ...] = ("measure", "ours", "peer", "ratio", "target", "met")
    if spread:
        headers += ("runs: ratio range, met",)
    cells = [
        (
            r.measure,
            r.ours,
            r.peer,
            "-" if r.ratio != r.ratio else f"{r.ratio:.3f}",
            r.target,
            "-" if r.met is None else "yes" if r.met else "NO",
        )
        + ((r.spread,) if spread else ())
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds (noisier)")
    parser.add_argument("--only", default="", help="comma-separated measure function names")
    parser.add_argument("--soak-minutes", type=float, default=0.0, help="add the RSS soak")
    parser.add_argument(
        "--stat",
        choices=("median", "min"),
        default="median",
        help="per contender, the median or the best of the interleaved rounds (min resists "
        "other processes' load on a shared machine)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every measure N times; each row is then its median run, with the ratio's "
        "range and in how many runs the target was met",
    )
    args = parser.parse_args()
    measures = list(MEASURES)
    for name in EXTRA_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        measures += list(getattr(module, "MEASURES", []))
    if args.only:
        wanted = set(args.only.split(","))
        measures = [m for m in measures if m.__name__ in wanted]
    with EmbeddedWeaviate() as server:
        sdk = wt.Client(server.url, pool_maxsize=10, timeouts=wt.Timeouts(read=120, total=600))
        bench = Bench(
            server,
            sdk,
            floor_pool(),
            args.quick,
            calls=1000 if args.quick else 6000,
            rounds=10 if args.quick else 30,
            stat=args.stat,
        )
        prepare(bench)
        runs: list[list[Row]] = []
        for number in range(1, args.repeat + 1):
            run: list[Row] = []
            for measure in measures:
                print(f"run {number}: {measure.__name__} ...", file=sys.stderr, flush=True)
                run += in_fresh_process(measure, bench)
            runs.append(run)
        rows: list[Row] = runs[0] if args.repeat == 1 else combine(runs)
        if args.soak_minutes:
            from soak_rss import soak

            result = soak(server.url, args.soak_minutes, min(60.0, args.soak_minutes * 6), 5.0)
            rows.append(
                Row(
                    f"RSS growth after warm-up, {args.soak_minutes:g} min soak",
                    f"{result['growth_pct']:+.2f} %",
                    "-",
                    float("nan"),
                    "<= 5 %",
                    result["growth_pct"] <= 5.0,
                )
            )
        if bench._official is not None:
            bench._official.close()
        sdk.close()
    print_table(rows)
    missed = [r.measure for r in rows if r.met is False]
    if missed:
        print(f"\n{len(missed)} target(s) missed: " + "; ".join(missed))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
