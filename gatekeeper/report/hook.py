"""The message a pusher sees (as `remote:` lines): short, one line per blocking finding with its fix.

Pure function of the Verdict. Commit data (paths, messages, refs) passes through sanitize.safe() so
a hostile commit cannot paint the pusher's terminal; every line is bounded. On GitLab the rejection
lines carry the `GL-HOOK-ERR: ` prefix, without which GitLab's web UI shows only a generic error.
"""

from __future__ import annotations

from gatekeeper.models import UNSCANNED_RULES, Decision, Finding, ReviewStatus, Severity, Verdict
from gatekeeper.report.common import where as location
from gatekeeper.sanitize import safe

GITLAB_PREFIX = "GL-HOOK-ERR: "
LINE_LIMIT = 500
NOTED = ("policy/changed", "policy/ref-alias")  # info-level findings shown as `note:` lines


def finding_line(f: Finding) -> str:
    where = location(f, limit=120)
    head = f"{f.rule_id} {where}" if where else f.rule_id
    text = f"{head}: {safe(f.message, limit=240)}"
    if f.fix:
        text += f" -- fix: {safe(f.fix, limit=200)}"
    return safe(text, limit=LINE_LIMIT)


def render_hook(verdict: Verdict, *, gitlab: bool = False, limit: int = 20) -> str:
    lines: list[tuple[str, bool]] = []  # (text, is a rejection line)
    blocking = list(verdict.blocking)
    bypass = [f for f in verdict.findings if f.rule_id == "gate/bypassed"]
    commits = verdict.stats.commits
    if verdict.decision is Decision.BLOCK:
        lines.append((f"gatekeeper: push REJECTED: {len(blocking)} blocking finding(s) in {commits} new commit(s)",
                      True))
        for f in blocking[:limit]:
            lines.append((f"  {finding_line(f)}", True))
        if len(blocking) > limit:
            lines.append((f"  ... and {len(blocking) - limit} more blocking finding(s)", True))
    elif bypass:
        lines.append((f"gatekeeper: push ACCEPTED BY BYPASS ({commits} new commit(s)); this is recorded", False))
    elif verdict.decision is Decision.WARN:
        lines.append((f"gatekeeper: push accepted with warnings ({commits} new commit(s) checked)", False))
    else:
        lines.append((f"gatekeeper: push accepted ({commits} new commit(s) checked)", False))

    for f in bypass:
        lines.append((f"  {finding_line(f)}", False))
    reviewed = [r for r in verdict.commits if r.review.status is ReviewStatus.APPROVED]
    if reviewed and verdict.decision is not Decision.BLOCK:
        approvers = sorted({a for r in reviewed for a in r.review.approvers})
        sources = sorted({r.review.source for r in reviewed})
        lines.append((f"  review: {len(reviewed)} mobile-origin commit(s) approved by "
                      f"{safe(', '.join(approvers), limit=120)} ({', '.join(sources)})", False))
    notes = [f for f in verdict.findings
             if not f.blocking and f.rule_id not in ("gate/bypassed", "gate/deferred", *UNSCANNED_RULES)
             and f.severity >= Severity.LOW]
    shown = notes[: max(0, min(limit, 5))]
    for f in shown:
        lines.append((f"  warning: {finding_line(f)}", False))
    if len(notes) > len(shown):
        lines.append((f"  ... and {len(notes) - len(shown)} more warning(s)", False))
    # Content no scanner could read is said every time, blocking or not, whatever its severity.
    unscanned = [f for f in verdict.findings if f.rule_id in UNSCANNED_RULES and not f.blocking]
    if unscanned:
        lines.append((f"  unscanned: {len(unscanned)} file(s) not fully scanned; review them by hand:", False))
        for f in unscanned[:5]:
            lines.append((f"    {finding_line(f)}", False))
        if len(unscanned) > 5:
            lines.append((f"    ... and {len(unscanned) - 5} more", False))
    # Informational findings worth telling the pusher (a reviewed policy change names its reviewer).
    for f in [f for f in verdict.findings if f.rule_id in NOTED and not f.blocking and f.severity < Severity.LOW][:3]:
        lines.append((f"  note: {finding_line(f)}", False))
    # Whatever was suppressed is said, every time: a suppression the pusher wrote (an inline comment) or
    # one the policy or baseline applied must never silence a finding without a word.
    hidden = list(verdict.suppressed)
    if hidden:
        lines.append((f"  suppressed: {len(hidden)} finding(s) not counted (see the audit log or JSON report):",
                      False))
        for s in hidden[:5]:
            where = location(s.finding, limit=120)
            head = f"{s.finding.rule_id} {where}" if where else s.finding.rule_id
            lines.append((f"    {head}: {safe(s.reason, limit=160)}", False))
        if len(hidden) > 5:
            lines.append((f"    ... and {len(hidden) - 5} more", False))
    deferred = [name for name, stat in verdict.stats.scanners
                if not stat.ran and stat.error and "deferred" in stat.error]
    if deferred:
        lines.append((f"  note: {', '.join(deferred)} left to CI (pre_receive.defer); do not merge before it "
                       "passes", False))
    if verdict.decision is Decision.BLOCK:
        lines.append((f"  policy: {safe(verdict.policy_source, limit=200)}", True))
    out = []
    for text, rejection in lines:
        line = safe(text, limit=LINE_LIMIT + 20)
        out.append(f"{GITLAB_PREFIX}{line}" if gitlab and rejection else line)
    return "\n".join(out) + "\n"


def render_error(message: str, fix: str = "", *, gitlab: bool = False) -> str:
    """The pusher's message when the gate could not evaluate the push (exit 4: rejected, fail closed)."""
    lines = [f"gatekeeper: push REJECTED: could not evaluate: {safe(message, limit=LINE_LIMIT)}"]
    if fix:
        lines.append(f"  fix: {safe(fix, limit=LINE_LIMIT)}")
    prefix = GITLAB_PREFIX if gitlab else ""
    return "".join(f"{prefix}{line}\n" for line in lines)
