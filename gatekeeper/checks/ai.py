"""AI attribution rules a project can turn on (policy `ai:`): a normalised `Assisted-by:` on every
AI-involved commit, and no `Signed-off-by:` by an agent (the Linux kernel's rule: only a human can
certify the Developer Certificate of Origin).

Merges are skipped, as for the DCO: git or a forge makes them; the commits they join are checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatekeeper.catalogue import rule
from gatekeeper.models import AIInvolvement, Finding
from gatekeeper.origin.agents import match_value
from gatekeeper.origin.ai import parse_assisted_by
from gatekeeper.sanitize import clip

if TYPE_CHECKING:
    from gatekeeper.checks import CheckContext

ASSISTED_BY_MISSING = rule("ai/assisted-by-missing")
AGENT_SIGNOFF = rule("ai/agent-signoff")


class AIAttributionCheck:
    id = ASSISTED_BY_MISSING.id
    ids: tuple[str, ...] = (id, AGENT_SIGNOFF.id)
    description = ("policy ai: AI-involved commits carry `Assisted-by: AGENT:MODEL [TOOLS]` (ai/assisted-by-missing); "
                   "agents do not sign off (ai/agent-signoff)")

    def run(self, ctx: CheckContext) -> list[Finding]:
        rules = ctx.policy.ai
        if not (rules.require_assisted_by or rules.refuse_agent_signoff):
            return []
        extra = ctx.policy.origins.ai_identities
        findings: list[Finding] = []
        for report in ctx.commits:
            commit = report.commit
            if commit.is_merge:
                continue
            if rules.refuse_agent_signoff:
                for value in commit.trailer_values("signed-off-by"):
                    hit = match_value(value, extra)
                    if hit is not None:
                        findings.append(AGENT_SIGNOFF.finding(
                            f"Signed-off-by: {clip(value.strip(), 100)} is an AI agent ({hit.agent}, by {hit.rule}); "
                            "only a human can certify the Developer Certificate of Origin",
                            commit=commit.sha, enforced=True,
                            fix="remove the agent's sign-off and sign off yourself (`git commit --amend -s`), naming "
                                "the agent in `Assisted-by: AGENT:MODEL` instead",
                        ).with_fingerprint(commit.sha, hit.agent))
            if rules.require_assisted_by and report.origin.ai is not AIInvolvement.NONE:
                values = commit.trailer_values("assisted-by")
                if any(parse_assisted_by(v)[0] for v in values):
                    continue
                shown = f" (found `Assisted-by: {clip(values[0].strip(), 60)}`)" if values else ""
                agent = report.origin.agent
                # AGENT:MODEL is one token each: "Claude Opus 5" becomes claude-opus-5.
                model = "-".join(agent.model.lower().split()) if agent and agent.model else "MODEL"
                example = f"{agent.id}:{model}" if agent else "AGENT:MODEL"
                findings.append(ASSISTED_BY_MISSING.finding(
                    f"AI-{report.origin.ai.value} commit without a normalised `Assisted-by: AGENT:MODEL` "
                    f"trailer{shown}",
                    commit=commit.sha, enforced=True,
                    fix=f"add `Assisted-by: {example}` to the commit's trailers (`git commit --amend --trailer "
                        f"'Assisted-by: {example}'`)",
                ).with_fingerprint(commit.sha))
        return findings
