"""fix133o - origin judgments measured out of sample, on six public histories no earlier session tuned on
(langchain-ai/langgraph, microsoft/vscode-copilot-chat, microsoft/playwright-mcp, pydantic/pydantic-ai; held out:
google/adk-python, openai/openai-agents-python). Every AI verdict and every message line naming an agent was read;
the classes of error found, each a miss (an AI commit judged human):

1. Agents' GitHub Apps the table did not hold: LangChain's Open SWE coding agent, `open-swe[bot]` (id 215916821:
   author of squash-merged pull requests and co-author `open-swe[bot] <open-swe@users.noreply.github.com>` of
   about 30 more in langgraph), Codeflash's optimisations (`codeflash-ai[bot]`, id 148906541) and Hyperlint's
   committed documentation suggestions (`hyperlint-ai[bot]`, id 154288675) in pydantic-ai.
2. The agent's own attribution line written with another verb than "Generated": Cursor's pull-request footer
   "Made with [Cursor](https://cursor.com)", Open SWE's "Made by [Open SWE](…)", LangChain's Deep Agents CLI's
   "Created with [Deep Agents CLI](…) using gpt-5.4", "(Written by Copilot)" / "[Written by GitHub Copilot]" on a
   line of their own (vscode-copilot-chat), and Gemini CLI's first commits' "Created by yours truly: __Gemini
   Code__" (google-gemini/gemini-cli, in the earlier mirrors: 2 commits on HEAD, judged human).

Nothing here relaxes a judgment: every change only adds AI evidence. The guards pin what must stay human all the
same (bots that are no AI assistants, people's and products' names in subjects, prose built on the same verbs, a
message that says only its message was generated), and that the footers and identities that counted still do.
"""

from __future__ import annotations

import pytest

from gatekeeper.models import AIInvolvement, DeviceClass
from tests.audit_helpers import audit
from tests.origin_helpers import detect_origin
from tests.repo_builder import RepoBuilder

MOBILE_AND_WEB = (DeviceClass.MOBILE, DeviceClass.TABLET, DeviceClass.WEB)
WEB_FLOW = ("GitHub", "noreply@github.com")
NOREPLY = "@users.noreply.github.com"
ANTHROPIC = "noreply@" + "anthropic.com"


_origin = detect_origin


# -- 1: agents' GitHub Apps --------------------------------------------------------------------------------------------

AGENT_AUTHORS = {
    "Open SWE as author": (("open-swe[bot]", "215916821+open-swe[bot]" + NOREPLY), "open-swe"),
}
AGENT_COAUTHORS = {
    "Open SWE, its legacy address": ("open-swe[bot] <open-swe" + NOREPLY + ">", "open-swe"),
    "Open SWE, its id address": ("open-swe[bot] <215916821+open-swe[bot]" + NOREPLY + ">", "open-swe"),
    "Codeflash": ("codeflash-ai[bot] <148906541+codeflash-ai[bot]" + NOREPLY + ">", "codeflash"),
    "Hyperlint": ("hyperlint-ai[bot] <154288675+hyperlint-ai[bot]" + NOREPLY + ">", "hyperlint"),
}


@pytest.mark.parametrize("shape", sorted(AGENT_AUTHORS))
def test_an_agents_github_app_as_author_generated_the_commit(repo: RepoBuilder, shape: str) -> None:
    """Finding 1: Open SWE opens and its squash merges keep it as author (langgraph ed168deb9, 2c98c59fc, ...):
    the agent wrote the change."""
    author, agent = AGENT_AUTHORS[shape]
    result = _origin(repo, "fix: populate assistant_id from config (#7468)\n", author=author, committer=WEB_FLOW)
    assert result.ai is AIInvolvement.GENERATED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence


@pytest.mark.parametrize("shape", sorted(AGENT_COAUTHORS))
def test_an_agents_github_app_as_co_author_is_ai(repo: RepoBuilder, shape: str) -> None:
    """Finding 1: the agent's App as co-author of a squash (Open SWE's fixes pushed onto a person's or dependabot's
    pull request, Codeflash's "Speed up function ...", Hyperlint's applied suggestions)."""
    value, agent = AGENT_COAUTHORS[shape]
    message = ("Speed up function `_estimate_string_tokens` (#2156)\n\nCo-authored-by: Ann Dev <ann@example.org>\n"
               f"Co-authored-by: {value}\n")
    result = _origin(repo, message, committer=WEB_FLOW)
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence


LOOKALIKES = {
    "a user login with the agent's name, no App": "open-swe <open-swe" + NOREPLY + ">",
    "a person at the vendor": "Sam Flash <sam@codeflash.ai>",
    "the App's name as a person's words": "Open SWE <team@example.org>",
}


@pytest.mark.parametrize("shape", sorted(LOOKALIKES))
def test_names_and_logins_that_are_no_app_stay_human(repo: RepoBuilder, shape: str) -> None:
    """Guard: only the App (a `[bot]` login, which no person can register, or its numeric id with its login) is
    evidence; a user account of the same name, the vendor's people and the product's name are not."""
    result = _origin(repo, f"docs: thanks\n\nCo-authored-by: {LOOKALIKES[shape]}\n")
    assert result.ai is AIInvolvement.NONE, result.evidence


BOTS = {
    "dependabot": ("dependabot[bot]", "49699333+dependabot[bot]" + NOREPLY),
    "renovate": ("renovate[bot]", "29139614+renovate[bot]" + NOREPLY),
    "github-actions": ("github-actions[bot]", "41898282+github-actions[bot]" + NOREPLY),
    "pre-commit-ci": ("pre-commit-ci[bot]", "66853113+pre-commit-ci[bot]" + NOREPLY),
    "a Microsoft policy App": ("microsoft-github-policy-service[bot]",
                               "77245923+microsoft-github-policy-service[bot]" + NOREPLY),
}


@pytest.mark.parametrize("shape", sorted(BOTS))
def test_bots_that_are_no_ai_assistant_stay_human(repo: RepoBuilder, shape: str) -> None:
    """Guard: dependency and CI bots are automation, not AI assistants — as author, co-author, or with a
    "Generated by" line naming the tool (dependabot bodies quote release notes mentioning Copilot and Claude)."""
    name, email = BOTS[shape]
    message = ("chore(deps): bump ruff from 0.15.1 to 0.15.5 (#7072)\n\n<li>fix(py): Fix concurrency for multiple "
               "Claude Agent SDK sessions by\n<li>Add copilot-instructions.md (<a\n\n---------\n\n"
               f"Signed-off-by: {name} <support@github.com>\nCo-authored-by: {name} <{email}>\n")
    result = _origin(repo, message, author=(name, email), committer=WEB_FLOW)
    assert result.ai is AIInvolvement.NONE, result.evidence


SUBJECTS = ["Update Claude model list", "fix copilot integration (#907)", "Add Gemini 3 support to the Codex adapter",
            "Made with Cursor: the docs page for Cursor users", "Created by Jules Verne fan club: docs",
            "Implement cursor pagination for get_state_history", "Add shoutout to CopilotKit and assistant-ui"]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_products_and_people_named_in_subjects_stay_human(repo: RepoBuilder, subject: str) -> None:
    """Guard: a subject about an agent (a product this code integrates, a person called Jules) says nothing about
    who wrote the change."""
    result = _origin(repo, f"{subject}\n\nCo-authored-by: Claude Monet <claude@example.org>\n",
                     author=("Devin Smith", "devin@example.org"))
    assert result.ai is AIInvolvement.NONE, result.evidence


# -- 2: attribution lines with other verbs -----------------------------------------------------------------------------

FOOTERS = {
    "Cursor's pull-request footer": ("Made with [Cursor](https://cursor.com)", "cursor"),
    "Open SWE's footer": ("Made by [Open SWE](https://openswe.vercel.app)", "open-swe"),
    "Deep Agents CLI, label wrapped": (
        "Created with [Deep Agents\nCLI](https://docs.langchain.com/oss/python/deepagents/cli/overview)\n"
        "using gpt-5.4 (provider: openai).", "deepagents"),
    "written by, in parentheses": ("(Written by Copilot)", "copilot"),
    "written by, in brackets": ("[Written by GitHub Copilot]", "copilot"),
    "Gemini CLI's own first commits": ("Created by yours truly: __Gemini Code__", "gemini"),
    "made with, plain label and product word": ("Made with Claude Code", "claude-code"),
    "written with, emoji": ("\U0001f916 Written with Codex CLI", "codex"),
}


@pytest.mark.parametrize("shape", sorted(FOOTERS))
def test_an_agents_attribution_line_with_another_verb_is_ai(repo: RepoBuilder, shape: str) -> None:
    """Finding 2: the agent's own line "Made with / Made by / Created with / Created by / Written by / Written with
    <agent>" on a line of its own is the same declaration as "Generated with <agent>", read by the same rules (the
    label exact, or only its product's and model words after it, or after words saying it helped)."""
    footer, agent = FOOTERS[shape]
    message = f"fix(prebuilt): default ToolRuntime tools to empty list (#7650)\n\nMakes the default a list.\n\n{footer}\n"
    result = _origin(repo, message, author=("Eugene Y", "eugene@example.org"))
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence
    assert any(e.rule == "footer" for e in result.evidence), result.evidence


@pytest.mark.parametrize(("footer", "agent"), [("GENERATED WITH CLAUDE CODE", "claude-code"),
                                               ("Made By Open SWE", "open-swe")])
def test_a_footer_in_capitals_counts_in_a_message_without_a_colon(repo: RepoBuilder, footer: str, agent: str) -> None:
    """The footer is read in any case, but the quick test before it (is there a verb at all?) read only lower case:
    a message with no colon anywhere (no URL, no `type:` subject) held no footer. Found on reading the change again."""
    message = f"Default the tools to an empty list\n\nMakes the default a list.\n\n{footer}\n"
    result = _origin(repo, message, author=("Eugene Y", "eugene@example.org"))
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence


def test_the_new_verbs_count_in_the_trailer_block_and_in_a_crlf_message(repo: RepoBuilder) -> None:
    """Finding 2, where the line sits: last before the co-authors (git reads no trailer there), and in a message
    whose lines end in CRLF."""
    result = _origin(repo, "feat: add the bar\r\n\r\nMade with [Cursor](https://cursor.com)\r\n")
    assert result.ai is AIInvolvement.ASSISTED and result.agent and result.agent.id == "cursor", result.evidence
    result = _origin(repo, "feat: add the bar\n\nDone.\n\nWritten by Claude\nSigned-off-by: Ann <ann@example.org>\n")
    assert result.ai is AIInvolvement.ASSISTED and result.agent and result.agent.id == "claude-code", result.evidence


PROSE = {
    "only the message was generated": "(Commit message generated by Copilot)",
    "a package": "created by the net/http package.",
    "a person": "Created by Deepan Kumar (@deepan-g2)",
    "a person named like an agent": "Written by Claude Monet",
    "git's own words": "written by the reftable backend.",
    "a tool of no agent": "Made with [Mend Renovate](https://mend.io/renovate)",
    "denied": "Written by hand, not Copilot",
    "prose after the label": "Made with Cursor in mind, for its users",
    "a label as an everyday word": "created by a script to continue",
    "words before the verb": "This page was made with Cursor",
    "an agent's label in a link text that is not the footer": "See the docs made by [Open SWE](https://example.org) x",
}


@pytest.mark.parametrize("shape", sorted(PROSE))
def test_prose_with_the_new_verbs_stays_human(repo: RepoBuilder, shape: str) -> None:
    """Guard for finding 2's fix: the line must be the attribution itself — the whole line the verb and an agent
    named as the footer rules say; a message that says only its message was generated, packages, people (named
    like an agent or not), denials and prose stay human."""
    result = _origin(repo, f"docs: update the guide\n\n{PROSE[shape]}\n")
    assert result.ai is AIInvolvement.NONE, result.evidence


STILL_AI = {
    "Claude Code's footer": ("\U0001f916 Generated with [Claude Code](https://claude.com/claude-code)", "claude-code"),
    "generated by, plain": ("Generated by Gemini 2.5 Pro", "gemini"),
    "Made-with trailer": ("Made-with: Cursor", "cursor"),
    "agent co-author": (f"Co-Authored-By: Claude Opus 4.6 <{ANTHROPIC}>", "claude-code"),
}


@pytest.mark.parametrize("shape", sorted(STILL_AI))
def test_the_shapes_that_counted_still_count(repo: RepoBuilder, shape: str) -> None:
    """Guard: widening the footer's verbs leaves the "Generated with/by" footer, the `Made-with:` trailer and the
    agent co-author as they were."""
    line, agent = STILL_AI[shape]
    result = _origin(repo, f"feat: add the bar\n\nBody.\n\n{line}\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence


def test_the_audit_reports_the_new_footers_and_apps_as_the_gate_does(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """Finding 2 in `gatekeeper audit`: its fast path decides on raw bytes that a commit carries no evidence
    (history._WORDS); without the new verbs it would write these commits `ai: none` whatever the gate says."""
    human = ("Pat Example", "pat@people.test")
    repo.commit("base\n", {"README": "r\n"}, author=human, committer=human)
    messages = {"cursor change": ("Made with [Cursor](https://cursor.com)", "cursor"),
                "deep agents change": ("Created with [Deep Agents\nCLI](https://docs.langchain.com/x)", "deepagents"),
                "copilot change": ("(Written by Copilot)", "copilot")}
    for i, (subject, (line, _)) in enumerate(messages.items()):
        repo.commit(f"{subject}\n\nBody.\n\n{line}\n", {f"f{i}.txt": f"{i}\n"}, author=human, committer=human)
    repo.commit("swe change\n", {"g.txt": "g\n"}, author=("open-swe[bot]", "215916821+open-swe[bot]" + NOREPLY),
                committer=human)
    repo.commit("plain change\n\nmade by hand\n", {"h.txt": "h\n"}, author=human, committer=human)
    data = audit(capsys, repo.path)
    by_subject = {c["subject"]: c for c in data["commits"]}
    for subject, (_, agent) in {**messages, "swe change": ("", "open-swe")}.items():
        record = by_subject[subject]
        assert record["origin"]["ai"] in ("assisted", "generated"), (subject, record["origin"])
        assert [a["id"] for a in record["ai"]["agents"]] == [agent], (subject, record["ai"])
    assert by_subject["plain change"]["origin"]["ai"] == "none"
