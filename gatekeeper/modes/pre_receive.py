"""`gatekeeper pre-receive`: judge a whole push on the server before any ref moves.

The front door only. Every `old new ref` line git writes on stdin (hookinput.py) and what the server
says in the environment (hookenv.py: forge metadata, the authenticated pusher, push options) become
one Request: all refs in one engine call, so a commit pushed under several refs is judged once, read
through the quarantine environment git gives the hook (GIT_OBJECT_DIRECTORY / GIT_QUARANTINE_PATH are
kept: the pushed objects exist only there). The policy is trusted (trusted.py: `--policy` /
GATEKEEPER_POLICY, else the default branch as it was before the push) and guards itself
(checks/policy_change.py). A break-glass push option travels as a BypassClaim that policy.decide
judges. The push-time origin is recorded once the commits are known (origin/recorded.py), the outcome
(audit/pushlog.py) before the pusher is told (report/hook.py). Time: GHES kills all hooks after 5 s in
total. The engine gets a soft deadline (the budget minus a reserve for reporting) after which scanners
are cut and reported as `tool/timeout`; the watchdog (watchdog.py) ends the hook just below the budget
as `on_timeout` says. Exit codes: 0 accept, 1 reject, 4 could not evaluate (which also rejects: fail
closed). Never a traceback, never a silent exit 0.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from gatekeeper.audit import AUDIT_ENV
from gatekeeper.audit import decisionlog as dlog
from gatekeeper.audit.pushlog import repository_name
from gatekeeper.checks import CHECKS
from gatekeeper.checks.policy_change import PUSH_FIX, push_checks
from gatekeeper.config import Policy, default_policy
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.errors import GatekeeperError
from gatekeeper.git import Git
from gatekeeper.hookenv import Pusher, forge_from_env, is_gitlab, push_options_from_env, pusher_from_env
from gatekeeper.hookinput import InputError, RawUpdate, classify, parse_input
from gatekeeper.identity import Identity
from gatekeeper.interfaces import Scanner
from gatekeeper.legacy_hook import run_legacy
from gatekeeper.models import BypassClaim, ExitCode, RefUpdate, Verdict
from gatekeeper.origin.base import OriginContext
from gatekeeper.origin.recorded import PushOriginStore, PushTimeOrigin
from gatekeeper.policy import evaluate_bypass
from gatekeeper.provenance.source import ProvenanceSource, Reader
from gatekeeper.report.hook import GITLAB_PREFIX, render_error, render_hook
from gatekeeper.review.forge import PushReviewSource, policy_review
from gatekeeper.sanitize import safe
from gatekeeper.trusted import trusted_policy
from gatekeeper.watchdog import WATCHDOG_MARGIN, HookState, Watchdog

ATTEST_KEY_ENV = "GATEKEEPER_ATTEST_KEY"  # the same name as attest.admission.KEY_ENV (not imported: hook start-up)
MIN_RESERVE = 0.3  # seconds kept free after the soft deadline for reporting
ScannerFactory = Callable[[Policy], Mapping[str, Scanner]]


def _default_scanners(policy: Policy, reader: Reader | None = None) -> Mapping[str, Scanner]:
    from gatekeeper.scan import build_scanners

    # Files the policy names (a gitleaks config) are read like the policy: from the trusted source.
    return build_scanners(policy, reader=reader, in_hook=True)


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
                      decision_log=dlog.destination(env, None, False), repository=repository_name(env, repo),
                      started=t0)
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
            state.say(traceback.format_exc())
        state.say(render_error(message, fix, gitlab=state.gitlab))
        try:
            state.record(event="error", exit_code=ExitCode.CANNOT_EVALUATE, error=message)
        except dlog.LogError as exc:
            state.say(render_error(exc.message, exc.fix, gitlab=state.gitlab))
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
    # Until the policy says what they declare, options or forge metadata may be an origin to record (red57).
    state.origin_pending = bool(state.push_options) or state.forge is not None

    if legacy is not None:
        state.say("")  # flush what we printed so far before the legacy hook writes to the same stream
        # The legacy hook must answer before the watchdog could accept the push under `on_timeout: warn`:
        # a legacy hook that did not finish has not said yes.
        remaining = t0 + state.budget - 2 * WATCHDOG_MARGIN - time.monotonic()
        code = run_legacy(legacy, legacy_args, stdin, remaining)
        if code not in (None, 0):
            with state.lock:
                state.done = True
                state.say(f"{GITLAB_PREFIX if state.gitlab else ''}gatekeeper: push REJECTED by "
                          f"{safe(legacy.name, limit=80)} (exit {code})\n")
                with contextlib.suppress(dlog.LogError):  # rejected either way
                    state.record(event="legacy-hook", exit_code=ExitCode.BLOCKED, error=f"legacy hook exit {code}")
            return ExitCode.BLOCKED

    raw = parse_input(stdin)
    if not raw:
        with state.lock:
            state.done = True
        return ExitCode.OK
    state.lines = tuple((u.old, u.new, u.ref, "") for u in raw)
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
    state.lines = tuple((u.old, u.new, u.ref, u.kind.value) for u in updates)
    pusher = state.pusher
    claim = BypassClaim(state.push_options, pusher.login if pusher else None, pusher.email if pusher else None)
    # policy.decide judges the claim; the watchdog needs the answer now, in case the check runs out of time.
    breakglass = evaluate_bypass(claim, policy)
    wanted = set(policy.pre_receive.scanners) - set(policy.pre_receive.defer)
    available = _default_scanners(policy, trusted.reader) if scanners is _default_scanners else scanners(policy)
    when = now or dt.datetime.now(dt.UTC)
    # What the push says of every commit it brings (push options, forge metadata), recorded as soon as the engine
    # knows the commits; until then the watchdog accepts nothing (red54).
    push_records = PushOriginStore.in_git_dir(git.info().git_dir)
    push_origin = PushTimeOrigin(push_records, OriginContext(
        aliases=dict(policy.origins.aliases), trailer_aliases=policy.origins.trailer_aliases,
        push_options=state.push_options, forge=state.forge), pusher=pusher.login if pusher else None, when=when,
        secrets=available.get("secrets"), on_change=state.origin_known)
    with state.lock:
        state.bypass_granted, state.bypass_reason = breakglass.granted, breakglass.reason
        state.origin_pending = bool(push_origin.evidence)
    request = Request(
        git=git,
        updates=updates,
        policy=policy,
        mode="pre-receive",
        pushed=True,
        range_description=_describe(updates),
        push_options=state.push_options,
        forge=state.forge,
        now=when,
        deadline=deadline,
        deferred_scanners=tuple(policy.pre_receive.defer),
        extra_findings=tuple(extra),
        bypass=claim,
    )
    review = PushReviewSource(state.forge, _identity(state.pusher))
    services = Services(
        scanners={name: s for name, s in available.items() if name in wanted},
        redactor=available.get("secrets"),
        signatures=ProvenanceSource(reader=trusted.reader),
        review=review,
        checks=(*CHECKS, *push_checks(git, trusted, policy_review(review, PUSH_FIX))),
        push_records=push_records,
        on_commits=push_origin.commits_known,
    )
    verdict = evaluate(request, services)
    if verdict.exit_code == ExitCode.OK:
        push_origin.accepted()
    if verdict.exit_code == ExitCode.OK and env.get(ATTEST_KEY_ENV):
        _record_admission(git, raw, verdict, policy, state, env)
    return _finish(state, verdict)


def _record_admission(git: Git, raw: Sequence[RawUpdate], verdict: Verdict, policy: Policy,
                      state: HookState, env: Mapping[str, str]) -> None:
    """Sign the attestations post-receive will store. Never blocks the push: when this fails,
    post-receive attests the tips at level 1 and says the verdict was not recorded."""
    from gatekeeper.attest.admission import prepare_admission
    from gatekeeper.errors import GatekeeperError
    from gatekeeper.report.json import render_json

    try:
        prepare_admission(git, [(u.old, u.new, u.ref) for u in raw], verdict, policy, render_json(verdict).encode(),
                          state.pusher.login if state.pusher else None, env)
    except (OSError, ValueError, GatekeeperError) as exc:
        state.say(f"gatekeeper: warning: could not sign the attestation of this push: {safe(str(exc), limit=200)}\n")


def _finish(state: HookState, verdict: Verdict) -> int:
    code = verdict.exit_code
    with state.lock:
        if state.done:
            return int(code)
        state.done = True
        # Logged before the pusher is told: with `log: {required: true}` a decision that cannot be
        # recorded is no decision (fail closed), and the pusher must not read "accepted" first.
        try:
            state.record(event="decision", exit_code=code, verdict=verdict)
        except dlog.LogError as exc:
            state.say(render_error(exc.message, exc.fix, gitlab=state.gitlab))
            return int(ExitCode.CANNOT_EVALUATE)
        state.say(render_hook(verdict, gitlab=state.gitlab))
    return int(code)


def _identity(pusher: Pusher | None) -> Identity | None:
    if pusher is None:
        return None
    # An `@`-shaped login (a Kerberos principal) is no address (hookenv); its local part is one more spelling (red152).
    local = pusher.login.split("@", 1)[0] if "@" in pusher.login and not pusher.email else ""
    return Identity(name=local, login=pusher.login, email=pusher.email or "")


def _describe(updates: Sequence[RefUpdate]) -> str:
    parts = [f"{u.kind.value} {u.ref} {u.old[:12]}..{u.new[:12]}" for u in updates[:5]]
    more = f" (+{len(updates) - 5} more)" if len(updates) > 5 else ""
    return "push: " + "; ".join(parts) + more
