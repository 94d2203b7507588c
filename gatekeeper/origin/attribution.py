"""Line-level AI attribution records attached to commits: git-ai notes and Agent Trace records.

- git-ai (`refs/notes/ai`, schema `authorship/3.x`): an attestation section (a path line, then indented
  `<key> <ranges>` lines; keys `s_<id>::t_<id>` and bare hex are AI sessions, `h_<id>` known humans),
  a line holding exactly `---`, and a JSON metadata object whose `sessions` / `prompts` map each key to
  an `agent_id` {tool, id, model}.
- Agent Trace 0.1 (the spec leaves storage open; gatekeeper reads notes under `refs/notes/agent-trace`, and
  the records a commit appends to `.agent-trace/traces.jsonl`, where the reference implementation writes):
  one JSON trace record, a JSON array of them, or JSON lines; `files[].conversations[]` with a
  `contributor` {type: ai|mixed|human|unknown, model_id} (overridable per range), `url`, `ranges`
  [{start_line, end_line}]; `vcs.revision`, when given, must be the commit the note is attached to.

Both are written by tools on the author's side (trust `declared`). Notes are hostile input: sizes and
counts are capped, anything malformed is skipped, nothing here raises.
"""

from __future__ import annotations

import contextlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gatekeeper.lazy_regex import lazy
from gatekeeper.models import is_zero
from gatekeeper.sanitize import clip

if TYPE_CHECKING:
    from gatekeeper.git import Git

MAX_NOTE = 1024 * 1024
MAX_ENTRIES = 20_000
UNREAD_TRACE = "\x00unread: the trace file is over the size limit\x00"  # trace_file_records: none could be read
MAX_RECORD_PATHS = 1000  # paths kept per piece of line-level evidence (origin.ai's sessions): a full list may be cut


def record_path(path: str) -> str:
    """A path as an attribution record names it, in git's spelling: `./`, `//`, `/./` and backslashes are not
    git's, and a record naming `./pay/c.py` named the zone file for the scan but not for the zone (red52)."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    # NFC: a record written on macOS names `café` decomposed, git stores what the committer's tree held (red53);
    # compared in NFC on both sides, a spelling can only add AI paths, never remove one.
    return unicodedata.normalize("NFC", "/".join(parts))


_RANGES = lazy(r"\A\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*\Z")
_AI_KEY = lazy(r"\A(?:s_[0-9a-f]{6,64}(?:::t_[0-9a-f]{6,64})?|[0-9a-f]{7,64})\Z")


@dataclass(frozen=True, slots=True)
class Session:
    tool: str | None
    model: str | None
    session: str | None
    lines: tuple[tuple[str, str], ...] = ()  # (path, "1-4,9")


@dataclass(slots=True)
class _Builder:
    tool: str | None
    model: str | None
    session: str | None
    lines: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, ranges: str) -> None:
        self.lines.setdefault(path, []).append(ranges)

    def build(self) -> Session:
        return Session(self.tool, self.model, self.session,
                       tuple((path, ",".join(parts)) for path, parts in sorted(self.lines.items())))


def _text(value: Any, limit: int = 200) -> str | None:
    """A record's text field, a space for each character that is not printable, cut to `limit` with a `…` where
    it was cut: the redaction of what the gate prints recognises a cut copy of a secret by that mark (red16: a
    token cut without one, then quoted inside an evidence sentence, kept 26 of its 36 characters). Replaced,
    never removed: removing a no-break space or a private-use character would join what it split into a token
    that no source holds whole (red20)."""
    if isinstance(value, str) and value.strip():
        return clip("".join(c if c.isprintable() else " " for c in value.strip()).strip(), limit) or None
    return None


def record_strings(text: str) -> list[str]:
    """Every string value of the JSON documents the parsers read from an attribution record — a git-ai note's
    metadata after `---` (parse_git_ai), and the JSON or JSON Lines records of Agent Trace (_records, trimmed as
    it trims) — decoded: what the parsers read, whole, for the redaction of what the gate prints (a `\\u0041`
    escape splits a token in the raw text that the decoded value holds whole: red20; the documents split as
    the parsers split them: red21). Nothing for a record over MAX_NOTE, which the parsers do not read."""
    if len(text) > MAX_NOTE:
        return []
    documents: list[Any] = []
    _head, sep, meta = text.partition("\n---\n")
    if sep or text.startswith("---\n"):
        with contextlib.suppress(ValueError, RecursionError):
            documents.append(json.loads(meta if sep else text[4:]))
    documents.extend(_records(text))
    found: list[str] = []
    stack = documents
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _unquote(path: str) -> str:
    if len(path) >= 2 and path[0] == path[-1] == '"':
        return path[1:-1]
    return path


def parse_git_ai(note: str) -> list[Session] | None:
    """The AI sessions of a git-ai authorship log and the lines each wrote; None when it is not one."""
    if len(note) > MAX_NOTE:
        return None
    head, sep, meta_text = note.partition("\n---\n")
    if not sep:
        if note.startswith("---\n"):
            head, meta_text = "", note[4:]
        else:
            return None
    try:
        meta = json.loads(meta_text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(meta, dict) or not str(meta.get("schema_version", "")).startswith("authorship/3."):
        return None
    records: dict[str, Any] = {}
    for section in ("prompts", "sessions"):
        value = meta.get(section)
        if isinstance(value, dict):
            records.update({k: v for k, v in value.items() if isinstance(v, dict)})
    sessions: dict[str, _Builder] = {}
    path: str | None = None
    for count, line in enumerate(head.split("\n")):
        if count > MAX_ENTRIES:
            break
        if not line.strip():
            continue
        if not line.startswith(" "):
            path = _unquote(line.rstrip())
            continue
        key, _, ranges = line.strip().partition(" ")
        if path is None or not _AI_KEY.match(key) or not _RANGES.match(ranges.strip()):
            continue  # h_ keys (known humans) and anything malformed
        record = records.get(key.split("::", 1)[0], {})
        agent_id = record.get("agent_id") if isinstance(record.get("agent_id"), dict) else {}
        builder = sessions.get(key.split("::", 1)[0])
        if builder is None:
            builder = sessions[key.split("::", 1)[0]] = _Builder(
                _text(agent_id.get("tool"), 60), _text(agent_id.get("model"), 100), _text(agent_id.get("id"), 200))
        builder.add(path, ranges.strip())
    return [b.build() for b in sessions.values()]


def _records(note: str) -> list[Any]:
    text = note.strip()
    try:
        whole = json.loads(text)
    except (ValueError, RecursionError):
        whole = None
        found = []
        for line in text.splitlines()[:MAX_ENTRIES]:
            try:
                found.append(json.loads(line))
            except (ValueError, RecursionError):
                continue
        return found
    return whole if isinstance(whole, list) else [whole]


def _contributor(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    return _text(value.get("type"), 20), _text(value.get("model_id"), 250)


TRACE_FILE = ".agent-trace/traces.jsonl"  # where the reference implementation appends its records
_TRACE_VERSION = lazy(r"\A[01]\.\d+(?:\.\d+)?\Z")  # the spec says 0.1.0; its reference code writes 1.0


def added_records(old: bytes | None, new: bytes | None) -> str:
    """The lines a commit added to a JSON-lines file (its new records), as text."""
    if not new:
        return ""
    before: dict[bytes, int] = {}
    for line in (old or b"").splitlines():
        before[line] = before.get(line, 0) + 1
    added = []
    for line in new.splitlines():
        if before.get(line, 0):
            before[line] -= 1
        elif line.strip():
            added.append(line.decode("utf-8", "replace"))
    return "\n".join(added)


def trace_file_records(git: Git, shas: Iterable[str]) -> dict[str, str]:
    """The Agent Trace records each of `shas` adds to TRACE_FILE (its diff against its first parent), by
    commit: one `git log --no-walk` for the changes, one `cat-file` for the blobs."""
    changes = git.path_changes(shas, TRACE_FILE)
    blobs = git.read_objects({blob for _, old, new in changes for blob in (old, new) if not is_zero(blob)},
                             max_size=MAX_NOTE)
    found: dict[str, str] = {}
    for sha, old, new in changes:
        kind, data = blobs.get(new, ("missing", None))
        if not is_zero(new) and kind == "blob" and data is None:
            # Over MAX_NOTE: the records the commit added cannot be read, and a trace file only grows (red55: a
            # file padded past 1 MiB hid an agent's zone change). Said to the detector, which counts it whole.
            found[sha] = UNREAD_TRACE
            continue
        text = added_records(blobs.get(old, ("missing", None))[1], data)
        if text:
            found[sha] = text
    return found


def parse_agent_trace(note: str, commit: str, revisions: tuple[str, ...] = ()) -> list[Session] | None:
    """AI-written ranges of Agent Trace records attached to `commit`; None when there are none.

    A record whose `vcs.revision` is given must name `commit` or one of `revisions` (for records a
    commit adds to .agent-trace/traces.jsonl: its parents, the HEAD the agent edited on)."""
    if len(note) > MAX_NOTE:
        return None
    accepted = {commit.lower(), *(r.lower() for r in revisions)}
    sessions: dict[tuple[str | None, str | None, str | None], _Builder] = {}
    entries = 0
    for record in _records(note)[:1000]:
        if not isinstance(record, dict) or not _TRACE_VERSION.match(str(record.get("version", ""))):
            continue
        vcs = record.get("vcs")
        if isinstance(vcs, dict) and isinstance(vcs.get("revision"), str) and vcs.get("type", "git") == "git" \
                and vcs["revision"].lower() not in accepted:
            continue  # a record about another revision
        tool = record.get("tool")
        tool_name = _text(tool.get("name"), 60) if isinstance(tool, dict) else None
        files = record.get("files")
        for file in files if isinstance(files, list) else ():
            if not isinstance(file, dict) or not _text(file.get("path"), 4096):
                continue
            path = str(file["path"]).strip()
            conversations = file.get("conversations")
            for conversation in conversations if isinstance(conversations, list) else ():
                if not isinstance(conversation, dict):
                    continue
                kind, model = _contributor(conversation.get("contributor"))
                url = _text(conversation.get("url"), 300)
                ranges = conversation.get("ranges")
                for item in ranges if isinstance(ranges, list) else ():
                    entries += 1
                    if entries > MAX_ENTRIES or not isinstance(item, dict):
                        break
                    start, end = item.get("start_line"), item.get("end_line")
                    if not (isinstance(start, int) and isinstance(end, int) and 1 <= start <= end):
                        continue
                    range_kind, range_model = _contributor(item.get("contributor"))
                    if (range_kind or kind) not in ("ai", "mixed"):
                        continue
                    key = (tool_name, range_model or model, url)
                    builder = sessions.get(key)
                    if builder is None:
                        builder = sessions[key] = _Builder(tool_name, range_model or model, url)
                    builder.add(path, f"{start}-{end}" if end != start else str(start))
    return [b.build() for b in sessions.values()] or None
