"""The machine the suite runs on, shared by pytest-xdist's workers: a test whose real push must finish within the
hook's wall-clock budget runs that push alone.

The suite runs one worker more than there are cores (conftest). A push of a large history that takes the hook 2 s on
a quiet machine can take more than its 4 s budget while two other workers fill both cores, and the hook then refuses it
for time — a fail-closed decision, right for the hook, wrong for a test that asks whether the work fits the budget.
Every test holds a shared lock while it runs (conftest); `alone()` trades it for the exclusive one, which waits for the
tests running elsewhere to finish and keeps new ones from starting (a turnstile: a waiting exclusive holder is not
starved by a stream of shared ones), then hands the shared lock back.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_files: dict[str, IO[bytes]] = {}


def configure(directory: Path) -> None:
    """Use the lock files in `directory` (one directory for all workers of a run)."""
    if _files:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("turnstile", "machine"):
        _files[name] = open(directory / f"{name}.lock", "ab")  # noqa: SIM115 (held for the whole session)


def share() -> None:
    """Take the shared lock (a test starts): waits while a test runs alone, or waits to."""
    if not _files:
        return
    fcntl.flock(_files["turnstile"], fcntl.LOCK_EX)
    try:
        fcntl.flock(_files["machine"], fcntl.LOCK_SH)
    finally:
        fcntl.flock(_files["turnstile"], fcntl.LOCK_UN)


def release() -> None:
    if _files:
        fcntl.flock(_files["machine"], fcntl.LOCK_UN)


@contextlib.contextmanager
def alone() -> Iterator[None]:
    """Run the block with no other test running on the machine (outside pytest's workers: no-op)."""
    if not _files:
        yield
        return
    release()  # (whoever waits at the turnstile holds no lock on the machine: no deadlock)
    fcntl.flock(_files["turnstile"], fcntl.LOCK_EX)
    try:
        fcntl.flock(_files["machine"], fcntl.LOCK_EX)
    finally:
        fcntl.flock(_files["turnstile"], fcntl.LOCK_UN)
    try:
        yield
    finally:
        fcntl.flock(_files["machine"], fcntl.LOCK_UN)
        share()
