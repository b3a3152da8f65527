"""A real 3-node Weaviate cluster on loopback (docs/testing.md), for resilience tests.

Each node gets its own free ports (HTTP, gRPC, gossip with data = gossip+1,
raft with internal RPC = raft+1) and data dir; nodes 1 and 2 join node 0's
gossip port and all three name each other in ``RAFT_JOIN`` with
``RAFT_BOOTSTRAP_EXPECT=3``. Built on the embedded tooling's parts
(:func:`ensure_weaviate`, :class:`ManagedProcess`, :func:`free_ports`) so a
node can be SIGKILLed and restarted on the same ports and data dir, which
:class:`EmbeddedWeaviate` (ports chosen at each start) does not offer.

Example::

    with WeaviateCluster() as cluster:
        cluster.kill(0)
        cluster.restart(0)
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import (
    WEAVIATE_VERSION,
    ManagedProcess,
    ensure_weaviate,
    free_port,
    free_ports,
)


@dataclass(frozen=True, slots=True)
class NodePorts:
    """The loopback ports one cluster node listens on."""

    http: int
    grpc: int
    gossip: int
    data: int
    raft: int
    raft_rpc: int


def _allocate(nodes: int) -> list[NodePorts]:
    """Distinct free ports for every node (two consecutive pairs each)."""
    for _ in range(50):
        chosen: list[NodePorts] = []
        for _ in range(nodes):
            gossip, data = free_ports(2, consecutive_pair=True)
            raft, raft_rpc = free_ports(2, consecutive_pair=True)
            chosen.append(NodePorts(free_port(), free_port(), gossip, data, raft, raft_rpc))
        flat = [p for n in chosen for p in (n.http, n.grpc, n.gossip, n.data, n.raft, n.raft_rpc)]
        if len(set(flat)) == len(flat):
            return chosen
    raise RuntimeError("could not find distinct free ports for the cluster")


class WeaviateCluster:
    """``size`` Weaviate nodes forming one cluster; :meth:`kill` / :meth:`restart` one node."""

    def __init__(
        self,
        size: int = 3,
        version: str = WEAVIATE_VERSION,
        startup_timeout: float = 120.0,
        env: dict[str, str] | None = None,
        metrics: bool = False,
    ) -> None:
        """``metrics`` turns on each node's Prometheus ``/metrics`` (on :attr:`metrics_ports`)."""
        self.size = size
        self.version = version
        self.startup_timeout = startup_timeout
        self.extra_env = dict(env or {})
        self.root = Path(tempfile.mkdtemp(prefix="wt-cluster-"))
        self.ports = _allocate(size)
        self.metrics_ports = [free_port() for _ in range(size)] if metrics else []
        self._procs: list[ManagedProcess | None] = [None] * size
        # Nodes are started from this one thread, whichever thread asks: a node dies with
        # the thread that started it (PR_SET_PDEATHSIG is per thread), and a fault
        # schedule restarts nodes from a thread that ends long before the cluster.
        self._spawner = concurrent.futures.ThreadPoolExecutor(1, "cluster-spawner")

    # -- addresses ----------------------------------------------------------------------

    @property
    def urls(self) -> list[str]:
        """Each node's base URL, node 0 first."""
        return [f"http://127.0.0.1:{p.http}" for p in self.ports]

    def url(self, index: int) -> str:
        return self.urls[index]

    def environment(self, index: int) -> dict[str, str]:
        """The environment node ``index`` runs with."""
        p = self.ports[index]
        raft_join = ",".join(f"node{i}:{q.raft}" for i, q in enumerate(self.ports))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "PERSISTENCE_DATA_PATH": str(self.root / f"node{index}"),
            "DEFAULT_VECTORIZER_MODULE": "none",
            "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED": "true",
            "CLUSTER_HOSTNAME": f"node{index}",
            "CLUSTER_BIND_ADDR": "127.0.0.1",
            "CLUSTER_ADVERTISE_ADDR": "127.0.0.1",
            "CLUSTER_IN_LOCALHOST": "true",
            "CLUSTER_GOSSIP_BIND_PORT": str(p.gossip),
            "CLUSTER_DATA_BIND_PORT": str(p.data),
            "RAFT_PORT": str(p.raft),
            "RAFT_INTERNAL_RPC_PORT": str(p.raft_rpc),
            "RAFT_JOIN": raft_join,
            "RAFT_BOOTSTRAP_EXPECT": str(self.size),
            "GRPC_PORT": str(p.grpc),
            "DISABLE_TELEMETRY": "true",
            "GO_PROFILING_DISABLE": "true",
            "LOG_LEVEL": "warning",
        }
        if self.metrics_ports:
            env["PROMETHEUS_MONITORING_ENABLED"] = "true"
            env["PROMETHEUS_MONITORING_PORT"] = str(self.metrics_ports[index])
        if index > 0:
            env["CLUSTER_JOIN"] = f"127.0.0.1:{self.ports[0].gossip}"
        env.update(self.extra_env)
        return env

    # -- lifecycle ----------------------------------------------------------------------

    def _spawn(self, index: int) -> None:
        self._spawner.submit(self._spawn_here, index).result()

    def _spawn_here(self, index: int) -> None:
        binary = ensure_weaviate(self.version)
        (self.root / f"node{index}").mkdir(parents=True, exist_ok=True)
        argv = [
            str(binary),
            *("--host", "127.0.0.1", "--port", str(self.ports[index].http), "--scheme", "http"),
        ]
        self._procs[index] = ManagedProcess(
            argv, self.environment(index), self.root / f"node{index}.log", self.root
        )

    def start(self) -> WeaviateCluster:
        """Start every node; return once all are ready and each sees ``size`` healthy nodes."""
        try:
            for i in range(self.size):
                self._spawn(i)
            deadline = time.monotonic() + self.startup_timeout
            for i in range(self.size):
                self.wait_ready(i, deadline)
            self.wait_healthy(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def running(self, index: int) -> bool:
        proc = self._procs[index]
        return proc is not None and proc.alive()

    def log_tail(self, index: int, size: int = 2000) -> str:
        proc = self._procs[index]
        return proc.log_tail(size) if proc is not None else ""

    def wait_ready(self, index: int, deadline: float) -> None:
        """Poll node ``index``'s readiness until ``deadline`` (monotonic)."""
        with wt.Client(self.url(index)) as client:
            while time.monotonic() < deadline:
                if not self.running(index):
                    raise RuntimeError(f"node{index} exited:\n{self.log_tail(index)}")
                if client.health.ready(timeout=1.0):
                    return
                time.sleep(0.2)
        raise RuntimeError(f"node{index} not ready in time:\n{self.log_tail(index)}")

    def healthy_nodes(self, via: int | None = None) -> list[str]:
        """Names of the nodes reported HEALTHY by ``/v1/nodes`` on node ``via`` (any live one)."""
        order = [via] if via is not None else [i for i in range(self.size) if self.running(i)]
        for i in order:
            with wt.Client(self.url(i), timeouts=wt.Timeouts(connect=1, read=3, total=3)) as c:
                with contextlib.suppress(wt.WeaviateError):
                    return sorted(n.name for n in c.nodes() if n.status == "HEALTHY")
        return []

    def wait_healthy(self, deadline: float, expected: int | None = None) -> None:
        """Poll until every running node reports ``expected`` (default: all) healthy nodes."""
        want = self.size if expected is None else expected
        seen: list[str] = []
        while time.monotonic() < deadline:
            views = [self.healthy_nodes(i) for i in range(self.size) if self.running(i)]
            if views and all(len(v) == want for v in views):
                return
            seen = views[0] if views else []
            time.sleep(0.3)
        raise RuntimeError(f"cluster not healthy in time (saw {seen}, want {want} nodes)")

    def kill(self, index: int) -> None:
        """SIGKILL node ``index`` (no shutdown: open connections are reset)."""
        proc = self._procs[index]
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.process.pid, signal.SIGKILL)
        proc.process.wait(10)
        proc.stop()  # closes the log; the process is already gone
        self._procs[index] = None

    def pause(self, index: int) -> None:
        """SIGSTOP node ``index``: it keeps its connections but answers nothing until resumed."""
        proc = self._procs[index]
        if proc is not None:
            os.killpg(proc.process.pid, signal.SIGSTOP)

    def resume(self, index: int) -> None:
        """SIGCONT a node stopped with :meth:`pause`."""
        proc = self._procs[index]
        if proc is not None:
            os.killpg(proc.process.pid, signal.SIGCONT)

    def terminate(self, index: int) -> None:
        """Stop node ``index`` gracefully (SIGTERM, SIGKILL after 15 s)."""
        proc = self._procs[index]
        if proc is not None:
            proc.stop(grace=15.0)
            self._procs[index] = None

    def restart(self, index: int, wait: bool = True, graceful: bool = False) -> None:
        """Start node ``index`` again on the same ports and data dir.

        A running node is SIGKILLed first, or stopped with SIGTERM when ``graceful``.
        """
        if self.running(index):
            if graceful:
                self.terminate(index)
            else:
                self.kill(index)
        self._spawn(index)
        if wait:
            deadline = time.monotonic() + self.startup_timeout
            self.wait_ready(index, deadline)
            self.wait_healthy(deadline)

    def stop(self) -> None:
        """Stop every node and remove the data dirs. Idempotent."""
        for i, proc in enumerate(self._procs):
            if proc is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.process.pid, signal.SIGCONT)  # a paused node cannot stop
                proc.stop(grace=10.0)
                self._procs[i] = None
        self._spawner.shutdown()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> WeaviateCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        up = [i for i in range(self.size) if self.running(i)]
        return f"<WeaviateCluster {self.version} {self.urls} running={up}>"
