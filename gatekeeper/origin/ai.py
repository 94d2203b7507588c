"""Detectors for AI involvement: Assisted-by / Generated-by trailers, AI co-authors, AI authors.

Trailers are declared by the author; an AI co-author identity or aider's `(aider)` author suffix is
a heuristic (tools add them, people can remove them). A commit authored by an agent's own identity
counts as generated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gatekeeper.models import AIInvolvement, Commit, Evidence, Person, Trust
from gatekeeper.origin.base import OriginContext
from gatekeeper.sanitize import clip

# Names and e-mail fragments of coding agents as they appear in Co-authored-by lines and authors.
KNOWN_AI_IDENTITIES: tuple[tuple[str, str], ...] = (
    ("claude", "Claude"),
    ("noreply@anthropic.com", "Claude"),
    ("copilot", "GitHub Copilot"),
    ("copilot-swe-agent", "GitHub Copilot"),
    ("codex", "OpenAI Codex"),
    ("chatgpt-codex-connector", "OpenAI Codex"),
    ("openai", "OpenAI"),
    ("cursor", "Cursor"),
    ("cursoragent@cursor.com", "Cursor"),
    ("devin", "Devin"),
    ("gemini", "Gemini"),
    ("google-labs-jules", "Jules"),
    ("aider", "aider"),
    ("noreply@aider.chat", "aider"),
    ("amazon q", "Amazon Q"),
    ("windsurf", "Windsurf"),
    ("codeium", "Windsurf"),
    ("openhands", "OpenHands"),
    ("sweep-ai", "Sweep"),
)
_WORD = re.compile(r"[a-z0-9@.\-_\[\] ]+")


def ai_agent(person_or_text: Person | str, extra: tuple[str, ...] = ()) -> str | None:
    """The agent a name/e-mail belongs to, matched on whole words to avoid `Claudette <...>`."""
    text = str(person_or_text).lower()
    for needle, agent in (*KNOWN_AI_IDENTITIES, *((e, e) for e in extra)):
        if "@" in needle or "-" in needle or " " in needle:
            if needle in text:
                return agent
        elif re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", text):
            return agent
    return None


class AITrailerDetector:
    id = "ai/trailer"
    description = "Assisted-by: and Generated-by: trailers"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        found = []
        for t in commit.trailers:
            if t.name == "generated-by" and t.value.strip():
                found.append(Evidence(self.id, f"Generated-by: {clip(t.value.strip(), 80)}", Trust.DECLARED,
                                      ai=AIInvolvement.GENERATED))
            elif t.name == "assisted-by" and t.value.strip():
                found.append(Evidence(self.id, f"Assisted-by: {clip(t.value.strip(), 80)}", Trust.DECLARED,
                                      ai=AIInvolvement.ASSISTED))
        return found


class AICoauthorDetector:
    id = "ai/co-author"
    description = "Co-authored-by: naming a known AI agent"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        found = []
        for value in commit.trailer_values("co-authored-by"):
            agent = ai_agent(value, ctx.ai_identities)
            if agent:
                found.append(Evidence(self.id, f"Co-authored-by: {clip(value.strip(), 80)} ({agent})",
                                      Trust.HEURISTIC, ai=AIInvolvement.ASSISTED))
        return found


class AIAuthorDetector:
    id = "ai/author"
    description = "author is an AI agent, or aider's `(aider)` author-name suffix"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        if commit.author.name.rstrip().endswith("(aider)"):
            return [Evidence(self.id, f"author {clip(commit.author.name, 60)!r} carries aider's suffix",
                             Trust.HEURISTIC, ai=AIInvolvement.ASSISTED)]
        agent = ai_agent(commit.author, ctx.ai_identities)
        if agent:
            return [Evidence(self.id, f"author {clip(str(commit.author), 80)} is {agent}", Trust.HEURISTIC,
                             ai=AIInvolvement.GENERATED)]
        return []
