"""Replacing a file in one step: the write-temp-then-rename of the code base (`replaced_text` for a report
streamed to its file).

Readers (a concurrent hook, a post-receive, another run sharing the cache) see the old file or the
new one, never half of it: the data goes to a fresh temp file in the same directory (created with
O_EXCL by `mkstemp`, so a planted name or symlink there is never written through), is flushed and
fsync'd, gets its mode bits, and `os.replace` puts it in place. `os.replace` swaps the directory
entry — a symlink at the destination is replaced, never followed. On any failure the temp file is
removed and the error propagates (callers turn OSError into their own user-facing error).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

PRIVATE = 0o600  # mkstemp's own mode: what a file gets unless the caller says otherwise


def atomic_write(path: Path, data: bytes | str, *, mode: int = PRIVATE, durable: bool = True) -> None:
    """Replace `path` with `data` (str is written as UTF-8 with "\\n" line ends, as given).

    `mode` sets the permission bits of the new file (default 0o600, private); `durable=False` skips
    the fsync for data whose loss in a crash costs nothing but a recomputation (a cache entry that
    reads back short is rejected as foreign by its reader).
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _beside(path, None if mode == PRIVATE else mode, durable=durable, text=False) as handle:
        handle.write(payload)


@contextlib.contextmanager
def replaced_text(path: Path) -> Iterator[TextIO]:
    """A text stream whose content replaces `path` only once the block ends without an error: a report cut short
    (interrupted, disk full) leaves the previous one whole, never half of the new one. The new file gets the mode
    the old one had, else what `open()` would give it (0o666 less the umask); written where the path leads (a
    symlink to a report stays a symlink). A path that is not a regular file (`/dev/stdout`, a FIFO) is written
    directly. OSError as `open()` raises it."""
    target = Path(os.path.realpath(path))
    try:
        status = target.stat()
    except FileNotFoundError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        with target.open("w", encoding="utf-8") as direct:
            yield direct
        return
    if status is not None:
        mode = stat.S_IMODE(status.st_mode)
    else:
        mask = os.umask(0o022)
        os.umask(mask)
        mode = 0o666 & ~mask
    with _beside(target, mode, durable=True, text=True) as handle:
        yield handle


@contextlib.contextmanager
def _beside(target: Path, mode: int | None, *, durable: bool, text: bool) -> Iterator[Any]:
    """A fresh temp file beside `target` (O_EXCL: a planted name is never written through), put in its place once
    the block ends without an error: flushed, given `mode` (None: mkstemp's 0o600), fsync'd when `durable`. On any
    failure it is removed and the error propagates."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with (os.fdopen(fd, "w", encoding="utf-8") if text else os.fdopen(fd, "wb")) as handle:
            yield handle
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def confined(root: Path, path: Path | str) -> Path:
    """`path` (relative to `root`, or absolute) as a path inside `root` that no symbolic link leads to — every
    existing component below `root` is checked — for a file the gate writes into a checkout whose content is
    the pusher's (red46: a pull request committed `gatekeeper.sarif`, or a `reports` directory, as a link out of
    the workspace, and the Action wrote its report through it). ValueError naming the reason otherwise."""
    real_root = Path(os.path.realpath(root))
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = real_root / candidate
    normal = Path(os.path.normpath(candidate))
    try:
        relative = normal.relative_to(real_root)
    except ValueError:
        # An absolute path spelled through the root as given, whose own prefix is a link (the runner's, e.g.
        # macOS /tmp -> /private/tmp): the same place; what lies below the root is still checked.
        try:
            relative = normal.relative_to(Path(os.path.normpath(os.path.abspath(root))))
        except ValueError:
            raise ValueError(f"{path} is outside {root}") from None
        normal = real_root / relative
    if not relative.parts:
        raise ValueError(f"{path} is the directory {root} itself")
    current = real_root
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            raise ValueError(f"{current.relative_to(real_root)} is a symbolic link in {root}")
    return normal
