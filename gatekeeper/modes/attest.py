"""Attestations at admission: pre-receive signs what it admitted, post-receive stores it as notes.

pre-receive cannot write refs (nothing moves before every hook agrees). So when it accepts a push and
a signing key is configured, it builds and signs the source provenance and the VSA of each new
protected tip right away (it holds the verdict and the policy) and leaves them in
`$GIT_DIR/gatekeeper/admitted/<old>.<new>.bundle`; for every other line of the push it leaves a
`.skip` marker. post-receive's script stores each bundle as a note with one `git notes add` (no
Python on that path: a few milliseconds per push). Only a line with neither file — a push that did
not pass through the gate, or a store that failed — starts `gatekeeper post-receive`, which attests
a protected tip at level 1 saying why, retries failed stores, and reports. post-receive cannot reject
anything: every failure is printed to the pusher and kept in `$GIT_DIR/gatekeeper/attest-errors.log`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from gatekeeper.attest.controls import Controls, controls_for, level_for, policy_digest
from gatekeeper.attest.envelope import SignedStatement, load_public_key, load_signer, sign_statement
from gatekeeper.attest.statements import (
    DEFAULT_VERIFIER_ID,
    Admission,
    now_iso,
    provenance_statement,
    vsa_statement,
)
from gatekeeper.attest.store import ATTESTATIONS_REF, bundle_text
from gatekeeper.attest.verify import recorded_level
from gatekeeper.config import POLICY_FILENAME, Policy, default_policy, load_policy_file, parse_policy
from gatekeeper.errors import ConfigError, GitError, UsageError
from gatekeeper.git import Git, is_sha, is_zero
from gatekeeper.models import RefKind, RefUpdate, Verdict
from gatekeeper.sanitize import safe

KEY_ENV = "GATEKEEPER_ATTEST_KEY"  # path of the gate's private signing key (server side)
VERIFIER_ENV = "GATEKEEPER_ATTEST_VERIFIER"  # the VSA's verifier.id
RESOURCE_ENV = "GATEKEEPER_RESOURCE_URI"  # the repository's URI, e.g. git+https://git.example.com/org/repo
RECORD_DIR = "gatekeeper/admitted"
MAX_RECORD_BYTES = 1024 * 1024


def push_key(lines: Sequence[tuple[str, str, str]]) -> str:
    """The identity of one push (for the error log)."""
    text = "\n".join(f"{old} {new} {ref}" for old, new, ref in sorted(lines))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def record_dir(git: Git) -> Path:
    return git.info().git_dir / RECORD_DIR


def _stem(directory: Path, old: str, new: str) -> str:
    if not (is_sha(old) and is_sha(new)):
        raise ValueError("not a ref update line")
    return str(directory / f"{old}.{new}")


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _activity(kind: RefKind, env: Mapping[str, str]) -> str:
    if kind is RefKind.FORCE:
        return "force-push"
    if env.get("GITHUB_PULL_REQUEST_AUTHOR_LOGIN") or env.get("GITEA_PUSH_TRIGGER"):
        return "pr-merge"
    return "push"


def prepare_admission(git: Git, lines: Sequence[tuple[str, str, str]], verdict: Verdict, policy: Policy,
                      verdict_json: bytes, actor: str | None, env: Mapping[str, str]) -> None:
    """pre-receive, after deciding allow/warn: sign the attestations post-receive will store."""
    from gatekeeper.checks import is_protected

    settings = settings_from_env(git, env)
    directory = record_dir(git)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep(directory)
    digest = hashlib.sha256(verdict_json).hexdigest()
    pdigest = policy_digest(policy)
    updates = {(u.ref, u.new): u for u in verdict.updates}
    for old, new, ref in lines:
        stem = _stem(directory, old, new)
        update = updates.get((ref, new))
        if (update is None or update.kind is RefKind.DELETE or is_zero(new) or not is_protected(ref, policy)
                or (not ref.startswith("refs/heads/") and git.object_type(new) != "commit")):
            _atomic_write(Path(stem + ".skip"), b"")
            continue
        admission, signed = build_attestation(
            git, update, controls_for(verdict, policy, update), settings=settings, activity=_activity(update.kind, env),
            actor=actor, verdict_digest=digest, policy_digest_value=pdigest, policy_source=policy.source, start=False)
        _atomic_write(Path(stem + ".msg"), _message(admission).encode("utf-8", "replace"))
        _atomic_write(Path(stem + ".bundle"), bundle_text(signed))


def _sweep(directory: Path, max_age: float = 86400.0) -> None:
    """Files of pushes that another hook rejected after pre-receive accepted them: never stored."""
    cutoff = time.time() - max_age
    try:
        for entry in os.scandir(directory):
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                Path(entry.path).unlink(missing_ok=True)
    except OSError:
        pass


def _message(admission: Admission) -> str:
    reasons = f" ({'; '.join(admission.level.reasons)})" if admission.level.reasons else ""
    return safe(f"gatekeeper: attested {admission.ref} at {admission.revision[:12]}: SLSA Source level "
                f"{admission.level.level}{reasons}", limit=500) + "\n"


def resource_uri(git: Git, env: Mapping[str, str]) -> str:
    explicit = env.get(RESOURCE_ENV)
    if explicit:
        return explicit
    for name, template in (("GITHUB_REPO_NAME", "git+https://{host}/{name}"), ("GL_PROJECT_PATH", "git+{name}"),
                           ("GITEA_REPO_NAME", "git+{name}")):
        value = env.get(name)
        if value and name == "GITHUB_REPO_NAME":
            host = env.get("GITHUB_SERVER_URL", "https://github.com").removeprefix("https://")
            return template.format(host=host, name=value)
    url = git.config_get("remote.origin.url")
    if url and url.startswith("https://") and "@" not in url.split("/", 3)[2]:
        return "git+" + url.removesuffix(".git")
    return "git+file://" + str(git.info().git_dir)


@dataclass(frozen=True, slots=True)
class Settings:
    signer_path: Path
    verifier_id: str
    resource_uri: str


def _since(controls: Controls, previous_since: Mapping[str, str], start: bool, at: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in controls.as_dict().items():
        if value is True:
            out[name] = at if start or name not in previous_since else previous_since[name]
    return out


def attest_update(git: Git, update: RefUpdate, controls: Controls, *, settings: Settings, activity: str,
                  actor: str | None, verdict_digest: str | None, policy_digest_value: str | None,
                  policy_source: str, start: bool, at: str | None = None) -> tuple[Admission, list[SignedStatement]]:
    """Build, sign and store the attestations of `update.new` on `update.ref`."""
    admission, signed = build_attestation(git, update, controls, settings=settings, activity=activity, actor=actor,
                                          verdict_digest=verdict_digest, policy_digest_value=policy_digest_value,
                                          policy_source=policy_source, start=start, at=at)
    _store(git, update.new, bundle_text(signed))
    return admission, signed


def build_attestation(git: Git, update: RefUpdate, controls: Controls, *, settings: Settings, activity: str,
                      actor: str | None, verdict_digest: str | None, policy_digest_value: str | None,
                      policy_source: str, start: bool, at: str | None = None
                      ) -> tuple[Admission, list[SignedStatement]]:
    """Build and sign the attestations of `update.new` on `update.ref` (not stored)."""
    signer = load_signer(settings.signer_path)
    trusted = [signer.public_key]
    previous_tip = None if is_zero(update.old) else update.old
    previous, previous_digest, previous_since = ((None, None, {}) if previous_tip is None
                                                 else recorded_level(git, previous_tip, trusted))
    is_start = start or previous_tip is None
    level = level_for(controls, previous=previous, start=is_start, previous_tip=previous_tip)
    when = at or now_iso()
    admission = Admission(
        revision=update.new, ref=update.ref, previous_tip=previous_tip, activity=activity, actor=actor,
        resource_uri=settings.resource_uri, controls=controls, level=level,
        controls_since=_since(controls, previous_since, is_start, when), verdict_digest=verdict_digest,
        policy_digest=policy_digest_value, policy_source=policy_source, start=is_start,
        previous_vsa_digest=previous_digest, time=when)
    provenance = sign_statement(provenance_statement(admission), signer)
    vsa = sign_statement(vsa_statement(admission, provenance_digest=provenance.digest,
                                       verifier_id=settings.verifier_id), signer)
    return admission, [provenance, vsa]


def _store(git: Git, revision: str, data: bytes, attempts: int = 5) -> None:
    """One note; concurrent post-receives contend for the notes ref's lock, so retry briefly."""
    for attempt in range(attempts):
        try:
            git.write_note(ATTESTATIONS_REF, revision, data)
            return
        except GitError as exc:
            if attempt == attempts - 1 or "lock" not in (exc.stderr or "").lower():
                raise
            time.sleep(0.05 * (attempt + 1))


def settings_from_env(git: Git, env: Mapping[str, str], key: Path | None = None) -> Settings:
    path = key or (Path(env[KEY_ENV]) if env.get(KEY_ENV) else None)
    if path is None:
        raise ConfigError("no attestation signing key configured",
                          f"set {KEY_ENV} to the gate's private key file (ed25519 PEM or OpenSSH), or pass --key")
    return Settings(signer_path=path, verifier_id=env.get(VERIFIER_ENV) or DEFAULT_VERIFIER_ID,
                    resource_uri=resource_uri(git, env))


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
        stem = _stem(directory, old, new)
        bundle, done, skip, msg = (Path(stem + s) for s in (".bundle", ".done", ".skip", ".msg"))
        try:
            if bundle.is_file() and not bundle.is_symlink():
                if bundle.stat().st_size > MAX_RECORD_BYTES:
                    raise ValueError(f"{bundle.name} is larger than {MAX_RECORD_BYTES} bytes")
                _store(git, new, bundle.read_bytes())
                if msg.is_file() and not msg.is_symlink():
                    out.write(safe(msg.read_text(encoding="utf-8", errors="replace"), limit=500) + "\n")
                bundle.unlink(missing_ok=True)
            elif not (done.exists() or skip.exists()):
                gaps.append((old, new, ref))
        except Exception as exc:  # post-receive reports every failure, never raises
            _report(git, out, lines, exc)
        for path in (done, skip, msg):
            path.unlink(missing_ok=True)
    if gaps:
        try:
            _attest_gaps(git, gaps, env, out, policy_file)
        except Exception as exc:
            _report(git, out, lines, exc)
    return 0


def _attest_gaps(git: Git, gaps: Sequence[tuple[str, str, str]], env: Mapping[str, str], out: TextIO,
                 policy_file: Path | None) -> None:
    """Protected tips that arrived without a gate verdict: attested at level 1, so every later chain
    shows the gap."""
    from gatekeeper.checks import is_protected
    from gatekeeper.git import classify_update
    from gatekeeper.trusted import trusted_policy

    policy = trusted_policy(git, env, policy_file).policy
    settings = settings_from_env(git, env)
    for old, new, ref in gaps:
        if is_zero(new) or not is_protected(ref, policy) or git.object_type(new) != "commit":
            continue
        kind = classify_update(git, old, new, ref)
        admission, _ = attest_update(
            git, RefUpdate(ref=ref, old=old, new=new, kind=kind), Controls(), settings=settings,
            activity=_activity(kind, env), actor=_actor(env), verdict_digest=None, policy_digest_value=None,
            policy_source="none (no gate verdict recorded)", start=False)
        out.write(_message(admission))


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
        verdict_digest=hashlib.sha256(render_json(verdict).encode()).hexdigest(),
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
