"""What a process owns stays its own: sockets, channels and locks are rebuilt after ``fork``.

A client made before ``os.fork()`` (gunicorn ``--preload``, uWSGI, Celery
prefork, ``multiprocessing`` with the fork start method) is copied into every
child. Shared pooled keep-alive sockets let two processes read each other's
answers (a wrong result, not an error); gRPC channels do not survive the
fork; a lock another thread held at the moment of the fork stays held in the
child forever. So the owners of such things register a hook here, and
``os.register_at_fork`` runs every hook in the child before the child runs
anything else. A hook *drops* what the parent owns and lets it be rebuilt on
first use: it never shuts a connection down (closing the child's copy of a
file descriptor leaves the parent's connection as it was).

Forks that skip Python's hooks (a C extension calling ``fork()`` itself) are
caught by the transports, which compare :func:`os.getpid` with the process
that built their pools (docs/resilience.md, "Processes and fork").
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

# Locks made by :func:`lock`, released in a forked child.
_locks: weakref.WeakSet[Any] = weakref.WeakSet()
# Bound methods are held weakly (a collected client needs no hook); module-level
# functions strongly.
_hooks: list[weakref.WeakMethod[Callable[[], None]] | Callable[[], None]] = []


def lock() -> threading.Lock:
    """A ``threading.Lock`` that a forked child finds released.

    Another thread of the parent may hold it at the moment of the fork, and
    that thread does not exist in the child: a plain lock would stay held.
    """
    new = threading.Lock()
    _locks.add(new)
    return new


def release_in_child(held: Any) -> None:
    """Release ``held`` (a lock) in the child whoever held it in the parent.

    It uses the standard library's own at-fork reinitialisation (as logging
    and threading do for theirs).
    """
    held._at_fork_reinit()


_registry = lock()


def after_fork_in_child(hook: Callable[[], None]) -> None:
    """Run ``hook()`` in every child forked from now on (weakly, for a bound method)."""
    entry: weakref.WeakMethod[Callable[[], None]] | Callable[[], None]
    entry = weakref.WeakMethod(hook) if hasattr(hook, "__self__") else hook
    with _registry:
        _hooks.append(entry)


def _run_hooks_in_child() -> None:
    for held in list(_locks):
        release_in_child(held)
    live: list[weakref.WeakMethod[Callable[[], None]] | Callable[[], None]] = []
    failed: Exception | None = None
    for entry in _hooks:
        hook = entry() if isinstance(entry, weakref.WeakMethod) else entry
        if hook is None:
            continue
        live.append(entry)
        try:
            hook()
        except Exception as exc:  # the other owners must still drop what they hold
            failed = failed or exc
    _hooks[:] = live
    if failed is not None:
        raise failed  # Python reports it ("Exception ignored in ...") and the child goes on


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_run_hooks_in_child)
