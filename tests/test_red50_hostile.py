"""Red team red50: the gate's own state files and trusted inputs (push-time records, line-attribution
evidence, the local check's policy and what it writes).

Each test but the controls FAILS on the code at the time of writing, for the reason its docstring names, and
asserts the secure behaviour (it passes once fixed). Real repositories, real pushes into a bare repository
with the installed hook, the real CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatekeeper.cli import run
from tests.hook_helpers import make_server, seed, spush
from tests.repo_builder import RepoBuilder
from tests.test_agents import HOOK_AI_POLICY

AI_ZONE_SERVER_POLICY = HOOK_AI_POLICY  # an `ai: block` zone on pay/**, as tests/test_agents.py pushes it

COPILOT = "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\n"


def _trace(revision: str, path: str) -> str:
    """One Agent Trace record (spec 0.1) saying an agent wrote line 1 of `path` on `revision`."""
    return json.dumps({
        "version": "0.1.0", "id": "550e8400-e29b-41d4-a716-446655440000", "timestamp": "2026-01-23T14:30:00Z",
        "vcs": {"type": "git", "revision": revision}, "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [{"path": path, "conversations": [
            {"contributor": {"type": "ai", "model_id": "anthropic/claude-opus-4-5"},
             "ranges": [{"start_line": 1, "end_line": 1}]}]}]}) + "\n"


# -- (4) line-attribution evidence narrows commit-level AI evidence ------------------------------------------

def test_an_agent_trace_record_for_another_file_takes_a_co_authored_change_out_of_the_ai_zone(
        tmp_path: Path) -> None:
    """Attack: a commit co-authored by Copilot (`Co-authored-by: Copilot <…Copilot@users.noreply.github.com>`,
    AI evidence for the whole commit) changes `pay/c.py` in a `zones: ai: block` zone. The same commit adds one
    record to `.agent-trace/traces.jsonl` saying an agent (cursor) wrote line 1 of `README.md`. The resolver
    (gatekeeper/origin/__init__.py `_agent`, ai_paths = the union of the line records' paths) keeps
    `ai_paths = {README.md}`, and ZoneCheck (gatekeeper/checks/__init__.py:86-90) then skips every path not in
    it — the co-author's evidence, which names no lines, is silently narrowed to a file another tool wrote.
    The push to main is accepted with no zone finding. Without the trace record (control, first push of the
    test) the same change is refused.

    Severity high: a verdict flips through evidence that *removes* AI involvement from a path. A record is
    self-asserted and can only ever add lines; here one declared record (or a second tool's honest record in
    the same commit) lowers what heuristic commit-level evidence established, and a note in
    refs/notes/agent-trace does the same to any commit, including one the pusher did not write.

    Secure behaviour: line records narrow the AI zone (and the AI scan) only when *every* piece of AI evidence
    of the commit carries line records; commit-level evidence without lines (co-author, agent author, marker,
    Assisted-by) keeps the whole commit AI-involved: refused with `policy/zone-violation` on pay/c.py."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    base = work.commit("Initial commit\n", {"README.md": "hello\n"})
    assert spush(server, work, "origin", "main").code == 0

    # Control: the co-authored change to the zone is refused.
    work.commit("pay: refactor\n\n" + COPILOT, {"pay/c.py": "c = 1\n"})
    control = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert control.code != 0 and "policy/zone-violation" in control.remote_text, control.output
    work.git("reset", "-q", "--hard", base)

    sha = work.commit("pay: refactor\n\n" + COPILOT, {"pay/c.py": "c = 1\n", "README.md": "hello!\n",
                                                   ".agent-trace/traces.jsonl": _trace(base, "README.md")})
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert server.tip() != sha, "the Copilot-co-authored change to the AI-free zone reached main"
    assert result.code != 0
    assert "policy/zone-violation" in result.remote_text and "pay/c.py" in result.remote_text, result.remote_text


# -- (3) the local check and the policy the checked branch brings ------------------------------------------

NO_SCAN_BRANCH_POLICY = """\
version: 1
origins: {undeclared: desktop}
rules:
  mobile: {scanners: [], block_at: critical, review: {approvals: 0}}
  default: {scanners: [], block_at: critical}
"""


def _check_json(repo: RepoBuilder, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    out = repo.path.parent / "out.json"
    code = run(["check", "--repo", str(repo.path), "--format", "json", "--output", str(out), *args])
    return code, json.loads(out.read_text()) if out.exists() else {}


def test_local_check_of_a_branch_that_rewrites_the_policy_judging_it_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: a reviewer fetches someone's branch, checks it out and runs `gatekeeper check --base main`
    (docs: "local: the working tree (advisory only)"). The branch's first commit adds `.gatekeeper.yml` with
    no scanners, the mobile rule set's review dropped and `block_at: critical`; its second, from a phone
    (`Origin-Device: mobile`), adds a `shell=True` call. `run_check` (gatekeeper/modes/local.py:83-84,
    config.discover_policy) judges the branch by the policy the branch itself brings, and the local door runs
    no PolicyChangeCheck (only pre_receive.py and action.py build one): the verdict is a clean ALLOW with no
    finding, and nothing in the output says the policy that judged the range was written by the range (it
    prints `policy: …/.gatekeeper.yml`, never "advisory"). With main's (default) policy the same range WARNs
    that the mobile commit needs review (control below).

    Severity medium: the local check is advisory and the server gate still applies, but a reviewer's verdict
    on someone else's branch is steered by that branch, silently.

    Secure behaviour: when commits of the checked range change the work tree's gate configuration
    (trusted.gate_paths), the local check reports `policy/changed` (as the Action and pre-receive do), so the
    output says the verdict came from a policy the range itself changed."""
    monkeypatch.delenv("GATEKEEPER_DECISION_LOG", raising=False)
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("base\n", {"README.md": "hi\n"})
    repo.git("checkout", "-q", "-b", "contrib")
    repo.commit("tune the gate\n", {".gatekeeper.yml": NO_SCAN_BRANCH_POLICY})
    repo.commit("from the phone\n\nOrigin-Device: mobile\n",
                {"app.py": "import subprocess\nsubprocess.call(input(), shell=True)\n"})
    # Control: the default policy (main has no .gatekeeper.yml) flags the mobile commit.
    default_policy = tmp_path / "main-policy.yml"
    default_policy.write_text("version: 1\n")
    _, control = _check_json(repo, "--base", "main", "--policy", str(default_policy))
    assert "review/required" in [f["rule_id"] for f in control["findings"]], control["findings"]

    code, verdict = _check_json(repo, "--base", "main")
    rules = [f["rule_id"] for f in verdict["findings"]]
    assert "policy/changed" in rules, (code, verdict["decision"], rules)


def test_local_check_of_a_branch_writes_nothing_outside_the_repository(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: the checked-out branch's `.gatekeeper.yml` says `log: {path: <absolute path outside the
    repository>}`. `run_check` calls `log_verdict(..., from_repository=False)` (gatekeeper/modes/local.py:106),
    so `decisionlog.destination` (gatekeeper/audit/decisionlog.py:307-316) applies none of the limits a
    repository policy gets at pre-receive and in the Action (relative, inside the git directory, *.db name):
    `gatekeeper check` creates a SQLite database wherever the branch says, e.g. `~/.gitconfig` when the user
    has none — after which every git command of that user fails with "bad config line 1" — or any
    not-yet-existing dotfile or autostart entry (`..` out of the work tree works too).

    Severity medium: running the advisory check on someone else's branch writes state outside the repository
    at a path that branch chose.

    Secure behaviour: a policy read from the work tree (no --policy given) is a policy from the repository:
    its `log.path` is held to the same rule (`from_repository=True`), and nothing is created outside the
    repository (a warning names the refused path)."""
    monkeypatch.delenv("GATEKEEPER_DECISION_LOG", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    target = home / ".gitconfig"
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("base\n", {"README.md": "hi\n"})
    repo.git("checkout", "-q", "-b", "contrib")
    repo.commit("gate config\n", {".gatekeeper.yml": f"version: 1\nlog: {{path: {json.dumps(str(target))}}}\n"})
    _check_json(repo, "--base", "main")
    assert not target.exists(), f"gatekeeper check created {target} ({target.stat().st_size} bytes)"
    assert sorted(p.name for p in home.iterdir()) == []


# -- controls -------------------------------------------------------------------------------------------------

def test_control_a_gitattributes_in_the_pushed_tree_does_not_hide_a_secret(tmp_path: Path) -> None:
    """Control (held): a pushed `.gitattributes` with `* -diff binary -text export-ignore linguist-generated
    filter=x` beside a secret in the same commit. The patches the scanners read run attribute-free
    (gatekeeper/git/_runner.py `_attr_free`), so the secret is still found and the push refused."""
    policy = AI_ZONE_SERVER_POLICY.replace("default: {scanners: [], block_at: critical}",
                                           "default: {scanners: [secrets], block_at: high}").replace(
        "scanners: [], defer: []", "scanners: [secrets], defer: []")
    server = make_server(tmp_path / "srv", policy=policy)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    work.commit("config\n", {".gitattributes": "* -diff binary -text export-ignore linguist-generated filter=x\n",
                             "settings.py": 'GITHUB_TOKEN = "ghp_' + "R4nd0mT0k3nV4lu3" * 2 + 'abcd"\n'})
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "secrets/" in result.remote_text, result.output


def test_line_records_beside_whole_commit_ai_evidence_leave_the_whole_commit_ai_written() -> None:
    """The fix's other reader: the AI-line scan scope (scan/ai_scope.commit_ai_lines) takes the whole commit as
    agent-written when some AI evidence is not line-level, as the zones now do; line records alone narrow it."""
    from gatekeeper.models import AIInvolvement, Evidence, Origin, Trust
    from gatekeeper.scan.ai_scope import commit_ai_lines

    trace = Evidence("ai/agent-trace", "records", Trust.DECLARED, ai=AIInvolvement.GENERATED, agent="claude-code",
                     ai_lines=(("README.md", "1-1"),))
    coauthor = Evidence("ai/co-author", "Co-authored-by: Copilot", Trust.HEURISTIC, ai=AIInvolvement.ASSISTED,
                        agent="copilot")
    narrowed = commit_ai_lines(Origin(ai=AIInvolvement.GENERATED, evidence=(trace,)))
    assert narrowed is not None and not narrowed.whole and set(narrowed.paths) == {"README.md"}
    whole = commit_ai_lines(Origin(ai=AIInvolvement.GENERATED, evidence=(trace, coauthor)))
    assert whole is not None and whole.whole
