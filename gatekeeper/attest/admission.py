"""Signing what the gate admitted: the source provenance and VSA of a protected tip, and where they wait.

`build_attestation` signs the attestations of one ref update (controls from the verdict, level from
the previous tip's recorded attestation); `attest_update` also stores them as a note
(`refs/notes/gatekeeper/attestations`), retrying briefly on the notes ref's lock. pre-receive cannot
write refs, so `prepare_admission` leaves what it signed in `$GIT_DIR/gatekeeper/admitted/` — a
`<old>.<new>.bundle` (and `.msg`) per protected tip, a `.skip` marker for every other line — for
post-receive to store. Each file is written atomically: post-receive never reads half of one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatekeeper.attest.controls import (
    MAX_LEVEL,
    Cap,
    Controls,
    controls_for,
    level_for,
    policy_digest,
    verdict_digest,
)
from gatekeeper.attest.envelope import SignedStatement, load_signer, sign_statement
from gatekeeper.attest.statements import DEFAULT_VERIFIER_ID, Admission, now_iso, provenance_statement, vsa_statement
from gatekeeper.attest.store import ATTESTATIONS_REF, bundle_text, read_bundle
from gatekeeper.attest.verify import recorded_level
from gatekeeper.config import Policy
from gatekeeper.errors import ConfigError, GitError
from gatekeeper.fsutil import atomic_write
from gatekeeper.git import Git, is_sha, is_zero
from gatekeeper.models import RefKind, RefUpdate, Verdict
from gatekeeper.sanitize import safe

KEY_ENV = "GATEKEEPER_ATTEST_KEY"  # path of the gate's private signing key (server side)
VERIFIER_ENV = "GATEKEEPER_ATTEST_VERIFIER"  # the VSA's verifier.id
RESOURCE_ENV = "GATEKEEPER_RESOURCE_URI"  # the repository's URI, e.g. git+https://git.example.com/org/repo
RECORD_DIR = "gatekeeper/admitted"
RECORD_SUFFIXES = (".bundle", ".msg", ".ref", ".skip", ".done")
MAX_RECORD_BYTES = 1024 * 1024


def push_key(lines: Sequence[tuple[str, str, str]]) -> str:
    """The identity of one push (for the error log)."""
    text = "\n".join(f"{old} {new} {ref}" for old, new, ref in sorted(lines))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def record_dir(git: Git) -> Path:
    return git.info().git_dir / RECORD_DIR


def record_stem(directory: Path, old: str, new: str) -> str:
    """Where the files of one push line go: `<dir>/<old>.<new>` (+ .bundle, .msg, .ref, .skip, .done)."""
    if not (is_sha(old) and is_sha(new)):
        raise ValueError("not a ref update line")
    return str(directory / f"{old}.{new}")


def _atomic_write(path: Path, data: bytes) -> None:
    # A hand-off to post-receive seconds later, written inside the push's time budget: no fsync (a
    # crash in between means post-receive never runs, and a missing record is reported as a gap).
    atomic_write(path, data, durable=False)


def activity_for(kind: RefKind, env: Mapping[str, str]) -> str:
    if kind is RefKind.FORCE:
        return "force-push"
    if env.get("GITHUB_PULL_REQUEST_AUTHOR_LOGIN") or env.get("GITEA_PUSH_TRIGGER"):
        return "pr-merge"
    return "push"


def prepare_admission(git: Git, lines: Sequence[tuple[str, str, str]], verdict: Verdict, policy: Policy,
                      verdict_json: bytes, actor: str | None, env: Mapping[str, str]) -> None:
    """pre-receive, after deciding allow/warn: sign the attestations post-receive will store.

    Files an earlier push left under the same `<old>.<new>` (one another hook refused after this one accepted
    it) are removed first, and a bundle carries the ref it was signed for (`.ref`): post-receive stores it only
    for that ref's line (red43: a bundle signed for a main update the `update` hook refused was stored when the
    same commits were pushed to an unprotected branch). A revision that already carries an attestation note
    keeps it, whatever key signed it: a protected branch created (or moved) at an admitted commit judges no
    commit, and signing again would replace the record a chain links to with one the empty change cannot
    justify (red43: a new `release/evil` at a break-glass commit re-attested it at level 3, mobile reviewed;
    red47: after a key rotation). A new ref or a moved tag is a capped start (restarted, creation_cap)."""

    settings = settings_from_env(git, env)
    directory = record_dir(git)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep(directory)
    for old, new, _ref in lines:
        stem = record_stem(directory, old, new)
        for suffix in RECORD_SUFFIXES:
            Path(stem + suffix).unlink(missing_ok=True)
    digest = verdict_digest(verdict_json)
    pdigest = policy_digest(policy)
    updates = {(u.ref, u.new): u for u in verdict.updates}
    trusted: list[Any] = []
    for old, new, ref in lines:
        stem = record_stem(directory, old, new)
        update = updates.get((ref, new))
        if (update is None or update.kind is RefKind.DELETE or is_zero(new) or not policy.is_protected(ref)
                or (not ref.startswith("refs/heads/") and git.object_type(new) != "commit")):
            _atomic_write(Path(stem + ".skip"), b"")
            continue
        if not trusted:
            trusted.append(load_signer(settings.signer_path).public_key)
        if has_attestation(git, new):
            # Whatever key signed it (red47: after a key rotation a new branch at an old main commit re-signed
            # it and broke every chain through it): only an operator's `attest --start` replaces a note.
            if not Path(stem + ".bundle").exists():  # (another line of this push may have signed it)
                _atomic_write(Path(stem + ".skip"), b"")
            continue
        signed_update, cap = restarted(git, update, verdict, policy, trusted)
        admission, signed = build_attestation(
            git, signed_update, controls_for(verdict, policy, update), settings=settings,
            activity=activity_for(update.kind, env), actor=actor, verdict_digest=digest, policy_digest_value=pdigest,
            policy_source=policy.source, start=False, cap=cap)
        _atomic_write(Path(stem + ".msg"), admission_message(admission).encode("utf-8", "replace"))
        _atomic_write(Path(stem + ".ref"), ref.encode("utf-8", "surrogateescape"))
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


def admission_message(admission: Admission) -> str:
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
                  policy_source: str, start: bool, at: str | None = None,
                  cap: Cap | None = None) -> tuple[Admission, list[SignedStatement]]:
    """Build, sign and store the attestations of `update.new` on `update.ref`."""
    admission, signed = build_attestation(git, update, controls, settings=settings, activity=activity, actor=actor,
                                          verdict_digest=verdict_digest, policy_digest_value=policy_digest_value,
                                          policy_source=policy_source, start=start, at=at, cap=cap)
    store_bundle(git, update.new, bundle_text(signed))
    return admission, signed


def build_attestation(git: Git, update: RefUpdate, controls: Controls, *, settings: Settings, activity: str,
                      actor: str | None, verdict_digest: str | None, policy_digest_value: str | None,
                      policy_source: str, start: bool, at: str | None = None, cap: Cap | None = None
                      ) -> tuple[Admission, list[SignedStatement]]:
    """Build and sign the attestations of `update.new` on `update.ref` (not stored); `cap`: the ceiling of a new
    ref's first attestation (creation_cap)."""
    signer = load_signer(settings.signer_path)
    trusted = [signer.public_key]
    previous_tip = None if is_zero(update.old) else update.old
    previous, previous_digest, previous_since = ((None, None, {}) if previous_tip is None
                                                 else recorded_level(git, previous_tip, trusted))
    is_start = start or previous_tip is None
    level = level_for(controls, previous=previous, start=is_start, previous_tip=previous_tip, cap=cap)
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


def has_attestation(git: Git, revision: str) -> bool:
    """Whether `revision` has a note under the attestations ref (verified or not)."""
    try:
        return read_bundle(git, revision) is not None
    except GitError:
        return False


def restarted(git: Git, update: RefUpdate, verdict: Verdict, policy: Policy,
              trusted: Sequence[Any]) -> tuple[RefUpdate, Cap | None]:
    """The update as its attestation is built, and the ceiling of a start: a new ref starts, capped
    (creation_cap); so does a moved tag — a tag is not a line of history, and continuing from where it pointed
    before let a pusher move a protected `v0` from a level-3 commit to one above a break-glass main (red47)."""
    if is_zero(update.old):
        return update, creation_cap(git, update, verdict, policy, trusted)
    if update.kind is RefKind.TAG:
        return dataclasses.replace(update, old="0" * len(update.old)), creation_cap(git, update, verdict, policy,
                                                                                    trusted)
    return update, None


def creation_cap(git: Git, update: RefUpdate, verdict: Verdict, policy: Policy, trusted: Sequence[Any]) -> Cap | None:
    """The ceiling of a new protected ref's first attestation. A new ref is a recorded start, but it may claim no
    more than what it was created on: the commits it attaches to (the parents, outside the change, of the
    commits judged for it; the revision itself when none was judged). Each counts with its own verified
    attestation; one without (a commit inside an earlier push, or one that reached a branch unattested) with
    that of every protected branch tip holding it now. The lowest level, the properties all have; level 1 where
    one of them has no verified attestation. Without it a new branch was a fresh start at the full level: cut
    from a main lowered by a break-glass (red43), made at a merge of that main with a level-3 branch, or cut from
    commits that reached main unattested (red45) — and main fast-forwarded to it kept that level. None for a
    history new to every protected ref (nothing to inherit)."""
    judged = {r.commit.sha: r.commit for r in verdict.commits if update.ref in r.refs}
    attach = ({p for commit in judged.values() for p in commit.parents if p not in judged} if judged
              else {update.new})
    if not attach:
        return None
    sources: dict[str, str] = {}  # revision whose attestation counts → what it is, for the reasons
    for point in sorted(attach):
        if recorded_level(git, point, trusted)[0] is not None:
            sources[point] = f"{point[:12]}, which this ref was created on,"
            continue
        holders = {ref: tip for ref, tip in git.refs_containing(point).items()
                   if ref != update.ref and policy.is_protected(ref)}
        if not holders:
            return Cap(1, (), (f"continuity unknown: no protected branch holds {point[:12]}, which this ref was "
                               "created on",))
        for ref, tip in holders.items():
            sources.setdefault(tip, f"{safe(ref, limit=200)} (at {tip[:12]}), which holds {point[:12]},")
    level, properties, reasons = MAX_LEVEL, None, []
    for revision, what in sorted(sources.items()):
        found = recorded_level(git, revision, trusted)[0]
        if found is None:
            return Cap(1, (), (f"continuity broken: {what} has no verified attestation; re-establish with "
                               "`gatekeeper attest REV --start`",))
        if found[0] < level:
            reasons.append(f"continuity: {what} is at level {found[0]}")
        level = min(level, found[0])
        properties = set(found[1]) if properties is None else properties & set(found[1])
    return Cap(level, tuple(sorted(properties or ())), tuple(reasons))


def store_bundle(git: Git, revision: str, data: bytes, attempts: int = 5) -> None:
    """Store signed attestations as `revision`'s note; concurrent post-receives contend for the notes
    ref's lock, so retry briefly."""
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


def attest_with_key(git: Git, update: RefUpdate, verdict: Verdict, policy: Policy, *, key_text: str,
                    verifier_id: str, resource_uri: str, activity: str, actor: str | None,
                    verdict_json: bytes) -> tuple[Admission, list[SignedStatement]]:
    """Sign and store the attestations of a judged update with a key given as text (a CI secret): the key
    touches disk only as a 0600 file in a private temporary directory, removed when signing is done."""
    with tempfile.TemporaryDirectory(prefix="gatekeeper-attest-") as tmp:
        key = Path(tmp) / "attest-key"
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key_text.strip() + "\n")
        settings = Settings(signer_path=key, verifier_id=verifier_id, resource_uri=resource_uri)
        signed_update, cap = restarted(git, update, verdict, policy, [load_signer(key).public_key])
        return attest_update(git, signed_update, controls_for(verdict, policy, update), settings=settings,
                             activity=activity, actor=actor, verdict_digest=verdict_digest(verdict_json),
                             policy_digest_value=policy_digest(policy), policy_source=policy.source, start=False,
                             cap=cap)
