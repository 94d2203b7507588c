"""origin150 - origin judgments on six more AI-era histories no earlier session used (firecrawl/firecrawl,
crewAIInc/crewAI, dyad-sh/dyad, browserbase/stagehand, letta-ai/letta, openai/openai-agents-js: 18,930 commits). Every
AI verdict class was read (no person's or non-AI bot's commit among them), every commit judged human whose identities
or message name an AI tool, agent, bot or disclosure, and the web verdicts by class. The classes of error found, each
a miss (an AI commit judged human):

- Letta Code's identities the table did not hold: "👾 Generated with [Letta Code](https://letta.com)" (the emoji
  varies) + `Co-Authored-By: Letta Code <noreply@letta.com>` ("Letta" before, "Letta Bot" where GitHub gathered the
  address into a squash), and its GitHub Action's account `letta-code` (id 248085862) — letta-ai/letta, 374.
- Mastra Code's `Co-Authored-By: Mastra Code (<model>) <noreply@mastra.ai>` (stagehand, 1).
- Copilot Autofix's fix for a GitHub Code Quality finding, `Copilot Autofix powered by AI
  <223894421+github-code-quality[bot]@…>` (crewAI, 6).
- Codex cloud's task link where a squash wrapped its label: "[Codex\\nTask](https://chatgpt.com/codex/tasks/…)"
  (dyad, 2).

Nothing here relaxes a judgment. The guards pin what must stay human: the vendors' people, the names alone, the
account's login under another id and its id under another login, Letta the framework named alone, and session links
that are not a line's whole link.
"""

from __future__ import annotations

from functools import partial

import pytest

from gatekeeper.models import AIInvolvement, DeviceClass
from tests.audit_helpers import audit
from tests.origin_helpers import detect_origin
from tests.repo_builder import RepoBuilder

MOBILE_AND_WEB = (DeviceClass.MOBILE, DeviceClass.TABLET, DeviceClass.WEB)
HUMAN = ("Pat Example", "pat@people.test")
LETTA = "noreply@" + "letta.com"
LETTA_ACTION = "248085862+letta-code@users.noreply.github.com"
MASTRA = "noreply@" + "mastra.ai"
CODE_QUALITY = "223894421+github-code-quality[bot]@users.noreply.github.com"
CODEX_TASK = "https://chatgpt.com/codex/tasks/task_e_" + "wrapped_label_demo"


_origin = partial(detect_origin, person=HUMAN)


CO_AUTHORS = {
    "Letta Code": ("Letta Code", LETTA, "letta-code"),
    "Letta Code before its rename": ("Letta", LETTA, "letta-code"),
    "the address as GitHub gathers it into a squash": ("Letta Bot", LETTA, "letta-code"),
    "Letta Code's Action": ("letta-code", LETTA_ACTION, "letta-code"),
    "Mastra Code": ("Mastra Code (anthropic/claude-opus-4-6)", MASTRA, "mastra-code"),
    "Copilot Autofix on a code-quality finding": ("Copilot Autofix powered by AI", CODE_QUALITY, "copilot"),
}


@pytest.mark.parametrize("shape", sorted(CO_AUTHORS))
def test_the_agents_co_author_is_ai(repo: RepoBuilder, shape: str) -> None:
    name, email, agent = CO_AUTHORS[shape]
    result = _origin(repo, f"fix: the bar\n\nUpdate the default value.\n\nCo-authored-by: {name} <{email}>\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence


def test_mastra_codes_model_is_read_from_its_name(repo: RepoBuilder) -> None:
    result = _origin(repo, f"fix: x\n\nCo-authored-by: Mastra Code (anthropic/claude-opus-4-6) <{MASTRA}>\n")
    assert result.agent is not None and result.agent.model == "anthropic/claude-opus-4-6", result.agent


@pytest.mark.parametrize("emoji", ["\U0001f47e ", "\U0001f43e ", "\U0001f916 ", "\U0001f419 ", ""])
def test_letta_codes_footer_alone_names_it(repo: RepoBuilder, emoji: str) -> None:
    """A squash that kept the footer and lost the co-author; the emoji before it varies between Letta Code's
    versions."""
    result = _origin(repo, f"fix: a\n\nBody.\n\n{emoji}Generated with [Letta Code](https://letta.com)\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == "letta-code", result.evidence


def test_letta_codes_harness_as_author_generated_the_commit(repo: RepoBuilder) -> None:
    """Letta Code commits its memory repository as `Letta Code <noreply@letta.com>` (its harness's git env)."""
    who = ("Letta Code", LETTA)
    result = _origin(repo, "memory: learned\n", author=who, committer=who)
    assert result.ai is AIInvolvement.GENERATED, result.evidence
    assert result.agent is not None and result.agent.id == "letta-code", result.evidence


def test_a_codex_task_link_whose_label_a_squash_wrapped(repo: RepoBuilder) -> None:
    """dyad d7d4e84f6257: GitHub's squash wrapped the pull request's last line "[Codex Task](…)" after "[Codex"."""
    message = (f"Fix the banner (#3001)\n\n## Summary\n- a change\n\n------\n[Codex\nTask]({CODEX_TASK})\n"
               "<!-- devin-review-badge-begin -->\n")
    result = _origin(repo, message)
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == "codex", result.evidence
    assert result.agent.session == CODEX_TASK, result.agent


STAY_HUMAN = {
    "a person at Letta": "Co-authored-by: Jin <jin@letta.com>",
    "a person at Mastra": "Co-authored-by: Mastra Code <hello@mastra.ai>",
    "Letta Code's name at another address": "Co-authored-by: Letta Code <letta@people.test>",
    "the Action's login under another account's id": "Co-authored-by: letta-code <1234+letta-code@users.noreply."
                                                     "github.com>",
    "the Action's id under another login": "Co-authored-by: Someone <248085862+someone@users.noreply.github.com>",
    "the code-quality App's login under another id": "Co-authored-by: x <1+github-code-quality@users.noreply."
                                                     "github.com>",
    "Letta the framework": "Generated with Letta",
    "a task link in prose": f"See {CODEX_TASK} for what it tried.",
    "a task link with a longer path": f"Task]({CODEX_TASK}/logs)",
    "another host's link after a label's end": "Task](https://chatgpt.example/codex/tasks/task_e_1)",
}


@pytest.mark.parametrize("shape", sorted(STAY_HUMAN))
def test_look_alikes_stay_human(repo: RepoBuilder, shape: str) -> None:
    result = _origin(repo, f"chore: the bar\n\nBody.\n\n{STAY_HUMAN[shape]}\n")
    assert result.ai is AIInvolvement.NONE, result.evidence


def test_the_audit_reports_them_as_the_gate_does(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """The audit's fast path decides on raw bytes and its identity check that a commit carries no evidence: the new
    identities as co-author and as author, Letta Code's footer and the wrapped task link must reach the full path."""
    repo.commit("base\n", {"README": "r\n"}, author=HUMAN, committer=HUMAN)
    expected = {}
    for i, (shape, (name, email, agent)) in enumerate(sorted(CO_AUTHORS.items())):
        subject = f"change {i}"
        repo.commit(f"{subject}\n\nBody.\n\nCo-authored-by: {name} <{email}>\n", {f"f{i}.txt": f"{i}\n"},
                    author=HUMAN, committer=HUMAN)
        expected[subject] = agent
    repo.commit("footer change\n\nBody.\n\n\U0001f43e Generated with [Letta Code](https://letta.com)\n",
                {"n.txt": "n\n"}, author=HUMAN, committer=HUMAN)
    expected["footer change"] = "letta-code"
    repo.commit(f"link change\n\n------\n[Codex\nTask]({CODEX_TASK})\n", {"l.txt": "l\n"}, author=HUMAN,
                committer=HUMAN)
    expected["link change"] = "codex"
    repo.commit("agent change\n", {"a.txt": "a\n"}, author=("Letta Code", LETTA), committer=("Letta Code", LETTA))
    expected["agent change"] = "letta-code"
    repo.commit("action change\n", {"b.txt": "b\n"}, author=("letta-code", LETTA_ACTION), committer=HUMAN)
    expected["action change"] = "letta-code"
    repo.commit("plain change\n\nCo-authored-by: Jin <jin@letta.com>\n", {"h.txt": "h\n"}, author=HUMAN,
                committer=HUMAN)
    data = audit(capsys, repo.path)
    by_subject = {c["subject"]: c for c in data["commits"]}
    for subject, agent in expected.items():
        record = by_subject[subject]
        assert record["origin"]["ai"] in ("assisted", "generated"), (subject, record["origin"])
        assert [a["id"] for a in record["ai"]["agents"]] == [agent], (subject, record["ai"])
    assert by_subject["plain change"]["origin"]["ai"] == "none"
