"""Attestations at admission: pre-receive records what it admitted, post-receive signs it into notes.

pre-receive cannot write refs (nothing moves before every hook agrees), so when it accepts a push it
writes a small *admission record* into `$GIT_DIR/gatekeeper/admitted/`, named by a digest of the
exact `old new ref` lines. post-receive (installed next to it) reads the record for the same lines,
builds the source provenance and the VSA for each new protected tip, signs both with the gate's key
and stores them as a note. A push that arrives without a record (the gate was bypassed or not
installed) is still attested — at level 1, saying why — so gaps are visible, never silent.
post-receive cannot reject anything: every failure is printed to the pusher and kept in the record
directory's error log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
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
from gatekeeper.attest.store import write_bundle
from gatekeeper.attest.verify import recorded_level
from gatekeeper.config import POLICY_FILENAME, Policy, default_policy, load_policy_file, parse_policy
from gatekeeper.errors import ConfigError, UsageError
from gatekeeper.git import Git, is_sha, is_zero
from gatekeeper.models import RefKind, RefUpdate, Verdict
from gatekeeper.sanitize import safe

KEY_ENV = "GATEKEEPER_ATTEST_KEY"  # path of the gate's private signing key (server side)
VERIFIER_ENV = "GATEKEEPER_ATTEST_VERIFIER"  # the VSA's verifier.id
RESOURCE_ENV = "GATEKEEPER_RESOURCE_URI"  # the repository's URI, e.g. git+https://git.example.com/org/repo
RECORD_DIR = "gatekeeper/admitted"
MAX_RECORD_BYTES = 1024 * 1024


def push_key(lines: Sequence[tuple[str, str, str]]) -> str:
    """The identity of one push: the same for pre-receive and post-receive of that push."""
    text = "\n".join(f"{old} {new} {ref}" for old, new, ref in sorted(lines))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def record_dir(git: Git) -> Path:
    return git.info().git_dir / RECORD_DIR


@dataclass(frozen=True, slots=True)
class AdmissionRecord:
    controls: Mapping[str, Controls]  # ref -> controls it was admitted under
    verdict_digest: str
    policy_digest: str
    policy_source: str
    actor: str | None
    time: str


def write_admission_record(git: Git, lines: Sequence[tuple[str, str, str]], verdict: Verdict, policy: Policy,
                           verdict_json: bytes, actor: str | None) -> Path | None:
    """pre-receive, after deciding allow/warn: what post-receive needs to attest the protected tips."""
    from gatekeeper.checks import is_protected

    controls = {u.ref: controls_for(verdict, policy, u).as_dict() for u in verdict.updates
                if u.kind is not RefKind.DELETE and is_protected(u.ref, policy)}
    if not controls:
        return None
    record = {"controls": controls, "verdict_digest": hashlib.sha256(verdict_json).hexdigest(),
              "policy_digest": policy_digest(policy), "policy_source": policy.source, "actor": actor,
              "time": now_iso()}
    directory = record_dir(git)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{push_key(lines)}.json"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_admission_record(git: Git, lines: Sequence[tuple[str, str, str]]) -> AdmissionRecord | None:
    path = record_dir(git) / f"{push_key(lines)}.json"
    try:
        if path.is_symlink() or path.stat().st_size > MAX_RECORD_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("controls"), dict):
        return None
    return AdmissionRecord(
        controls={str(ref): Controls.from_dict(c) for ref, c in data["controls"].items() if isinstance(c, dict)},
        verdict_digest=str(data.get("verdict_digest", "")), policy_digest=str(data.get("policy_digest", "")),
        policy_source=str(data.get("policy_source", "")),
        actor=data.get("actor") if isinstance(data.get("actor"), str) else None, time=str(data.get("time", "")))


def remove_admission_record(git: Git, lines: Sequence[tuple[str, str, str]]) -> None:
    (record_dir(git) / f"{push_key(lines)}.json").unlink(missing_ok=True)


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
    signer = load_signer(settings.signer_path)
    trusted = [signer.public_key]
    previous_tip = None if is_zero(update.old) else update.old
    previous, previous_digest = (None, None) if previous_tip is None else recorded_level(git, previous_tip, trusted)
    previous_since: dict[str, str] = {}
    if previous_tip is not None and previous is not None:
        previous_since = _previous_since(git, previous_tip)
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
    write_bundle(git, update.new, [provenance, vsa])
    return admission, [provenance, vsa]


def _previous_since(git: Git, revision: str) -> dict[str, str]:
    """When each control began to hold, as the previous tip's (already verified) provenance records it."""
    from gatekeeper.attest.envelope import decode_payload_unverified
    from gatekeeper.attest.statements import PROVENANCE_TYPE
    from gatekeeper.attest.store import read_bundles

    bundle = read_bundles(git, [revision]).get(revision)
    if bundle is None:
        return {}
    for envelope in bundle.of_type(PROVENANCE_TYPE):
        statement = decode_payload_unverified(envelope) or {}
        controls = (statement.get("predicate") or {}).get("controls") or {}
        return {name: c["since"] for name, c in controls.items()
                if isinstance(c, dict) and c.get("enforced") is True and isinstance(c.get("since"), str)}
    return {}


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
    """Attest each accepted protected tip. Never fails the push (it is already accepted); says what
    went wrong instead, to the pusher and in `$GIT_DIR/gatekeeper/attest-errors.log`."""
    from gatekeeper.checks import is_protected
    from gatekeeper.git import classify_update
    from gatekeeper.modes.pre_receive import trusted_policy

    git = Git(repo, inherit_git_env=True)
    lines = parse_lines(stdin)
    if not lines:
        return 0
    try:
        record = read_admission_record(git, lines)
        policy = record_policy = None
        if record is None:
            # No record: the gate did not admit this push (bypassed, not installed, or it crashed).
            # Attest the protected tips anyway, at level 1, so the gap shows in every later chain.
            record_policy = trusted_policy(git, env, policy_file).policy
        settings = settings_from_env(git, env)
        for old, new, ref in lines:
            if is_zero(new):
                continue
            if record is not None:
                controls = record.controls.get(ref)
                if controls is None:
                    continue  # not a protected ref
            else:
                assert record_policy is not None
                policy = record_policy
                if not is_protected(ref, policy):
                    continue
                controls = Controls()
            kind = classify_update(git, old, new, ref)
            if git.object_type(new) != "commit":
                continue  # a tag object: its commit is attested under its branch
            update = RefUpdate(ref=ref, old=old, new=new, kind=kind)
            activity = "push"
            if kind is RefKind.FORCE:
                activity = "force-push"
            elif env.get("GITHUB_PULL_REQUEST_AUTHOR_LOGIN"):
                activity = "pr-merge"
            admission, _ = attest_update(
                git, update, controls, settings=settings, activity=activity,
                actor=record.actor if record else _actor(env), verdict_digest=record.verdict_digest if record else None,
                policy_digest_value=record.policy_digest if record else None,
                policy_source=record.policy_source if record else "none (no gate verdict recorded)", start=False)
            out.write(f"gatekeeper: attested {ref} at {new[:12]}: SLSA Source level {admission.level.level}"
                      + (f" ({safe('; '.join(admission.level.reasons), limit=400)})" if admission.level.reasons
                         else "")
                      + "\n")
        if record is not None:
            remove_admission_record(git, lines)
        return 0
    except Exception as exc:  # post-receive must never be silent, and never fail the accepted push
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        out.write(f"gatekeeper: warning: attestation NOT written: {safe(str(message), limit=300)}\n")
        _log_error(git, lines, str(message))
        return 0


def _actor(env: Mapping[str, str]) -> str | None:
    from gatekeeper.forge import pusher_from_env

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
