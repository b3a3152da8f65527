"""One soak run from start to report; :func:`soak_main` returns its exit code.

0 — every written object read back, no unexpected error, no Python warning,
RSS growth after warm-up within the limit; 1 — any of those broken;
2 — the server, Prometheus or toxiproxy unreachable, or bad arguments.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._client import Client
from .._core.config import RetryPolicy
from .._core.errors import WeaviateError
from .._core.redact import redact_url
from .._dashboards import FOLDER, shipped
from .faults import FaultSchedule, Toxiproxy, ToxiproxyError
from .nodes import NodeControl
from .options import SoakOptions, UsageError, from_args
from .otel import SoakTelemetry, render_dashboards
from .report import run_section

#: Modules of the ``soak`` extra (import name → what it is for).
EXTRA_MODULES = {
    "matplotlib": "charts",
    "rich": "the progress display",
    "psutil": "process samples",
    "opentelemetry.instrumentation.system_metrics": "process metrics",
}
INSTALL_HINT = "pip install 'weaviate-telemetry[soak]'"


class Unusable(Exception):
    """The run cannot start (exit code 2)."""


def missing_extras() -> list[str]:
    """Modules of the ``soak`` extra that are not installed."""
    return [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]


def soak_main(args: argparse.Namespace, nodes: NodeControl | None = None) -> int:
    """Run ``weaviate-telemetry soak`` with parsed ``args``; return the exit code.

    ``nodes`` controls the cluster's nodes for node fault steps: given by the
    harness that started the cluster (``tools/soak_stack.py --cluster``).
    """
    try:
        options = from_args(args, dict(os.environ))
    except UsageError as err:
        print(f"soak: {err}", file=sys.stderr)
        return 2
    try:
        missing = missing_extras()
    except ModuleNotFoundError:  # a parent package of a dotted name is missing
        missing = ["opentelemetry.instrumentation"]
    if missing:
        print(
            f"soak: missing {', '.join(missing)} — install the soak extra: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 2
    if options.async_client and importlib.util.find_spec("aiohttp") is None:
        print(
            "soak: --async needs aiohttp — install the async extra: "
            "pip install 'weaviate-telemetry[async]'",
            file=sys.stderr,
        )
        return 2
    if options.node_faults and nodes is None:
        print(
            "soak: node steps in --faults need a cluster the harness started "
            "(python tools/soak_stack.py --cluster 3 …; docs/soak.md)",
            file=sys.stderr,
        )
        return 2
    try:
        return Soak(options, nodes).run()
    except Unusable as err:
        print(f"soak: {err}", file=sys.stderr)
        return 2


def _get(url: str, timeout: float = 5.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as err:
        err.close()
        return int(err.code)
    except (urllib.error.URLError, OSError) as err:
        raise Unusable(f"cannot reach {url}: {err}") from None


class Soak:
    """The steps of one run, in order."""

    def __init__(self, options: SoakOptions, nodes: NodeControl | None = None) -> None:
        self.options = options
        self.nodes = nodes
        self.run_id = uuid.uuid4().hex[:8]
        self.collection = "Soak" + self.run_id
        self.folder = options.report

    def _client(self) -> Client:
        o = self.options
        retry = RetryPolicy(enabled=o.retries, max_attempts=3, initial_backoff=0.05, max_backoff=1)
        return Client(
            o.url,
            fallback_urls=list(o.fallback_urls),
            api_key=o.api_key,
            retry=retry,
            pool_maxsize=max(10, o.writers + o.readers + 2),
            grpc_port=o.grpc_port,
        )

    def _dashboards(self) -> list[Path]:
        if self.options.dashboards:
            return list(self.options.dashboards)
        found = shipped()
        if not found:
            raise Unusable(f"--prometheus: no dashboards in {FOLDER}; pass --dashboard FILE")
        return found

    def run(self) -> int:
        o = self.options
        out = self.folder
        dashboards: list[Path] = []
        if o.prometheus:
            dashboards = self._dashboards()
            if _get(o.prometheus.rstrip("/") + "/-/ready") != 200:
                raise Unusable(f"Prometheus at {o.prometheus} is not ready")
        schedule = None
        if o.toxiproxy:
            try:
                proxy = Toxiproxy(o.toxiproxy)
                schedule = FaultSchedule(proxy, proxy.proxy_for(o.url, o.toxiproxy_proxy), o.faults)
                schedule.clear()
            except ToxiproxyError as err:
                raise Unusable(str(err)) from None
            except UsageError as err:
                raise Unusable(str(err)) from None
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise Unusable(f"--report {out}: {err}") from None
        client = self._client()
        try:
            try:
                client.health.wait_until_ready(timeout=max(0.1, o.ready_timeout))
                version = client.meta().version
            except WeaviateError as err:
                raise Unusable(f"server not usable: {err}") from None
            if o.fleet:
                from .fleet import Fleet, FleetError

                try:
                    return Fleet(o, self.nodes).run(version, schedule)
                except FleetError as err:
                    raise Unusable(str(err)) from None
            return self._run(client, version, dashboards, schedule)
        finally:
            client.close()

    def _run(
        self,
        client: Client,
        version: str,
        dashboards: list[Path],
        schedule: FaultSchedule | None,
    ) -> int:
        from .fleet import workload_class, workload_extra
        from .progress import Progress
        from .report import process_chart, write_json, write_markdown
        from .sampler import Sampler, rss_growth

        o = self.options
        telemetry = SoakTelemetry(o, self.run_id)
        workload = workload_class(o)(
            client,
            self.collection,
            writers=o.writers,
            readers=o.readers,
            batch_size=o.batch_size,
            dimensions=o.dimensions,
            think_time=o.think_time,
            seed=o.seed,
            on_written=lambda n: telemetry.written.add(n, {"db.collection.name": self.collection}),
            **workload_extra(o, 0),
        )
        try:
            workload.create_collection()
        except WeaviateError as err:
            telemetry.shutdown()
            raise Unusable(f"cannot create the soak collection: {err}") from None
        started_at = datetime.now(timezone.utc)
        wall_start = time.time()
        sampler = Sampler(o.sample_interval, workload.counters)

        def status() -> str:
            written, calls, errors = workload.counters()
            rss = sampler.samples[-1].rss / 2**20 if sampler.samples else 0.0
            elapsed = max(1e-3, time.monotonic() - began)
            return (
                f"written {written} ({written / elapsed:.0f}/s)  calls {calls}  "
                f"errors {errors}  rss {rss:.0f} MiB"
            )

        print(
            f"soak: {o.duration:g}s against {redact_url(o.url)} (Weaviate {version}), "
            f"collection {self.collection}, {o.writers} writers, {o.readers} readers"
            + (f", faults {','.join(s.text for s in o.faults)}" if o.faults else ""),
            flush=True,
        )
        began = time.monotonic()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sampler.start()
            if schedule is not None:
                schedule.start()
            progress = Progress(o.duration, status).start()
            try:
                workload.run(o.duration)
            except KeyboardInterrupt:
                workload.stop()
                progress.line("interrupted: stopping the workload and checking what was written")
            finally:
                progress.close()
                if schedule is not None:
                    schedule.stop()
            seconds = time.monotonic() - began
            sampler.stop()
            print(f"soak: checking {workload.written} written objects...", flush=True)
            check = workload.verify()
            telemetry.lost = len(check.lost)
            telemetry.flush()
            if not o.keep_collection:
                try:
                    client.collections.delete(self.collection)
                except WeaviateError as err:
                    workload.unexpected.append(f"dropping the collection: {err}")
        warning_texts = [
            f"{w.category.__name__}: {w.message} ({Path(w.filename).name}:{w.lineno})"
            for w in caught
        ]
        memory = rss_growth(sampler.samples, o.warmup_seconds)
        summary = telemetry.summary()
        charts: list[dict[str, Any]] = []
        faults = schedule.applied if schedule is not None else []
        process_chart(sampler.samples, self.folder / "process.png", o.warmup_seconds, faults)
        charts.append({"title": "Client process (in-process samples)", "file": "process.png"})
        if o.prometheus:
            # Let the last exports be scraped before the panels are read.
            time.sleep(min(30.0, 2 * o.scrape_interval + 1))
            charts += render_dashboards(o, wall_start - 5, time.time(), dashboards)
        telemetry.shutdown()

        samples = sampler.samples
        cpu = samples[-1].cpu_user + samples[-1].cpu_system - samples[0].cpu_user
        cpu -= samples[0].cpu_system
        written, calls, errors = workload.counters()
        reasons = []
        if check.error:
            reasons.append(check.error)
        if check.lost:
            reasons.append(f"{len(check.lost)} written objects lost")
        if check.duplicated:
            reasons.append(f"{len(check.duplicated)} objects present more than once")
        if check.resurrected:
            reasons.append(f"{len(check.resurrected)} deleted objects present again")
        if check.strangers:
            reasons.append(f"{len(check.strangers)} objects nobody wrote")
        if workload.unexpected:
            reasons.append(f"{len(workload.unexpected)} unexpected errors")
        if not o.faults:
            failed = sum(n for s in workload.ops.values() for n in s.errors.values())
            failed += sum(workload.batch_failures.values())
            if failed > len(workload.unexpected):
                reasons.append(f"{failed} calls or batch items failed without a fault schedule")
        if warning_texts:
            reasons.append(f"{len(warning_texts)} Python warnings")
        growth = memory.get("growth_pct")
        if growth is not None and growth > o.max_rss_growth:
            reasons.append(f"RSS grew {growth:.1f} % after warm-up (limit {o.max_rss_growth:g} %)")
        exit_code = 1 if reasons else 0
        report: dict[str, Any] = {
            "run": run_section(
                o,
                run_id=self.run_id,
                started_at=started_at,
                seconds=seconds,
                version=version,
                collection=self.collection,
                url=redact_url(o.url),
            ),
            "verdict": {
                "result": "pass" if exit_code == 0 else "fail",
                "exit_code": exit_code,
                "reasons": reasons,
            },
            "limits": {"max_rss_growth_pct": o.max_rss_growth},
            "throughput": {
                "objects_written": written,
                "objects_per_second": round(written / seconds, 1) if seconds else 0.0,
                "calls": calls,
                "calls_per_second": round(calls / seconds, 1) if seconds else 0.0,
                "errors": errors,
                "batch_item_failures": dict(workload.batch_failures),
            },
            "verification": check.to_dict(),
            "process": {
                "rss": memory,
                "cpu_seconds": round(cpu, 2),
                "cpu_share": round(cpu / seconds, 3) if seconds else 0.0,
                "gc_collections": [
                    b - a
                    for a, b in zip(
                        samples[0].gc_collections, samples[-1].gc_collections, strict=True
                    )
                ],
                "threads_max": max(s.threads for s in samples),
            },
            "transport": self.options.transport,
            "operations": {
                op: stats.summary(seconds) for op, stats in sorted(workload.ops.items())
            },
            "searches": {
                kind: stats.summary(seconds) for kind, stats in sorted(workload.searches.items())
            },
            "telemetry": summary,
            "faults": faults,
            "fault_errors": schedule.errors if schedule is not None else [],
            "warnings": warning_texts,
            "unexpected_errors": workload.unexpected[:50],
            "charts": charts,
            "samples": [s.to_dict() for s in samples],
        }
        write_json(report, self.folder)
        md = write_markdown(report, self.folder)
        print(
            f"soak: {report['verdict']['result']}: {written} objects written "
            f"({report['throughput']['objects_per_second']:g}/s), lost {len(check.lost)}, "
            + (f"RSS growth {growth:+.1f} %" if growth is not None else "RSS growth n/a")
            + f", {errors} failed calls, {len(warning_texts)} warnings → {md}",
            flush=True,
        )
        for reason in reasons:
            print(f"soak: FAIL: {reason}", file=sys.stderr)
        return exit_code
