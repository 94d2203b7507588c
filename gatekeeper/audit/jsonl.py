"""The JSON-lines audit file: one JSON line per gate decision, appended to a file only its owner can read.

Every pre-receive decision (accept, reject, bypass, timeout, could-not-evaluate) can be recorded
with the full JSON verdict, the pusher and the forge metadata. The file is created with mode 0600
and opened without following symlinks; concurrent hooks serialize on an exclusive lock so lines
never interleave. An existing file keeps the permissions its administrator gave it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path
from typing import Any

from gatekeeper.models import Verdict
from gatekeeper.origin.base import ForgeInfo

AUDIT_ENV = "GATEKEEPER_AUDIT_LOG"


def audit_record(*, event: str, exit_code: int, verdict: Verdict | None = None, pusher: str | None = None,
                 forge: ForgeInfo | None = None, push_options: tuple[str, ...] = (), error: str | None = None,
                 now: dt.datetime | None = None) -> dict[str, Any]:
    from gatekeeper.report.json import verdict_dict

    return {
        "time": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="milliseconds"),
        "event": event,  # "decision", "timeout", "error", "legacy-hook"
        "exit_code": int(exit_code),
        "pusher": pusher,
        "forge": None if forge is None else {
            "forge": forge.forge, "user": forge.user, "via": forge.via, "web_edit": forge.web_edit,
            "pr_merge": forge.pr_merge, "pr_author": forge.pr_author, "repo": forge.repo},
        "push_options": list(push_options),
        "error": error,
        "verdict": None if verdict is None else verdict_dict(verdict),
    }


def append_audit(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line; raises OSError when the log cannot be written."""
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        view = memoryview(line)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)  # also releases the lock
