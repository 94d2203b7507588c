"""The one place that decides what counts: suppression, blocking and the decision.

Pure: (findings, commit reports, policy, today, baseline, bypass claim) in, (findings with `blocking`
set, suppressed findings with their reasons, decision) out. Checks report what they saw; only this
module turns that into "blocks" or "does not block", so the exit code has one source. That includes
break-glass: a door passes the bypass claim it received, and the policy's `bypass` rules decide here
whether it is granted (what would have blocked stays visible, marked overridden) or denied (blocking).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gatekeeper import catalogue
from gatekeeper.config import (
    CONTENT_CATEGORIES,
    GATE_CATEGORIES,
    UNSUPPRESSIBLE_RULES,
    IgnoreRule,
    Policy,
    glob_match,
)
from gatekeeper.models import (
    AI_COVERAGE_RULES,
    UNSCANNED_RULES,
    BypassClaim,
    CommitReport,
    Decision,
    Finding,
    Severity,
    Suppressed,
)
from gatekeeper.sanitize import safe

# Findings nothing can hide (no ignore entry, baseline or inline comment): they record that the gate
# itself could not judge, was bypassed or deceived, or is being changed — and must stay visible.
UNSUPPRESSIBLE = ("gate/bypassed", "origin/spoofed", *UNSUPPRESSIBLE_RULES)


def suppressible(finding: Finding) -> bool:
    """May anything (a policy ignore entry) hide this finding? Never for the gate's own categories."""
    return finding.category not in GATE_CATEGORIES and finding.rule_id not in UNSUPPRESSIBLE


def baselineable(finding: Finding) -> bool:
    """May a baseline fingerprint or an inline comment hide it? Only findings about content: a baseline
    entry is matched by fingerprint alone, and gate findings share fingerprints across repositories."""
    return suppressible(finding) and finding.category in CONTENT_CATEGORIES


@dataclass(frozen=True, slots=True)
class Outcome:
    decision: Decision
    findings: tuple[Finding, ...]
    suppressed: tuple[Suppressed, ...]


def ignore_applies(rule: IgnoreRule, finding: Finding) -> bool:
    if not fnmatch.fnmatchcase(finding.rule_id, rule.rule):
        return False
    if rule.paths:
        return finding.path is not None and any(glob_match(p, finding.path) for p in rule.paths)
    return True


def _threshold(finding: Finding, policy: Policy, rulesets: dict[str, str], default: str) -> Severity:
    ruleset = policy.ruleset(rulesets.get(finding.commit or "", default))
    scan = policy.ai.scan
    if finding.ai_basis is not None and scan is not None and finding.rule_id in AI_COVERAGE_RULES:
        return min(scan.block_at, ruleset.block_at)  # the stricter of the commit's own and the AI set's
    if finding.ai_basis is not None and scan is not None and finding.category in scan.scanners:
        # On a line an agent wrote, the AI set's threshold applies on top of the commit's own: the stricter
        # wins, never the laxer (the AI set only adds). When the commit's own rule set does not run this
        # scanner, the finding exists only because of the AI set, and only its threshold applies.
        if finding.category not in ruleset.scanners:
            return scan.block_at
        return min(scan.block_at, ruleset.block_at)
    return ruleset.block_at


@dataclass(frozen=True, slots=True)
class BypassOutcome:
    requested: bool
    granted: bool
    finding: Finding | None = None  # gate/bypassed when granted, gate/bypass-denied (blocking) when denied
    reason: str = ""  # the reason given (display-safe, not redacted)


def _ascii_lower(name: str) -> str | None:
    return name.lower() if name.isascii() and name else None


def evaluate_bypass(claim: BypassClaim | None, policy: Policy) -> BypassOutcome:
    """The break-glass push option: allowed only for users the policy names, with a reason."""
    name = policy.bypass.push_option.strip()
    requested = False
    reason = ""
    for option in claim.options if claim is not None else ():
        key, _, value = option.partition("=")
        if key.strip() == name:
            requested = True
            reason = safe(value, limit=200).strip() or reason
    if claim is None or not requested:
        return BypassOutcome(False, False)
    # ASCII case only: casefold() also folds the long s to `s`, the Kelvin sign to `k`, `ß` to `ss` — another account's
    # name matched `release-captain` (red54). A login or e-mail that is not ASCII matches no entry.
    allowed = {_ascii_lower(a.strip()) for a in policy.bypass.allowed} - {None}
    who = claim.login
    problem = None
    if who is None:
        problem = "the pusher's identity is unknown here (no forge user, GATEKEEPER_PUSHER or REMOTE_USER)"
    elif _ascii_lower(who) not in allowed and _ascii_lower(claim.email or "") not in allowed:
        problem = f"{who} is not allowed to bypass the gate (bypass.allowed)"
    elif policy.bypass.reason_required and not reason:
        problem = "a reason is required"
    if problem is not None:
        return BypassOutcome(True, False, catalogue.rule("gate/bypass-denied").finding(
            f"bypass requested with -o {name} but denied: {problem}",
            enforced=True,
            fix=f"push without -o {name}, or ask one of the users in bypass.allowed (with "
                f"-o {name}=\"<reason>\")").with_fingerprint(name, who or "", reason))
    return BypassOutcome(True, True, catalogue.rule("gate/bypassed").finding(
        f"gate bypassed by {who}: {reason or '(no reason given)'}",
        fix="review this push after the fact; the bypass is recorded in the audit log",
    ).with_fingerprint(name, who or "", reason), reason)


def decide(findings: Iterable[Finding], commits: Sequence[CommitReport], policy: Policy, *,
           today: dt.date, baseline: frozenset[str] = frozenset(), bypass: BypassClaim | None = None) -> Outcome:
    breakglass = evaluate_bypass(bypass, policy)
    if breakglass.finding is not None:
        findings = [*findings, breakglass.finding]
    rulesets = {c.commit.sha: c.ruleset for c in commits}
    # Push-level findings (no commit) are judged by the strictest rule set that applied in this run.
    applied = {c.ruleset for c in commits} or {"default"}
    strictest = min(applied, key=lambda name: policy.ruleset(name).block_at)

    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    notes: list[Finding] = []
    expired_reported: set[int] = set()
    seen: set[tuple[str, str | None, str | None, int | None, str]] = set()
    unscanned_warns = False
    for finding in findings:
        key = (finding.rule_id, finding.commit, finding.path, finding.line, finding.fingerprint)
        if key in seen:
            continue
        seen.add(key)
        reason = None
        if suppressible(finding):
            finding, reason = _suppression(finding, policy, today, baseline, notes, expired_reported)
        if reason is not None:
            suppressed.append(Suppressed(finding, reason))
            continue
        blocking = _blocks(finding, policy, rulesets, strictest)
        if finding.rule_id in UNSCANNED_RULES:
            action, protected = _unscanned(finding, commits, policy)
            blocking = blocking or (action == "block" and protected)
            unscanned_warns = unscanned_warns or action != "allow"
        kept.append(dataclasses.replace(finding, blocking=blocking))
    kept.extend(notes)
    kept.sort(key=lambda f: (not f.blocking, -f.severity, f.rule_id, f.path or "", f.line or 0))
    if any(f.blocking for f in kept) and breakglass.granted:
        kept, decision = _overridden(kept), Decision.WARN
    elif any(f.blocking for f in kept):
        decision = Decision.BLOCK
    elif unscanned_warns or any(f.severity >= Severity.LOW for f in kept):
        decision = Decision.WARN
    else:
        decision = Decision.ALLOW
    return Outcome(decision, tuple(kept), tuple(suppressed))


def _overridden(findings: Sequence[Finding]) -> list[Finding]:
    """A granted bypass accepts what would have blocked; it stays visible, in place, marked overridden."""
    overridden = sorted({f.rule_id for f in findings if f.blocking})
    result = []
    for f in findings:
        if f.rule_id == "gate/bypassed":
            f = dataclasses.replace(f, message=f"{f.message}; overrode: {', '.join(overridden)}")
        elif f.blocking:
            f = dataclasses.replace(f, blocking=False)
        result.append(f)
    return result


def _unscanned(finding: Finding, commits: Sequence[CommitReport], policy: Policy) -> tuple[str, bool]:
    """(policy `unscanned` action, whether it concerns a protected ref) for content left unscanned: the
    action of the finding's commit's rule set (the strictest of the run's for a finding without commit)."""
    mine = [c for c in commits if c.commit.sha == finding.commit] or list(commits)
    order = ("allow", "warn", "block")
    if not mine:
        return policy.unscanned_action("default", False), False
    action = max((policy.unscanned_action(c.ruleset, c.mobile) for c in mine), key=order.index)
    protected = any(policy.is_protected(ref) for c in mine for ref in c.refs)
    return action, protected


def _blocks(finding: Finding, policy: Policy, rulesets: dict[str, str], strictest: str) -> bool:
    if finding.enforced:
        return True
    if finding.rule_id == "tool/timeout":
        return policy.on_timeout == "block"
    if finding.category == "tool":
        return policy.on_tool_error == "block"
    return finding.severity >= _threshold(finding, policy, rulesets, strictest)


def _suppression(finding: Finding, policy: Policy, today: dt.date, baseline: frozenset[str],
                 notes: list[Finding], expired_reported: set[int]) -> tuple[Finding, str | None]:
    """(the finding, why it is suppressed or None); a refused inline ignore is said in the message."""
    if finding.suppressed_by:
        return finding, finding.suppressed_by
    if finding.line_ignores and any(fnmatch.fnmatchcase(finding.rule_id, r) for r in finding.line_ignores):
        comment = "gatekeeper: ignore[" + ",".join(finding.line_ignores) + "]"
        refused = policy.inline_ignore.refuses(finding.rule_id)
        if refused is None and baselineable(finding):
            return finding, f"inline: {comment}"
        why = (f"policy inline_ignore.refuse names {refused!r}" if refused is not None
               else "only content findings can be suppressed inline")
        finding = dataclasses.replace(finding, message=f"{finding.message} (inline `{comment}` not honoured: {why})")
    for index, rule in enumerate(policy.ignore):
        if not ignore_applies(rule, finding):
            continue
        if rule.expires is not None and rule.expires < today:
            if index not in expired_reported:
                expired_reported.add(index)
                notes.append(catalogue.rule("policy/ignore-expired").finding(
                    f"ignore[{index}] for {rule.rule} expired on {rule.expires.isoformat()} and no longer applies",
                    fix=f"fix the findings it hid, or renew `expires` in {policy.source} with a reason",
                ).with_fingerprint(str(index), rule.rule))
            continue
        until = f" (until {rule.expires.isoformat()})" if rule.expires else ""
        return finding, f"ignore: {rule.reason}{until}"
    if finding.fingerprint and finding.fingerprint in baseline and baselineable(finding):
        return finding, "baseline"
    return finding, None


def stricter(a: Decision, b: Decision) -> Decision:
    order = [Decision.ALLOW, Decision.WARN, Decision.BLOCK]
    return a if order.index(a) >= order.index(b) else b
