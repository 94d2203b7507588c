"""The scan result cache: raw per-blob findings keyed by what determines them, so re-runs skip work.

A key is the sha256 of scanner name, tool version, ruleset digest, blob id and the path the tool saw
(semgrep rules select files by path, so the same blob under another name may give other results).
Entries hold the tool's raw findings with line numbers; the added-line filter is applied after the
cache, so one entry serves every range that contains the blob.

Where: GATEKEEPER_CACHE_DIR, else $XDG_CACHE_HOME/gatekeeper, else ~/.cache/gatekeeper. A cache that
cannot be created or written is not an error: the scan runs uncached and says so (`problem`).
Writes are atomic (a temp file in the same directory, then os.replace), so concurrent runs never see a
half-written entry; a corrupt or foreign entry reads as a miss. The directory is created 0700: whoever
can write it can hide findings from later runs, so it must be the user's own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

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
        self.hits = 0
        self.misses = 0
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
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
        material = "\x00".join((str(FORMAT), scanner, tool_version, ruleset, blob, path))
        return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()

    def _file(self, scanner: str, key: str) -> Path:
        return self.directory / scanner / key[:2] / f"{key}.json"

    def get(self, scanner: str, key: str) -> list[RawFinding] | None:
        if not self.available:
            return None
        try:
            data = json.loads(self._file(scanner, key).read_bytes())
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
        tmp: str | None = None
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            os.replace(tmp, target)
            tmp = None
        except OSError as exc:
            # A full disk or a vanished directory mid-run: keep scanning, stop caching, say so.
            self.problem = f"cache write failed ({exc.strerror or exc}): later results not cached"
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
