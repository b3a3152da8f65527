"""Start Weaviate + OTel collector + Prometheus (+ toxiproxy) on loopback and run a soak.

    python tools/soak_stack.py --duration 10m --report docs/soak --img docs/img \\
        [--faults "4m:latency=100ms+jitter=20ms,5m:reset=0.02,6m:down,6m10s:none"] \\
        [-- any other weaviate-telemetry soak option]

    python tools/soak_stack.py --cluster 3 --duration 60m --report docs/soak \\
        --faults "20m:node1=kill,25m:node1=start" -- --processes 4

With ``--cluster N`` it starts an N-node Weaviate cluster instead (the
cluster peer of tests/peers/cluster.py, each node's ``/metrics`` scraped
under the ``weaviate`` job) and runs the soak in this process against every
node's URL, handing it the cluster so node steps of ``--faults``
(``node1=kill|term|stop|cont|start``) can stop and restart a node on the same
ports and data dir.

The same stack the tests use (tests/support/stack.py): Weaviate with its
``/metrics`` on, the collector receiving the soak's OTLP and exposing it to
Prometheus (scraped every second, with Weaviate). With ``--faults`` the soak
talks to Weaviate through toxiproxy, with a dead fallback endpoint beside it,
so the retry, budget and endpoint panels get data. ``--img`` copies the
rendered dashboard PNGs there (the previews in docs/dashboards.md).
Everything started is stopped at the end; the exit code is the soak's.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from tests.peers.cluster import WeaviateCluster  # noqa: E402
from tests.peers.toxiproxy import Toxiproxy  # noqa: E402
from tests.support.stack import (  # noqa: E402
    WEAVIATE_JOB,
    start_cluster_metrics_stack,
    start_metrics_stack,
)
from weaviate_telemetry.embedded import EmbeddedWeaviate, free_port  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="10m")
    parser.add_argument("--report", default="soak-report", type=Path)
    parser.add_argument("--img", type=Path, help="copy the dashboard PNGs into this folder")
    parser.add_argument("--faults", help="toxiproxy fault schedule (see docs/soak.md)")
    parser.add_argument("--service-name", default="weaviate-soak")
    parser.add_argument("--cluster", type=int, help="start an N-node cluster (see above)")
    parser.add_argument("soak_args", nargs="*", help="more soak options, after --")
    args = parser.parse_args(argv)
    if args.cluster:
        return run_on_cluster(args)

    with EmbeddedWeaviate(prometheus=True) as weaviate:
        assert weaviate.ports is not None
        stack = start_metrics_stack(weaviate)
        toxiproxy = Toxiproxy().start() if args.faults else None
        try:
            command = [
                sys.executable,
                "-m",
                "weaviate_telemetry",
                "soak",
                "--duration",
                args.duration,
                "--report",
                str(args.report),
                "--prometheus",
                stack.prometheus.url,
                "--otlp-endpoint",
                stack.collector.otlp_http,
                "--service-name",
                args.service_name,
                "--weaviate-job",
                WEAVIATE_JOB,
                "--scrape-interval",
                "1s",
            ]
            if toxiproxy is not None:
                front = toxiproxy.proxy("weaviate", weaviate.ports.http)
                dead = f"http://127.0.0.1:{free_port()}"
                command += ["--url", front, "--fallback-url", dead]
                command += ["--toxiproxy", toxiproxy.api, "--faults", args.faults]
            else:
                command += ["--url", weaviate.url]
            command += args.soak_args
            print("$", " ".join(command[1:]), flush=True)
            code = subprocess.run(command, cwd=ROOT, check=False).returncode
        finally:
            if toxiproxy is not None:
                toxiproxy.stop()
            stack.stop()
    copy_images(args)
    return code


def run_on_cluster(args: argparse.Namespace) -> int:
    """The soak in this process against an N-node cluster, with node control for the faults."""
    from weaviate_telemetry._soak.options import add_arguments
    from weaviate_telemetry._soak.run import soak_main

    with WeaviateCluster(args.cluster, metrics=True) as cluster:
        stack = start_cluster_metrics_stack(cluster.metrics_ports)
        try:
            collector, prometheus = stack.collector, stack.prometheus
            command = [
                *("--duration", args.duration, "--report", str(args.report)),
                *("--prometheus", prometheus.url, "--otlp-endpoint", collector.otlp_http),
                *("--service-name", args.service_name, "--weaviate-job", WEAVIATE_JOB),
                *("--scrape-interval", "1s", "--transport", "rest"),
            ]
            for url in cluster.urls:
                command += ["--url", url]
            if args.faults:
                command += ["--faults", args.faults]
            command += args.soak_args
            print("$ weaviate-telemetry soak", " ".join(command), flush=True)
            soak = argparse.ArgumentParser(prog="weaviate-telemetry soak")
            add_arguments(soak)
            code = soak_main(soak.parse_args(command), nodes=cluster)
        finally:
            stack.stop()
    copy_images(args)
    return code


def copy_images(args: argparse.Namespace) -> None:
    if args.img:
        args.img.mkdir(parents=True, exist_ok=True)
        for png in sorted(args.report.glob("weaviate-*.png")):
            shutil.copyfile(png, args.img / png.name)
            print(f"copied {png} -> {args.img / png.name}")


if __name__ == "__main__":
    sys.exit(main())
