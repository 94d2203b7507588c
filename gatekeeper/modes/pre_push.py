"""`gatekeeper pre-push`: a local, advisory check of what `git push` is about to send.

git runs the hook in the clone with `<local ref> <local sha> <remote ref> <remote sha>` lines on
stdin. Each line becomes a RefUpdate judged as a local range: from the remote's current tip when
this clone has it, else from where the pushed commits leave the default branch (a new branch is
judged on its own commits, not the whole history). The policy is the work tree's, as for
`gatekeeper check`; the server's pre-receive hook and CI remain the gate that counts.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from gatekeeper.config import Policy, discover_policy, load_policy_file
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.git import Git, classify_update, is_zero
from gatekeeper.hookinput import PushLine, parse_pre_push
from gatekeeper.legacy_hook import run_legacy
from gatekeeper.models import ExitCode, RefKind, RefUpdate
from gatekeeper.report.text import render_text
from gatekeeper.review.local import LocalReviewSource
from gatekeeper.sanitize import safe


def _base(git: Git, line: PushLine, remote: str | None) -> str | None:
    """Where the pushed commits start: the remote tip if we have it, else where they leave what this
    clone knows of the remote (its remote-tracking refs), else None (the whole history is new)."""
    if not is_zero(line.remote_sha) and git.object_type(line.remote_sha) == "commit":
        return line.remote_sha
    return git.remote_fork_point(line.local_sha, remote)


def to_updates(git: Git, lines: Sequence[PushLine], remote: str | None = None) -> tuple[RefUpdate, ...]:
    updates = []
    for line in lines:
        if is_zero(line.local_sha):
            updates.append(RefUpdate(line.remote_ref, line.remote_sha, line.local_sha, RefKind.DELETE))
            continue
        base = _base(git, line, remote)
        if base is not None and base == line.remote_sha:
            kind = classify_update(git, base, line.local_sha, line.remote_ref)
        elif line.remote_ref.startswith("refs/tags/"):
            kind = RefKind.TAG
        else:
            kind = RefKind.CREATE if is_zero(line.remote_sha) else RefKind.UPDATE
        updates.append(RefUpdate(line.remote_ref, base or "0" * len(line.local_sha), line.local_sha, kind))
    return tuple(updates)


def _policy(git: Git, policy_file: Path | None) -> Policy:
    if policy_file is not None:
        return load_policy_file(policy_file)
    return discover_policy(git.info().toplevel)


def run_pre_push(stdin: bytes, args: Sequence[str] = (), *, repo: Path = Path("."), policy_file: Path | None = None,
                 legacy: Path | None = None, out: TextIO | None = None, now: dt.datetime | None = None) -> int:
    out = sys.stderr if out is None else out
    if legacy is not None:
        code = run_legacy(legacy, args, stdin, timeout=600)
        if code not in (None, 0):
            out.write(f"gatekeeper: push stopped by {safe(legacy.name, limit=80)} (exit {code})\n")
            return ExitCode.BLOCKED
    lines = parse_pre_push(stdin)
    if not lines:
        return ExitCode.OK
    git = Git(repo)
    policy = _policy(git, policy_file)
    updates = to_updates(git, lines, args[0] if args else None)
    remote = safe(args[0], limit=80) if args else "remote"
    request = Request(git=git, updates=updates, policy=policy, mode="pre-push", pushed=False,
                      range_description=f"push to {remote}: " + "; ".join(
                          f"{u.ref} {u.old[:12]}..{u.new[:12]}" for u in updates[:5]),
                      now=now or dt.datetime.now(dt.UTC))
    from gatekeeper.scan import build_scanners

    verdict = evaluate(request, Services(scanners=build_scanners(policy), review=LocalReviewSource()))
    out.write(render_text(verdict))
    if verdict.exit_code != ExitCode.OK:
        out.write("gatekeeper: push stopped by the local pre-push check (bypass once with `git push --no-verify`; "
                  "the server gate still applies)\n")
    return int(verdict.exit_code)
