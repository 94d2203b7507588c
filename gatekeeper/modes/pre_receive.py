"""`gatekeeper pre-receive`: judge a whole push on the server before any ref moves.

Input is every `old new ref` line git writes to the hook's stdin, read through the quarantine
environment git gives the hook (GIT_OBJECT_DIRECTORY / GIT_QUARANTINE_PATH are kept: the pushed
objects exist only there). All lines go to one engine call, so a commit pushed under several refs is
judged once. The policy is trusted: `--policy` / GATEKEEPER_POLICY, else `.gatekeeper.yml` read from
the default branch as it was before this push (refs have not moved yet during pre-receive), never
from the pushed objects. A push that changes that policy (or the files it names) on a protected ref
is `policy/changed`, blocking unless the push carries verifiable review of the change
(`PolicyChangeCheck`). Forge metadata, the pusher and push options come from the environment.

Time: GitHub Enterprise Server kills all hooks after 5 s in total. The engine gets a soft deadline
(the budget minus a reserve for reporting) after which scanners are cut and reported as
`tool/timeout`; a hard watchdog just below the budget prints a message and exits as `on_timeout`
says (block: 1, warn: 0 with a printed warning). Exit codes: 0 accept, 1 reject, 4 could not
evaluate (which also rejects: fail closed). Never a traceback, never a silent exit 0.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from gatekeeper import cleanup
from gatekeeper.audit import AUDIT_ENV, append_audit, audit_record
from gatekeeper.audit import decisionlog as dlog
from gatekeeper.checks import CHECKS, CheckContext, is_protected
from gatekeeper.config import POLICY_FILENAME, Policy, default_policy, load_policy_file, parse_policy
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.errors import ConfigError, GatekeeperError
from gatekeeper.forge import Pusher, forge_from_env, is_gitlab, push_options_from_env, pusher_from_env
from gatekeeper.git import Git, classify_update
from gatekeeper.interfaces import Scanner
from gatekeeper.models import (
    CommitReport,
    Decision,
    ExitCode,
    FileChange,
    Finding,
    RefKind,
    RefUpdate,
    ReviewStatus,
    Severity,
    Verdict,
)
from gatekeeper.origin.base import ForgeInfo
from gatekeeper.provenance.source import ProvenanceSource, Reader, filesystem_reader, git_reader
from gatekeeper.report.hook import render_error, render_hook
from gatekeeper.review.forge import PushReviewSource
from gatekeeper.review.trailers import Identity
from gatekeeper.sanitize import safe
from gatekeeper.scan.baseline import load_baseline

POLICY_ENV = "GATEKEEPER_POLICY"
ATTEST_KEY_ENV = "GATEKEEPER_ATTEST_KEY"  # the same name as modes.attest.KEY_ENV (not imported: hook start-up)
_HEX = re.compile(r"\A(?:[0-9a-f]{40}|[0-9a-f]{64})\Z")
_BAD_REF = re.compile(r"[\x00-\x20\x7f]")
MAX_REF_LENGTH = 4096
WATCHDOG_MARGIN = 0.15  # seconds before the budget at which the hard watchdog fires
MIN_RESERVE = 0.3  # seconds kept free after the soft deadline for reporting


class InputError(GatekeeperError):
    """The hook's stdin is not what git writes: refuse the push (exit 4) instead of guessing."""


# -- input ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RawUpdate:
    old: str
    new: str
    ref: str


def parse_input(data: bytes) -> list[RawUpdate]:
    """Every `old new ref` line, validated; InputError names the first bad line."""
    text = data.decode("utf-8", "replace")
    if text and not text.endswith("\n"):
        text += "\n"
    updates: list[RawUpdate] = []
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        fields = line.split(" ")
        if len(fields) != 3:
            raise InputError(f"stdin line {number} is not `<old> <new> <ref>`: {safe(line, limit=80)!r}",
                             "gatekeeper pre-receive must be run by git as the pre-receive hook")
        old, new, ref = fields
        for name, sha in (("old", old), ("new", new)):
            if not _HEX.match(sha):
                raise InputError(f"stdin line {number}: {name} object id {safe(sha, limit=80)!r} is not a "
                                 "40- or 64-digit lowercase hex id", "run gatekeeper as git's pre-receive hook")
        if len(old) != len(new):
            raise InputError(f"stdin line {number}: old and new object ids differ in length",
                             "run gatekeeper as git's pre-receive hook")
        if not ref.startswith("refs/") or len(ref) > MAX_REF_LENGTH or _BAD_REF.search(ref) or ".." in ref:
            raise InputError(f"stdin line {number}: invalid ref name {safe(ref, limit=80)!r}",
                             "push to a ref under refs/ without control characters")
        updates.append(RawUpdate(old, new, ref))
    return updates


def classify(git: Git, raw: Sequence[RawUpdate], policy: Policy) -> tuple[tuple[RefUpdate, ...], list[Finding]]:
    """The push's updates under the names of the refs that really move.

    A symbolic ref on the server (`refs/heads/trunk` -> `refs/heads/main`) moves its target: the update
    is judged as the target (and also as the name pushed when that name is protected itself), and the
    pusher is told.
    """
    aliases = git.symref_targets([u.ref for u in raw])
    updates: list[RefUpdate] = []
    notes: list[Finding] = []
    for u in raw:
        names = [u.ref]
        target = aliases.get(u.ref)
        if target is not None:
            names = [target, u.ref] if is_protected(u.ref, policy) else [target]
            notes.append(Finding(
                "policy/ref-alias", Severity.INFO,
                f"{safe(u.ref, limit=200)} is a symbolic ref to {safe(target, limit=200)} on the server: judged as "
                f"{safe(target, limit=200)}", fix="push to the branch itself",
            ).with_fingerprint(u.ref, target))
        for name in names:
            updates.append(RefUpdate(ref=name, old=u.old, new=u.new, kind=classify_update(git, u.old, u.new, name)))
    return tuple(updates), notes


# -- trusted policy ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TrustedPolicy:
    policy: Policy
    ref: str | None  # the ref the policy was read from (None: a server-side file or the default)
    sha: str | None  # that ref's tip before the push
    reader: Reader  # how files the policy names (devices, allowed signers) are read
    baseline: frozenset[str] = frozenset()


HEAD_FIX = ("point the server repository's HEAD at its default branch (`git symbolic-ref HEAD refs/heads/main` in "
            "the bare repository), or install the hook with a server-side `--policy FILE`")


def policy_branch(git: Git, raw: Sequence[RawUpdate]) -> tuple[str | None, str | None]:
    """The default branch the repository's policy is read from, and its tip before the push.

    HEAD when it names a branch that exists. A HEAD naming a branch that does not exist (a repository
    created with another default, a renamed or deleted branch) must not make the repository look
    policy-less while its real default branch holds a policy: then `init.defaultBranch` (the server's
    repository config), `main` or `master` — whichever single one exists — is the default branch. With
    no branch at all the repository is empty ((ref, None): the built-in default policy judges its first
    push), as when this push creates the branch HEAD names and no candidate exists. Anything else is
    ambiguous: ConfigError (the hook refuses the push, exit 4) naming the fix.
    """
    head = git.current_branch()
    if head is not None:
        sha = git.try_resolve(head)
        if sha is not None:
            return head, sha
    else:
        sha = git.try_resolve("HEAD")  # a detached HEAD names the commit itself
        if sha is not None:
            return None, sha
    branches = {t.name: t.sha for t in git.ref_targets() if t.name.startswith("refs/heads/") and t.reaches_commit}
    if not branches:
        return head, None
    configured = git.config_get("init.defaultBranch")
    preferred = f"refs/heads/{configured}" if configured and not configured.startswith("refs/") else configured
    if preferred in branches:
        return preferred, branches[preferred]
    found = [name for name in ("refs/heads/main", "refs/heads/master") if name in branches]
    if len(found) == 1:
        return found[0], branches[found[0]]
    if head is not None and any(u.ref == head and set(u.old) == {"0"} for u in raw):
        return head, None  # this push creates the default branch: the first policy arrives with it
    named = safe(head, limit=200) if head else "a detached commit that does not exist"
    raise ConfigError(f"the repository's HEAD names {named}, which does not exist, and no single default branch "
                      f"holds the policy (found: {_listed(sorted(branches))})", HEAD_FIX)


def trusted_policy(git: Git, env: Mapping[str, str], policy_file: Path | None,
                   raw: Sequence[RawUpdate] = ()) -> TrustedPolicy:
    """The policy that judges this push, and where the files it names are read from."""
    explicit = policy_file or (Path(env[POLICY_ENV]) if env.get(POLICY_ENV) else None)
    if explicit is not None:
        policy = load_policy_file(explicit)
        return TrustedPolicy(policy, None, None, filesystem_reader, load_baseline(policy.baseline))
    ref, sha = policy_branch(git, raw)
    if sha is None:  # empty repository (or its default branch is being created): no policy before this push
        return TrustedPolicy(default_policy(), None, None, filesystem_reader)
    blob = git.show_file(sha, POLICY_FILENAME)
    if blob is None:
        return TrustedPolicy(default_policy(), ref, sha, git_reader(git, sha, None))
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{ref}:{POLICY_FILENAME} is not UTF-8 text",
                          "fix the policy on the default branch") from None
    source = f"{ref or 'HEAD'}:{POLICY_FILENAME} at {sha[:12]} (before this push)"
    # Paths in the policy stay relative: they name files in the same commit, read through the object
    # store at `sha` (never the work tree, never the pushed objects).
    policy = parse_policy(text, source)
    reader = git_reader(git, sha, None)
    return TrustedPolicy(policy, ref, sha, reader, _baseline(policy, reader))


def _baseline(policy: Policy, reader: Reader) -> frozenset[str]:
    if policy.baseline is None:
        return frozenset()
    text = reader(policy.baseline)
    if text is None:
        raise ConfigError(f"{policy.baseline}: baseline file not found (named by `baseline:` in {policy.source})",
                          "commit the baseline file or remove the `baseline:` key")
    with tempfile.TemporaryDirectory(prefix="gatekeeper-baseline-") as tmp:
        path = Path(tmp) / "baseline.json"
        path.write_text(text, encoding="utf-8")
        return load_baseline(path)


POLICY_FIX = ("land policy changes through a reviewed merge, or have a reviewer who is not an author push them "
              "with a `Reviewed-by:` trailer naming the reviewer")


@dataclass(frozen=True, slots=True)
class PolicyPaths:
    """The in-repository files that make up the gate's configuration (DESIGN §4)."""

    names: tuple[str, ...]  # repository paths; each also covers everything under it

    @classmethod
    def of(cls, policy: Policy) -> PolicyPaths:
        named = {p.as_posix().strip("/") for p in (policy.devices, policy.allowed_signers, policy.baseline,
                                                   policy.gpg_home)
                 if p is not None and not p.is_absolute() and ".." not in p.parts}
        return cls(tuple(sorted({POLICY_FILENAME, ".gatekeeper", *(n for n in named if n and n != ".")})))

    def match(self, path: str) -> bool:
        return any(path == name or path.startswith(name + "/") for name in self.names)

    def pathspecs(self) -> list[str]:
        return [f":(literal){name}" for name in self.names]


class PolicyChangeCheck:
    """`policy/changed`: a push that edits the gate's own configuration.

    The policy that judges a push is read from the default branch before the push, so a push cannot
    weaken the gate that judges *it* — but it would weaken the gate for every later push. A change
    reaching a protected ref (or the ref the policy is read from) therefore blocks unless the push
    carries verifiable review of the commits that made it: the same evidence the hook accepts for
    mobile commits (a forge merge by someone who wrote none of them, or a verified `Reviewed-by:`),
    always with the strict rule (the review covers the commit, the reviewer is not one of its people).
    Reviewed, it stays a note naming the reviewer; on other refs it is a warning.

    Which commits made the change comes from the changed paths the engine already has (one
    `diff-tree` for all commits if it computed none). A merge resolved to a version none of the pushed
    commits wrote (or a force push) is caught by one `diff-tree old new` of the ref, and then
    attributed to the merges (or the tip) of the push.
    """

    id = "policy/changed"
    description = "changes to the gate's policy, device registry, allowed signers or baseline"

    def __init__(self, git: Git, trusted: TrustedPolicy, review: PushReviewSource) -> None:
        self.git = git
        self.trusted = trusted
        self.review = review
        self.paths = PolicyPaths.of(trusted.policy)

    def guarded(self, ref: str, policy: Policy) -> bool:
        return ref == self.trusted.ref or is_protected(ref, policy)

    def run(self, ctx: CheckContext) -> list[Finding]:
        if self.trusted.ref is None:  # a server-side policy (or none yet): the repository's files do not count
            return []
        reports = list(ctx.commits)
        changes: Mapping[str, tuple[FileChange, ...]] = ctx.changes
        missing = [r.commit.sha for r in reports if r.commit.sha not in changes]
        if missing:
            changes = {**changes, **self.git.changed_files(missing)}
        touched: dict[str, list[str]] = {}
        for report in reports:
            hits = [c.path for c in changes.get(report.commit.sha, ()) if self.paths.match(c.path)]
            if hits:
                touched[report.commit.sha] = hits
        orphans = self._unattributed(ctx, reports, touched)
        guarded = [r for r in reports if r.commit.sha in touched
                   and any(self.guarded(ref, ctx.policy) for ref in r.refs)]
        judged = {r.commit.sha for r in guarded}
        others = [r for r in reports if r.commit.sha in touched and r.commit.sha not in judged]
        findings: list[Finding] = []
        if guarded:
            findings.append(self._judge(ctx, guarded, touched))
        for ref, paths in orphans.items():
            findings.append(Finding(
                "policy/changed", Severity.HIGH,
                f"this push changes the gate's policy on {ref} ({_listed(paths)}) and no commit in it accounts for "
                "the change", enforced=True, fix=POLICY_FIX).with_fingerprint("policy-changed", ref, *paths))
        if others:
            refs = sorted({ref for r in others for ref in r.refs})
            paths = sorted({p for r in others for p in touched[r.commit.sha]})
            findings.append(Finding(
                "policy/changed", Severity.MEDIUM,
                f"{len(others)} commit(s) change the gate's policy ({_listed(paths)}) on {_listed(refs)}; landing "
                "them on a protected ref needs review", commit=others[-1].commit.sha, fix=POLICY_FIX,
            ).with_fingerprint("policy-changed", *paths, *(r.commit.sha for r in others)))
        return findings

    def _judge(self, ctx: CheckContext, changers: list[CommitReport], touched: Mapping[str, list[str]]) -> Finding:
        refs = _listed(sorted({ref for r in changers for ref in r.refs if self.guarded(ref, ctx.policy)}))
        paths = sorted({p for r in changers for p in touched[r.commit.sha]})
        count = f"{len(changers)} commit(s) change the gate's policy on {refs} ({_listed(paths)})"
        reviews = self.review.assess(ctx.commits, changers, ctx.policy, 1, strict=True)
        unreviewed = [r for r in changers if reviews[r.commit.sha].status is not ReviewStatus.APPROVED]
        material = ("policy-changed", *paths, *(r.commit.sha for r in changers))
        if not unreviewed:
            approvers = sorted({a for r in changers for a in reviews[r.commit.sha].approvers})
            sources = sorted({reviews[r.commit.sha].source for r in changers})
            return Finding(
                "policy/changed", Severity.INFO,
                f"{count}; reviewed by {', '.join(approvers)} ({', '.join(sources)}); later pushes are judged by "
                "the new policy", commit=changers[-1].commit.sha).with_fingerprint(*material)
        last = unreviewed[-1]
        info = reviews[last.commit.sha]
        if info.status is ReviewStatus.SELF:
            why = f"the only review comes from an author ({info.detail})"
        elif info.status is ReviewStatus.UNKNOWN:
            why = info.detail
        elif info.status is ReviewStatus.STALE:
            why = "the review in this push does not cover the last commit that changed it"
        else:
            why = "no review"
        return Finding("policy/changed", Severity.HIGH, f"{count} without a verifiable review: {why}",
                       commit=last.commit.sha, enforced=True, fix=POLICY_FIX).with_fingerprint(*material)

    def _unattributed(self, ctx: CheckContext, reports: list[CommitReport],
                      touched: dict[str, list[str]]) -> dict[str, list[str]]:
        """Policy paths a guarded ref's update changes that none of its pushed commits changed.

        Without merges or a force push, the commits of `old..new` account for every change; otherwise
        one `diff-tree old new` per such update says what really changes, and what no commit accounts
        for is attributed to the update's merges (or its tip), or reported on its own.
        """
        orphans: dict[str, list[str]] = {}
        for update in ctx.updates:
            if update.kind not in (RefKind.UPDATE, RefKind.FORCE) or not self.guarded(update.ref, ctx.policy):
                continue
            members = [r for r in reports if update.ref in r.refs]
            if update.kind is RefKind.UPDATE and not any(r.commit.is_merge for r in members):
                continue
            proc = self.git.run("diff-tree", "-r", "-z", "--name-only", "--no-renames", update.old, update.new,
                                "--", *self.paths.pathspecs(), check=False)
            if proc.returncode != 0:
                raise GatekeeperError(f"could not compare {update.ref} before and after the push",
                                      "check the repository with `git fsck`")
            changed = {p for p in proc.stdout.decode("utf-8", "replace").split("\x00") if p and self.paths.match(p)}
            accounted = {p for r in members for p in touched.get(r.commit.sha, ())}
            left = sorted(changed - accounted)
            if not left:
                continue
            culprits = [r for r in members if r.commit.is_merge] or [r for r in members if r.commit.sha == update.new]
            if not culprits:
                orphans[update.ref] = left
            for report in culprits:
                mine = touched.setdefault(report.commit.sha, [])
                mine.extend(p for p in left if p not in mine)
        return orphans


def _listed(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(safe(i, limit=80) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# -- bypass -----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BypassOutcome:
    requested: bool
    granted: bool
    finding: Finding | None = None


def evaluate_bypass(options: Sequence[str], policy: Policy, pusher: Pusher | None) -> BypassOutcome:
    """The break-glass push option: allowed only for users the policy names, with a reason."""
    name = policy.bypass.push_option.strip()
    requested = False
    reason = ""
    for option in options:
        key, _, value = option.partition("=")
        if key.strip() == name:
            requested = True
            reason = safe(value, limit=200).strip() or reason
    if not requested:
        return BypassOutcome(False, False)
    allowed = {a.strip().casefold() for a in policy.bypass.allowed}
    who = pusher.login if pusher is not None else None
    problem = None
    if who is None:
        problem = "the pusher's identity is unknown here (no forge user, GATEKEEPER_PUSHER or REMOTE_USER)"
    elif who.casefold() not in allowed and (pusher is None or (pusher.email or "").casefold() not in allowed):
        problem = f"{who} is not allowed to bypass the gate (bypass.allowed)"
    elif policy.bypass.reason_required and not reason:
        problem = "a reason is required"
    if problem is not None:
        return BypassOutcome(True, False, Finding(
            "gate/bypass-denied", Severity.HIGH, f"bypass requested with -o {name} but denied: {problem}",
            enforced=True,
            fix=f"push without -o {name}, or ask one of the users in bypass.allowed (with "
                f"-o {name}=\"<reason>\")").with_fingerprint(name, who or "", reason))
    return BypassOutcome(True, True, Finding(
        "gate/bypassed", Severity.LOW, f"gate bypassed by {who}: {reason or '(no reason given)'}",
        fix="review this push after the fact; the bypass is recorded in the audit log",
    ).with_fingerprint(name, who or "", reason))


def apply_bypass(verdict: Verdict) -> Verdict:
    """A granted bypass accepts the push; what would have blocked stays visible, marked overridden."""
    if verdict.decision is not Decision.BLOCK:
        return verdict
    overridden = sorted({f.rule_id for f in verdict.findings if f.blocking})
    findings = []
    for f in verdict.findings:
        if f.rule_id == "gate/bypassed":
            f = dataclasses.replace(f, message=f"{f.message}; overrode: {', '.join(overridden)}")
        elif f.blocking:
            f = dataclasses.replace(f, blocking=False)
        findings.append(f)
    return dataclasses.replace(verdict, decision=Decision.WARN, findings=tuple(findings))


# -- watchdog ---------------------------------------------------------------------------------------

@dataclass
class HookState:
    """What the watchdog needs to report if it fires (filled in as the hook learns it)."""

    out: TextIO
    gitlab: bool
    audit_log: Path | None
    decision_log: dlog.Destination | None = None  # the hash-chained log (GATEKEEPER_DECISION_LOG / policy log:)
    repository: str = ""
    pusher: Pusher | None = None
    forge: ForgeInfo | None = None
    push_options: tuple[str, ...] = ()
    on_timeout: str = "block"
    budget: float = 4.0
    bypass_granted: bool = False
    done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class Watchdog:
    """A hard limit below the budget: prints why and exits as on_timeout says, from its own thread."""

    def __init__(self, state: HookState, exit: Callable[[int], None] = os._exit) -> None:
        self.state = state
        self._exit = exit
        self._timer: threading.Timer | None = None

    def arm(self, at: float) -> None:
        self.cancel()
        self._timer = threading.Timer(max(0.0, at - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        state = self.state
        with state.lock:
            if state.done:
                return
            state.done = True
            if state.bypass_granted:
                code, text = ExitCode.OK, (f"gatekeeper: push ACCEPTED BY BYPASS: the check did not finish within "
                                           f"{state.budget:g}s; this is recorded")
            elif state.on_timeout == "warn":
                code, text = ExitCode.OK, (f"gatekeeper: WARNING: the check did not finish within {state.budget:g}s; "
                                           "push accepted UNCHECKED (on_timeout: warn) -- CI must run the full gate")
            else:
                code, text = ExitCode.BLOCKED, (f"gatekeeper: push REJECTED: the check did not finish within "
                                                f"{state.budget:g}s (on_timeout: block) -- push fewer commits at "
                                                "once, or ask an administrator to raise pre_receive.budget_seconds")
            prefix = "GL-HOOK-ERR: " if state.gitlab and code != ExitCode.OK else ""
            _write(state.out, f"{prefix}{text}\n")
            try:
                _audit(state, event="timeout", exit_code=code, error=f"watchdog after {state.budget:g}s")
            except dlog.LogError as exc:
                _write(state.out, render_error(exc.message, exc.fix, gitlab=state.gitlab))
                code = ExitCode.CANNOT_EVALUATE
            cleanup.release_all()  # os._exit skips every `finally`: remove workspaces, kill scanners
            self._exit(int(code))


def _write(out: TextIO, text: str) -> None:
    try:
        out.write(text)
        out.flush()
    except (OSError, ValueError):
        pass  # the pusher hung up; the exit code still decides


def _audit(state: HookState, *, event: str, exit_code: int, verdict: Verdict | None = None,
           error: str | None = None) -> None:
    """Record the outcome in the JSON-lines file and the decision log. Raises LogError only when the
    policy requires the decision log and it cannot be written (the caller then fails closed)."""
    if state.audit_log is not None:
        record = audit_record(event=event, exit_code=exit_code, verdict=verdict,
                              pusher=state.pusher.login if state.pusher else None, forge=state.forge,
                              push_options=state.push_options, error=error)
        try:
            append_audit(state.audit_log, record)
        except OSError as exc:
            _write(state.out, f"gatekeeper: warning: could not write the audit log: {safe(str(exc), limit=200)}\n")
    dest = state.decision_log
    if dest is None or (dest.target is None and dest.problem is None and not dest.required):
        return
    detail = {"error": error, "push_options": list(state.push_options),
              "forge": None if state.forge is None else {"forge": state.forge.forge, "via": state.forge.via,
                                                         "repo": state.forge.repo}}
    pusher = state.pusher.login if state.pusher else None
    if verdict is not None:
        entry = dlog.entry_from_verdict(verdict, repository=state.repository, event=event, exit_code=exit_code,
                                        pusher=pusher, detail=detail)
    else:
        entry = dlog.Entry(repository=state.repository, mode="pre-receive", event=event,
                           decision="allow" if exit_code == ExitCode.OK else ("error" if event == "error" else "block"),
                           exit_code=exit_code, pusher=pusher, detail=detail)
    dlog.record(dest, entry, lambda text: _write(state.out, safe(text, limit=300) + "\n"))


# -- the hook ---------------------------------------------------------------------------------------

ScannerFactory = Callable[[Policy], Mapping[str, Scanner]]


def _default_scanners(policy: Policy) -> Mapping[str, Scanner]:
    from gatekeeper.scan import build_scanners

    return build_scanners(policy)


def run_legacy(legacy: Path, args: Sequence[str], stdin: bytes, timeout: float) -> int | None:
    """Run an existing hook kept as `<hook>.legacy` with the same stdin; None when there is none."""
    if not legacy.is_file() or not os.access(legacy, os.X_OK):
        return None
    try:
        proc = subprocess.run([str(legacy), *args], input=stdin, timeout=max(0.1, timeout), check=False)
    except subprocess.TimeoutExpired:
        return 124
    except OSError:
        return 126
    return proc.returncode


def run_pre_receive(stdin: bytes, *, env: Mapping[str, str] | None = None, repo: Path = Path("."),
                    policy_file: Path | None = None, legacy: Path | None = None, legacy_args: Sequence[str] = (),
                    audit_log: Path | None = None, out: TextIO | None = None,
                    scanners: ScannerFactory = _default_scanners, started: float | None = None,
                    watchdog: bool = True, verbose: bool = False, now: dt.datetime | None = None) -> int:
    """The whole hook: returns the exit code (0 accept, 1 reject, 4 could not evaluate)."""
    t0 = time.monotonic() if started is None else started
    env = os.environ if env is None else env
    out = sys.stdout if out is None else out
    if audit_log is None and env.get(AUDIT_ENV):
        audit_log = Path(env[AUDIT_ENV])
    state = HookState(out=out, gitlab=is_gitlab(env), audit_log=audit_log,
                      decision_log=dlog.destination(env, None, False), repository=_repository_name(env, repo))
    dog = Watchdog(state)
    if watchdog:
        dog.arm(t0 + default_policy().pre_receive.budget_seconds - WATCHDOG_MARGIN)
    try:
        return _run(stdin, env, repo, policy_file, legacy, legacy_args, state, dog if watchdog else None,
                    scanners, t0, now)
    except GatekeeperError as exc:
        return _fail(state, exc.message, exc.fix, verbose)
    except Exception as exc:  # never a traceback to the pusher: fail closed with a one-line reason
        return _fail(state, f"internal error: {type(exc).__name__}: {exc}", "report this to the gatekeeper "
                     "maintainers with the audit log entry", verbose)
    finally:
        dog.cancel()


def _fail(state: HookState, message: str, fix: str, verbose: bool) -> int:
    with state.lock:
        if state.done:
            return ExitCode.CANNOT_EVALUATE
        state.done = True
        if verbose:
            _write(state.out, traceback.format_exc())
        _write(state.out, render_error(message, fix, gitlab=state.gitlab))
        try:
            _audit(state, event="error", exit_code=ExitCode.CANNOT_EVALUATE, error=message)
        except dlog.LogError as exc:
            _write(state.out, render_error(exc.message, exc.fix, gitlab=state.gitlab))
    return ExitCode.CANNOT_EVALUATE


def _run(stdin: bytes, env: Mapping[str, str], repo: Path, policy_file: Path | None, legacy: Path | None,
         legacy_args: Sequence[str], state: HookState, dog: Watchdog | None, scanners: ScannerFactory, t0: float,
         now: dt.datetime | None) -> int:
    state.forge = forge_from_env(env)
    state.pusher = pusher_from_env(env)
    try:
        state.push_options = push_options_from_env(env)
    except ValueError as exc:
        raise InputError(str(exc), "run gatekeeper as git's pre-receive hook") from None

    if legacy is not None:
        _write(state.out, "")  # flush what we printed so far before the legacy hook writes to the same stream
        # The legacy hook must answer before the watchdog could accept the push under `on_timeout: warn`:
        # a legacy hook that did not finish has not said yes.
        remaining = t0 + state.budget - 2 * WATCHDOG_MARGIN - time.monotonic()
        code = run_legacy(legacy, legacy_args, stdin, remaining)
        if code not in (None, 0):
            with state.lock:
                state.done = True
                _write(state.out, f"{'GL-HOOK-ERR: ' if state.gitlab else ''}gatekeeper: push REJECTED by "
                       f"{safe(legacy.name, limit=80)} (exit {code})\n")
                with contextlib.suppress(dlog.LogError):  # rejected either way
                    _audit(state, event="legacy-hook", exit_code=ExitCode.BLOCKED, error=f"legacy hook exit {code}")
            return ExitCode.BLOCKED

    raw = parse_input(stdin)
    if not raw:
        with state.lock:
            state.done = True
        return ExitCode.OK
    git = Git(repo, inherit_git_env=True, timeout=30.0)
    trusted = trusted_policy(git, env, policy_file, raw)
    policy = trusted.policy
    state.decision_log = dlog.destination(env, policy.log.path, policy.log.required,
                                          repository_root=git.info().git_dir, from_repository=trusted.ref is not None)
    budget = policy.pre_receive.budget_seconds
    state.budget, state.on_timeout = budget, policy.on_timeout
    if dog is not None:
        dog.arm(t0 + budget - WATCHDOG_MARGIN)
    deadline = t0 + budget - max(MIN_RESERVE, budget * 0.2)

    updates, extra = classify(git, raw, policy)
    bypass = evaluate_bypass(state.push_options, policy, state.pusher)
    state.bypass_granted = bypass.granted
    if bypass.finding is not None:
        extra.append(bypass.finding)

    wanted = set(policy.pre_receive.scanners) - set(policy.pre_receive.defer)
    available = scanners(policy)
    pusher_identity = _identity(state.pusher)
    request = Request(
        git=git,
        updates=updates,
        policy=policy,
        mode="pre-receive",
        pushed=True,
        range_description=_describe(updates),
        push_options=state.push_options,
        forge=state.forge,
        now=now or dt.datetime.now(dt.UTC),
        deadline=deadline,
        deferred_scanners=tuple(policy.pre_receive.defer),
        extra_findings=tuple(extra),
    )
    review = PushReviewSource(state.forge, pusher_identity)
    services = Services(
        scanners={name: s for name, s in available.items() if name in wanted},
        signatures=ProvenanceSource(reader=trusted.reader),
        review=review,
        checks=(*CHECKS, PolicyChangeCheck(git, trusted, review)),
    )
    verdict = evaluate(request, services)
    if bypass.granted:
        verdict = apply_bypass(verdict)
    if verdict.exit_code == ExitCode.OK and env.get(ATTEST_KEY_ENV):
        _record_admission(git, raw, verdict, policy, state, env)
    return _finish(state, verdict)


def _record_admission(git: Git, raw: Sequence[RawUpdate], verdict: Verdict, policy: Policy,
                      state: HookState, env: Mapping[str, str]) -> None:
    """Sign the attestations post-receive will store. Never blocks the push: when this fails,
    post-receive attests the tips at level 1 and says the verdict was not recorded."""
    from gatekeeper.errors import GatekeeperError
    from gatekeeper.modes.attest import prepare_admission
    from gatekeeper.report.json import render_json

    try:
        prepare_admission(git, [(u.old, u.new, u.ref) for u in raw], verdict, policy, render_json(verdict).encode(),
                          state.pusher.login if state.pusher else None, env)
    except (OSError, ValueError, GatekeeperError) as exc:
        _write(state.out, f"gatekeeper: warning: could not sign the attestation of this push: "
                          f"{safe(str(exc), limit=200)}\n")


def _finish(state: HookState, verdict: Verdict) -> int:
    code = verdict.exit_code
    with state.lock:
        if state.done:
            return int(code)
        state.done = True
        # Logged before the pusher is told: with `log: {required: true}` a decision that cannot be
        # recorded is no decision (fail closed), and the pusher must not read "accepted" first.
        try:
            _audit(state, event="decision", exit_code=code, verdict=verdict)
        except dlog.LogError as exc:
            _write(state.out, render_error(exc.message, exc.fix, gitlab=state.gitlab))
            return int(ExitCode.CANNOT_EVALUATE)
        _write(state.out, render_hook(verdict, gitlab=state.gitlab))
    return int(code)


def _repository_name(env: Mapping[str, str], repo: Path) -> str:
    """How the decision log names this repository: the forge's name for it, else its git directory."""
    forge = forge_from_env(env)
    if forge is not None and forge.repo:
        return f"{forge.forge}:{safe(forge.repo, limit=200)}"
    git_dir = env.get("GIT_DIR")
    base = Path(git_dir) if git_dir else repo
    try:
        return str((base if base.is_absolute() else Path.cwd() / base).resolve())
    except OSError:
        return str(base)


def _identity(pusher: Pusher | None) -> Identity | None:
    if pusher is None:
        return None
    return Identity(login=pusher.login, email=pusher.email or "")


def _describe(updates: Sequence[RefUpdate]) -> str:
    parts = [f"{u.kind.value} {u.ref} {u.old[:12]}..{u.new[:12]}" for u in updates[:5]]
    more = f" (+{len(updates) - 5} more)" if len(updates) > 5 else ""
    return "push: " + "; ".join(parts) + more
