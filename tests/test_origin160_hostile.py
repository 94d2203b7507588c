"""origin160 - origin judgments on six more AI-era histories no earlier session used (BloopAI/vibe-kanban,
eyaltoledano/claude-task-master, ryoppippi/ccusage, oraios/serena, jlowin/fastmcp, steipete/Peekaboo: 13,764 commits).
Every AI verdict class was read, every identity of the commits judged human that names a tool, an agent or a bot, every
co-author and every footer-shaped line. The classes of error found:

- misses, agents' own identities the table lacked: Codegen's App `codegen-sh[bot]` (id 131295404; Peekaboo 10),
  Pullfrog's App `pullfrog[bot]` (id 226033991; ccusage 14), Vibe Kanban's fallback identity `Vibe Kanban
  <noreply@vibekanban.com>` (vibe-kanban 4);
- misses, a tool's title mark: Vibe Kanban has its agents title their pull requests "<title> (Vibe Kanban)"
  ("(vibe-kanban)" before), which the squashes keep (vibe-kanban: 359 commits with no other evidence);
- wrong model: `Claude Assistant <claude@anthropic.com>` reported the model "Claude Assistant" (serena 25): the
  agent's own name and a role's word name no model.

Nothing here relaxes a judgment: the new evidence is AI evidence (stricter), and the model is reported, never judged.
The guards pin what must stay human (the same names at other addresses, the Apps' logins under other ids, the title
mark anywhere but at a title's end) and that the new evidence never narrows or lowers an AI verdict.
"""

from __future__ import annotations

from functools import partial

import pytest

from gatekeeper import origin
from gatekeeper.git import Git
from gatekeeper.models import AIInvolvement, DeviceClass
from gatekeeper.origin.agents import match_identity
from gatekeeper.origin.ai import AgentTraceDetector
from gatekeeper.origin.base import OriginContext
from tests.audit_helpers import audit
from tests.origin_helpers import detect_origin
from tests.repo_builder import RepoBuilder
from tests.test_agents import _trace

HUMAN = ("Pat Example", "pat@people.test")
CODEGEN = "131295404+codegen-sh[bot]@users.noreply.github.com"
PULLFROG = "226033991+pullfrog[bot]@users.noreply.github.com"
VIBE_KANBAN = "noreply@" + "vibekanban.com"
CODERABBIT = "noreply@" + "coderabbit.ai"

_origin = partial(detect_origin, person=HUMAN)

CO_AUTHORS = {
    "Codegen's App": ("codegen-sh[bot]", CODEGEN, "codegen-sh"),
    "Pullfrog's App": ("pullfrog[bot]", PULLFROG, "pullfrog"),
    "Vibe Kanban's fallback identity": ("Vibe Kanban", VIBE_KANBAN, "vibe-kanban"),
    # Found in the held-out pair, after the fixes (coleam00/Archon: 3, each co-authored by Claude Code too).
    "CodeRabbit's auto-fixes": ("CodeRabbit", CODERABBIT, "coderabbit"),
}


@pytest.mark.parametrize("shape", sorted(CO_AUTHORS))
def test_the_agents_co_author_is_ai(repo: RepoBuilder, shape: str) -> None:
    name, email, agent = CO_AUTHORS[shape]
    result = _origin(repo, f"Fix all test warnings (#4)\n\nCo-authored-by: {name} <{email}>\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence


@pytest.mark.parametrize("shape", sorted(CO_AUTHORS))
def test_the_agent_as_author_generated_the_commit(repo: RepoBuilder, shape: str) -> None:
    name, email, agent = CO_AUTHORS[shape]
    result = _origin(repo, "Add timeout handling to prevent test hangs\n", author=(name, email),
                     committer=(name, email))
    assert result.ai is AIInvolvement.GENERATED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence


@pytest.mark.parametrize("subject", [
    "Sort model selector models alphabetically (Vibe Kanban) (#3389)",
    "Display coding agent icon next to session titles (Vibe Kanban)",  # a squash whose title lost its number
    "Dev server logs (vibe-kanban) (#519)",
    "Simplify disclaimer  (vibe-kanban) (#785)",  # two spaces, as written
    "fix: reap execution process groups (vibe kanban)",
])
def test_vibe_kanbans_title_mark(repo: RepoBuilder, subject: str) -> None:
    result = _origin(repo, f"{subject}\n\n* All changes are complete.\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == "vibe-kanban", result.evidence
    assert [e.rule for e in result.evidence if e.ai is not None] == ["title-suffix"], result.evidence


STAY_HUMAN = {
    "the mark inside a title": "Port the board (Vibe Kanban) to the new API\n",
    "the mark as a scope": "fix(vibe-kanban): the port\n",
    "the mark alone as the title": "(Vibe Kanban)\n",
    "the mark in the body": "Fix the port\n\nMoved off (Vibe Kanban).\n",
    "the words without brackets": "Fix the port of Vibe Kanban (#12)\n",
    "the mark before other words": "Fix the port (Vibe Kanban) again (#12)\n",
    "Codegen's login without [bot] under another id": "Fix x\n\nCo-authored-by: Codegen <1+codegen-sh@users."
                                                      "noreply.github.com>\n",
    "Pullfrog's App id under another login": "Fix x\n\nCo-authored-by: Someone <226033991+someone@users.noreply."
                                             "github.com>\n",
    "a person at Vibe Kanban": "Fix x\n\nCo-authored-by: Louis <louis@vibekanban.com>\n",
    "a person at CodeRabbit": "Fix x\n\nCo-authored-by: CodeRabbit <dev@coderabbit.ai>\n",
    "Vibe Kanban's name at another address": "Fix x\n\nCo-authored-by: Vibe Kanban <vk@people.test>\n",
    "a code generator's footer": "Regenerate the client\n\nGenerated by codegen\n",
}


@pytest.mark.parametrize("shape", sorted(STAY_HUMAN))
def test_look_alikes_stay_human(repo: RepoBuilder, shape: str) -> None:
    result = _origin(repo, STAY_HUMAN[shape])
    assert result.ai is AIInvolvement.NONE, result.evidence


@pytest.mark.parametrize(("name", "model"), [
    ("Claude Assistant", None), ("Claude Agent", None), ("Claude Code Assistant", None), ("Claude Code", None),
    ("Claude Opus 4.6", "Claude Opus 4.6"), ("Claude Sonnet 4.5 Agent", "Claude Sonnet 4.5 Agent"),
])
def test_the_agents_name_and_a_roles_word_name_no_model(name: str, model: str | None) -> None:
    """serena: 25 commits authored as `Claude Assistant <claude@anthropic.com>` reported that name as the model."""
    found = match_identity(name, "claude@" + "anthropic.com")
    assert found is not None and found.agent == "claude-code"
    assert found.model == model


def test_the_title_mark_never_lowers_an_agents_authorship(repo: RepoBuilder) -> None:
    """Hostile: a pusher adds the (assisted) title mark to an agent-authored commit to make it read assisted."""
    result = _origin(repo, "Fix x (Vibe Kanban) (#3)\n", author=("codegen-sh[bot]", CODEGEN), committer=HUMAN)
    assert result.ai is AIInvolvement.GENERATED, result.evidence
    assert result.agent is not None and result.agent.id == "codegen-sh", result.evidence


def test_the_title_mark_never_narrows_line_level_attribution(repo: RepoBuilder) -> None:
    """Hostile: an Agent Trace record naming one file narrows the commit's AI-written paths only when every piece of
    AI evidence is line-level; the title mark says the agent took part in the whole commit."""
    sha = repo.commit("Fix x (Vibe Kanban) (#3)\n", {"docs/a.md": "a\n", "src/b.py": "b = 1\n"}, author=HUMAN,
                      committer=HUMAN)
    (commit,) = Git(repo.path).iter_log([sha], no_walk=True)
    ctx = OriginContext(trace_notes={sha: _trace(sha, "docs/a.md")})
    alone, _ = origin.detect(commit, OriginContext(trace_notes={sha: _trace(sha, "docs/a.md")}),
                             (DeviceClass.MOBILE,), detectors=[AgentTraceDetector()])
    assert alone.ai_paths == frozenset({"docs/a.md"})  # the record alone narrows
    result, _ = origin.detect(commit, ctx, (DeviceClass.MOBILE,))
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.ai_paths is None, result.ai_paths  # the whole commit


def test_the_audit_reports_them_as_the_gate_does(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """The audit's fast path decides on raw bytes whether a commit can carry evidence: the new identities as
    co-author and as author, and the title mark (both spellings, any case), must reach the full path."""
    repo.commit("base\n", {"README": "r\n"}, author=HUMAN, committer=HUMAN)
    expected = {}
    for i, (name, email, agent) in enumerate(sorted(CO_AUTHORS.values())):
        repo.commit(f"change {i}\n\nBody.\n\nCo-authored-by: {name} <{email}>\n", {f"f{i}.txt": f"{i}\n"},
                    author=HUMAN, committer=HUMAN)
        expected[f"change {i}"] = agent
        repo.commit(f"authored {i}\n", {f"g{i}.txt": f"{i}\n"}, author=(name, email), committer=HUMAN)
        expected[f"authored {i}"] = agent
    for i, subject in enumerate(("Board (Vibe Kanban) (#7)", "Logs (vibe-kanban)", "Panel (VIBE KANBAN) (#8)")):
        repo.commit(f"{subject}\n\nBody.\n", {f"t{i}.txt": f"{i}\n"}, author=HUMAN, committer=HUMAN)
        expected[subject] = "vibe-kanban"
    repo.commit("plain (Vibe Kanban) change\n", {"h.txt": "h\n"}, author=HUMAN, committer=HUMAN)
    data = audit(capsys, repo.path)
    by_subject = {c["subject"]: c for c in data["commits"]}
    for subject, agent in expected.items():
        record = by_subject[subject]
        assert record["origin"]["ai"] in ("assisted", "generated"), (subject, record["origin"])
        assert [a["id"] for a in record["ai"]["agents"]] == [agent], (subject, record["ai"])
    assert by_subject["plain (Vibe Kanban) change"]["origin"]["ai"] == "none"
