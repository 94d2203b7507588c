"""Detectors for AI involvement: Assisted-by / Generated-by trailers, AI co-authors, AI authors.

Trailers are declared by the author; an AI co-author identity or aider's `(aider)` author suffix is
a heuristic (tools add them, people can remove them). A commit authored by an agent's own identity
counts as generated.
"""

from __future__ import annotations

import functools
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


def _identity_pattern(needles: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    # Plain words must stand alone ("claude", not "claudette"); e-mails and hyphenated ids are substrings.
    parts = []
    for index, (needle, _) in enumerate(needles):
        body = re.escape(needle)
        if not ("@" in needle or "-" in needle or " " in needle):
            body = rf"(?<![a-z0-9]){body}(?![a-z0-9])"
        parts.append(f"(?P<n{index}>{body})")
    return re.compile("|".join(parts))


_KNOWN = _identity_pattern(KNOWN_AI_IDENTITIES)
_EXTRA_CACHE: dict[tuple[str, ...], tuple[tuple[tuple[str, str], ...], re.Pattern[str]]] = {}


def ai_agent(person_or_text: Person | str, extra: tuple[str, ...] = ()) -> str | None:
    """The agent a name/e-mail belongs to, matched on whole words to avoid `Claudette <...>`."""
    return _ai_agent(str(person_or_text).lower(), extra)


@functools.lru_cache(maxsize=8192)
def _ai_agent(text: str, extra: tuple[str, ...]) -> str | None:
    # Cached: the same authors and co-authors recur across thousands of commits.
    needles, pattern = KNOWN_AI_IDENTITIES, _KNOWN
    if extra:
        cached = _EXTRA_CACHE.get(extra)
        if cached is None:
            combined = (*KNOWN_AI_IDENTITIES, *((e, e) for e in extra))
            cached = (combined, _identity_pattern(combined))
            _EXTRA_CACHE[extra] = cached
        needles, pattern = cached
    match = pattern.search(text)
    if match is None or match.lastgroup is None:
        return None
    return needles[int(match.lastgroup[1:])][1]


class AITrailerDetector:
    id = "ai/trailer"
    description = "Assisted-by: and Generated-by: trailers"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        if not commit.trailers:
            return ()
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
        if not commit.trailers:
            return ()
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
