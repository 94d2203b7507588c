"""origin161 - origin judgments on six more AI-era histories no earlier session used (coder/mux, badlogic/pi-mono,
steipete/CodexBar, gptme/gptme, Dicklesworthstone/mcp_agent_mail, hesreallyhim/awesome-claude-code: 19,009 commits).
Every AI verdict class was read, every identity of the commits judged human that names a tool, an agent or a bot,
every co-author and every footer-shaped line. The classes of error found:

- misses, an agent's footer with fields after its label: Coder's Mux (cmux before, Xum since) ends what its agents
  write "_Generated with `mux` • Model: `anthropic:claude-opus-4-5` • Thinking: `high` • Cost: `$0.38`_" (coder/mux:
  2,955 commits; the label was no agent's and the fields after it were read as prose);
- misses, agents' identities the table lacked: Codex's App as co-author `OpenAI Codex <215057067+openai-codex[bot]@…>`
  (CodexBar 5), Craft Agents' `Craft Agent <agents-noreply@craft.do>` (CodexBar 1), Lovable's App
  `gpt-engineer-app[bot]` (id 159125892; gptme 140) — whose platform also commits a person's own code-editor edits,
  titled "Code edited in Lovable Code Editor", which stay the person's;
- wrong agent after the fix: Codex cloud's pull requests copy the project's Mux footer (with `Model: unknown`) and end
  with Codex's own task link — a footer names the agent last (coder/mux 4).

The guards pin what must stay human (the footer's shape without a known label, prose around the label, the Apps' ids
under other logins, the vendors' people) and that none of it lowers, narrows or re-devices a verdict.
"""

from __future__ import annotations

from functools import partial

import pytest

from gatekeeper.models import AIInvolvement, DeviceClass
from gatekeeper.origin.agents import match_identity
from tests.audit_helpers import audit
from tests.origin_helpers import detect_origin
from tests.repo_builder import RepoBuilder

HUMAN = ("Pat Example", "pat@people.test")
CODEX_APP = "215057067+openai-codex[bot]@users.noreply.github.com"
CRAFT = "agents-noreply@" + "craft.do"
LOVABLE = ("gpt-engineer-app[bot]", "159125892+gpt-engineer-app[bot]@users.noreply.github.com")
COPILOT_AGENT = ("Copilot", "198982749+Copilot@users.noreply.github.com")
OWN_EDIT = "Code edited in Lovable Code Editor"
TASK_LINK = "https://chatgpt.com/codex/tasks/task_e_" + "fixturetask"

_origin = partial(detect_origin, person=HUMAN)

# (footer as the tool wrote it, agent, model) — shapes seen in coder/mux's history (the model strings are its own).
MUX_FOOTERS = {
    "wrapped after Thinking": ("_Generated with `mux` • Model: `anthropic:claude-opus-4-5` • Thinking:\n`high`_",
                               "mux", "anthropic:claude-opus-4-5"),
    "with its cost": ("_Generated with `mux` • Model: `openai:gpt-5.5` • Thinking: `xhigh` • Cost: `$1.20`_", "mux",
                      "openai:gpt-5.5"),
    "the label alone": ("_Generated with `mux`_", "mux", None),
    "as cmux": ("_Generated with `cmux`_", "mux", None),
    "as Xum": ("_Generated with `xum` • Model: `anthropic:claude-opus-4-7` • Thinking:\n`xhigh`_", "mux",
               "anthropic:claude-opus-4-7"),
    "a markdown link": ("_Generated with [`mux`](https://github.com/coder/mux) • Model: `openai:gpt-5.2` •\nThinking: "
                        "`xhigh`_", "mux", "openai:gpt-5.2"),
    "in asterisks": ("*Generated with [Mux](https://mux.coder.com)*", "mux", None),
    "middle dots": ("_Generated with `mux` · Model: `anthropic:claude-opus-4-6` · Thinking:\n`high`_", "mux",
                    "anthropic:claude-opus-4-6"),
    "no backquotes": ("_Generated with `mux` • Model: openai:gpt-5.2 • Thinking: xhigh • Cost: $0.40_", "mux",
                      "openai:gpt-5.2"),
    "shell-escaped backquotes": ("_Generated with \\`mux\\` • Model: \\`anthropic:claude-opus-4-5\\` •\nThinking: "
                                 "\\`high\\`_", "mux", "anthropic:claude-opus-4-5"),
    "an unknown model": ("_Generated with `mux` • Model: `unknown` • Thinking: `unknown` • Cost:\n`$unknown`_", "mux",
                         None),
    # The project's template copied unfilled, or a shell variable left unexpanded: no model (coder/mux 5).
    "a template's placeholder": ("_Generated with `mux` • Model: `<modelString>` • Thinking: `<thinkingLevel>`_", "mux",
                                 None),
    "a shell variable": ("_Generated with `mux` • Model: `${MUX_MODEL_STRING:-unknown}` • Thinking: `high`_", "mux",
                         None),
    "a quoted model": ('_Generated with `mux` • Model: "openai:gpt-5.2" • Thinking: "xhigh"_', "mux", "openai:gpt-5.2"),
    "another agent's label in the same footer": ("_Generated with `codex cli` • Model: `gpt-5.2` • Thinking: "
                                                 "`xhigh`_", "codex", "gpt-5.2"),
}


@pytest.mark.parametrize("shape", sorted(MUX_FOOTERS))
def test_muxs_footer_names_the_agent_and_its_model(repo: RepoBuilder, shape: str) -> None:
    footer, agent, model = MUX_FOOTERS[shape]
    result = _origin(repo, f"🤖 fix: keep the splash open (#1583)\n\nSplash screens close only by a button.\n\n---\n"
                           f"{footer}\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence
    assert result.agent.model == model, result.agent
    assert [e.rule for e in result.evidence if e.ai is not None] == ["footer"], result.evidence


STAY_HUMAN = {
    "the footer's shape with its label lost": "Fix lint\n\n_Generated with _\n",
    "the fields with no label": "Fix lint\n\n_Generated with  • Model:  • Thinking:  • Cost: _\n",
    "no agent before the fields": "Fix lint\n\nGenerated with a multiplexer • Model: `gpt-5` • Thinking: `high`\n",
    "a model field but no bullet": "Fix lint\n\nGenerated with mux Model: gpt-5\n",
    "prose about multiplexers": "Fix lint\n\nThe output was generated with mux and demux stages.\n",
    "the label among other words": "Fix lint\n\nGenerated with mux, demux and a script\n",
    "fields other than the model": "Fix lint\n\nGenerated with mux • Thinking: high\n",
    "Codex's App login under another id": "Fix x\n\nCo-authored-by: OpenAI Codex <1234+openai-codex[bot]@users."
                                          "noreply.github.com>\n",
    "Codex's App id under another login": "Fix x\n\nCo-authored-by: Someone <215057067+someone@users.noreply."
                                          "github.com>\n",
    "a person at Craft": "Fix x\n\nCo-authored-by: Craft Agent <dev@craft.do>\n",
    "Craft Agent's name elsewhere": "Fix x\n\nCo-authored-by: Craft Agent <agents@people.test>\n",
    "Lovable's App login under another id": "Fix x\n\nCo-authored-by: gpt-engineer-app <1+gpt-engineer-app@users."
                                            "noreply.github.com>\n",
}


@pytest.mark.parametrize("shape", sorted(STAY_HUMAN))
def test_look_alikes_stay_human(repo: RepoBuilder, shape: str) -> None:
    result = _origin(repo, STAY_HUMAN[shape])
    assert result.ai is AIInvolvement.NONE, result.evidence


@pytest.mark.parametrize(("name", "email", "agent"), [
    ("OpenAI Codex", CODEX_APP, "codex"),
    ("Craft Agent", CRAFT, "craft-agents"),
    (*LOVABLE, "lovable"),
])
def test_the_agents_co_author_is_ai(repo: RepoBuilder, name: str, email: str, agent: str) -> None:
    result = _origin(repo, f"Add daily token view to the chart\n\nCo-authored-by: {name} <{email}>\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence
    assert result.agent.model is None  # the tools' names, no model


def test_lovables_app_authors_its_agents_edits(repo: RepoBuilder) -> None:
    result = _origin(repo, "Fix TypeScript errors in markdownUtils\n\nResolved the errors in the module.\n"
                           "[skip gpt_engineer]\n", author=LOVABLE, committer=LOVABLE)
    assert result.ai is AIInvolvement.GENERATED, result.evidence
    assert result.agent is not None and result.agent.id == "lovable", result.evidence


def test_lovables_code_editor_commits_a_persons_own_edit(repo: RepoBuilder) -> None:
    """The platform's App commits what a person typed into its code editor under that title: no agent's work, as
    author or as committer."""
    assert _origin(repo, f"{OWN_EDIT}\n", author=LOVABLE, committer=LOVABLE).ai is AIInvolvement.NONE
    assert _origin(repo, f"{OWN_EDIT}\n", author=HUMAN, committer=LOVABLE).ai is AIInvolvement.NONE


@pytest.mark.parametrize("message", [
    f"{OWN_EDIT} and added the billing page\n",  # not the platform's title
    f"Add the billing page\n\n{OWN_EDIT}\n",  # the words in the body
    f" {OWN_EDIT.upper()}\n",
])
def test_only_the_platforms_exact_title_is_a_persons_edit(repo: RepoBuilder, message: str) -> None:
    result = _origin(repo, message, author=LOVABLE, committer=LOVABLE)
    assert result.ai is AIInvolvement.GENERATED, result.evidence


def test_the_code_editor_title_launders_no_other_evidence(repo: RepoBuilder) -> None:
    """Hostile: the title that makes Lovable's App a person's editor leaves every other agent's evidence standing — an
    agent author, a co-author, a footer."""
    by_copilot = _origin(repo, f"{OWN_EDIT}\n", author=COPILOT_AGENT, committer=HUMAN)
    assert by_copilot.ai is AIInvolvement.GENERATED and by_copilot.agent.id == "copilot", by_copilot.evidence
    co_authored = _origin(repo, f"{OWN_EDIT}\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", author=LOVABLE,
                          committer=LOVABLE)
    assert co_authored.ai is AIInvolvement.ASSISTED and co_authored.agent.id == "claude-code", co_authored.evidence
    footer = _origin(repo, f"{OWN_EDIT}\n\n_Generated with `mux`_\n", author=LOVABLE, committer=LOVABLE)
    assert footer.ai is AIInvolvement.ASSISTED and footer.agent.id == "mux", footer.evidence


def test_a_footer_never_lowers_an_agents_authorship(repo: RepoBuilder) -> None:
    """Hostile: Mux's (assisted) footer on a commit an agent authored leaves it generated, by that agent."""
    result = _origin(repo, "Fix x (#3)\n\n_Generated with `mux` • Model: `openai:gpt-5.5` • Thinking: `high`_\n",
                     author=COPILOT_AGENT, committer=HUMAN)
    assert result.ai is AIInvolvement.GENERATED, result.evidence
    assert result.agent is not None and result.agent.id == "copilot", result.evidence


@pytest.mark.parametrize(("tail", "agent"), [
    (f"------\n[Codex\nTask]({TASK_LINK})\n", "codex"),  # Codex cloud's pull request (coder/mux 4)
    ("Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>\n", "claude-code"),
])
def test_a_footer_names_the_agent_last(repo: RepoBuilder, tail: str, agent: str) -> None:
    """A footer is a label an agent also copies from a project's template; the agent's own identity or session link
    names it first, whichever comes first in the message."""
    result = _origin(repo, f"Fix x (#2932)\n\n---\n\n_Generated with `mux` • Model: `unknown` • Thinking: `unknown`_\n"
                           f"\n{tail}")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence


def test_the_footers_model_is_clean_and_bounded(repo: RepoBuilder) -> None:
    """Hostile: the Model field is commit data — no control characters reach a report, and its length is bounded."""
    result = _origin(repo, "Fix x\n\n_Generated with `mux` • Model: `gpt\x1b[31m-5` • Thinking: `high`_\n")
    assert result.agent is not None and result.agent.id == "mux"
    assert result.agent.model is not None and "\x1b" not in result.agent.model
    long = _origin(repo, "Fix y\n\n_Generated with `mux` • Model: `" + "m" * 110 + "` • Thinking: `high`_\n")
    assert long.agent is not None and long.agent.model is not None and len(long.agent.model) <= 120
    over = _origin(repo, "Fix z\n\n_Generated with `mux` • Model: " + "m" * 5000 + "\n")
    assert over.ai is AIInvolvement.NONE  # no bounded field there: no footer, as any footer over its bounds


@pytest.mark.parametrize("message", [
    "Fix x\n\n_Generated with `mux` • Model: `openai:gpt-5.5`_\n\nOrigin-Device: mobile\n",
    f"{OWN_EDIT}\n\nOrigin-Device: mobile\n",
])
def test_no_new_evidence_moves_a_declared_phone(repo: RepoBuilder, message: str) -> None:
    """Hostile: neither the footer nor Lovable's code-editor title says anything of the device: a commit declared
    mobile stays mobile."""
    result = _origin(repo, message, author=LOVABLE if message.startswith(OWN_EDIT) else HUMAN)
    assert result.device is DeviceClass.MOBILE, result.evidence


@pytest.mark.parametrize(("name", "email", "agent", "rule"), [
    ("OpenAI Codex", CODEX_APP, "codex", "github-bot-id"),
    ("openai-codex[bot]", "x@people.test", "codex", "github-app-name"),
    ("Craft Agent", "Agents-NoReply@Craft.do", "craft-agents", "email"),
    (*LOVABLE, "lovable", "github-bot-id"),
    ("OpenAI Codex", "codex@people.test", None, None),
    ("Jo", "jo@craft.do", None, None),
    ("Mux", "noreply@coder.com", None, None),  # Coder's no-reply address: no tool's own (coder/mux's co-authors)
])
def test_identities(name: str, email: str, agent: str | None, rule: str | None) -> None:
    found = match_identity(name, email)
    assert (found.agent if found else None, found.rule if found else None) == (agent, rule)


def test_the_audit_reports_them_as_the_gate_does(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """The audit's fast path decides on raw bytes whether a commit can carry evidence: the footer with its fields, the
    new identities as author and co-author, and Lovable's code-editor title must reach the same judgment."""
    repo.commit("base\n", {"README": "r\n"}, author=HUMAN, committer=HUMAN)
    expected: dict[str, tuple[str, str | None]] = {}
    for i, (footer, agent, _) in enumerate(sorted(MUX_FOOTERS.values())):
        repo.commit(f"footer {i}\n\nBody.\n\n---\n{footer}\n", {f"f{i}.txt": f"{i}\n"}, author=HUMAN, committer=HUMAN)
        expected[f"footer {i}"] = ("assisted", agent)
    repo.commit(f"codex\n\nCo-authored-by: OpenAI Codex <{CODEX_APP}>\n", {"c.txt": "c\n"}, author=HUMAN,
                committer=HUMAN)
    expected["codex"] = ("assisted", "codex")
    repo.commit("craft\n\nCo-authored-by: Craft Agent <" + CRAFT + ">\n", {"k.txt": "k\n"}, author=HUMAN,
                committer=HUMAN)
    expected["craft"] = ("assisted", "craft-agents")
    repo.commit("Fix TypeScript error in ApiContext\n", {"l.txt": "l\n"}, author=LOVABLE, committer=LOVABLE)
    expected["Fix TypeScript error in ApiContext"] = ("generated", "lovable")
    repo.commit(f"{OWN_EDIT}\n", {"m.txt": "m\n"}, author=LOVABLE, committer=LOVABLE)
    expected[OWN_EDIT] = ("none", None)
    repo.commit("plain\n\nGenerated with mux • Thinking: high\n", {"p.txt": "p\n"}, author=HUMAN, committer=HUMAN)
    expected["plain"] = ("none", None)
    data = audit(capsys, repo.path)
    by_subject = {c["subject"]: c for c in data["commits"]}
    for subject, (level, agent) in expected.items():
        record = by_subject[subject]
        assert record["origin"]["ai"] == level, (subject, record["origin"])
        if agent:
            assert [a["id"] for a in record["ai"]["agents"]] == [agent], (subject, record["ai"])
