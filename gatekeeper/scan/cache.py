"""The scan result cache: raw per-blob findings keyed by what determines them, so re-runs skip work.

A key is the sha256 (HMAC under GATEKEEPER_FINGERPRINT_KEY when set) of scanner name, tool version,
ruleset digest with the digest of the code that reads the tool's output (head.code_digest: an upgraded gatekeeper
never reads an older one's entries), blob id with a digest of the text the tool read (what a notebook or a page
holds as code depends on its name, mode and neighbours too: red125) and the path the tool saw (semgrep rules select
files by path, so the same blob under another name may give other results).
Entries hold the tool's raw findings with line numbers; the added-line filter is applied after the
cache, so one entry serves every range that contains the blob.

Where: GATEKEEPER_CACHE_DIR, else $XDG_CACHE_HOME/gatekeeper, else ~/.cache/gatekeeper. A cache that
cannot be created or written is not an error: the scan runs uncached and says so (`problem`).
Writes are atomic (a temp file in the same directory, then os.replace), so concurrent runs never see a
half-written entry; a corrupt or foreign entry reads as a miss. The directory is created 0700: whoever
can write it can hide findings from later runs, so it must be the user's own. A directory that is not —
owned by another user, writable by group or others, or reached through a directory someone else could
swap (not ours or root's, or writable by others without the sticky bit) — is refused: the scan runs
uncached and says so (`problem`, `refused`), it never reads what another user may have planted.
Entries are opened without following symlinks and must be regular files of ours that only we can write;
the scanner and shard directories on the way must be real directories of ours, or the entry is a miss.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from gatekeeper import fingerprint
from gatekeeper.fsutil import atomic_write
from gatekeeper.scan.common import RawFinding

FORMAT = 1


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("GATEKEEPER_CACHE_DIR"):
        return Path(env["GATEKEEPER_CACHE_DIR"])
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "gatekeeper"
    return Path(env.get("HOME") or Path.home()) / ".cache" / "gatekeeper"


class ResultCache:
    """Per-blob raw findings on disk. `available` is False (and `problem` says why) when unusable."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = (directory if directory is not None else default_cache_dir()) / f"v{FORMAT}"
        self.problem: str | None = None
        self.refused = False  # the directory is not private to this user: never read or written
        self.hits = 0
        self.misses = 0
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            unsafe = insecure_directory(self.directory)
            if unsafe is not None:
                self.refused = True
                self.problem = (f"cache {self.directory} refused: {unsafe}; ran uncached (make it private with "
                                "`chmod 700`, or point GATEKEEPER_CACHE_DIR at a directory only you can write)")
                return
            fd, probe = tempfile.mkstemp(dir=self.directory, prefix=".probe-")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            self.problem = f"cache {self.directory} not writable ({exc.strerror or exc}): ran uncached"

    @property
    def available(self) -> bool:
        return self.problem is None

    @staticmethod
    def key(scanner: str, tool_version: str, ruleset: str, blob: str, path: str) -> str:
        # Keyed like every content hash (gatekeeper.fingerprint): entries hold messages whose redaction
        # digests were made under one key, so a run under another key (or none) must not read them.
        return fingerprint.digest_parts(str(FORMAT), scanner, tool_version, ruleset, blob, path)

    def _file(self, scanner: str, key: str) -> Path:
        return self.directory / scanner / key[:2] / f"{key}.json"

    def get(self, scanner: str, key: str) -> list[RawFinding] | None:
        if not self.available:
            return None
        try:
            data = json.loads(self._read(self._file(scanner, key)))
            if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
                raise ValueError("foreign entry")
            items = data.get("findings")
            if not isinstance(items, list):
                raise ValueError("no findings list")
            found = [RawFinding.from_json(item) for item in items]
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return found

    def put(self, scanner: str, key: str, findings: Sequence[RawFinding]) -> None:
        if not self.available:
            return
        target = self._file(scanner, key)
        payload = json.dumps({"format": FORMAT, "key": key, "findings": [f.to_json() for f in findings]},
                             separators=(",", ":")).encode()
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._check_dirs(target)
            # Private (0600); no fsync: an entry lost or cut short by a crash fails `get`'s checks and is a miss.
            atomic_write(target, payload, durable=False)
        except OSError as exc:
            # A full disk or a vanished directory mid-run: keep scanning, stop caching, say so.
            self.problem = f"cache write failed ({exc.strerror or exc}): later results not cached"

    def _check_dirs(self, target: Path) -> None:
        """The scanner and shard directories between the cache root and an entry: real directories of ours."""
        for directory in (target.parent.parent, target.parent):
            info = os.lstat(directory)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
                raise OSError(f"{directory} is not a private directory of this user")

    def _read(self, path: Path) -> bytes:
        """An entry's bytes, never through a symlink, and only from a regular file only we can write."""
        self._check_dirs(path)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
                raise ValueError("entry is not a private regular file")
            return handle.read(MAX_ENTRY_BYTES + 1)


MAX_ENTRY_BYTES = 16 * 1024 * 1024


def insecure_directory(directory: Path) -> str | None:
    """Why `directory` is not safe to keep scan results in, or None.

    The directory itself must be ours and writable by nobody else; every directory above it must be ours
    or root's and not writable by others unless sticky (like /tmp), or someone could swap the path."""
    euid = os.geteuid()
    # A symlink on the way is as good as its owner: another user's link can be pointed elsewhere later.
    path = Path(os.path.abspath(directory))
    for component in (*reversed(path.parents), path):
        try:
            linfo = os.lstat(component)
        except OSError:
            break
        if stat.S_ISLNK(linfo.st_mode) and linfo.st_uid not in (euid, 0):
            return f"{component} on the way is a symlink owned by uid {linfo.st_uid}, who could repoint it"
    try:
        real = directory.resolve(strict=True)
        info = os.stat(real)
    except OSError as exc:
        return f"cannot inspect it ({exc.strerror or exc})"
    if not stat.S_ISDIR(info.st_mode):
        return "not a directory"
    if info.st_uid != euid:
        return f"owned by uid {info.st_uid}, not by this user (uid {euid})"
    if info.st_mode & 0o022:
        return f"writable by group or others (mode {stat.S_IMODE(info.st_mode):o})"
    for parent in real.parents:
        try:
            pinfo = os.stat(parent)
        except OSError as exc:
            return f"cannot inspect {parent} ({exc.strerror or exc})"
        if pinfo.st_uid not in (euid, 0):
            return f"{parent} above it is owned by uid {pinfo.st_uid}, who could replace it"
        if pinfo.st_mode & 0o022 and not pinfo.st_mode & stat.S_ISVTX:
            return f"{parent} above it is writable by others without the sticky bit"
    return None
