"""Human-readable verdict. Everything from commit data passes through sanitize.safe()."""

from __future__ import annotations

from gatekeeper.models import Decision, Verdict
from gatekeeper.report.common import notable_commits, where
from gatekeeper.sanitize import safe

_COLORS = {"red": "\x1b[31m", "yellow": "\x1b[33m", "green": "\x1b[32m", "bold": "\x1b[1m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"


def _paint(text: str, color: str, enabled: bool) -> str:
    return f"{_COLORS[color]}{text}{_RESET}" if enabled else text


def render_text(v: Verdict, *, color: bool = False) -> str:
    lines: list[str] = []
    colour = {Decision.BLOCK: "red", Decision.WARN: "yellow", Decision.ALLOW: "green"}[v.decision]
    lines.append(_paint(f"gatekeeper: {v.decision.value.upper()}", colour, color)
                 + f"  ({v.stats.commits} commit(s), {len(v.blocking)} blocking, "
                   f"{len(v.findings) - len(v.blocking)} other finding(s))")
    if v.range_description:
        lines.append(f"range: {safe(v.range_description, limit=300)}")
    lines.append(f"policy: {safe(v.policy_source, limit=300)}")
    flagged = notable_commits(v)
    if flagged:
        lines.append("")
        lines.append("commits with a declared or detected origin, or under the mobile rules:")
        for r in flagged[:50]:
            o = r.origin
            # (No evidence at all, counted as mobile by the policy's `undeclared`: said so, not shown as a finding.)
            bits = [o.device.value + (" (undeclared: mobile rules)" if r.mobile and o.device.value == "unknown"
                                      else "")]
            if o.ai.value != "none":
                bits.append(f"ai={o.ai.value}" + (f" ({safe(o.agent.id, limit=40)})" if o.agent else ""))
            if o.device_id:
                bits.append(f"device={safe(o.device_id, limit=60)}")
            if r.signature.forge is not None and r.signature.status.value == "good":
                bits.append(f"signature={r.signature.detail.split(';')[0]}")  # "verified (github web-flow)"
            elif r.signature.status.value != "unsigned":
                bits.append(f"signature={r.signature.status.value}")
            if r.review.status.value != "not-required":
                bits.append(f"review={r.review.status.value}")
            rules = f"[{r.ruleset} rules]"
            lines.append(f"  {r.commit.sha[:12]} {safe(r.commit.subject, limit=60)}  {', '.join(bits)} {rules}")
        if len(flagged) > 50:
            lines.append(f"  … and {len(flagged) - 50} more")
    for title, group, col in (("blocking", [f for f in v.findings if f.blocking], "red"),
                              ("warnings", [f for f in v.findings if not f.blocking], "yellow")):
        if not group:
            continue
        lines.append("")
        lines.append(_paint(f"{title}:", col, color))
        for f in group[:200]:
            where_ = where(f)
            lines.append(f"  {f.severity.label:<8} {f.rule_id}  {where_}".rstrip())
            lines.append(f"           {safe(f.message, limit=300)}")
            if f.fix:
                lines.append(_paint(f"           fix: {safe(f.fix, limit=300)}", "dim", color))
        if len(group) > 200:
            lines.append(f"  … and {len(group) - 200} more (use --format json for all)")
    if v.suppressed:
        lines.append("")
        lines.append(f"suppressed: {len(v.suppressed)} finding(s) (see --format json for reasons)")
    ran = [f"{name} {st.ms}ms" if st.ran else f"{name} skipped ({st.error})" for name, st in v.stats.scanners]
    lines.append("")
    lines.append(f"scanners: {', '.join(ran) if ran else 'none'}; {v.stats.files_scanned} file(s); "
                 f"{v.stats.duration_ms} ms")
    return "\n".join(lines) + "\n"
