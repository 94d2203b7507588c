"""Red team red16: ways a credential still comes out of the gate after red15's fixes (534c5e8, 2a62cf3).

Each test commits real objects to a real repository and runs the real CLI (`gatekeeper check`), or pushes with
a real `git push` into a bare repository with the hook installed, and looks for the token in what gatekeeper
prints or keeps. Tokens are built at run time from a seeded generator: this file holds no token-shaped literal.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.hook_helpers import PushResult, spush
from tests.leak_helpers import check_all, gk, leaked, secrets_server, token_maker
from tests.machine import alone
from tests.repo_builder import RepoBuilder

github_token = token_maker(1616)



def kept_by_server(server_root: Path, result: PushResult, audit_log: Path, db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    kept = {"pusher": result.output, "audit JSONL": audit_log.read_text(), "decision log": dump}
    records = server_root / "server.git" / "gatekeeper"
    kept.update({str(p): p.read_text(errors="replace") for p in records.rglob("*") if p.is_file()}
                if records.exists() else {})
    return kept


# -- red16-1: Agent Trace / git-ai fields are cut WITHOUT an ellipsis, then quoted mid-sentence -----------------
# origin/attribution.py `_text(value, limit)` keeps `value[:limit]` with no `…` (a tool name 60, a model 100/250,
# a session id 200), and ai._session_evidence then builds "<what>: <tool> wrote lines in N file(s)". Two roots:
#  (a) the whole record (the .agent-trace/traces.jsonl lines a commit adds, refs/notes/ai, refs/notes/agent-trace)
#      is never read by the redaction pass (engine `sources` holds push options and origin notes only), so the
#      whole token is never known and its clipped start is shown as is, even where it ends the text ("agent");
#  (b) even when the whole token IS known (also in the subject), Replacer's clipped-copy rule needs a `…` or the
#      text's end: " wrote lines in 1 file" follows the clipped copy, so the detail keeps it.

def trace_record(tool: str) -> str:
    return json.dumps({"version": "0.1.0", "tool": {"name": tool}, "files": [{"path": "b.txt", "conversations": [
        {"contributor": {"type": "ai"}, "ranges": [{"start_line": 1, "end_line": 1}]}]}]}) + "\n"


TOOL_PAD = "agent " * 5  # 30 characters: the token straddles the 60-character cut of a tool name


@pytest.mark.parametrize("subject", ["agent edit", "agent edit {token}"], ids=["record-only", "also-in-subject"])
def test_check_never_prints_a_token_cut_from_an_agent_trace_tool(subject: str, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"a.txt": "a\n"})
    repo.commit(subject.format(token=token) + "\n",
                {"b.txt": "b\n", ".agent-trace/traces.jsonl": trace_record(TOOL_PAD + token)})
    outs = check_all(tmp_path, capsys, repo)
    assert all(code == 1 for code, _ in outs.values()), outs  # blocked: the record's line holds the token
    assert "wrote lines in 1 file" in outs["json"][1]  # the Agent Trace evidence is there
    leaks = [fmt for fmt, (_, out) in outs.items() if leaked(token, out)]
    assert not leaks, f"`check --format {leaks}` prints 26 of the token's 36 characters (Agent Trace tool name)"


def test_refused_push_keeps_no_token_cut_from_an_agent_trace_tool(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    server, work = secrets_server(tmp_path)
    work.commit("agent edit\n", {"b.txt": "b\n", ".agent-trace/traces.jsonl": trace_record(TOOL_PAD + token)})
    db = tmp_path / "decisions.db"
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_DECISION_LOG": str(db)})
    assert result.code != 0, result.output
    kept = kept_by_server(server.root, result, server.audit_log, db)
    leaks = [where for where, text in kept.items() if leaked(token, text)]
    assert not leaks, f"26 of the token's 36 characters are kept in: {leaks}"


def git_ai_note(model: str, tool: str = "cursor") -> str:
    meta = {"schema_version": "authorship/3.0.0",
            "sessions": {"s_c9883b05a2487d": {"agent_id": {"tool": tool, "id": "conv-1", "model": model}}}}
    return "b.txt\n  s_c9883b05a2487d 1\n---\n" + json.dumps(meta) + "\n"


def test_pushed_git_ai_note_keeps_no_token_cut_from_its_model(tmp_path: Path) -> None:
    """A git-ai note pushed with its commit (refs/notes/ai): its model id is cut to 100 characters without a `…`;
    the note is never read whole by the redaction pass, so the cut token is kept wherever the model is."""
    token = github_token()
    server, work = secrets_server(tmp_path)
    sha = work.commit("agent edit\n", {"b.txt": "b\n"})
    work.note(sha, git_ai_note("model " * 12 + token), ref="refs/notes/ai")  # 72 + 28 characters of the token
    db = tmp_path / "decisions.db"
    result = spush(server, work, "origin", "main", "refs/notes/ai", env={"GATEKEEPER_DECISION_LOG": str(db)})
    kept = kept_by_server(server.root, result, server.audit_log, db)
    assert "ai/git-ai" in kept["audit JSONL"], "the git-ai evidence is read"
    leaks = [where for where, text in kept.items() if leaked(token, text)]
    assert not leaks, f"most of the token is kept in: {leaks} (push exit {result.code})"


# -- red16-2: a token split by an invisible character is joined by the renderers -----------------------------------
# The detector reads the raw text: `ghp_…<U+200B>…` matches no rule, so nothing is found or redacted (and the push is
# not refused). Then sanitize.safe() removes zero-width characters for the terminal, and text/GitHub output shows
# the token whole, a string that no longer holds the invisible character: a working credential in CI logs.

@pytest.mark.parametrize("mark", ["\u200b", "\u2060", "\u202e"], ids=["zwsp", "word-joiner", "bidi"])
def test_check_never_prints_a_token_joined_by_stripping_an_invisible_character(
        mark: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    hidden = token[:20] + mark + token[20:]
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"a.txt": "a\n"})
    repo.commit(f"Deploy {hidden}\n\nOrigin-Device: mobile\nOrigin-Device-Id: {hidden}\n", {"b.txt": "b\n"})
    outs = check_all(tmp_path, capsys, repo, formats=("text", "github"))
    printed = [fmt for fmt, (_, out) in outs.items() if token in out]
    assert not printed, (f"`check --format {printed}` prints the whole token (exit {outs['text'][0]}): the raw text "
                         "held an invisible character, the output does not")


# -- red16-3: the merged-span Replacer (w/lead 41b40fb) is quadratic in a run of a self-overlapping value ------------
# The placeholder `password = "xxx…x"` (32 x's) is a suppressed hit, and secrets_in keeps every hit's value, so it
# becomes a name to replace. The old Replacer skipped the starts inside a replaced value; the merged-span one copies
# `text[i:]` at every start, and in a run of x's every position starts one: a 1 MB run costs 8.9 s instead of 0.4 s.
# A push whose message holds both (no secret at all) is then refused by the hook's watchdog and logged as a timeout.

def test_a_placeholder_and_a_long_run_are_decided_within_the_hook_budget(tmp_path: Path) -> None:
    server, work = secrets_server(tmp_path, watchdog=True)
    work.commit('Config\n\npassword = "' + "x" * 32 + '"\n' + "x" * 1_000_000 + "\n", {"c.txt": "c\n"})
    with alone():  # (the budget is wall-clock time: no other test's load in it)
        result = spush(server, work, "origin", "main")
    events = [json.loads(line)["event"] for line in server.audit_log.read_text().splitlines()]
    assert events == ["decision"], f"the push is logged as {events}: the redaction pass ran past the budget"
    assert result.code == 0, result.output  # a placeholder is not a secret: the push is accepted


# -- red16-4: the audit reads a message whole only up to 64 KiB, cut without a `…` -------------------------------
# history._count keeps `audit.commit.message[:65536]` as the source from which render redacts a device id the model
# clipped (declared.py: 100 characters and a `…`). A message longer than that with the Origin-Device-Id trailer at
# its end (where trailers live) gives a source without the trailer: the whole token is never known, and
# top_devices shows "my phone … ghp_<24 characters>…" in the JSON summary and the HTML report.

@pytest.mark.parametrize("lines", [10, 900], ids=["short-message", "message-over-64KiB"])
@pytest.mark.parametrize("fmt", ["json", "html"])
def test_audit_never_prints_a_clipped_device_id_token_from_a_long_message(
        fmt: str, lines: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"a.txt": "a\n"})
    filler = ("lorem ipsum dolor sit amet " * 3 + "\n") * lines  # 82 characters a line
    repo.commit(f"Deploy\n\n{filler}\nOrigin-Device: mobile\nOrigin-Device-Id: {'my phone ' * 8}{token}\n",
                {"b.txt": "b\n"})
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", fmt)
    assert code == 0, out
    if fmt == "json":
        out = json.dumps(json.loads(out)["summary"])
    assert "my phone my phone" in out  # the device is listed
    assert not leaked(token, out), f"`audit --format {fmt}` prints 24 of the token's 36 characters"
