"""Attestation doors: post-receive stores what pre-receive signed, `gatekeeper attest` attests on request.

pre-receive cannot write refs (nothing moves before every hook agrees). So when it accepts a push and
a signing key is configured, it builds and signs the source provenance and the VSA of each new
protected tip right away (it holds the verdict and the policy) and leaves them in
`$GIT_DIR/gatekeeper/admitted/<old>.<new>.bundle`; for every other line of the push it leaves a
`.skip` marker. post-receive's script stores each bundle as a note with one `git notes add` (no
Python on that path: a few milliseconds per push). Only a line with neither file — a push that did
not pass through the gate, or a store that failed — starts `gatekeeper post-receive`, which attests
a protected tip at level 1 saying why, retries failed stores, and reports. post-receive cannot reject
anything: every failure is printed to the pusher and kept in `$GIT_DIR/gatekeeper/attest-errors.log`.
The signing itself and pre-receive's records are attest/admission.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from gatekeeper.attest.admission import (
    KEY_ENV,
    MAX_RECORD_BYTES,
    activity_for,
    admission_message,
    attest_update,
    has_attestation,
    push_key,
    record_dir,
    record_stem,
    settings_from_env,
    store_bundle,
)
from gatekeeper.attest.controls import Controls, controls_for, policy_digest, verdict_digest
from gatekeeper.attest.envelope import load_public_key
from gatekeeper.attest.statements import Admission, now_iso
from gatekeeper.config import POLICY_FILENAME, default_policy, load_policy_file, parse_policy
from gatekeeper.errors import UsageError
from gatekeeper.git import Git, is_sha, is_zero
from gatekeeper.models import RefKind, RefUpdate
from gatekeeper.sanitize import safe

# -- post-receive ------------------------------------------------------------------------------------

def parse_lines(data: bytes) -> list[tuple[str, str, str]]:
    lines = []
    for raw in data.splitlines():
        parts = raw.decode("utf-8", "surrogateescape").split(" ")
        if len(parts) == 3 and is_sha(parts[0]) and is_sha(parts[1]):
            lines.append((parts[0], parts[1], parts[2]))
    return lines


def run_post_receive(stdin: bytes, *, env: Mapping[str, str], repo: Path, out: TextIO,
                     policy_file: Path | None = None) -> int:
    """Store what pre-receive signed, and attest the protected tips it did not see (at level 1).

    Never fails the push (it is already accepted): says what went wrong instead, to the pusher and in
    `$GIT_DIR/gatekeeper/attest-errors.log`."""
    git = Git(repo, inherit_git_env=True)
    lines = parse_lines(stdin)
    if not lines:
        return 0
    directory = record_dir(git)
    gaps: list[tuple[str, str, str]] = []
    for old, new, ref in lines:
        stem = record_stem(directory, old, new)
        bundle, done, skip, msg, for_ref = (Path(stem + s) for s in (".bundle", ".done", ".skip", ".msg", ".ref"))
        try:
            # A bundle is stored for the ref it was signed for only (red43): the same <old>.<new> may be another
            # line's, one that a later hook refused.
            if bundle.is_file() and not bundle.is_symlink() and _signed_for(for_ref, ref):
                if bundle.stat().st_size > MAX_RECORD_BYTES:
                    raise ValueError(f"{bundle.name} is larger than {MAX_RECORD_BYTES} bytes")
                store_bundle(git, new, bundle.read_bytes())
                if msg.is_file() and not msg.is_symlink():
                    out.write(safe(msg.read_text(encoding="utf-8", errors="replace"), limit=500) + "\n")
                bundle.unlink(missing_ok=True)
            elif not (done.exists() or skip.exists()):
                gaps.append((old, new, ref))
        except Exception as exc:  # post-receive reports every failure, never raises
            _report(git, out, lines, exc)
        for path in (done, skip, msg):
            path.unlink(missing_ok=True)
    for old, new, _ref in lines:
        Path(record_stem(directory, old, new) + ".ref").unlink(missing_ok=True)
    if gaps:
        try:
            _attest_gaps(git, gaps, env, out, policy_file)
        except Exception as exc:
            _report(git, out, lines, exc)
    return 0


def _signed_for(path: Path, ref: str) -> bool:
    try:
        return not path.is_symlink() and path.read_bytes() == ref.encode("utf-8", "surrogateescape")
    except OSError:
        return False


def _attest_gaps(git: Git, gaps: Sequence[tuple[str, str, str]], env: Mapping[str, str], out: TextIO,
                 policy_file: Path | None) -> None:
    """Protected tips that arrived without a gate verdict: attested at level 1, so every later chain
    shows the gap."""
    from gatekeeper.git import classify_update
    from gatekeeper.trusted import trusted_policy

    policy = trusted_policy(git, env, policy_file).policy
    settings = settings_from_env(git, env)
    for old, new, ref in gaps:
        if is_zero(new) or not policy.is_protected(ref) or git.object_type(new) != "commit":
            continue
        if has_attestation(git, new):
            continue  # its attestation stands, whatever key signed it: a chain may link to it (red43, red47)
        kind = classify_update(git, old, new, ref)
        admission, _ = attest_update(
            git, RefUpdate(ref=ref, old=old, new=new, kind=kind), Controls(), settings=settings,
            activity=activity_for(kind, env), actor=_actor(env), verdict_digest=None, policy_digest_value=None,
            policy_source="none (no gate verdict recorded)", start=False)
        out.write(admission_message(admission))


def _report(git: Git, out: TextIO, lines: Sequence[tuple[str, str, str]], exc: BaseException) -> None:
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    out.write(f"gatekeeper: warning: attestation NOT written: {safe(str(message), limit=300)}\n")
    _log_error(git, lines, str(message))


def _actor(env: Mapping[str, str]) -> str | None:
    from gatekeeper.hookenv import pusher_from_env

    pusher = pusher_from_env(env)
    return pusher.login if pusher else None


def _log_error(git: Git, lines: Sequence[tuple[str, str, str]], message: str) -> None:
    try:
        directory = git.info().git_dir / "gatekeeper"
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(directory / "attest-errors.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
                     | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"time": now_iso(), "push": push_key(lines), "error": message[:2000],
                                     "updates": [list(line) for line in lines]}) + "\n")
    except OSError:
        pass


# -- on request --------------------------------------------------------------------------------------

def run_attest(repo: Path, rev: str, *, ref: str | None, key: Path | None, previous: str | None, start: bool,
               policy_file: Path | None, env: Mapping[str, str]) -> Admission:
    """`gatekeeper attest REV`: judge previous..REV with the trusted policy and attest REV."""
    from gatekeeper.engine import Request, Services, evaluate
    from gatekeeper.provenance.source import ProvenanceSource, Reader, filesystem_reader, git_reader
    from gatekeeper.review.local import LocalReviewSource
    from gatekeeper.scan import build_scanners

    git = Git(repo)
    sha = git.resolve(rev)
    target = ref or _default_ref(git)
    if not target.startswith("refs/"):
        raise UsageError(f"--ref {target!r} is not a full ref name", "use e.g. --ref refs/heads/main")
    prev = git.resolve(previous, "previous tip") if previous else _attested_ancestor(git, sha)
    if prev is None and not start:
        raise UsageError(f"no attested ancestor of {sha[:12]} found",
                         "pass --previous REV, or --start to begin continuity at this revision")
    if prev is not None and not git.is_ancestor(prev, sha):
        raise UsageError(f"{prev[:12]} is not an ancestor of {sha[:12]}", "name an ancestor with --previous")
    reader: Reader = filesystem_reader
    if policy_file is not None:
        policy = load_policy_file(policy_file)
    else:  # the policy as committed at the previous tip: trusted, never the work tree or REV itself
        policy = default_policy()
        if prev is not None:
            blob = git.show_file(prev, POLICY_FILENAME)
            if blob is not None:
                policy = parse_policy(blob.decode("utf-8", "replace"), f"{POLICY_FILENAME} at {prev[:12]}")
                reader = git_reader(git, prev, None)
    update = RefUpdate(ref=target, old=prev or "0" * 40, new=sha, kind=RefKind.UPDATE if prev else RefKind.CREATE)
    request = Request(git=git, updates=(update,), policy=policy, mode="attest", pushed=False,
                      range_description=f"{(prev or 'root')[:12]}..{sha[:12]}", now=dt.datetime.now(dt.UTC))
    verdict = evaluate(request, Services(scanners=build_scanners(policy), review=LocalReviewSource(),
                                         signatures=ProvenanceSource(reader=reader)))
    from gatekeeper.report.json import render_json

    controls = controls_for(verdict, policy, update)
    settings = settings_from_env(git, env, key)
    admission, _ = attest_update(
        git, update, controls, settings=settings, activity="attest", actor=None,
        verdict_digest=verdict_digest(render_json(verdict).encode()),
        policy_digest_value=policy_digest(policy), policy_source=policy.source, start=start)
    return admission


def _default_ref(git: Git) -> str:
    branch = git.current_branch()
    if branch:
        return branch if branch.startswith("refs/") else f"refs/heads/{branch}"
    raise UsageError("HEAD is detached: which ref is this revision on?", "pass --ref refs/heads/NAME")


def _attested_ancestor(git: Git, sha: str) -> str | None:
    """The newest proper ancestor of `sha` that has an attestation note."""
    from gatekeeper.attest.store import ATTESTATIONS_REF, read_bundles

    if not git.ref_exists(ATTESTATIONS_REF):
        return None
    candidates = [c for c in git.rev_list([sha]) if c != sha]  # newest first
    noted = read_bundles(git, candidates)
    return next((c for c in candidates if c in noted), None)


def verify_keys(paths: Sequence[Path], env: Mapping[str, str]) -> list[Any]:
    if not paths and env.get(KEY_ENV):
        paths = [Path(env[KEY_ENV])]
    if not paths:
        raise UsageError("no key to verify with", f"pass --key PUBLIC_KEY (or set {KEY_ENV})")
    return [load_public_key(p) for p in paths]
