"""A client made before ``fork`` gives every process its own answers (docs/resilience.md).

Against the real Weaviate, over REST and gRPC: forked children that each read
their own objects through a client their parent made and used (the parent
reading at the same time, from another thread), a real gunicorn with
``--preload`` and four sync workers, ``multiprocessing`` with the fork and
spawn start methods, and 64 threads on one client. Every read checks the
object it got; the counts of wrong answers and errors must be zero.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import weaviate_telemetry as wt
from tests.support import fork_app
from weaviate_telemetry import Configure, DataType, Property
from weaviate_telemetry.embedded import EmbeddedWeaviate
from weaviate_telemetry.outputs.batch import BatchResult

pytestmark = pytest.mark.integration

OBJECTS = 240
CHILDREN = 6
READS = 120  # per child
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def numbered(weaviate_server: EmbeddedWeaviate) -> Iterator[str]:
    """A collection of OBJECTS objects, object ``n`` with property ``n`` and a known id."""
    name = "Fork" + os.urandom(5).hex()
    with weaviate_server.client() as c:
        handle = c.collections.create(
            name,
            properties=[Property(name="n", data_type=DataType.INT)],
            vector_config=Configure.Vectors.self_provided(),
        )
        with handle.batch.fixed_size(batch_size=100) as batch:
            for n in range(OBJECTS):
                batch.add_object({"n": n}, uuid=fork_app.object_id(name, n), vector=[n, 1.0])
        assert not handle.batch.failed_objects
        assert len(handle) == OBJECTS
        yield name
        c.collections.delete(name)


@pytest.fixture(params=["rest", "grpc"])
def module_client(
    request: pytest.FixtureRequest,
    weaviate_server: EmbeddedWeaviate,
    numbered: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[wt.Client]:
    """fork_app's module-level client, made and warmed here as a preloading parent would."""
    grpc_port = weaviate_server.ports.grpc if request.param == "grpc" else None  # type: ignore[union-attr]
    client = wt.Client(weaviate_server.url, grpc_port=grpc_port)
    monkeypatch.setattr(fork_app, "CLIENT", client)
    monkeypatch.setattr(fork_app, "COLLECTION", numbered)
    # Open several pooled connections (or the channel) in the parent, as a busy
    # preloaded app has them when it forks.
    with ThreadPoolExecutor(8) as pool:
        assert set(o for _, o in pool.map(fork_app.check, range(32))) == {"ok"}
    with client:
        yield client


def _run_forked(children: int, work: Callable[[int], list[str]], limit: float) -> list[list[str]]:
    """Fork ``children`` processes running ``work(i)``; their outcomes, or fail on a hang."""
    pipes, pids = [], []
    for i in range(children):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report and leave without running the parent's cleanup
            code = 0
            try:
                os.close(read_end)
                payload = json.dumps(work(i)).encode()
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write_end)
        pipes.append(read_end)
        pids.append(pid)
    deadline = time.monotonic() + limit
    chunks: dict[int, list[bytes]] = {fd: [] for fd in pipes}
    open_fds = set(pipes)
    while open_fds and time.monotonic() < deadline:
        ready, _, _ = select.select(list(open_fds), [], [], 0.5)
        for fd in ready:
            data = os.read(fd, 65536)
            if data:
                chunks[fd].append(data)
            else:
                open_fds.discard(fd)
                os.close(fd)
    for pid in pids:
        if open_fds:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert not open_fds, f"{len(open_fds)} of {children} forked children hung (> {limit:g} s)"
    return [json.loads(b"".join(chunks[fd]) or b"null") for fd in pipes]


def _tally(outcomes: list[str]) -> Counter[str]:
    return Counter(o.split(":", 1)[0] for o in outcomes)


def test_forked_children_read_their_own_objects(module_client: wt.Client) -> None:
    """The probe: children and their parent read at once through the parent's client."""
    per_child = OBJECTS // (CHILDREN + 1)

    def child_reads(i: int) -> list[str]:
        mine = range(i * per_child, (i + 1) * per_child)
        return [fork_app.check(mine[k % per_child])[1] for k in range(READS)]

    parent_outcomes: list[str] = []
    stop = threading.Event()

    def parent_reads() -> None:  # the parent keeps using its client across the forks
        mine = range(CHILDREN * per_child, (CHILDREN + 1) * per_child)
        k = 0
        while not stop.is_set() and k < 5 * READS:
            parent_outcomes.append(fork_app.check(mine[k % per_child])[1])
            k += 1

    reader = threading.Thread(target=parent_reads)
    reader.start()
    try:
        results = _run_forked(CHILDREN, child_reads, limit=90)
    finally:
        stop.set()
        reader.join(30)
    assert not reader.is_alive(), "the parent's reads hung"
    for i, outcomes in enumerate(results):
        assert outcomes is not None, f"child {i} failed before reporting"
        tally = _tally(outcomes)
        assert tally == Counter(ok=READS), (i, tally, [o for o in outcomes if o != "ok"][:3])
    assert parent_outcomes and set(parent_outcomes) == {"ok"}, _tally(parent_outcomes)


def _check_in_worker(n: int) -> tuple[int, str]:
    return fork_app.check(n)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_multiprocessing_pool(
    module_client: wt.Client,
    weaviate_server: EmbeddedWeaviate,
    numbered: str,
    method: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``multiprocessing`` workers each read through the module-level client."""
    # Spawned workers import fork_app afresh: it builds its client from these.
    monkeypatch.setenv("WT_FORK_URL", weaviate_server.url)
    monkeypatch.setenv("WT_FORK_COLLECTION", numbered)
    if module_client.config.grpc_port is not None:
        monkeypatch.setenv("WT_FORK_GRPC_PORT", str(module_client.config.grpc_port))
    else:
        monkeypatch.delenv("WT_FORK_GRPC_PORT", raising=False)
    context = multiprocessing.get_context(method)
    with context.Pool(4) as pool:
        results = pool.map_async(_check_in_worker, [n % OBJECTS for n in range(400)], 10)
        answers = results.get(timeout=120)
    assert _tally([outcome for _, outcome in answers]) == Counter(ok=400), [
        outcome for _, outcome in answers if outcome != "ok"
    ][:3]
    assert len({pid for pid, _ in answers}) >= 2  # several workers served
    assert fork_app.check(1)[1] == "ok"  # and the parent's client still answers


def test_64_threads_on_one_client(module_client: wt.Client) -> None:
    """One client shared by 64 threads: every thread gets its own object back."""

    def reads(t: int) -> list[str]:
        return [fork_app.check((t * 3 + k) % OBJECTS)[1] for k in range(15)]

    with ThreadPoolExecutor(64) as pool:
        outcomes = [o for batch in pool.map(reads, range(64)) for o in batch]
    assert _tally(outcomes) == Counter(ok=64 * 15), [o for o in outcomes if o != "ok"][:3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("transport", ["rest", "grpc", "grpc+GRPC_ENABLE_FORK_SUPPORT"])
def test_gunicorn_preload_workers(
    weaviate_server: EmbeddedWeaviate, numbered: str, transport: str, tmp_path: Path
) -> None:
    """A real gunicorn (--preload, 4 sync workers) in front of Weaviate: 0 wrong, 0 5xx."""
    port = _free_port()
    env = {
        **os.environ,
        "WT_FORK_URL": weaviate_server.url,
        "WT_FORK_COLLECTION": numbered,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("GRPC_ENABLE_FORK_SUPPORT", None)
    if transport.startswith("grpc"):
        env["WT_FORK_GRPC_PORT"] = str(weaviate_server.ports.grpc)  # type: ignore[union-attr]
        if transport.endswith("SUPPORT"):  # grpcio's own fork support on: works as well
            env["GRPC_ENABLE_FORK_SUPPORT"] = "1"
    else:
        env.pop("WT_FORK_GRPC_PORT", None)
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--preload", "--workers", "4",
             "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
             "--timeout", "30", "tests.support.fork_app:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "?n=0", timeout=5).read()
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start:\n" + log.read_text()
                time.sleep(0.2)

        def get(n: int) -> tuple[int, str]:
            try:
                with urllib.request.urlopen(f"{base}?n={n}", timeout=30) as resp:
                    return resp.status, resp.read().decode()
            except urllib.error.HTTPError as err:
                return err.code, err.read().decode()

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(get, [(n * 7) % OBJECTS for n in range(600)]))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    statuses = Counter(status for status, _ in answers)
    outcomes = _tally([body.split(" ", 1)[1] for _, body in answers])
    workers = {body.split(" ", 1)[0] for _, body in answers}
    assert outcomes == Counter(ok=600), [body for _, body in answers if "ok" not in body][:3]
    assert statuses == Counter({200: 600})
    assert len(workers) >= 2, workers  # the load reached several forked workers


def test_telemetry_of_forked_children_is_their_own(
    weaviate_server: EmbeddedWeaviate, tmp_path: Path
) -> None:
    """Spans and metrics of each child reach the real collector as that process's own
    (``process.pid``, ``service.instance.id``), and loguru keeps logging in the child."""
    from loguru import logger

    from tests.peers.otel_collector import Collector
    from tests.support.otlp_files import read_spans

    log_file = tmp_path / "calls.log"
    with Collector() as collector:
        otlp = wt.telemetry.configure_otlp(
            service_name="wt-fork", endpoint=collector.otlp_http, set_global=False, logs=False
        )
        sink = logger.add(log_file, level="DEBUG", format="{process} {message}", enqueue=False)
        logger.enable("weaviate_telemetry")
        routing = wt.telemetry.log_to_loguru()
        try:
            with wt.Client(weaviate_server.url) as client:
                client.meta()  # the parent's own call, before the fork

                def child_calls(_: int) -> list[str]:
                    client.meta()
                    client.meta()
                    otlp.force_flush()
                    return [str(os.getpid())]

                children = {int(r[0]) for r in _run_forked(2, child_calls, limit=60)}
                otlp.force_flush()
        finally:
            routing.detach()
            logger.remove(sink)
            logger.disable("weaviate_telemetry")
            otlp.shutdown()
        pids = {os.getpid(), *children}
        deadline = time.monotonic() + 20
        by_pid: Counter[int] = Counter()
        while time.monotonic() < deadline:
            spans = read_spans(collector.traces_path)
            by_pid = Counter(
                int(s["resource"].get("process.pid", 0))
                for s in spans
                if s["attrs"].get("db.operation.name") == "meta"
            )
            if set(by_pid) >= pids:
                break
            time.sleep(0.2)
        assert by_pid == Counter({os.getpid(): 1, **{pid: 2 for pid in children}}), by_pid
        instances = {
            s["resource"].get("service.instance.id")
            for s in read_spans(collector.traces_path)
            if s["attrs"].get("db.operation.name") == "meta"
        }
        assert len(instances) == 3, instances  # one per process
        # The children's metrics are exported under their own instance too. The
        # collector hands them to its Prometheus exporter asynchronously: poll.
        metric_instances: set[str] = set()
        while time.monotonic() < deadline + 10:
            metric_instances = {
                line.split('instance="')[1].split('"')[0]
                for line in collector.scrape().splitlines()
                if line.startswith("db_client_operation_duration_seconds_count")
                and 'db_operation_name="meta"' in line
            }
            if len(metric_instances) >= 3:
                break
            time.sleep(0.2)
        assert metric_instances == instances, (metric_instances, instances)
    logged = Counter(line.split(" ", 1)[0] for line in log_file.read_text().splitlines())
    assert {int(pid) for pid in logged} == pids, logged


def test_a_fork_during_a_stream_import_loses_nothing_and_the_child_works(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    """A process forks while another thread's ``BatchStream`` import is open: the fork
    waits for the stream (gRPC cannot fork with a call in flight), the child's gRPC
    and REST calls through the inherited client answer, and the import stores every
    object once."""
    assert weaviate_server.ports is not None
    name = "ForkStream" + os.urandom(5).hex()
    n = 2000
    client = wt.Client(weaviate_server.url, grpc_port=weaviate_server.ports.grpc)
    handle = client.collections.create(
        name,
        properties=[Property(name="n", data_type=DataType.INT)],
        vector_config=Configure.Vectors.self_provided(),
    )
    streaming = threading.Event()

    def rows() -> Iterator[dict[str, object]]:
        for i in range(n):
            if i == 200:
                streaming.set()  # the stream is open and sending
            yield {"id": fork_app.object_id(name, i), "properties": {"n": i}, "vector": [i, 1.0]}

    results: list[BatchResult] = []
    importer = threading.Thread(
        target=lambda: results.append(client.batch.stream_objects(rows(), collection=name))
    )
    try:
        importer.start()
        assert streaming.wait(60), "the import never started"

        def child(_: int) -> list[str]:
            hits = handle.query.near_vector([5.0, 1.0], limit=3)  # gRPC
            answer = client.meta()  # REST
            return [f"{len(hits.objects)}:{bool(answer.version)}"]

        outcomes = _run_forked(1, child, limit=60)
        importer.join(120)
        assert not importer.is_alive(), "the parent's import hung"
        assert outcomes == [["3:True"]]
        (result,) = results
        assert result.succeeded == n and not result.failures
        stored = {str(o.uuid) for o in handle.iterator()}
        assert stored == {fork_app.object_id(name, i) for i in range(n)}
    finally:
        client.collections.delete(name)
        client.close()
