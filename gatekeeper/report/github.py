"""GitHub Actions output: workflow-command annotations, the markdown step summary, GITHUB_OUTPUT values.

All pure functions of the Verdict (or of why there is none: a skipped event, a run that could not
evaluate); `ActionReport` bundles what one run publishes, and cli_action.py writes it to the files
the runner names. Commit data is hostile:
- annotations pass every value through `safe()` (no ANSI / control / bidi characters) and then
  GitHub's escaping: data `%`→%25, CR→%0D, LF→%0A; properties also `:`→%3A and `,`→%2C;
- the human-readable part of the log sits between `::stop-commands::TOKEN` and `::TOKEN::`, so a
  commit subject or path that reads `::set-env …` is printed, not obeyed. The token is a hash of the
  text it guards: deterministic, and no commit can contain the hash of a text that contains it;
- the summary escapes markdown and HTML in commit data (no links, images or tags from a commit);
- GITHUB_OUTPUT uses the `name<<DELIMITER` form with a caller-supplied random delimiter, refused
  if a value contains it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gatekeeper import fingerprint
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Decision, Finding, ReviewStatus, Severity, Verdict
from gatekeeper.report.common import notable_commits
from gatekeeper.report.text import render_text
from gatekeeper.sanitize import safe

MAX_ANNOTATIONS = 100  # GitHub shows at most 10 errors and 10 warnings per step anyway
# Inline markdown that could format, link or embed: backslash-escaped (HTML is entity-escaped first).
_MD_SPECIAL = lazy(r"([\\`*_\[\]|~!#])")
# Where GitHub would start an autolink, a mention or a reference: `://`, `www.`, `@`, `#` (escaped above).
_AUTOLINK = lazy(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)|(?<=#)", re.IGNORECASE)
_ZWSP = "&#8203;"


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation_level(f: Finding) -> str:
    """The one mapping from a finding to an annotation command: blocking is what a reader must act on."""
    if f.blocking:
        return "error"
    if f.severity >= Severity.MEDIUM:
        return "warning"
    return "notice"


def annotation(f: Finding) -> str:
    props: list[str] = []
    if f.path:
        props.append(f"file={escape_property(safe(f.path, limit=400))}")
        if f.line and f.line > 0:
            props.append(f"line={int(f.line)}")
    title = f"gatekeeper {f.rule_id}" + (" (blocking)" if f.blocking else "")
    props.append(f"title={escape_property(safe(title, limit=200))}")
    where = f" [commit {f.commit[:12]}]" if f.commit else ""
    message = safe(f.message, limit=1000) + where + (f" Fix: {safe(f.fix, limit=500)}" if f.fix else "")
    return f"::{annotation_level(f)} {','.join(props)}::{escape_data(message)}"


def render_annotations(v: Verdict) -> str:
    ordered = sorted(v.findings, key=lambda f: (not f.blocking, -f.severity))
    lines = [annotation(f) for f in ordered[:MAX_ANNOTATIONS]]
    if len(ordered) > MAX_ANNOTATIONS:
        lines.append(f"::warning title=gatekeeper::{len(ordered) - MAX_ANNOTATIONS} more finding(s) not annotated; "
                     "see the step summary or the SARIF report")
    return "".join(line + "\n" for line in lines)


def guarded(text: str) -> str:
    """`text` printed with workflow commands disabled, so nothing inside it can act as one."""
    token = "gatekeeper-" + fingerprint.digest(text)[:32]
    return f"::stop-commands::{token}\n{text.rstrip(chr(10))}\n::{token}::\n"


def render_github(v: Verdict) -> str:
    """The log output of the Action (and `--format github`): the text report, guarded, then annotations."""
    return guarded(render_text(v, color=False)) + render_annotations(v)


# -- step summary ------------------------------------------------------------------------------------

def md(value: str, limit: int = 200) -> str:
    """Commit data as inert markdown: one line, HTML escaped, markdown punctuation backslash-escaped,
    and GitHub's autolinks broken with a zero-width space (U+200B, written as an entity): bare URLs
    (`scheme://`, `www.`), e-mail addresses and @mentions, and `#123` references stay plain text —
    a commit subject can neither plant a link nor ping a user or team."""
    text = safe(value, limit=limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _AUTOLINK.sub(_ZWSP, text)


_DECISION_LINE = {
    Decision.BLOCK: "❌ **blocked**",
    Decision.WARN: "⚠️ **allowed with warnings**",
    Decision.ALLOW: "✅ **allowed**",
}


def render_summary(v: Verdict) -> str:
    lines = [f"## gatekeeper: {_DECISION_LINE[v.decision]}", ""]
    lines.append(f"{v.stats.commits} commit(s) checked, {len(v.blocking)} blocking finding(s), "
                 f"{len(v.findings) - len(v.blocking)} other finding(s).")
    if v.range_description:
        lines.append(f"Range: {md(v.range_description, 300)}.")
    lines.append(f"Policy: {md(v.policy_source, 300)}.")
    flagged = notable_commits(v)
    if flagged:
        lines += ["", "### Mobile, web and AI-assisted commits", "",
                  "| commit | subject | origin | signature | review |", "|---|---|---|---|---|"]
        for r in flagged[:50]:
            origin = r.origin.device.value + (f", AI {r.origin.ai.value}" if r.origin.ai.value != "none" else "")
            review = r.review.status.value
            if r.review.approvers:
                # Approvers are logins the API validated (not commit data): shown as @login.
                review += " by " + ", ".join("@" + md(a, 60) for a in r.review.approvers)
            lines.append(f"| `{r.commit.sha[:12]}` | {md(r.commit.subject, 80)} | {md(origin, 60)} | "
                         f"{r.signature.status.value} | {review} |")
        if len(flagged) > 50:
            lines.append(f"\n… and {len(flagged) - 50} more (see the JSON or SARIF report).")
    blocking = list(v.blocking)
    if blocking:
        lines += ["", "### Blocking findings", ""]
        for f in blocking[:50]:
            where = " ".join(x for x in (f"`{f.commit[:12]}`" if f.commit else "",
                                         md(f.path, 200) + (f":{f.line}" if f.line else "") if f.path else "") if x)
            lines.append(f"- **{md(f.rule_id, 100)}** ({f.severity.label}) {where} — {md(f.message, 500)}")
            if f.fix:
                lines.append(f"  - fix: {md(f.fix, 500)}")
        if len(blocking) > 50:
            lines.append(f"- … and {len(blocking) - 50} more")
    pending = [r for r in v.commits if r.review.status not in (ReviewStatus.APPROVED, ReviewStatus.NOT_REQUIRED)]
    if pending:
        lines += ["", "### Review still needed", ""]
        last = pending[-1]
        detail = f" ({md(last.review.detail, 400)})" if last.review.detail else ""
        lines.append(f"- {len(pending)} commit(s) need an approval from someone who is not an author, committer or "
                     f"co-author, given after `{last.commit.sha[:12]}`: status **{last.review.status.value}**"
                     f"{detail}.")
    others = [f for f in v.findings if not f.blocking]
    if others:
        lines += ["", f"<details><summary>{len(others)} non-blocking finding(s)</summary>", ""]
        for f in others[:100]:
            lines.append(f"- {md(f.rule_id, 100)} ({f.severity.label}): {md(f.message, 300)}")
        lines += ["", "</details>"]
    if v.suppressed:
        # Every suppression is shown with its reason: an inline comment is written by the change's author.
        lines += ["", f"<details><summary>{len(v.suppressed)} finding(s) suppressed (inline comments, ignore "
                  "entries, the baseline)</summary>", ""]
        for s in v.suppressed[:50]:
            f = s.finding
            where = " ".join(x for x in (f"`{f.commit[:12]}`" if f.commit else "",
                                         md(f.path, 200) + (f":{f.line}" if f.line else "") if f.path else "") if x)
            lines.append(f"- {md(f.rule_id, 100)} {where} — {md(s.reason, 200)}")
        if len(v.suppressed) > 50:
            lines.append(f"- … and {len(v.suppressed) - 50} more")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


# -- GITHUB_OUTPUT -----------------------------------------------------------------------------------

def output_values(v: Verdict, *, sarif_path: str = "") -> dict[str, str]:
    return {
        "decision": v.decision.value,
        "blocking": str(len(v.blocking)),
        "findings": str(len(v.findings)),
        "sarif": sarif_path,
    }


def render_outputs(values: dict[str, str], delimiter: str) -> str:
    """`name<<DELIM` / value / `DELIM` blocks for GITHUB_OUTPUT (multi-line safe)."""
    if not re.fullmatch(r"[A-Za-z0-9_]{16,}", delimiter):
        raise ValueError("the delimiter must be at least 16 random word characters")
    out: list[str] = []
    for name, value in values.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
            raise ValueError(f"invalid output name {name!r}")
        if delimiter in value or delimiter in name:
            raise ValueError("an output value contains the delimiter")
        out.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(out)


# -- one run of the Action ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ActionReport:
    """What one Action run publishes: appended to GITHUB_STEP_SUMMARY, written to GITHUB_OUTPUT, printed."""

    summary: str
    outputs: tuple[tuple[str, str], ...]
    log: str


def action_report(v: Verdict, *, report: str | None = None, sarif_path: str = "",
                  extra_outputs: tuple[tuple[str, str], ...] = ()) -> ActionReport:
    """A verdict's publication. `report`: the log in another format than `github`, printed guarded (commit
    data cannot issue workflow commands) and followed by the annotations."""
    log = render_github(v) if report is None else guarded(report) + render_annotations(v)
    outputs = (*output_values(v, sarif_path=sarif_path).items(), *extra_outputs)
    return ActionReport(render_summary(v), tuple(outputs), log)


def skipped_report(reason: str) -> ActionReport:
    """An event the gate does not run for: a success, said so everywhere."""
    return ActionReport(f"## gatekeeper: skipped\n\n{md(reason, 1500)}.\n",
                        (("decision", "skipped"), ("blocking", "0"), ("findings", "0"), ("sarif", "")),
                        f"::notice title=gatekeeper::{escape_data(safe('skipped: ' + reason, limit=1000))}\n")


def error_report(message: str, fix: str) -> ActionReport:
    """A run that could not evaluate: `decision=error`, so a later step never reads "no decision" as a pass."""
    message = safe(message, limit=1000)
    fix = safe(fix, limit=500) if fix else ""
    summary = f"## gatekeeper: ⛔ could not evaluate\n\n{md(message, 1500)}\n" + (
        f"\n**Fix:** {md(fix, 1500)}\n" if fix else "")
    text = message + (f" Fix: {fix}" if fix else "")
    return ActionReport(summary, (("decision", "error"), ("blocking", "0"), ("findings", "0"), ("sarif", "")),
                        f"::error title=gatekeeper could not evaluate::{escape_data(text)}\n")
