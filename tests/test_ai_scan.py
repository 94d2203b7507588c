"""`ai.scan`: the policy scopes a stricter scan to the lines an agent wrote (git-ai notes, Agent Trace
records; an AI-involved commit without line records counts whole), on real repositories and a real push."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from gatekeeper import engine
from gatekeeper.cli import run
from gatekeeper.config import DEFAULT_POLICY_YAML, AIScan, parse_policy
from gatekeeper.errors import ConfigError
from gatekeeper.git import Git
from gatekeeper.models import RefKind, RefUpdate, Severity
from gatekeeper.origin.ai import AGENT_TRACE_REF, AI_NOTES_REF
from gatekeeper.scan import build_scanners
from gatekeeper.scan.ai_scope import parse_ranges
from tests.repo_builder import RepoBuilder
from tests.test_agents import _trace

SCHEMA = json.loads((Path(__file__).parents[1] / "gatekeeper" / "schema" / "verdict.schema.json").read_text())
AWS_KEY = "AKIA" + "Z7QH4M2XKJ5RTW3P"  # split so this file does not itself look like a key (high severity)
OTHER_KEY = "AKIA" + "QYLPMN5HHHFPZAM2"

# The commit's own rule set lets a high-severity secret through (block_at critical); the AI set does not.
POLICY = """\
version: 1
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [secrets], block_at: high, review: null}
  default: {scanners: [secrets], block_at: critical}
ai:
  require_assisted_by: false
  scan: {scanners: [secrets], block_at: medium}
pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}
"""


def git_ai_note(path: str, ranges: str) -> str:
    """A git-ai authorship log (schema authorship/3.x) saying a Claude session wrote `ranges` of `path`."""
    meta = {"schema_version": "authorship/3.0.0",
            "sessions": {"s_c9883b05a2487d": {"agent_id": {"tool": "claude", "id": "conv_1",
                                                           "model": "claude-sonnet-4-5"}}}}
    return f"{path}\n  s_c9883b05a2487d::t_9f8e7d6c5b4a32 {ranges}\n---\n{json.dumps(meta)}\n"


def source(ai_line: str, human_line: str) -> str:
    """Line 2 is the agent's (per the notes below), line 5 the human's."""
    return f"# config\n{ai_line}\n\n# added by hand\n{human_line}\n"


def _check(repo: RepoBuilder, base: str, policy_text: str = POLICY) -> tuple[int, dict]:
    policy = repo.path.parent / "policy.yml"
    policy.write_text(policy_text)
    out = repo.path.parent / "out.json"
    code = run(["check", "--repo", str(repo.path), "--policy", str(policy), "--base", base, "--format", "json",
                "--output", str(out)])
    data = json.loads(out.read_text())
    jsonschema.validate(data, SCHEMA)
    return code, data


def _secrets(data: dict) -> dict[int, dict]:
    return {f["line"]: f for f in data["findings"] if f["category"] == "secrets"}


# -- policy -------------------------------------------------------------------------------------------

def test_policy_ai_scan_is_validated_with_key_paths() -> None:
    policy = parse_policy(POLICY)
    assert policy.ai.scan == AIScan(("secrets",), Severity.MEDIUM, "lines")
    full = parse_policy("version: 1\nai: {refuse_agent_signoff: true, scan: {}}\n")
    assert full.ai.refuse_agent_signoff and full.ai.scan == AIScan(("secrets", "semgrep", "bandit"), Severity.HIGH)
    assert parse_policy("version: 1\nai: {scan: null}\n").ai.scan is None
    assert parse_policy(DEFAULT_POLICY_YAML).ai.scan is None  # off unless the policy turns it on
    for text, where in [
        ("ai: {scan: {scanners: [secrets, trufflehog]}}", "ai.scan.scanners[1]"),
        ("ai: {scan: {scanners: []}}", "ai.scan.scanners"),
        ("ai: {scan: {block_at: severe}}", "ai.scan.block_at"),
        ("ai: {scan: {scope: commits}}", "ai.scan.scope"),
        ("ai: {scan: {scaners: [secrets]}}", "ai.scan.scaners"),
        ("ai: {scan: [secrets]}", "ai.scan"),
    ]:
        with pytest.raises(ConfigError) as info:
            parse_policy(f"version: 1\n{text}\n")
        assert where in str(info.value), (text, str(info.value))


def test_the_policy_template_documents_ai_scan() -> None:
    enabled = DEFAULT_POLICY_YAML.replace("# ai:\n", "ai:\n").replace("#   scan:", "  scan:").replace(
        "#     scanners:", "    scanners:").replace("#     block_at:", "    block_at:").replace(
        "#     scope:", "    scope:")
    assert parse_policy(enabled).ai.scan == AIScan(("secrets", "semgrep", "bandit"), Severity.MEDIUM, "lines")


def test_parse_ranges() -> None:
    assert parse_ranges("1-4,9") == [(1, 4), (9, 9)]
    assert parse_ranges("0,5-3,x,7-") == []


# -- local check: git-ai notes, Agent Trace records, co-authors ---------------------------------------

def test_git_ai_lines_block_under_the_ai_set_and_human_lines_do_not(repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {"README": "r\n"})
    sha = repo.commit("add config\n", {"src/config.py": source(f'KEY = "{AWS_KEY}"', f'OLD = "{OTHER_KEY}"')})
    repo.note(sha, git_ai_note("src/config.py", "1-3"), ref=AI_NOTES_REF)
    code, data = _check(repo, base)
    assert code == 1
    found = _secrets(data)
    assert set(found) == {2, 5}
    ai, human = found[2], found[5]
    assert ai["blocking"] and ai["ai_written"] is True and ai["ai_basis"] == "attribution"
    assert "[AI-written: on a line an agent wrote" in ai["message"]
    assert not human["blocking"] and "ai_written" not in human and "AI-written" not in human["message"]
    (report,) = data["commits"]
    assert report["origin"]["ai_paths"] == ["src/config.py"]

    # The same commit judged without ai.scan: both are findings of the own rule set, neither blocks.
    code, data = _check(repo, base, POLICY.replace("  scan: {scanners: [secrets], block_at: medium}\n", ""))
    assert code == 0 and not any("ai_written" in f for f in data["findings"])


def test_a_human_line_is_judged_by_the_commits_own_set_only(repo: RepoBuilder) -> None:
    """The key only on the human's line of an agent-attributed commit: the AI set does not apply."""
    base = repo.commit("base\n", {"README": "r\n"})
    sha = repo.commit("add config\n", {"src/config.py": source("MODE = 'x'", f'OLD = "{OTHER_KEY}"')})
    repo.note(sha, git_ai_note("src/config.py", "1-3"), ref=AI_NOTES_REF)
    code, data = _check(repo, base)
    assert code == 0, data["findings"]
    (finding,) = _secrets(data).values()
    assert finding["line"] == 5 and not finding["blocking"] and "ai_written" not in finding


def test_agent_trace_note_lines(repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {"README": "r\n"})
    sha = repo.commit("add config\n", {"src/config.py": source(f'KEY = "{AWS_KEY}"', f'OLD = "{OTHER_KEY}"')})
    record = json.loads(_trace(sha, "src/config.py"))
    record["files"][0]["conversations"][0]["ranges"] = [{"start_line": 5, "end_line": 5}]  # the agent wrote line 5
    repo.note(sha, json.dumps(record), ref=AGENT_TRACE_REF)
    code, data = _check(repo, base)
    assert code == 1
    found = _secrets(data)
    assert found[5]["blocking"] and found[5]["ai_basis"] == "attribution"
    assert not found[2]["blocking"] and "ai_written" not in found[2]


def test_scope_files_counts_every_added_line_of_a_file_with_agent_lines(repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {"README": "r\n"})
    sha = repo.commit("add config\n", {"src/config.py": source("MODE = 'x'", f'OLD = "{OTHER_KEY}"'),
                                       "src/other.py": f'K = "{AWS_KEY}"\n'})
    repo.note(sha, git_ai_note("src/config.py", "1-3"), ref=AI_NOTES_REF)
    code, data = _check(repo, base, POLICY.replace("block_at: medium}", "block_at: medium, scope: files}"))
    assert code == 1
    by_path = {f["path"]: f for f in data["findings"] if f["category"] == "secrets"}
    assert by_path["src/config.py"]["blocking"] and by_path["src/config.py"]["ai_basis"] == "file"
    assert not by_path["src/other.py"]["blocking"] and "ai_written" not in by_path["src/other.py"]


def test_an_ai_commit_without_line_records_is_scanned_whole(repo: RepoBuilder) -> None:
    """Co-authored-by an agent, no git-ai / Agent Trace records: every line it added counts (fail closed);
    a human commit in the same range with the same key is judged by its own rule set."""
    base = repo.commit("base\n", {"README": "r\n"})
    human = repo.commit("human\n", {"src/a.py": f'A = "{OTHER_KEY}"\n'})
    agent = repo.commit("agent\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
                        {"src/b.py": f'B = "{AWS_KEY}"\n'})
    code, data = _check(repo, base)
    assert code == 1
    by_commit = {f["commit"]: f for f in data["findings"] if f["category"] == "secrets"}
    assert by_commit[agent]["blocking"] and by_commit[agent]["ai_basis"] == "commit"
    assert not by_commit[human]["blocking"] and "ai_written" not in by_commit[human]


def test_ai_set_threshold_never_weakens_the_commits_own(repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {"README": "r\n"})
    repo.commit("agent\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", {"src/b.py": f'B = "{AWS_KEY}"\n'})
    strict_own = POLICY.replace("block_at: critical}", "block_at: high}").replace(
        "block_at: medium}", "block_at: critical}")
    code, data = _check(repo, base, strict_own)
    assert code == 1 and _secrets(data)[1]["blocking"]


# -- semgrep: one invocation over the union of files, filtered by line sets afterwards -----------------

SEMGREP_POLICY = """\
version: 1
rules:
  mobile: {scanners: [secrets, semgrep], block_at: high, review: null}
  default: {scanners: [secrets], block_at: critical}
ai:
  scan: {scanners: [semgrep], block_at: medium}
"""


def test_semgrep_runs_once_and_keeps_only_the_agents_lines(repo: RepoBuilder) -> None:
    pytest.importorskip("semgrep")
    base = repo.commit("base\n", {"README": "r\n"})
    code_text = "import sys\n\nfirst = eval(sys.argv[1])\n\n\nsecond = eval(sys.argv[2])\n"
    agent = repo.commit("agent\n", {"app/agent.py": code_text})
    repo.note(agent, git_ai_note("app/agent.py", "3"), ref=AI_NOTES_REF)
    mobile = repo.commit("mobile\n\nOrigin-Device: mobile\n", {"app/phone.py": code_text})
    human = repo.commit("human\n", {"app/desk.py": code_text})
    policy = parse_policy(SEMGREP_POLICY)
    git = Git(repo.path)
    scanners = build_scanners(policy, use_cache=False)
    verdict = engine.evaluate(
        engine.Request(git=git, updates=(RefUpdate("refs/heads/main", base, human, RefKind.UPDATE),), policy=policy),
        engine.Services(scanners=scanners))
    semgrep = scanners["semgrep"].scanner  # type: ignore[attr-defined]
    assert semgrep.last_run.invocations == 1 and semgrep.last_run.files == 2  # agent.py + phone.py, one run
    found = sorted((f.path, f.line, f.blocking, f.ai_basis) for f in verdict.findings if f.category == "semgrep")
    assert found == [("app/agent.py", 3, True, "attribution"),  # the agent's line: the AI set, blocks
                     ("app/phone.py", 3, True, None), ("app/phone.py", 6, True, None)]  # the mobile set
    # app/agent.py line 6 (the human's, no rule set of the commit runs semgrep) and app/desk.py: not reported.
    assert mobile and all(f.commit != human for f in verdict.findings if f.category == "semgrep")


# -- a real push into a bare repository with the hook ---------------------------------------------------

def test_ai_scan_through_a_real_push(tmp_path: Path) -> None:
    from tests.hook_helpers import make_server, seed, spush

    server = make_server(tmp_path / "srv", policy=POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)

    # The key on the human's line of an agent-attributed commit: the own rule set warns, the push goes in.
    human = work.commit("config\n", {"src/config.py": source("MODE = 'x'", f'OLD = "{OTHER_KEY}"')})
    work.note(human, git_ai_note("src/config.py", "1-3"), ref=AI_NOTES_REF)
    result = spush(server, work, "origin", "main", AI_NOTES_REF)
    assert result.code == 0, result.output
    (finding,) = [f for f in server.last_verdict()["findings"] if f["category"] == "secrets"]
    assert finding["line"] == 5 and not finding["blocking"] and "ai_written" not in finding

    # The same pattern on the agent's line (and again on a human line) of one commit: refused.
    agent = work.commit("more config\n", {"src/more.py": source(f'KEY = "{AWS_KEY}"', f'OLD = "{OTHER_KEY}"')})
    work.note(agent, git_ai_note("src/more.py", "2"), ref=AI_NOTES_REF)
    result = spush(server, work, "origin", "main", AI_NOTES_REF)
    assert result.code != 0
    assert server.tip() == human
    blocking = [line for line in result.remote if line.startswith("  secrets/")]
    assert len(blocking) == 1 and f"{agent[:12]}" in blocking[0] and "src/more.py:2" in blocking[0], result.remote
    assert "AI-written" in result.remote_text
    found = {f["line"]: f for f in server.last_verdict()["findings"]
             if f["category"] == "secrets" and f["commit"] == agent}
    assert found[2]["blocking"] and found[2]["ai_written"] and found[2]["ai_basis"] == "attribution"
    assert not found[5]["blocking"] and "ai_written" not in found[5]



def _evaluate(repo: RepoBuilder, base: str, head: str, policy_text: str) -> list:
    policy = parse_policy(policy_text)
    verdict = engine.evaluate(
        engine.Request(git=Git(repo.path), updates=(RefUpdate("refs/heads/main", base, head, RefKind.UPDATE),),
                       policy=policy),
        engine.Services(scanners=build_scanners(policy, use_cache=False)))
    return [f for f in verdict.findings if f.category == "semgrep"]


def test_head_scanner_records_that_cannot_be_placed_count_the_whole_file(repo: RepoBuilder) -> None:
    """semgrep reads files at the head: once a later commit edits the file, the agent's line numbers are
    not the head's, so every line the range added to that file counts (`ai_basis: file`)."""
    pytest.importorskip("semgrep")
    base = repo.commit("base\n", {"README": "r\n"})
    agent = repo.commit("agent\n", {"app/agent.py": "import sys\n\nfirst = eval(sys.argv[1])\n"})
    repo.note(agent, git_ai_note("app/agent.py", "3"), ref=AI_NOTES_REF)
    head = repo.commit("human fixup\n", {"app/agent.py": "import sys\n\n\nfirst = eval(sys.argv[1])\n"
                                                          "second = eval(sys.argv[2])\n"})
    found = {f.line: f for f in _evaluate(repo, base, head, SEMGREP_POLICY)}
    assert set(found) == {4, 5}
    assert all(f.ai_basis == "file" and f.blocking for f in found.values())


def test_a_file_a_mobile_commit_also_touched_keeps_the_mobile_threshold(repo: RepoBuilder) -> None:
    """The AI commit is the newest to touch a file a mobile commit wrote: the finding is still judged by the
    mobile rule set (medium blocks), never only by the AI commit's laxer ones (critical)."""
    pytest.importorskip("semgrep")
    base = repo.commit("base\n", {"README": "r\n"})
    mobile = repo.commit("mobile\n\nOrigin-Device: mobile\n", {"app/settings.py": "DEBUG = True\n"})
    head = repo.commit("agent\n", {"app/settings.py": "DEBUG = True\nNAME = 'x'\n"})
    repo.note(head, git_ai_note("app/settings.py", "2"), ref=AI_NOTES_REF)
    policy = SEMGREP_POLICY.replace("block_at: high, review: null", "block_at: medium, review: null").replace(
        "scan: {scanners: [semgrep], block_at: medium}", "scan: {scanners: [semgrep], block_at: critical}")
    (finding,) = _evaluate(repo, base, head, policy)
    assert finding.line == 1 and finding.commit == mobile and finding.blocking


def test_hostile_attribution_through_a_real_push(tmp_path: Path) -> None:
    """Notes are the pusher's: absurd ranges, escaping paths and human-only records neither crash the hook
    nor narrow the scan of a co-authored commit below 'every line it added'."""
    from tests.hook_helpers import make_server, seed, spush

    server = make_server(tmp_path / "srv", policy=POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    # Co-authored by an agent; the note names only a known human's lines: the commit counts whole.
    sha = work.commit("config\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
                      {"src/a.py": f'KEY = "{AWS_KEY}"\n'})
    meta = json.dumps({"schema_version": "authorship/3.0.0", "humans": {"h_31dce776f88375": {"author": "x"}}})
    work.note(sha, f"src/a.py\n  h_31dce776f88375 1-1\n---\n{meta}\n", ref=AI_NOTES_REF)
    result = spush(server, work, "origin", "main", AI_NOTES_REF)
    assert result.code != 0 and "AI-written" in result.remote_text, result.output
    (finding,) = [f for f in server.last_verdict()["findings"] if f["category"] == "secrets"]
    assert finding["blocking"] and finding["ai_basis"] == "commit"
    # Absurd ranges and paths: parsed without building line sets, the key on the agent's line still blocks.
    work.git("reset", "-q", "--hard", "HEAD~1")
    sha = work.commit("config\n", {"src/b.py": f'KEY = "{AWS_KEY}"\n'})
    note = git_ai_note("src/b.py", "1-99999999999999999999,3-2") + ""
    note = note.replace("src/b.py\n", "../../etc/passwd\n  s_c9883b05a2487d 1-5\n\"src/\\nx.py\"\n  zz 1\nsrc/b.py\n", 1)
    work.note(sha, note, ref=AI_NOTES_REF)
    result = spush(server, work, "origin", "+main", "+" + AI_NOTES_REF)
    assert result.code != 0, result.output
    (finding,) = [f for f in server.last_verdict()["findings"] if f["category"] == "secrets"]
    assert finding["blocking"] and finding["ai_basis"] == "attribution" and finding["commit"] == sha
