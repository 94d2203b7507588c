"""Every child process gatekeeper starts, and what no run may leave behind, however it ends.

One place starts programs — git (through gatekeeper.git's private runner), gpg, semgrep and bandit, a
legacy hook — with no shell, and one clean-up path ends them (`Child.close`). A child runs in its own
process group, so a timeout or an interruption kills the program and everything it started (semgrep-core
and its workers, a hook's grandchildren); the group is registered while it lives, so the exits that skip
`finally` blocks (the pre-receive watchdog's `os._exit`, the last moment of `console.invoke`) still kill
it through `release_all`. Scan workspaces, which hold the scanned blobs (credentials included), are
registered here too and removed by the same `release_all`. Context managers and `finally` blocks do the
ordinary clean-up on every exception, SIGTERM included (console.py turns it into the same interruption
as Ctrl-C); this registry is the net under them.

The only children left in our own process group are those started with `foreground=True`: git acting
for the user in their clone (`gatekeeper tag` amending a commit the user signs), which may need the
terminal for a passphrase; a timeout then kills that process alone.

Registration happens with the termination signals held back (`held_signals`), so a signal cannot land
between "started" and "registered".
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

TERMINATING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
REAP_SECONDS = 5.0  # how long a killed child may take to be reaped before we stop waiting for it

Stream = Literal["pipe", "devnull", "inherit"]
_STREAMS: dict[str, int | None] = {"pipe": subprocess.PIPE, "devnull": subprocess.DEVNULL, "inherit": None}

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


def start_thread(target: Callable[..., object], *args: object) -> threading.Thread:
    """Start a daemon helper thread (a pipe's feeder or drainer) that never takes a termination signal.

    A signal sent to the process goes to any thread that does not block it; Python runs its handler only in the
    main thread, and only once that thread runs Python again. Taken by a helper thread while the main one waits in
    a system call (a scanner's pipes, a child's exit), Ctrl-C or SIGTERM would go unanswered until the wait ended.
    A thread keeps the signal mask it is started with: started with them held, every termination signal is the
    main thread's."""
    thread = threading.Thread(target=target, args=args, daemon=True)
    with held_signals():
        thread.start()
    return thread


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


def pending() -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(process groups, directories) still registered: for tests."""
    with _lock:
        return tuple(_groups), tuple(_dirs)


class Timeout(Exception):
    """A program did not finish in time and was killed (its whole group); what it printed is kept."""

    def __init__(self, argv: Sequence[str], seconds: float, stdout: bytes = b"", stderr: bytes = b"") -> None:
        super().__init__(f"{argv[0] if argv else '?'} did not finish within {seconds:g}s")
        self.argv = tuple(argv)
        self.seconds = seconds
        self.stdout = stdout
        self.stderr = stderr


@dataclass(frozen=True, slots=True)
class Result:
    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes


class _Popen(subprocess.Popen[bytes]):
    """Popen whose timed wait sleeps until the program exits, on a pidfd (Linux), instead of polling.

    subprocess's own timed wait checks, then sleeps 1 ms, 2 ms, 4 ms...: a git that has closed its output
    but not quite exited costs a millisecond or more of nothing, on each of the dozen git calls a command
    makes. The timeout is the same one: once it has passed, the base class's wait sees the program still
    running and raises TimeoutExpired, as before. Without pidfds (other systems) the base class alone waits.
    """

    def wait(self, timeout: float | None = None) -> int:
        if timeout is not None and self.returncode is None:
            deadline = time.monotonic() + timeout
            _await_exit(self.pid, timeout)
            timeout = max(deadline - time.monotonic(), 0.0)
        return super().wait(timeout)


def _await_exit(pid: int, timeout: float) -> None:
    """Return when the (unreaped) child `pid` has exited or `timeout` seconds have passed, whichever is first."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd_open (not Linux 5.3+): the base class polls
        return
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        poller.poll(max(timeout, 0.0) * 1000)
    finally:
        os.close(fd)


class Child:
    """One running program. Start it, talk to it through its pipes, and always `close()` it (or use it as
    a context manager): that kills it if it still runs, reaps it and forgets its group."""

    def __init__(self, argv: Sequence[str], *, cwd: Path | str | None = None, env: Mapping[str, str] | None = None,
                 stdin: Stream = "devnull", stdout: Stream = "pipe", stderr: Stream = "pipe",
                 foreground: bool = False) -> None:
        """OSError (FileNotFoundError: no such program or cwd; NotADirectoryError) when it cannot start."""
        self.argv = tuple(argv)
        self.own_group = not foreground
        with held_signals():
            self._popen = _Popen(self.argv, cwd=cwd, env=None if env is None else dict(env),
                                 stdin=_STREAMS[stdin], stdout=_STREAMS[stdout], stderr=_STREAMS[stderr],
                                 start_new_session=self.own_group)
            if self.own_group:
                track_group(self._popen.pid)

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def returncode(self) -> int | None:
        return self._popen.returncode

    @property
    def stdin(self) -> IO[bytes] | None:
        return self._popen.stdin

    @property
    def stdout(self) -> IO[bytes] | None:
        return self._popen.stdout

    @property
    def stderr(self) -> IO[bytes] | None:
        return self._popen.stderr

    def poll(self) -> int | None:
        return self._popen.poll()

    def kill(self) -> None:
        """SIGKILL the program and, when it has its own group, everything it started."""
        if self.own_group:
            kill_group(self._popen.pid)
        with contextlib.suppress(ProcessLookupError):
            self._popen.kill()

    def communicate(self, input: bytes | None = None, *, timeout: float) -> tuple[bytes, bytes]:
        """Feed `input`, read its output to the end; Timeout (after killing it) when it takes longer."""
        try:
            out, err = self._popen.communicate(input=input, timeout=max(timeout, 0.1))
        except subprocess.TimeoutExpired:
            self.kill()
            out, err = b"", b""
            with contextlib.suppress(subprocess.TimeoutExpired, ValueError):
                # Whatever it printed before the kill; bounded, in case something outside the group holds a pipe.
                out, err = self._popen.communicate(timeout=REAP_SECONDS)
            raise Timeout(self.argv, timeout, out or b"", err or b"") from None
        except BaseException:
            self.kill()
            raise
        return out or b"", err or b""

    def wait(self, *, timeout: float) -> int:
        """Its exit code; when it does not exit within `timeout` it is killed and reaped (no Timeout: for
        a reader that has what it wanted, the kill is the answer)."""
        try:
            return self._popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout=REAP_SECONDS)
            return self._popen.returncode if self._popen.returncode is not None else -signal.SIGKILL

    def close(self) -> None:
        """The one clean-up path: kill it if it still runs, reap it, close our ends of its pipes, forget
        its group. Idempotent. A group whose leader could not be reaped stays registered for release_all."""
        if self._popen.poll() is None:
            self.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout=REAP_SECONDS)
        for pipe in (self._popen.stdin, self._popen.stdout, self._popen.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError, ValueError):
                    pipe.close()
        if self.own_group and self._popen.returncode is not None:
            forget_group(self._popen.pid)

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run(argv: Sequence[str], *, timeout: float, input: bytes | None = None, cwd: Path | str | None = None,
        env: Mapping[str, str] | None = None, foreground: bool = False) -> Result:
    """Run a program to completion, capturing its output. stdin is `input` (nothing when None; the
    terminal's stdin for a `foreground` child). Timeout after killing it; OSError when it cannot start."""
    stdin: Stream = "pipe" if input is not None else ("inherit" if foreground else "devnull")
    with Child(argv, cwd=cwd, env=env, stdin=stdin, foreground=foreground) as child:
        out, err = child.communicate(input, timeout=timeout)
    assert child.returncode is not None  # communicate() returned: it exited
    return Result(child.argv, child.returncode, out, err)


def run_inherited(argv: Sequence[str], *, input: bytes, timeout: float) -> int:
    """Run a program (a legacy hook) with `input` on stdin and our stdout/stderr, and return its exit code.
    Timeout after its whole group was killed. A program that finishes normally keeps whatever it chose to
    leave running."""
    with Child(argv, stdin="pipe", stdout="inherit", stderr="inherit") as child:
        child.communicate(input, timeout=timeout)
    assert child.returncode is not None
    return child.returncode
