"""A soak across worker processes and cluster endpoints, with one report for the run.

The coordinator (the ``soak`` process) creates the collection (replicated
over the endpoints), starts ``--processes`` workers (spawned or forked), and
runs the fault schedules — toxiproxy steps and node steps (:mod:`.nodes`) —
while they work. Each worker has its own client (primary endpoint: the k-th
``--url``, the others as fallbacks), its own telemetry with
``service.instance.id`` = ``<run id>-<k>``, its own in-process samples, and
writes ids in its own id space. At the end every worker hands back its
books, operation stats (in total and per phase of the node loss) and
samples; the coordinator reads every acknowledged id back at the check's
consistency level (:func:`.workload.check_books`) and writes one report:
per-process and total figures.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import queue
import sys
import threading
import time
import traceback
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._client import Client
from .._core.config import RetryPolicy
from .._core.errors import WeaviateError
from .._core.redact import redact_url
from .faults import FaultSchedule
from .nodes import PHASES, NodeControl, NodeSchedule
from .options import SoakOptions
from .otel import SoakTelemetry, export_lost, render_dashboards
from .report import run_section
from .workload import OpStats

if TYPE_CHECKING:
    from .._async_client import AsyncClient

#: Seconds a worker may take to start (spawned: a fresh interpreter importing the SDK).
_START_TIMEOUT = 180.0
#: Seconds after the workload's end a worker may take to hand back its results.
_RESULT_GRACE = 300.0


class FleetError(Exception):
    """The fleet could not run (a worker did not start or died)."""


def _client_arguments(options: SoakOptions, index: int) -> tuple[str, dict[str, Any]]:
    """Worker ``index``'s endpoint and client keywords: the k-th endpoint first, the others
    as fallbacks."""
    endpoints = list(options.endpoints)
    primary = endpoints[index % len(endpoints)]
    fallbacks = [u for u in endpoints if u != primary] + [
        u for u in options.fallback_urls if u not in endpoints
    ]
    retry = RetryPolicy(
        enabled=options.retries, max_attempts=3, initial_backoff=0.05, max_backoff=1
    )
    return primary, {
        "fallback_urls": fallbacks,
        "api_key": options.api_key,
        "retry": retry,
        "pool_maxsize": max(10, options.writers + options.readers + 2),
        "grpc_port": options.grpc_port,
    }


def worker_client(options: SoakOptions, index: int) -> Client:
    """Worker ``index``'s client: the k-th endpoint first, the others as fallbacks."""
    primary, keywords = _client_arguments(options, index)
    return Client(primary, **keywords)


def worker_async_client(options: SoakOptions, index: int) -> AsyncClient:
    """Worker ``index``'s AsyncClient (``--async``), configured as :func:`worker_client`."""
    from .._async_client import AsyncClient

    primary, keywords = _client_arguments(options, index)
    return AsyncClient(primary, **keywords)


def workload_class(options: SoakOptions) -> type[Any]:
    """The workload of one process: threads on a Client, or asyncio tasks (``--async``)."""
    if options.async_client:
        from .async_workload import AsyncWorkload

        return AsyncWorkload
    from .workload import Workload

    return Workload


def workload_extra(options: SoakOptions, index: int) -> dict[str, Any]:
    """The async workload's client factory (an AsyncClient is made in the loop that uses it)."""
    if not options.async_client:
        return {}
    return {"async_client": lambda: worker_async_client(options, index)}


def instance_id(run_id: str, index: int) -> str:
    """The ``service.instance.id`` of worker ``index``."""
    return f"{run_id}-{index}"


def _worker(
    options: SoakOptions,
    run_id: str,
    index: int,
    collection: str,
    go: Any,
    phase: Any,
    counters: Any,
    ready: Any,
    results: Any,
) -> None:
    """One worker process: its own client, telemetry and samples; results to ``results``."""
    from .sampler import Sampler, rss_growth

    name = instance_id(run_id, index)
    result: dict[str, Any] = {"index": index, "instance_id": name, "pid": os.getpid()}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            telemetry = SoakTelemetry(options, name)
            client = worker_client(options, index)
            workload = workload_class(options)(
                client,
                collection,
                writers=options.writers,
                readers=options.readers,
                batch_size=options.batch_size,
                dimensions=options.dimensions,
                think_time=options.think_time,
                seed=options.seed * 100 + index,
                on_written=lambda n: telemetry.written.add(n, {"db.collection.name": collection}),
                id_space=f"{collection}/{index}",
                phase=lambda: PHASES[phase.value],
                phase_names=PHASES,
                node_faults=bool(options.node_faults),
                **workload_extra(options, index),
            )
            sampler = Sampler(options.sample_interval, workload.counters)
            ready.put(index)
            if not go.wait(_START_TIMEOUT):
                raise FleetError("the coordinator never said go")
            stop = threading.Event()

            def publish() -> None:
                while not stop.wait(1.0):
                    written, calls, errors = workload.counters()
                    counters[3 * index : 3 * index + 3] = [written, calls, errors]

            publisher = threading.Thread(target=publish, name="soak-counters", daemon=True)
            sampler.start()
            publisher.start()
            began = time.monotonic()
            workload.run(options.duration)
            seconds = time.monotonic() - began
            sampler.stop()
            stop.set()
            publisher.join(5)
            counters[3 * index : 3 * index + 3] = list(workload.counters())
            telemetry.flush()
            summary = telemetry.summary()
            client.close()
            telemetry.shutdown()
        samples = sampler.samples
        written, calls, errors = workload.counters()
        result.update(
            url=redact_url(str(client.config.base_url)),
            seconds=seconds,
            written=written,
            calls=calls,
            errors=errors,
            ops=dict(workload.ops),
            searches=dict(workload.searches),
            phases={p: dict(ops) for p, ops in workload.phases.items()},
            books=workload.books(),
            samples=samples,
            rss=rss_growth(samples, options.warmup_seconds),
            cpu_seconds=samples[-1].cpu_user
            + samples[-1].cpu_system
            - samples[0].cpu_user
            - samples[0].cpu_system,
            telemetry=summary,
            unexpected=workload.unexpected[:50],
            unexpected_count=len(workload.unexpected),
            replica_rpc_errors=workload.replica_rpc_errors[:20],
            replica_rpc_error_count=len(workload.replica_rpc_errors),
            batch_failures=dict(workload.batch_failures),
            warnings=[
                f"{w.category.__name__}: {w.message} ({Path(w.filename).name}:{w.lineno})"
                for w in caught
            ],
        )
    except BaseException:
        result["error"] = traceback.format_exc(limit=12)
    results.put(result)


class Fleet:
    """The coordinator of a multi-process soak; :meth:`run` returns the exit code."""

    def __init__(self, options: SoakOptions, nodes: NodeControl | None = None) -> None:
        self.options = options
        self.nodes = nodes
        self.run_id = uuid.uuid4().hex[:8]
        self.collection = "Soak" + self.run_id

    def _client(self) -> Client:
        return worker_client(self.options, 0)

    def run(self, version: str, schedule: FaultSchedule | None) -> int:
        from .report import fleet_charts, write_fleet_markdown, write_json
        from .workload import Workload, check_books

        o = self.options
        client = self._client()
        try:
            Workload(
                client, self.collection, writers=1, readers=0, batch_size=1, dimensions=1
            ).create_collection(o.replication_factor)
        except WeaviateError as err:
            client.close()
            raise FleetError(f"cannot create the soak collection: {err}") from None
        ctx: Any = multiprocessing.get_context(o.start_method)
        go = ctx.Event()
        phase = ctx.Value("i", 0)
        counters = ctx.Array("q", 3 * o.processes)
        ready = ctx.Queue()
        results = ctx.Queue()
        procs = [
            ctx.Process(
                target=_worker,
                args=(o, self.run_id, k, self.collection, go, phase, counters, ready, results),
                name=f"soak-worker-{k}",
                daemon=True,
            )
            for k in range(o.processes)
        ]
        started_at = datetime.now(timezone.utc)
        print(
            f"soak: {o.duration:g}s against {', '.join(redact_url(u) for u in o.endpoints)} "
            f"(Weaviate {version}), collection {self.collection} "
            f"(replication factor {o.replication_factor or 'default'}), {o.processes} processes "
            f"({o.start_method}), each {o.writers} writers, {o.readers} readers"
            + (f", faults {','.join(s.text for s in o.faults)}" if o.faults else "")
            + (f", node faults {','.join(s.text for s in o.node_faults)}" if o.node_faults else ""),
            flush=True,
        )
        for proc in procs:
            proc.start()
        got: dict[int, dict[str, Any]] = {}
        nodes: NodeSchedule | None = None
        try:
            self._wait_ready(procs, ready)
            if o.node_faults:
                assert self.nodes is not None
                nodes = NodeSchedule(self.nodes, o.node_faults, on_phase=self._setter(phase))
            wall_start = time.time()
            began = time.monotonic()
            go.set()
            if schedule is not None:
                schedule.start()
            if nodes is not None:
                nodes.start(began)
            self._progress(began, counters, nodes)
            deadline = began + o.duration + _RESULT_GRACE
            while len(got) < len(procs):
                try:
                    one = results.get(timeout=max(0.1, min(5.0, deadline - time.monotonic())))
                except queue.Empty:
                    dead = [p.name for p in procs if not p.is_alive() and p.exitcode]
                    if time.monotonic() >= deadline or (dead and results.empty()):
                        raise FleetError(
                            f"workers without results: {sorted(set(range(len(procs))) - set(got))}"
                            + (f" (died: {', '.join(dead)})" if dead else "")
                        ) from None
                    continue
                got[one["index"]] = one
            seconds = time.monotonic() - began
        finally:
            go.set()
            if schedule is not None:
                schedule.stop()
            for proc in procs:
                proc.join(30)
                if proc.is_alive():
                    proc.kill()
                    proc.join(5)
        if nodes is not None:
            nodes.stop()
        failed_workers = {k: r["error"] for k, r in got.items() if "error" in r}
        if failed_workers:
            client.close()
            raise FleetError(
                "worker(s) failed:\n" + "\n".join(f"[{k}] {e}" for k, e in failed_workers.items())
            )
        workers = [got[k] for k in sorted(got)]
        print(
            f"soak: checking {sum(w['written'] for w in workers)} written objects "
            f"(consistency {o.check_consistency or 'cursor only'})...",
            flush=True,
        )
        books = [
            (f"{self.collection}/{w['index']}", writer, status)
            for w in workers
            for writer, status in enumerate(w["books"])
        ]
        # Every node must be up for the read-back to mean anything: Weaviate answers a read
        # at ALL from the replicas it reaches when one is down (docs/soak.md).
        nodes_up = (
            [i for i in range(self.nodes.size) if self.nodes.running(i)]
            if self.nodes is not None
            else None
        )
        check = check_books(client, self.collection, books, o.check_consistency)
        export_lost(o, f"{self.run_id}-check", len(check.lost))
        unexpected: list[str] = []
        if not o.keep_collection:
            try:
                client.collections.delete(self.collection)
            except WeaviateError as err:
                unexpected.append(f"dropping the collection: {err}")
        client.close()
        report = self._report(
            version, started_at, seconds, workers, check, schedule, nodes, unexpected
        )
        report["verification"]["nodes_running"] = nodes_up
        if nodes_up is not None and self.nodes is not None and len(nodes_up) < self.nodes.size:
            report["verdict"]["reasons"].append(
                f"only nodes {nodes_up} of {self.nodes.size} ran during the check"
            )
            report["verdict"].update(result="fail", exit_code=1)
        charts = fleet_charts(workers, o.report, o.warmup_seconds, report["timeline"])
        report["charts"] = charts
        if o.prometheus:
            time.sleep(min(30.0, 2 * o.scrape_interval + 1))
            report["charts"] += render_dashboards(o, wall_start - 5, time.time())
        write_json(report, o.report)
        md = write_fleet_markdown(report, o.report)
        total = report["total"]
        print(
            f"soak: {report['verdict']['result']}: {o.processes} processes, "
            f"{total['objects_written']} objects written ({total['objects_per_second']:g}/s), "
            f"lost {len(check.lost)}, duplicated {len(check.duplicated)}, "
            f"{total['errors']} failed calls → {md}",
            flush=True,
        )
        for reason in report["verdict"]["reasons"]:
            print(f"soak: FAIL: {reason}", file=sys.stderr)
        return int(report["verdict"]["exit_code"])

    @staticmethod
    def _setter(phase: Any) -> Any:
        def set_phase(value: int) -> None:
            phase.value = value

        return set_phase

    def _wait_ready(self, procs: list[Any], ready: Any) -> None:
        pending = set(range(len(procs)))
        deadline = time.monotonic() + _START_TIMEOUT
        while pending:
            try:
                pending.discard(ready.get(timeout=1.0))
            except queue.Empty:
                dead = [p.name for p in procs if not p.is_alive()]
                if dead or time.monotonic() >= deadline:
                    raise FleetError(
                        f"workers did not start: {sorted(pending)}"
                        + (f" (exited: {', '.join(dead)})" if dead else "")
                    ) from None

    def _progress(self, began: float, counters: Any, nodes: NodeSchedule | None) -> None:
        """Plain progress lines every ~30 s (10 s for short runs) until the workload ends."""
        o = self.options
        every = 10.0 if o.duration <= 300 else 30.0
        end = began + o.duration
        while True:
            now = time.monotonic()
            if now >= end:
                return
            time.sleep(min(every, end - now))
            values = list(counters)
            written = sum(values[0::3])
            calls, errors = sum(values[1::3]), sum(values[2::3])
            elapsed = time.monotonic() - began
            phase = nodes.phases[-1][0] if nodes is not None else "-"
            print(
                f"soak: {elapsed:.0f}/{o.duration:.0f}s written {written} "
                f"({written / max(elapsed, 1e-3):.0f}/s) calls {calls} errors {errors} "
                f"phase {phase}",
                flush=True,
            )

    def _report(
        self,
        version: str,
        started_at: datetime,
        seconds: float,
        workers: list[dict[str, Any]],
        check: Any,
        schedule: FaultSchedule | None,
        nodes: NodeSchedule | None,
        unexpected: list[str],
    ) -> dict[str, Any]:
        o = self.options
        per_process = []
        for w in workers:
            kinds: collections.Counter[str] = collections.Counter()
            for stats in w["ops"].values():
                kinds.update(stats.errors)
            per_process.append(
                {
                    "index": w["index"],
                    "instance_id": w["instance_id"],
                    "pid": w["pid"],
                    "primary_url": w["url"],
                    "seconds": round(w["seconds"], 1),
                    "objects_written": w["written"],
                    "objects_per_second": round(w["written"] / w["seconds"], 1),
                    "calls": w["calls"],
                    "calls_per_second": round(w["calls"] / w["seconds"], 1),
                    "errors": w["errors"],
                    "errors_by_kind": dict(sorted(kinds.items())),
                    "batch_item_failures": w["batch_failures"],
                    "rss": w["rss"],
                    "cpu_seconds": round(w["cpu_seconds"], 2),
                    "cpu_share": round(w["cpu_seconds"] / w["seconds"], 3),
                    "threads_max": max(s.threads for s in w["samples"]),
                    "telemetry": w["telemetry"],
                    "unexpected_errors": w["unexpected_count"],
                    "replica_rpc_errors": w["replica_rpc_error_count"],
                    "warnings": len(w["warnings"]),
                }
            )
        op_names = sorted({op for w in workers for op, s in w["ops"].items() if s.calls})
        operations = {
            op: OpStats.merged([w["ops"][op] for w in workers if op in w["ops"]], seconds)
            for op in op_names
        }
        search_names = sorted({k for w in workers for k, s in w["searches"].items() if s.calls})
        searches = {
            s: OpStats.merged([w["searches"][s] for w in workers if s in w["searches"]], seconds)
            for s in search_names
        }
        windows = (
            nodes.phase_windows(seconds)
            if nodes is not None
            else {"before": (0.0, seconds), "during": None, "after": None}
        )
        phases: dict[str, dict[str, Any]] = {}
        for op in op_names:
            phases[op] = {}
            for name in PHASES:
                window = windows.get(name)
                stats = [
                    w["phases"][name][op]
                    for w in workers
                    if op in w["phases"].get(name, {}) and w["phases"][name][op].calls
                ]
                length = (window[1] - window[0]) if window else 0.0
                phases[op][name] = OpStats.merged(stats, length) if stats else None
        kinds_total: collections.Counter[str] = collections.Counter()
        for p in per_process:
            kinds_total.update(p["errors_by_kind"])
        telemetry: dict[str, dict[str, float]] = {}
        for w in workers:
            for metric, values in w["telemetry"].items():
                into = telemetry.setdefault(metric, {})
                for key, value in values.items():
                    into[key] = into.get(key, 0.0) + value
        warnings_all = [t for w in workers for t in w["warnings"]]
        unexpected_all = unexpected + [u for w in workers for u in w["unexpected"]]
        unexpected_count = len(unexpected) + sum(w["unexpected_count"] for w in workers)
        growths = [p["rss"].get("growth_pct") for p in per_process]
        written = sum(p["objects_written"] for p in per_process)
        calls = sum(p["calls"] for p in per_process)
        errors = sum(p["errors"] for p in per_process)
        reasons = []
        if check.error:
            reasons.append(check.error)
        if check.lost:
            reasons.append(f"{len(check.lost)} acknowledged objects lost")
        if check.duplicated:
            reasons.append(f"{len(check.duplicated)} objects present more than once")
        if check.resurrected:
            reasons.append(f"{len(check.resurrected)} deleted objects present again")
        if check.strangers:
            reasons.append(f"{len(check.strangers)} objects nobody wrote")
        if unexpected_count:
            reasons.append(f"{unexpected_count} unexpected errors")
        if not (o.faults or o.node_faults):
            failed = errors + sum(sum(p["batch_item_failures"].values()) for p in per_process)
            if failed > unexpected_count:
                reasons.append(f"{failed} calls or batch items failed without a fault schedule")
        if warnings_all:
            reasons.append(f"{len(warnings_all)} Python warnings")
        for p, growth in zip(per_process, growths, strict=True):
            if growth is not None and growth > o.max_rss_growth:
                reasons.append(
                    f"process {p['index']}: RSS grew {growth:.1f} % after warm-up "
                    f"(limit {o.max_rss_growth:g} %)"
                )
        if nodes is not None and nodes.errors:
            reasons.append(f"{len(nodes.errors)} node steps failed")
        exit_code = 1 if reasons else 0
        timeline = (schedule.applied if schedule is not None else []) + (
            nodes.applied if nodes is not None else []
        )
        return {
            "run": run_section(
                o,
                run_id=self.run_id,
                started_at=started_at,
                seconds=seconds,
                version=version,
                collection=self.collection,
                urls=[redact_url(u) for u in o.endpoints],
                replication_factor=o.replication_factor,
                processes=o.processes,
                start_method=o.start_method,
                node_faults=",".join(s.text for s in o.node_faults) or None,
            ),
            "verdict": {
                "result": "pass" if exit_code == 0 else "fail",
                "exit_code": exit_code,
                "reasons": reasons,
            },
            "limits": {"max_rss_growth_pct": o.max_rss_growth},
            "transport": o.transport,
            "total": {
                "objects_written": written,
                "objects_per_second": round(written / seconds, 1) if seconds else 0.0,
                "calls": calls,
                "calls_per_second": round(calls / seconds, 1) if seconds else 0.0,
                "errors": errors,
                "errors_by_kind": dict(sorted(kinds_total.items())),
                "batch_item_failures": dict(
                    sum(
                        (collections.Counter(p["batch_item_failures"]) for p in per_process),
                        collections.Counter(),
                    )
                ),
                "rss_growth_pct_max": max((g for g in growths if g is not None), default=None),
                "cpu_seconds": round(sum(p["cpu_seconds"] for p in per_process), 2),
            },
            "processes": per_process,
            "verification": check.to_dict(),
            "operations": operations,
            "searches": searches,
            "phase_windows": windows,
            "phases": phases,
            "telemetry": telemetry,
            "timeline": timeline,
            "fault_errors": (schedule.errors if schedule is not None else [])
            + (nodes.errors if nodes is not None else []),
            "warnings": warnings_all[:50],
            "unexpected_errors": unexpected_all[:50],
            "replica_rpc_errors": {
                "count": sum(w["replica_rpc_error_count"] for w in workers),
                "examples": [e for w in workers for e in w["replica_rpc_errors"]][:20],
            },
            "charts": [],
            "samples": {w["instance_id"]: [s.to_dict() for s in w["samples"]] for w in workers},
        }
