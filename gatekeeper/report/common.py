"""What several renderers say the same way: where a finding is, which commits are worth listing."""

from __future__ import annotations

from gatekeeper.models import AIInvolvement, CommitReport, Finding, Verdict
from gatekeeper.sanitize import safe


def where(f: Finding, *, limit: int = 200) -> str:
    """`<short sha> <path>:<line>`, whichever parts are known, safe to print."""
    parts = []
    if f.commit:
        parts.append(f.commit[:12])
    if f.path:
        parts.append(safe(f.path, limit=limit) + (f":{f.line}" if f.line else ""))
    return " ".join(parts)


def notable_commits(v: Verdict) -> list[CommitReport]:
    """Commits with a mobile rule set, a declared origin or AI involvement."""
    return [r for r in v.commits if r.mobile or r.origin.declared or r.origin.ai is not AIInvolvement.NONE]
