"""Detectors for AI involvement, each piece of evidence naming its agent, model, session and rule.

- `ai/trailer`: `Assisted-by:` (the kernel's `AGENT:MODEL [TOOLS]` is parsed) and `Generated-by:` in the
  trailer block — declared by the author.
- `ai/co-author`: a `Co-authored-by:` whose identity is an agent by exact evidence (gatekeeper.origin.agents);
  heuristic (tools add them, people remove them), also when the line sits outside the final trailer block
  (squash-merge bodies, a co-author paragraph followed by a separate session paragraph).
- `ai/author`: the author (generated; aider's `(aider)` suffix: assisted) or the committer (assisted) is an agent;
  a committer-only `(aider)` suffix is aider committing the human's own edits, not AI involvement.
- `ai/marker`: vendor markers — `Claude-Session:`, `Claude-Generated-By:`, `Copilot-Session:`,
  `Agent-Logs-Url:`, `Made-with:`, `Replit-Commit-Author:` / `Replit-Commit-Session-Id:`, `Amp-Thread-ID:`,
  `Entire-*:` — and "Generated with [Claude Code](…)" footers; declared in the trailer block, heuristic
  elsewhere in the message.
- `ai/git-ai`, `ai/agent-trace`: line-level attribution notes (gatekeeper.origin.attribution).

Performance: one precompiled scan of the message per commit (cached for the detectors sharing it); the
identity table is dict lookups, cached per identity. A commit without evidence costs a few microseconds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from gatekeeper.git.notes import NOTES_REF
from gatekeeper.identity import COAUTHOR_KEYS
from gatekeeper.models import AIInvolvement, Commit, Evidence, Person, Trust
from gatekeeper.origin.agents import AgentMatch, agent_by_label, match_identity, match_value
from gatekeeper.origin.attribution import (
    MAX_NOTE,
    TRACE_FILE,
    UNREAD_TRACE,
    Session,
    parse_agent_trace,
    parse_git_ai,
)
from gatekeeper.origin.base import OriginContext
from gatekeeper.origin.declared import note_pairs
from gatekeeper.sanitize import clip, safe

AI_NOTES_REF = "refs/notes/ai"
AGENT_TRACE_REF = "refs/notes/agent-trace"
# Every notes ref a detector reads origin evidence from, with the largest note read from it (the gate's engine
# and the history audit read the same ones).
ORIGIN_NOTE_REFS = ((NOTES_REF, 64 * 1024), (AI_NOTES_REF, MAX_NOTE), (AGENT_TRACE_REF, MAX_NOTE))

_MARKER_KEYS = ("claude-session", "claude-generated-by", "copilot-session", "agent-logs-url", "made-with",
                "replit-commit-author", "replit-commit-session-id", "amp-thread-id")
_BODY = re.compile(
    # Possessive prefix and bounded, non-overlapping classes: linear on hostile input (a megabyte of spaces).
    r"^[ \t>*-]*+(?:(?P<key>co-authored-by|co-developed-by|assisted-by|generated-by|" + "|".join(_MARKER_KEYS)
    + r"|entire-[a-z0-9-]{1,40})[ \t]*:[ \t]*(?P<value>[^\r\n]*)"
    r"|[^\w\s]{0,8}[ \t]?generated with \[?(?P<footer>[^\[\]\r\n(]{1,40}?)\]?(?:\((?P<url>[^)\s]{1,300})\))?"
    r"[^\w\r\n]{0,4}$)",
    re.IGNORECASE | re.MULTILINE)
_KERNEL_ASSISTED = re.compile(r"\A(?P<agent>[^\s:]{1,60}):(?P<model>[^\s:]{1,120})(?:\s+.*)?\Z")
_PARENS = re.compile(r"\(([^()]{1,200})\)")
MAX_PER_DETECTOR = 20  # a message with 100,000 co-author lines must not make a 100,000-entry verdict


@dataclass(frozen=True, slots=True)
class BodyLine:
    key: str  # lower-case trailer-like key, or "footer"
    value: str
    url: str | None = None


@functools.lru_cache(maxsize=512)
def body_lines(message: str) -> tuple[BodyLine, ...]:
    """Co-author, attribution and vendor lines anywhere in a message (one regex pass), each line read without its
    trailing whitespace — a CRLF message's CR included — as the audit's raw records print it (red81: the gate
    missed a "Generated with" footer in a CRLF message). Cut in Python, a line at a time: a pattern allowing the
    whitespace before `$` retried a megabyte of spaces at every length of the footer (red82's review)."""
    if "\r" in message or " \n" in message or "\t\n" in message or message.endswith((" ", "\t")):
        message = "\n".join(line.rstrip(" \t\r") for line in message.split("\n"))
    found = []
    for match in _BODY.finditer(message):
        if match.group("key"):
            found.append(BodyLine(match.group("key").lower(), match.group("value").strip()))
        else:
            found.append(BodyLine("footer", match.group("footer").strip(), match.group("url")))
        if len(found) >= 200:
            break
    return tuple(found)


_LAST_OUTSIDE: tuple[Commit | None, tuple[BodyLine, ...]] = (None, ())


def _outside_block(commit: Commit) -> tuple[BodyLine, ...]:
    """Body lines that are not trailers git reads (those are handled as trailers). Two detectors ask in turn
    for the same commit: the last answer is kept with the commit it is for (one tuple, replaced whole)."""
    global _LAST_OUTSIDE
    last = _LAST_OUTSIDE
    if last[0] is commit:
        return last[1]
    found: tuple[BodyLine, ...] = ()
    if ":" in commit.message or "enerated with" in commit.message:
        in_block = {(t.name, t.value.strip()) for t in commit.trailers}
        found = tuple(line for line in body_lines(commit.message) if (line.key, line.value) not in in_block)
    _LAST_OUTSIDE = (commit, found)
    return found


def parse_assisted_by(value: str) -> tuple[str | None, str | None]:
    """(agent id or the named agent, model) of an Assisted-by value in the kernel's `AGENT:MODEL [TOOLS]` form."""
    match = _KERNEL_ASSISTED.match(value.strip())
    if match is None:
        return None, None
    label = match.group("agent")
    agent = agent_by_label(label)
    return (agent.id if agent else clip(label, 60)), clip(match.group("model"), 120)


def _person_match(person: Person, extra: tuple[str, ...]) -> AgentMatch | None:
    return match_identity(person.name, person.email, extra)


def _evidence(source: str, detail: str, trust: Trust, ai: AIInvolvement, *, agent: str | None = None,
              model: str | None = None, session: str | None = None, rule: str | None = None,
              ai_lines: tuple[tuple[str, str], ...] = ()) -> Evidence:
    # Agent, model and session come from commit data: control characters out, lengths bounded.
    return Evidence(source, detail, trust, ai=ai, agent=safe(agent, limit=60) if agent else None,
                    model=safe(model, limit=120) if model else None,
                    session=safe(session, limit=300) if session else None, rule=rule, ai_lines=ai_lines)


class AITrailerDetector:
    id = "ai/trailer"
    description = "Assisted-by: (kernel form AGENT:MODEL [TOOLS]) and Generated-by: trailers"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        note = ctx.notes.get(commit.sha)
        if not commit.trailers and not note:
            return ()
        # The trailer block, then the commit's origin note (refs/notes/origin), which carries the same keys
        # (red22: `Assisted-by:` in a note was ignored, and an AI-free zone took the commit).
        declared = [(t.key, t.value, "trailer") for t in commit.trailers]
        if note:
            declared += [(key.strip(), value, "note") for key, value in note_pairs(note)]
        found: list[Evidence] = []
        for key, value, rule in declared:
            if len(found) >= MAX_PER_DETECTOR:
                break
            name = key.lower()
            if name not in ("assisted-by", "generated-by") or not value.strip():
                continue
            agent, model = parse_assisted_by(value)
            ai = AIInvolvement.GENERATED if name == "generated-by" else AIInvolvement.ASSISTED
            where = "" if rule == "trailer" else " (origin note)"
            found.append(_evidence(self.id, f"{clip(key, 40)}: {clip(value.strip(), 80)}{where}", Trust.DECLARED, ai,
                                   agent=agent, model=model, rule=rule))
        return found[:MAX_PER_DETECTOR]


def _label(key: str) -> str:
    return "Co-developed-by" if key.strip().lower() == "co-developed-by" else "Co-authored-by"


class AICoauthorDetector:
    id = "ai/co-author"
    description = ("Co-authored-by: (or Co-developed-by:) naming an AI agent by exact address or bot id (also outside "
                   "the trailer block)")

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        found: list[Evidence] = []
        note = ctx.notes.get(commit.sha)
        if note:  # the commit's origin note carries the trailer keys too (red23)
            for key, value in note_pairs(note):
                hit = match_value(value, ctx.ai_identities) if key.strip().lower() in COAUTHOR_KEYS else None
                if hit is not None and len(found) < MAX_PER_DETECTOR:
                    found.append(_evidence(self.id, f"{_label(key)}: {clip(value.strip(), 80)} ({hit.agent}, origin "
                                           "note)", Trust.HEURISTIC, AIInvolvement.ASSISTED, agent=hit.agent,
                                           model=hit.model, rule=f"{hit.rule}, note"))
        for trailer in commit.trailers:
            if trailer.name not in COAUTHOR_KEYS:
                continue
            if len(found) >= MAX_PER_DETECTOR:
                return found
            key, value = trailer.name, trailer.value
            hit = match_value(value, ctx.ai_identities)
            if hit is not None:
                found.append(_evidence(self.id, f"{_label(key)}: {clip(value.strip(), 80)} ({hit.agent})",
                                       Trust.HEURISTIC, AIInvolvement.ASSISTED, agent=hit.agent, model=hit.model,
                                       rule=hit.rule))
        for line in _outside_block(commit):
            if line.key not in COAUTHOR_KEYS:
                continue
            hit = match_value(line.value, ctx.ai_identities)
            if hit is not None:
                found.append(_evidence(self.id, f"{_label(line.key)}: {clip(line.value, 80)} ({hit.agent}, outside the "
                                       "trailer block)", Trust.HEURISTIC, AIInvolvement.ASSISTED, agent=hit.agent,
                                       model=hit.model, rule=f"{hit.rule}, outside-trailer-block"))
        return found[:MAX_PER_DETECTOR]


class AIAuthorDetector:
    id = "ai/author"
    description = "the author (generated) or committer (assisted) is an AI agent; aider's `(aider)` author suffix"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        found: list[Evidence] = []
        author = _person_match(commit.author, ctx.ai_identities)
        if author is not None:
            ai = AIInvolvement.ASSISTED if author.rule == "aider-suffix" else AIInvolvement.GENERATED
            what = "carries aider's (aider) suffix" if author.rule == "aider-suffix" else f"is {author.agent}"
            found.append(_evidence(self.id, f"author {clip(str(commit.author), 80)} {what}", Trust.HEURISTIC, ai,
                                   agent=author.agent, model=author.model, rule=author.rule))
        if commit.committer != commit.author:
            committer = _person_match(commit.committer, ctx.ai_identities)
            # aider marks the committer alone when it commits changes the human made ("dirty commits"): the
            # code is the human's, only the message is aider's — not AI involvement in the change.
            if (committer is not None and committer.rule != "aider-suffix"
                    and (author is None or committer.agent != author.agent)):
                found.append(_evidence(self.id, f"committer {clip(str(commit.committer), 80)} is {committer.agent}",
                                       Trust.HEURISTIC, AIInvolvement.ASSISTED, agent=committer.agent,
                                       model=committer.model, rule=f"committer {committer.rule}"))
        return found


def _marker(key: str, value: str, url: str | None) -> tuple[str | None, str | None, str | None, AIInvolvement] | None:
    """(agent, model, session, involvement) a vendor line shows, or None when it shows no AI involvement."""
    if key == "footer":
        agent = agent_by_label(value)
        return (agent.id, None, None, AIInvolvement.ASSISTED) if agent else None
    if not value:
        return None
    if key == "claude-session":
        return "claude-code", None, value, AIInvolvement.ASSISTED
    if key == "claude-generated-by":
        models = _PARENS.search(value)
        return "claude-code", models.group(1) if models else None, None, AIInvolvement.ASSISTED
    if key == "copilot-session":
        return "copilot", None, value, AIInvolvement.ASSISTED
    if key == "agent-logs-url":
        copilot = value.startswith("https://github.com/") and "/sessions/" in value
        return ("copilot" if copilot else None), None, value, AIInvolvement.ASSISTED
    if key == "made-with":
        agent = agent_by_label(value)
        return (agent.id, None, None, AIInvolvement.ASSISTED) if agent else None
    if key == "replit-commit-author":
        word = value.split()[0].lower()
        if word == "agent":
            return "replit", None, None, AIInvolvement.GENERATED
        return ("replit", None, None, AIInvolvement.ASSISTED) if word == "assistant" else None
    if key == "replit-commit-session-id":
        return "replit", None, value, AIInvolvement.ASSISTED
    if key == "amp-thread-id":
        return "amp", None, value, AIInvolvement.ASSISTED
    if key.startswith("entire-"):
        return "entire", None, f"{key}: {value}", AIInvolvement.ASSISTED
    return None


class AIMarkerDetector:
    id = "ai/marker"
    description = ("vendor markers (Claude-Session, Claude-Generated-By, Copilot-Session, Agent-Logs-Url, Made-with, "
                   "Replit-Commit-*, Amp-Thread-ID, Entire-*) and 'Generated with [agent](...)' footers")

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        found: list[Evidence] = []
        for t in commit.trailers:
            if len(found) >= MAX_PER_DETECTOR:
                return found
            name = t.name
            if name in _MARKER_KEYS or name.startswith("entire-"):
                shown = _marker(name, t.value.strip(), None)
                if shown is not None:
                    agent, model, session, ai = shown
                    found.append(_evidence(self.id, f"{clip(t.key, 40)}: {clip(t.value.strip(), 80)}", Trust.DECLARED,
                                           ai, agent=agent, model=model, session=session, rule="trailer"))
        for line in _outside_block(commit):
            if line.key in COAUTHOR_KEYS:
                continue
            if line.key in ("assisted-by", "generated-by"):
                agent, model = parse_assisted_by(line.value)
                ai = AIInvolvement.GENERATED if line.key == "generated-by" else AIInvolvement.ASSISTED
                if line.value:
                    found.append(_evidence(self.id, f"{line.key}: {clip(line.value, 80)} (outside the trailer block)",
                                           Trust.HEURISTIC, ai, agent=agent, model=model,
                                           rule="outside-trailer-block"))
                continue
            shown = _marker(line.key, line.value, line.url)
            if shown is None:
                continue
            agent, model, session, ai = shown
            if line.key == "footer":
                detail = f"'Generated with {clip(line.value, 40)}' footer"
                rule = "footer"
            else:
                detail = f"{line.key}: {clip(line.value, 80)} (outside the trailer block)"
                rule = "outside-trailer-block"
            found.append(_evidence(self.id, detail, Trust.HEURISTIC, ai, agent=agent, model=model, session=session,
                                   rule=rule))
        return found[:MAX_PER_DETECTOR]


def _session_evidence(source: str, what: str, sessions: list[Session]) -> list[Evidence]:
    found = []
    for session in sessions[:50]:
        agent = agent_by_label(session.tool) if session.tool else None
        paths = len(session.lines)
        found.append(_evidence(
            source, f"{what}: {agent.id if agent else session.tool or 'an agent'} wrote lines in {paths} file"
            f"{'s' if paths != 1 else ''}", Trust.DECLARED, AIInvolvement.ASSISTED,
            agent=agent.id if agent else (clip(session.tool, 60) if session.tool else None),
            model=session.model, session=session.session, rule=what, ai_lines=session.lines[:1000]))
    return found


class GitAINoteDetector:
    id = "ai/git-ai"
    description = "git-ai authorship logs (refs/notes/ai, schema authorship/3.x): the lines each agent wrote"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        note = ctx.ai_notes.get(commit.sha)
        if not note:
            return ()
        sessions = parse_git_ai(note)
        return _session_evidence(self.id, "git-ai note", sessions) if sessions else ()


class AgentTraceDetector:
    id = "ai/agent-trace"
    description = ("Agent Trace records (spec 0.1) in refs/notes/agent-trace or added to .agent-trace/traces.jsonl: "
                   "AI-written line ranges")

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        found: list[Evidence] = []
        note = ctx.trace_notes.get(commit.sha)
        if note:
            sessions = parse_agent_trace(note, commit.sha)
            found.extend(_session_evidence(self.id, "Agent Trace note", sessions or []))
        added = ctx.trace_files.get(commit.sha)
        if added == UNREAD_TRACE:
            found.append(_evidence(self.id, f"{TRACE_FILE} changed, but it is over {MAX_NOTE // 1024} KiB: the records "
                                   "it added were not read, so the whole commit counts as agent-written",
                                   Trust.DECLARED, AIInvolvement.ASSISTED))
        elif added:
            sessions = parse_agent_trace(added, commit.sha, commit.parents)
            found.extend(_session_evidence(self.id, "Agent Trace record in .agent-trace/traces.jsonl", sessions or []))
        return found
