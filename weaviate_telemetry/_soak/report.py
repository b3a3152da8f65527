"""The soak report: ``report.json`` (everything), ``report.md`` (for people) and charts."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.redact import redact_url
from .._version import __version__
from .sampler import Sample

if TYPE_CHECKING:
    from .options import SoakOptions


def run_section(
    o: SoakOptions,
    *,
    run_id: str,
    started_at: datetime,
    seconds: float,
    version: str,
    collection: str,
    **more: Any,
) -> dict[str, Any]:
    """The report's ``run`` section, written once for a single- and a multi-process soak:
    when, against what, with which workload; ``more`` adds what only one of them has (the
    endpoint or endpoints, processes, node faults)."""
    section: dict[str, Any] = {
        "id": run_id,
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_seconds": round(seconds, 1),
        "fallback_urls": [redact_url(u) for u in o.fallback_urls],
        "server_version": version,
        "sdk_version": __version__,
        "python": sys.version.split()[0],
        "collection": collection,
        "client": o.client_kind,
        "writers": o.writers,
        "readers": o.readers,
        "batch_size": o.batch_size,
        "dimensions": o.dimensions,
        "retries": o.retries,
        "think_time": o.think_time,
        "faults": ",".join(s.text for s in o.faults) or None,
        "service_name": o.service_name,
        "otlp_endpoint": o.otlp_endpoint,
        "prometheus": o.prometheus,
    }
    section.update(more)
    return section


MIB = 1024 * 1024


def write_json(report: Mapping[str, Any], folder: Path) -> Path:
    path = folder / "report.json"
    path.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")
    return path


def _op_rows(stats: dict[str, Any], name: str) -> list[str]:
    rows = []
    for op, s in sorted(stats.items()):
        kinds = ", ".join(f"{k} {n}" for k, n in s["errors_by_kind"].items())
        errors = f"{s['errors']}" + (f" ({kinds})" if kinds else "")
        rows.append(
            f"| {name.format(op)} | {s['calls']} | {s['per_second']:g} | {errors} "
            f"| {_ms(s['p50_ms'])} | {_ms(s['p95_ms'])} | {_ms(s['p99_ms'])} "
            f"| {_ms(s['max_ms'])} |"
        )
    return rows


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:g}"


def markdown(report: Mapping[str, Any]) -> str:
    """``report.md``: the verdict first, then throughput, integrity, memory, faults, charts."""
    run, verdict = report["run"], report["verdict"]
    check, memory = report["verification"], report["process"]["rss"]
    growth = memory.get("growth_pct")
    limit = report["limits"]["max_rss_growth_pct"]
    gc_runs = "/".join(map(str, report["process"]["gc_collections"]))
    lines = [
        f"# Soak report: {verdict['result']} (exit code {verdict['exit_code']})",
        "",
        f"{run['started_at']} · {run['duration_seconds']:g} s against `{run['url']}` "
        f"(Weaviate {run.get('server_version') or '?'}) · {run['writers']} writers, "
        f"{run['readers']} readers, batches of {run['batch_size']}, "
        f"retries {'on' if run['retries'] else 'off'}"
        + (", AsyncClient (asyncio tasks)" if run.get("client") == "async" else "")
        + (f", faults `{run['faults']}`" if run.get("faults") else ""),
        "",
    ]
    if verdict["reasons"]:
        lines += ["**Why it failed:**", ""]
        lines += [f"- {reason}" for reason in verdict["reasons"]]
        lines.append("")
    t = report["throughput"]
    lines += [
        "| figure | value |",
        "| --- | --- |",
        f"| objects written | {t['objects_written']} ({t['objects_per_second']:g}/s) |",
        f"| SDK calls | {t['calls']} ({t['calls_per_second']:g}/s), "
        f"{t['errors']} failed after retries |",
        f"| lost objects | **{check['lost']}** (of {check['expected_present']} expected present) |",
        f"| duplicated / resurrected / unknown ids | {check['duplicated']} / "
        f"{check['resurrected']} / {check['unknown_ids_found']} |",
        f"| RSS growth after warm-up ({memory['warmup_seconds']:g} s) | "
        + (
            f"**{growth:+.1f} %** ({memory['rss_after_warmup'] / MIB:.1f} → "
            f"{memory['rss_at_end'] / MIB:.1f} MiB; limit {limit:g} %)"
            if growth is not None
            else "not measured (too few samples after warm-up)"
        )
        + " |",
        f"| peak RSS | {memory.get('rss_max', 0) / MIB:.1f} MiB |",
        f"| CPU | {report['process']['cpu_seconds']:g} s "
        f"({report['process']['cpu_share']:.0%} of one core) |",
        f"| GC collections (gen 0/1/2) | {gc_runs} |",
        f"| threads (max) | {report['process']['threads_max']} |",
        f"| Python warnings | {len(report['warnings'])} |",
        "",
        "## Operations",
        "",
        "Named as Prometheus shows them (`db_operation_name`); searches and batch imports "
        f"went over {report.get('transport', 'rest').replace('rest', 'REST/GraphQL')}.",
        "",
        "| operation | calls | /s | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += _op_rows(report["operations"], "`{}`")
    if report.get("searches"):
        lines += [
            "",
            "`query.get` by search:",
            "",
            "| search | calls | /s | errors | p50 ms | p95 ms | p99 ms | max ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += _op_rows(report["searches"], "{}")
    seen = report.get("telemetry", {})
    if seen:
        lines += ["", "## What the SDK's telemetry counted", ""]
        for name, values in seen.items():
            parts = ", ".join(f"{k} {v:g}" for k, v in values.items()) or "none"
            lines.append(f"- `{name}`: {parts}")
    lines += [
        "",
        "## Integrity check",
        "",
        f"Every id the server confirmed was read back with a cursor over the collection "
        f"({check['seconds']:g} s): {check['found']} objects found, "
        f"{check['expected_present']} expected (confirmed {check['confirmed_written']} - "
        f"deleted {check['deleted']} - deletes with unknown outcome "
        f"{check['deletes_with_unknown_outcome']}); aggregate count "
        f"{check['aggregate_count']}. Imports that failed (outcome unknown): "
        f"{check['unconfirmed_writes_stored']} stored anyway, "
        f"{check['unconfirmed_writes_absent']} absent — both are correct.",
    ]
    if check.get("error"):
        lines += ["", f"**The check could not finish:** {check['error']}"]
    if report.get("faults"):
        lines += ["", "## Faults (toxiproxy)", ""]
        lines += [f"- at {f['at']:g} s: `{f['step']}`" for f in report["faults"]]
        lines += [f"- error: {e}" for e in report.get("fault_errors", [])]
    if report["warnings"]:
        lines += ["", "## Python warnings", ""]
        lines += [f"- `{w}`" for w in report["warnings"][:20]]
    if report["unexpected_errors"]:
        lines += ["", "## Unexpected errors (first 20)", ""]
        lines += [f"- `{e.splitlines()[-1][:300]}`" for e in report["unexpected_errors"][:20]]
    lines += ["", "## Charts", ""]
    for chart in report["charts"]:
        lines += [f"### {chart['title']}", ""]
        if chart.get("problems"):
            lines += [f"Panels without data or with errors: {chart['problems']}", ""]
        lines += [f"![{chart['title']}]({chart['file']})", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(report: Mapping[str, Any], folder: Path) -> Path:
    path = folder / "report.md"
    path.write_text(markdown(report))
    return path


def process_chart(
    samples: Sequence[Sample],
    out: Path,
    warmup: float,
    faults: Sequence[Mapping[str, Any]] = (),
) -> Path:
    """Six small charts from the in-process samples: RSS, CPU, GC, threads, throughput, errors."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [s.t for s in samples]
    fig, axes = plt.subplots(2, 3, figsize=(15, 7), dpi=80)
    flat = list(axes.flat)

    def rate(values: Sequence[float]) -> list[float]:
        out = [0.0]
        for i in range(1, len(values)):
            dt = t[i] - t[i - 1]
            out.append((values[i] - values[i - 1]) / dt if dt > 0 else 0.0)
        return out

    flat[0].plot(t, [s.rss / MIB for s in samples])
    flat[0].set_title("RSS (MiB)")
    flat[1].plot(t, [v * 100 for v in rate([s.cpu_user + s.cpu_system for s in samples])])
    flat[1].set_title("CPU (% of one core)")
    for gen in range(3):
        flat[2].plot(t, rate([s.gc_collections[gen] for s in samples]), label=f"gen {gen}")
    flat[2].set_title("GC collections per second")
    flat[2].legend(fontsize=7)
    flat[3].plot(t, [s.threads for s in samples])
    flat[3].set_title("threads")
    flat[4].plot(t, rate([s.written for s in samples]))
    flat[4].set_title("objects written per second")
    flat[5].plot(t, rate([s.calls for s in samples]), label="calls")
    flat[5].plot(t, rate([s.errors for s in samples]), label="errors", color="#d62728")
    flat[5].set_title("SDK calls and errors per second")
    flat[5].legend(fontsize=7)
    for ax in flat:
        ax.axvline(warmup, color="#888888", linestyle="--", linewidth=0.8)
        for fault in faults:
            ax.axvline(float(fault["at"]), color="#ff7f0e", linestyle=":", linewidth=0.8)
        ax.set_xlabel("seconds", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle("client process (dashed: end of warm-up; dotted: fault steps)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


def _phase_cell(summary: Mapping[str, Any] | None) -> str:
    if not summary:
        return "-"
    errors = f", {summary['errors']} err" if summary["errors"] else ""
    return f"{_ms(summary['p99_ms'])} ({summary['calls']}{errors})"


def fleet_markdown(report: Mapping[str, Any]) -> str:
    """``report.md`` of a multi-process run: verdict, totals, per process, phases, integrity."""
    run, verdict, total = report["run"], report["verdict"], report["total"]
    check = report["verification"]
    limit = report["limits"]["max_rss_growth_pct"]
    kinds = ", ".join(f"{k} {n}" for k, n in total["errors_by_kind"].items()) or "none"
    lines = [
        f"# Soak report: {verdict['result']} (exit code {verdict['exit_code']})",
        "",
        f"{run['started_at']} · {run['duration_seconds']:g} s · {run['processes']} processes "
        f"({run['start_method']}), each {run['writers']} writers + {run['readers']} readers, "
        f"batches of {run['batch_size']}, think time {run['think_time'] * 1000:g} ms, retries "
        f"{'on' if run['retries'] else 'off'}"
        + (" · AsyncClient (asyncio tasks)" if run.get("client") == "async" else "")
        + " · endpoints "
        + ", ".join(f"`{u}`" for u in run["urls"])
        + f" (Weaviate {run.get('server_version') or '?'}, replication factor "
        f"{run.get('replication_factor') or 'default'})"
        + (f" · proxy faults `{run['faults']}`" if run.get("faults") else "")
        + (f" · node faults `{run['node_faults']}`" if run.get("node_faults") else ""),
        "",
    ]
    if verdict["reasons"]:
        lines += ["**Why it failed:**", ""]
        lines += [f"- {reason}" for reason in verdict["reasons"]]
        lines.append("")
    growth = total.get("rss_growth_pct_max")
    lines += [
        "| figure (all processes) | value |",
        "| --- | --- |",
        f"| objects written | {total['objects_written']} ({total['objects_per_second']:g}/s) |",
        f"| SDK calls | {total['calls']} ({total['calls_per_second']:g}/s), "
        f"{total['errors']} failed after retries ({kinds}) |",
        f"| lost / duplicated acknowledged objects | **{check['lost']} / {check['duplicated']}** "
        f"(of {check['expected_present']} expected present, read back at consistency "
        f"{check.get('consistency') or 'cursor only'}) |",
        f"| resurrected / unknown ids | {check['resurrected']} / {check['unknown_ids_found']} |",
        "| largest RSS growth of a process after warm-up | "
        + ("not measured" if growth is None else f"**{growth:+.1f} %** (limit {limit:g} %)")
        + " |",
        f"| CPU (all workers) | {total['cpu_seconds']:g} s |",
        f"| Python warnings | {len(report['warnings'])} |",
        "",
        "## Per process",
        "",
        "Each worker process has its own client and `service.instance.id` (the `instance` "
        "label in Prometheus); its primary endpoint is listed, the others are its fallbacks.",
        "",
        "| process | service.instance.id | primary | objects | calls | errors | RSS after "
        "warm-up → end (MiB) | RSS growth | CPU |",
        "| ---: | --- | --- | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for p in report["processes"]:
        rss = p["rss"]
        kinds = ", ".join(f"{k} {n}" for k, n in p["errors_by_kind"].items())
        memory = (
            f"{rss['rss_after_warmup'] / MIB:.1f} → {rss['rss_at_end'] / MIB:.1f}"
            if rss.get("growth_pct") is not None
            else "-"
        )
        lines.append(
            f"| {p['index']} | `{p['instance_id']}` | `{p['primary_url']}` | "
            f"{p['objects_written']} ({p['objects_per_second']:g}/s) | "
            f"{p['calls']} ({p['calls_per_second']:g}/s) | {p['errors']}"
            + (f" ({kinds})" if kinds else "")
            + f" | {memory} | "
            + ("-" if rss.get("growth_pct") is None else f"{rss['growth_pct']:+.1f} %")
            + f" | {p['cpu_share']:.0%} |"
        )
    windows = report["phase_windows"]

    def window(name: str) -> str:
        w = windows.get(name)
        return "-" if not w else f"{w[0]:.0f} to {w[1]:.0f} s"

    lines += [
        "",
        "## Latency before, during and after the node loss",
        "",
        "p99 in ms (calls, failed calls) of every process's calls, by the phase they began "
        "in: *before* the first node step, *during* the node loss (from the kill until the "
        "node was back and the cluster healthy), *after* it.",
        "",
        f"| operation | before ({window('before')}) | during ({window('during')}) "
        f"| after ({window('after')}) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for op, by_phase in report["phases"].items():
        lines.append(
            f"| `{op}` | {_phase_cell(by_phase.get('before'))} | "
            f"{_phase_cell(by_phase.get('during'))} | {_phase_cell(by_phase.get('after'))} |"
        )
    lines += [
        "",
        "## Operations (whole run, all processes)",
        "",
        "| operation | calls | /s | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += _op_rows(report["operations"], "`{}`")
    if report.get("searches"):
        lines += [
            "",
            "| search (`query.get`) | calls | /s | errors | p50 ms | p95 ms | p99 ms | max ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += _op_rows(report["searches"], "{}")
    if report.get("telemetry"):
        lines += ["", "## What the SDK's telemetry counted (all processes)", ""]
        for name, values in report["telemetry"].items():
            parts = ", ".join(f"{k} {v:g}" for k, v in values.items()) or "none"
            lines.append(f"- `{name}`: {parts}")
    lines += [
        "",
        "## Integrity check",
        "",
        f"Every id a worker was told was stored (confirmed {check['confirmed_written']}, minus "
        f"deleted {check['deleted']} and deletes with unknown outcome "
        f"{check['deletes_with_unknown_outcome']}: {check['expected_present']} expected) was "
        + (
            f"read back by id at consistency **{check['consistency']}** "
            f"({check['found_at_consistency']} of the expected and deleted ids found)"
            if check.get("consistency")
            else "looked up in a cursor pass"
        )
        + f"; a cursor pass over the collection found {check['found']} objects "
        f"({check['duplicated']} ids more than once, {check['unknown_ids_found']} nobody wrote, "
        f"{check['expected_missing_from_cursor']} expected ids not listed by it); aggregate "
        f"count {check['aggregate_count']}; {check['seconds']:g} s. Imports that failed (outcome "
        f"unknown): {check['unconfirmed_writes_stored']} stored anyway, "
        f"{check['unconfirmed_writes_absent']} absent — both are correct."
        + (
            f" Nodes running during the check: {check['nodes_running']}."
            if check.get("nodes_running") is not None
            else ""
        ),
    ]
    if check.get("error"):
        lines += ["", f"**The check could not finish:** {check['error']}"]
    if report.get("timeline"):
        lines += ["", "## Fault steps", ""]
        for f in report["timeline"]:
            done = f" (done at {f['done_at']:g} s)" if "done_at" in f else ""
            lines.append(f"- at {f['at']:g} s: `{f['step']}`{done}")
        lines += [f"- error: {e.splitlines()[0]}" for e in report.get("fault_errors", [])]
    if report["warnings"]:
        lines += ["", "## Python warnings", ""]
        lines += [f"- `{w}`" for w in report["warnings"][:20]]
    replica = report.get("replica_rpc_errors") or {}
    if replica.get("count"):
        lines += [
            "",
            "## Failed replica calls reported as client errors",
            "",
            f"{replica['count']} calls or batch items failed with a 4xx whose message only "
            "reports that Weaviate's call to another replica failed (`rpc error: code = …`, "
            "the killed node's connection closing). A fault causes these, not the request, "
            "so they count as fault errors, not unexpected ones. Examples:",
            "",
        ]
        lines += [f"- `{e.splitlines()[-1][:300]}`" for e in replica["examples"][:5]]
    if report["unexpected_errors"]:
        lines += ["", "## Unexpected errors (first 20)", ""]
        lines += [f"- `{e.splitlines()[-1][:300]}`" for e in report["unexpected_errors"][:20]]
    lines += ["", "## Charts", ""]
    for chart in report["charts"]:
        lines += [f"### {chart['title']}", ""]
        if chart.get("problems"):
            lines += [f"Panels without data or with errors: {chart['problems']}", ""]
        lines += [f"![{chart['title']}]({chart['file']})", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_fleet_markdown(report: Mapping[str, Any], folder: Path) -> Path:
    path = folder / "report.md"
    path.write_text(fleet_markdown(report))
    return path


def fleet_charts(
    workers: Sequence[Mapping[str, Any]],
    folder: Path,
    warmup: float,
    timeline: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """``processes.png``: RSS, objects/s, calls/s and errors/s of every process, and the total."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(14, 8), dpi=80)
    flat = list(axes.flat)

    def rate(t: Sequence[float], values: Sequence[float]) -> list[float]:
        out = [0.0]
        for i in range(1, len(values)):
            dt = t[i] - t[i - 1]
            out.append((values[i] - values[i - 1]) / dt if dt > 0 else 0.0)
        return out

    totals: dict[str, list[tuple[float, float]]] = {"written": [], "calls": [], "errors": []}
    for w in workers:
        samples: Sequence[Sample] = w["samples"]
        t = [s.t for s in samples]
        label = f"{w['index']} ({w['instance_id']})"
        flat[0].plot(t, [s.rss / MIB for s in samples], label=label)
        for key, ax in (("written", flat[1]), ("calls", flat[2]), ("errors", flat[3])):
            values = rate(t, [float(getattr(s, key)) for s in samples])
            ax.plot(t, values, label=label, linewidth=0.8)
            totals[key] += list(zip(t, values, strict=True))
    for key, ax in (("written", flat[1]), ("calls", flat[2]), ("errors", flat[3])):
        buckets: dict[int, float] = {}
        for t_, v in totals[key]:
            buckets[int(t_ // 10) * 10] = buckets.get(int(t_ // 10) * 10, 0.0) + v
        if buckets:
            keys = sorted(buckets)
            per = max(1, len(workers))
            # Each process's rate was added once per sample in the 10 s bucket: average them.
            counts: dict[int, int] = {}
            for t_, _ in totals[key]:
                counts[int(t_ // 10) * 10] = counts.get(int(t_ // 10) * 10, 0) + 1
            ax.plot(
                keys,
                [buckets[k] / counts[k] * per for k in keys],
                label="total",
                color="black",
                linewidth=1.4,
            )
    titles = ["RSS per process (MiB)", "objects written/s", "SDK calls/s", "failed calls/s"]
    for ax, title in zip(flat, titles, strict=True):
        ax.set_title(title, fontsize=10)
        ax.axvline(warmup, color="#888888", linestyle="--", linewidth=0.8)
        for step in timeline:
            ax.axvline(float(step["at"]), color="#d62728", linestyle=":", linewidth=1.0)
        ax.set_xlabel("seconds", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("worker processes (dashed: end of warm-up; dotted red: fault steps)", fontsize=10)
    fig.tight_layout()
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "processes.png"
    fig.savefig(out)
    plt.close(fig)
    return [{"title": "Worker processes (in-process samples)", "file": out.name}]
