"""Red team red52: line-level AI attribution (git-ai notes, Agent Trace records) against `ai: block` zones,
after 658138a (line records narrow a commit's AI paths only when every piece of AI evidence is line-level).

Each test but the controls FAILS on the code at the time of writing, for the reason its docstring names, and
asserts the secure behaviour (it passes once fixed). Real repositories, real pushes into a bare repository
with the installed hook.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.hook_helpers import make_server, seed, spush
from tests.test_red50_hostile import AI_ZONE_SERVER_POLICY


def _trace(revision: str, files: dict[str, list[tuple[int, int]]]) -> str:
    """One Agent Trace record (spec 0.1) saying cursor wrote `files` {path: [(start, end), …]} on `revision`."""
    return json.dumps({
        "version": "0.1.0", "id": "550e8400-e29b-41d4-a716-446655440000", "timestamp": "2026-01-23T14:30:00Z",
        "vcs": {"type": "git", "revision": revision}, "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [{"path": path, "conversations": [
            {"contributor": {"type": "ai", "model_id": "anthropic/claude-opus-4-5"},
             "ranges": [{"start_line": a, "end_line": b} for a, b in ranges]}]} for path, ranges in files.items()],
    }) + "\n"


def _server_and_base(tmp_path: Path):  # type: ignore[no-untyped-def]
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    base = work.commit("Initial commit\n", {"README.md": "hello\n"})
    assert spush(server, work, "origin", "main").code == 0
    return server, work, base


# -- (1) the zone check reads the record's path spelled as written; the scan normalises it ------------------

def test_control_a_trace_record_naming_the_zone_file_blocks_it(tmp_path: Path) -> None:
    """Control: a commit whose only AI evidence is an Agent Trace record saying cursor wrote lines 1-2 of
    `pay/c.py` (the commit's change in the `ai: block` zone) is refused with policy/zone-violation."""
    server, work, base = _server_and_base(tmp_path)
    sha = work.commit("pay: refactor\n", {"pay/c.py": "c = 1\nd = 2\n",
                                          ".agent-trace/traces.jsonl": _trace(base, {"pay/c.py": [(1, 2)]})})
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert server.tip() != sha and result.code != 0
    assert "policy/zone-violation" in result.remote_text and "pay/c.py" in result.remote_text, result.remote_text


def test_a_trace_record_naming_the_zone_file_as_dot_slash_path_is_not_a_zone_violation(tmp_path: Path) -> None:
    """Attack: the same commit as the control, but the record spells the path `./pay/c.py` (a relative path
    as tools and people write it; Agent Trace paths are "relative to the repository root"). The resolver
    keeps `origin.ai_paths = {"./pay/c.py"}` verbatim (gatekeeper/origin/__init__.py `_agent`), and ZoneCheck
    (gatekeeper/checks/__init__.py:88-90) skips every changed path `not in origin.ai_paths` by exact string
    comparison: `pay/c.py` is not `./pay/c.py`, so the AI-written change to the zone is accepted. The gate is
    inconsistent with itself: the AI-line scan (gatekeeper/scan/ai_scope.py `_norm`, commit_ai_lines) strips
    the `./` and does treat lines 1-2 of pay/c.py as agent-written — the same record says "AI wrote the zone
    file" to the scan and "AI wrote nothing in the zone" to the zone check.

    Severity high: AI-written code lands in an `ai: block` zone although the commit's own evidence names the
    zone file as AI-written (the record is self-asserted, but here it asserts *more* AI, and the gate reads
    it as less). The same holds for `pay//c.py`, `pay/./c.py`, and `pay\\c.py` written on Windows.

    Secure behaviour: paths of line records are normalised (as the scan does — and more: `//`, `/./`,
    backslashes) before they narrow the zones, or a changed path's zone rule applies when any record path
    normalises to it; a record path that matches no changed path counts the commit whole. Refused with
    policy/zone-violation on pay/c.py."""
    server, work, base = _server_and_base(tmp_path)
    sha = work.commit("pay: refactor\n", {"pay/c.py": "c = 1\nd = 2\n",
                                          ".agent-trace/traces.jsonl": _trace(base, {"./pay/c.py": [(1, 2)]})})
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert server.tip() != sha, "the agent-written change to pay/c.py (recorded as ./pay/c.py) reached main"
    assert result.code != 0
    assert "policy/zone-violation" in result.remote_text and "pay/c.py" in result.remote_text, result.remote_text


# -- (2) the 1,000-paths-per-session cap cuts the zone file out of ai_paths --------------------------------

def test_a_record_cut_at_1000_paths_loses_the_zone_file_and_the_zone_passes(tmp_path: Path) -> None:
    """Attack: an agent's large refactor — one Agent Trace record (a single session) naming 1,001 files it
    wrote lines in: 1,000 under `a/` and `pay/c.py`, the commit's change in the `ai: block` zone. The commit
    carries no other AI evidence. `_session_evidence` (gatekeeper/origin/ai.py, `ai_lines=session.lines[:1000]`)
    keeps the first 1,000 paths in sorted order, so `pay/c.py` (after every `a/…`) is dropped; `_agent`
    (gatekeeper/origin/__init__.py) builds `origin.ai_paths` from the cut list and ZoneCheck
    (gatekeeper/checks/__init__.py:88-90) skips pay/c.py as "not AI-written". The push is accepted.

    The cut is known and handled for the scan only: commit_ai_lines (gatekeeper/scan/ai_scope.py,
    `_SESSION_PATH_CAP`) counts the commit whole when a session's list reached the cap, and
    docs/ai-attribution.md says "A record list so long that gatekeeper cut it … makes the commit count
    whole". The zones were not given the same rule. (The 1,000 `a/` paths need not even be changed by the
    commit: only pay/c.py is, here, so the cost to a hostile pusher is a 100 KB JSON line.)

    Severity high: AI-written code in an `ai: block` zone is accepted while the commit's own record names
    the zone file as agent-written; the gate drops that fact by its own truncation.

    Secure behaviour: a session whose path list was cut (len == the cap) makes `origin.ai_paths` None (the
    whole commit is AI-written for the zones, as for the scan). Refused with policy/zone-violation."""
    server, work, base = _server_and_base(tmp_path)
    files: dict[str, list[tuple[int, int]]] = {f"a/{i:04d}.py": [(1, 1)] for i in range(1000)}
    files["pay/c.py"] = [(1, 2)]
    sha = work.commit("refactor: rename helpers across the tree\n",
                      {"pay/c.py": "c = 1\nd = 2\n", ".agent-trace/traces.jsonl": _trace(base, files)})
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert server.tip() != sha, "the agent-written change to pay/c.py, named in a 1,001-file record, reached main"
    assert result.code != 0
    assert "policy/zone-violation" in result.remote_text and "pay/c.py" in result.remote_text, result.remote_text


# -- (3) a policy-listed AI identity with a character casefold() changes is never matched ------------------

IDENTITY_POLICY = AI_ZONE_SERVER_POLICY.replace(
    "version: 1\n", 'version: 1\norigins: {ai_identities: ["weißbot@corp.example", "*@agenten.straße.example"]}\n')


def test_a_policy_ai_identity_with_sharp_s_never_matches_the_agent_it_names(tmp_path: Path) -> None:
    """Attack: the project lists its in-house agent in `origins.ai_identities` exactly as the agent commits
    (`weißbot@corp.example`; docs/ai-attribution.md: "`policy` — `origins.ai_identities`: exact e-mails,
    `*@agents.corp.example`, or an exact full name"). The agent, authoring under exactly that address, changes
    `pay/c.py` in an `ai: block` zone. config.py:512 stores each identity with `str.lower()`
    (`weißbot@corp.example`), but match_identity (gatekeeper/origin/agents.py:124) compares it with the commit's
    address folded by `str.casefold()` (`weissbot@corp.example`): ß (and ς, ﬁ/ﬂ ligatures, …) fold differently
    under the two, so the identity never matches itself, and the commit is classified human (origin.ai none).
    The push is accepted. The same for a `*@domain` entry (`*@agenten.straße.example`) and an exact full name
    (`clean_name` is casefolded too); the audit (audit/history.py `_ident`) calls the same function and
    reports the agent's commits as human.

    Severity high: an AI agent's commits, which the project declared AI by name, pass an `ai: block` zone
    and are classified human — no hostile spelling needed, the configured identity as written.

    Secure behaviour: one folding on both sides (casefold the policy's identities, or compare lower() with
    lower()): the commit is `ai/author` generated and refused with policy/zone-violation on pay/c.py."""
    server = make_server(tmp_path / "srv", policy=IDENTITY_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    sha = work.commit("pay: refactor\n", {"pay/c.py": "c = 1\n"}, author=("Weißbot", "weißbot@corp.example"),
                      committer=("Weißbot", "weißbot@corp.example"))
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert server.tip() != sha, "the policy-listed agent's change to the AI-free zone reached main"
    assert result.code != 0
    assert "policy/zone-violation" in result.remote_text and "pay/c.py" in result.remote_text, result.remote_text


# -- (4) records that name none of the commit's changed paths ----------------------------------------------

def test_a_trace_record_naming_only_a_path_the_commit_does_not_change_clears_the_zone(tmp_path: Path) -> None:
    """Attack: a commit changes only `pay/c.py` (in an `ai: block` zone) and appends one Agent Trace record
    saying cursor wrote line 1 of `docs/notes.md` — a file this commit does not change. The record is the
    commit's only AI evidence, so the gate classifies the commit AI-assisted (origin.ai `assisted`, agent
    cursor) and, because every piece of AI evidence is line-level, narrows `origin.ai_paths` to
    {docs/notes.md} (gatekeeper/origin/__init__.py `_agent`). ZoneCheck (gatekeeper/checks/__init__.py:88-90)
    then skips pay/c.py, and the AI-line scan (ai_scope.commit_ai_lines) scopes to a file the commit does
    not hold: an AI-involved commit none of whose changed lines count as AI-written. Nothing cross-checks
    a record's paths against the commit's changed paths. The push is accepted.

    Severity medium: the record is the pusher's own (removing it altogether would also pass), but the gate
    *knows* the commit is agent-made and still lets it through the zone on the strength of a record that
    demonstrably does not describe the commit (reports show "ai: assisted" with no zone finding — a
    reviewer reads that as "the agent's part was checked"). A stale record or one for the previous commit
    (the reference implementation appends as the agent edits) does the same honestly.

    Secure behaviour: line records narrow only to the commit's changed paths; when no recorded path is a path
    the commit changes (after normalisation), the records do not describe it and the commit counts whole —
    refused with policy/zone-violation on pay/c.py."""
    server, work, base = _server_and_base(tmp_path)
    sha = work.commit("pay: refactor\n", {"pay/c.py": "c = 1\n",
                                          ".agent-trace/traces.jsonl": _trace(base, {"docs/notes.md": [(1, 1)]})})
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert server.tip() != sha, "an agent-made commit whose record names no changed path reached the AI-free zone"
    assert result.code != 0
    assert "policy/zone-violation" in result.remote_text and "pay/c.py" in result.remote_text, result.remote_text


def test_record_paths_are_read_in_gits_spelling() -> None:
    from gatekeeper.origin.attribution import record_path

    for spelled in ("pay/c.py", "./pay/c.py", "pay//c.py", "pay/./c.py", "././pay/c.py", "pay\\c.py", "/pay/c.py"):
        assert record_path(spelled) == "pay/c.py", spelled
