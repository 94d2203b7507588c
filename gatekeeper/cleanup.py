"""What a run must not leave behind, however it ends: scan workspaces and scanner process groups.

A scan workspace holds the blobs it scanned — credentials included — and a scanner runs in its own
process group (so a timeout can kill semgrep-core and its workers), which also means it outlives us
unless we kill it. Context managers remove both on every exception, SIGTERM included (console.py turns
it into the same interruption as Ctrl-C); this registry is the net under them for the paths that skip
`finally` blocks: the pre-receive watchdog's `os._exit`, and the last moment of `console.invoke`.

Registration happens with the termination signals held back (`held_signals`), so a signal cannot land
between "created" and "registered".
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator, Sequence

TERMINATING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_lock = threading.Lock()
_dirs: dict[str, None] = {}
_groups: dict[int, None] = {}


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Delay SIGINT/SIGTERM/SIGHUP for this thread until the block ends (then they are handled)."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, TERMINATING_SIGNALS)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - platforms without pthread_sigmask
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def track_dir(path: str | os.PathLike[str]) -> None:
    with _lock:
        _dirs[os.fspath(path)] = None


def forget_dir(path: str | os.PathLike[str]) -> None:
    with _lock:
        _dirs.pop(os.fspath(path), None)


def track_group(pgid: int) -> None:
    with _lock:
        _groups[pgid] = None


def forget_group(pgid: int) -> None:
    with _lock:
        _groups.pop(pgid, None)


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def release_all() -> None:
    """Kill every tracked process group and remove every tracked directory (idempotent)."""
    with _lock:
        groups, dirs = list(_groups), list(_dirs)
        _groups.clear()
        _dirs.clear()
    for pgid in groups:
        kill_group(pgid)
    for path in dirs:
        shutil.rmtree(path, ignore_errors=True)


def run_in_group(argv: Sequence[str], *, input: bytes, timeout: float) -> int:
    """Run a program (a legacy hook) in its own process group, output inherited, and return its exit code.
    On a timeout, an interruption (SIGTERM, Ctrl-C) or the watchdog's exit the whole group is killed, so
    nothing it started is left running; subprocess.TimeoutExpired is raised after the kill. A program
    that finishes normally keeps whatever it chose to leave running."""
    with held_signals():
        proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE, start_new_session=True)
        track_group(proc.pid)
    try:
        proc.communicate(input=input, timeout=timeout)
        return proc.returncode
    except BaseException:
        kill_group(proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        raise
    finally:
        forget_group(proc.pid)


def pending() -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(process groups, directories) still registered: for tests."""
    with _lock:
        return tuple(_groups), tuple(_dirs)
