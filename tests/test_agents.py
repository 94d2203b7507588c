"""AI agents by exact evidence: the identity table, vendor markers, git-ai notes and Agent Trace records,
on real commits; humans named like agents (or working at an AI vendor) are never agents."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from gatekeeper import origin
from gatekeeper.cli import run
from gatekeeper.git import Git
from gatekeeper.models import AIInvolvement, DeviceClass
from gatekeeper.origin.agents import AGENTS, match_identity, match_value
from gatekeeper.origin.ai import AGENT_TRACE_REF, AI_NOTES_REF, assisted_by_agent, parse_assisted_by
from gatekeeper.origin.attribution import parse_agent_trace, parse_git_ai
from gatekeeper.origin.base import OriginContext
from tests.repo_builder import RepoBuilder

SCHEMA = json.loads((Path(__file__).parents[1] / "gatekeeper" / "schema" / "verdict.schema.json").read_text())
MOBILE = (DeviceClass.MOBILE, DeviceClass.TABLET)

IDENTITIES = [
    # (name, email, expected agent or None, expected rule)
    ("Claude", "noreply@anthropic.com", "claude-code", "email"),
    ("Claude Opus 5", "NoReply@Anthropic.com", "claude-code", "email"),
    ("claude[bot]", "209825114+claude[bot]@users.noreply.github.com", "claude-code", "github-bot-id"),
    ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com", "copilot", "github-bot-id"),
    ("Copilot", "175728472+Copilot@users.noreply.github.com", "copilot", "github-bot-id"),
    ("Copilot App", "223556219+Copilot@users.noreply.github.com", "copilot", "github-bot-id"),
    ("Cursor Agent", "cursoragent@cursor.com", "cursor", "email"),
    ("Devin", "158243242+devin-ai-integration[bot]@users.noreply.github.com", "devin", "github-bot-id"),
    ("devin-ai-integration[bot]", "devin-ai-integration[bot]@users.noreply.github.com", "devin", "github-app-login"),
    ("google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com", "jules", "github-bot-id"),
    ("Codex", "codex@openai.com", "codex", "email"),
    ("Codex", "noreply@openai.com", "codex", "email"),
    ("Junie", "junie@jetbrains.com", "junie", "email"),
    ("Jo", "jo@jetbrains.com", None, None),
    ("chatgpt-codex-connector[bot]", "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com", "codex",
     "github-bot-id"),
    ("gemini-code-assist[bot]", "176961590+gemini-code-assist[bot]@users.noreply.github.com", "gemini", "github-bot-id"),
    ("gemini-code-assist[bot]", "bot@example.com", "gemini", "github-app-name"),
    ("gemini-cli[bot]", "218312386+gemini-cli[bot]@users.noreply.github.com", "gemini", "github-bot-id"),
    ("OpenHands", "opendevin@all-hands.dev", "openhands", "email"),
    ("OpenDevin", "opendevin@opendevin.ai", "openhands", "email"),
    ("OpenDevinBot", "bot@opendevin.com", "openhands", "email"),
    ("Cline Evaluation", "cline@example.com", None, None),  # its evaluation harness's placeholder (red105)
    ("Cline Bot", "bot@cline.bot", "cline", "email"),
    ("cline-cloud[bot]", "276134852+cline-cloud[bot]@users.noreply.github.com", "cline", "github-bot-id"),
    ("Roo Code", "roomote@roocode.com", "roo-code", "email"),
    ("roomote[bot]", "219738659+roomote[bot]@users.noreply.github.com", "roo-code", "github-bot-id"),
    ("roomote-v0[bot]", "219738659+roomote-v0[bot]@users.noreply.github.com", "roo-code", "github-bot-id"),
    ("ellipsis-dev[bot]", "65095814+ellipsis-dev[bot]@users.noreply.github.com", "ellipsis", "github-bot-id"),
    ("greptile-apps[bot]", "165735046+greptile-apps[bot]@users.noreply.github.com", "greptile", "github-bot-id"),
    ("Roomote Bot", "chris@roocode.com", None, None),
    ("cubic-dev-ai[bot]", "191113872+cubic-dev-ai[bot]@users.noreply.github.com", "cubic", "github-bot-id"),
    ("codebeaver-ai[bot]", "192081515+codebeaver-ai[bot]@users.noreply.github.com", "codebeaver", "github-bot-id"),
    ("codeflash-ai[bot]", "148906541+codeflash-ai[bot]@users.noreply.github.com", "codeflash", "github-bot-id"),
    ("hyperlint-ai[bot]", "154288675+hyperlint-ai[bot]@users.noreply.github.com", "hyperlint", "github-bot-id"),
    ("open-swe[bot]", "215916821+open-swe[bot]@users.noreply.github.com", "open-swe", "github-bot-id"),
    ("open-swe[bot]", "open-swe@users.noreply.github.com", "open-swe", "github-app-name"),
    ("open-swe", "open-swe@users.noreply.github.com", None, None),
    ("Replit Agent", "agent@replit.com", "replit", "email"),
    ("Jo", "jo@users.noreply.replit.com", None, None),
    ("Warp", "agent@warp.dev", "warp", "email"),
    ("GLM 5.1", "noreply@z.ai", "glm", "email"),
    ("v0[bot]", "v0[bot]@users.noreply.github.com", "v0", "email"),
    ("windsurf-bot[bot]", "189301087+windsurf-bot[bot]@users.noreply.github.com", "windsurf", "github-bot-id"),
    ("amazon-q-developer[bot]", "208079219+amazon-q-developer[bot]@users.noreply.github.com", "amazon-q",
     "github-bot-id"),
    ("factory-droid[bot]", "138933559+factory-droid[bot]@users.noreply.github.com", "factory", "github-bot-id"),
    ("coderabbitai[bot]", "136622811+coderabbitai[bot]@users.noreply.github.com", "coderabbit", "github-bot-id"),
    ("sourcery-ai[bot]", "58596630+sourcery-ai[bot]@users.noreply.github.com", "sourcery", "github-bot-id"),
    ("Copilot Autofix powered by AI", "62310815+github-advanced-security[bot]@users.noreply.github.com", "copilot",
     "github-bot-id"),
    ("gemini-cli[bot]", "gemini-cli[bot]@users.noreply.github.com", "gemini", "github-app-login"),
    ("openhands", "openhands@all-hands.dev", "openhands", "email"),
    ("Amp", "amp@ampcode.com", "amp", "email"),
    ("Cline", "noreply@cline.bot", "cline", "email"),
    ("aider (gpt-5)", "aider@aider.chat", "aider", "email"),
    ("Paul Gauthier (aider)", "paul@aider.chat", "aider", "aider-suffix"),
    ("Qwen-Coder", "qwen-coder@alibabacloud.com", "qwen-code", "email"),
    ("Crush", "crush@charm.land", "crush", "email"),
    ("\U0001f498 Crush", "noreply@crush.charm.land", "crush", "email"),
    ("termai", "noreply@termai.io", "crush", "email"),  # Crush's earlier name
    ("Continue", "noreply@continue.dev", "continue", "email"),
    ("Continue Agent", "agent@continue.dev", "continue", "email"),
    ("continue[bot]", "230936708+continue[bot]@users.noreply.github.com", "continue", "github-bot-id"),
    ("continue[bot]", "continue[bot]@users.noreply.github.com", "continue", "github-app-login"),
    ("Mistral Vibe", "vibe@mistral.ai", "mistral-vibe", "email"),  # python-sdk's history (red119's follow-up)
    ("Codebuff", "noreply@codebuff.com", "codebuff", "email"),  # ipython's history
    ("Gr\u00e9goire Verdier", "gregoire.verdier@mistral.ai", None, None),  # a Mistral employee is a person
    ("Sisyphus", "clio-agent@sisyphuslabs.ai", "sisyphus", "email"),  # jellyfin's history (fix135o)
    ("Claude Assistant", "claude@anthropic.com", "claude-code", "email"),  # documenso's history (fix135o)
    # origin148: agents' own identities in six AI-era histories
    ("Augment Agent", "noreply@augmentcode.com", "augment", "email"),  # spec-kit's history
    ("Auggie (GPT-5)", "noreply@augmentcode.com", "augment", "email"),
    ("BLACKBOX Agent", "code@blackbox.ai", "blackbox", "email"),  # langfuse's history
    ("Nori", "contact@tilework.tech", "nori", "email"),  # beads' history
    ("OmX", "omx@oh-my-codex.dev", "omx", "email"),  # spec-kit's history
    ("SageOx", "ox@sageox.ai", "sageox", "email"),  # beads' history
    ("depthfirst-app[bot]", "184448029+depthfirst-app[bot]@users.noreply.github.com", "depthfirst", "github-bot-id"),
    ("Jo", "jo@augmentcode.com", None, None),  # the vendors' people
    ("Nori", "nori@tilework.tech", None, None),
    ("Blackbox Fan", "blackbox@example.com", None, None),
    ("depthfirst", "12345+depthfirst-app[bot]@users.noreply.github.com", None, None),  # another account's id
    # origin150: six more AI-era histories
    ("Letta Code", "noreply@letta.com", "letta-code", "email"),  # letta's history
    ("Letta Bot", "noreply@letta.com", "letta-code", "email"),  # GitHub's name for the address, on squashes
    ("letta-code", "248085862+letta-code@users.noreply.github.com", "letta-code", "github-bot-id"),  # its Action
    ("Mastra Code (anthropic/claude-opus-4-6)", "noreply@mastra.ai", "mastra-code", "email"),  # stagehand's history
    ("Copilot Autofix powered by AI", "223894421+github-code-quality[bot]@users.noreply.github.com", "copilot",
     "github-bot-id"),  # crewAI's history
    ("Jin", "jin@letta.com", None, None),  # the vendors' people
    ("Letta Code", "letta@people.test", None, None),  # the name alone
    ("letta-code", "1234+letta-code@users.noreply.github.com", None, None),  # the login under another account's id
    ("letta-code", "letta-code@users.noreply.github.com", None, None),  # a user's login without its id
    ("Someone", "248085862+someone@users.noreply.github.com", None, None),  # the id under another login
    ("Mastra Code", "hello@mastra.ai", None, None),
    # origin160: six more AI-era histories (and CodeRabbit's from the held-out pair)
    ("codegen-sh[bot]", "131295404+codegen-sh[bot]@users.noreply.github.com", "codegen-sh", "github-bot-id"),  # Peekaboo
    ("pullfrog[bot]", "226033991+pullfrog[bot]@users.noreply.github.com", "pullfrog", "github-bot-id"),  # ccusage
    ("Vibe Kanban", "noreply@vibekanban.com", "vibe-kanban", "email"),  # vibe-kanban
    ("CodeRabbit", "noreply@coderabbit.ai", "coderabbit", "email"),  # Archon
    ("Louis", "louis@vibekanban.com", None, None),  # the vendors' people
    ("Someone", "226033991+someone@users.noreply.github.com", None, None),  # the id under another login
    ("pullfrog", "pullfrog@users.noreply.github.com", None, None),  # a user's login without its id
    # humans: names, vendor domains and look-alike addresses are not evidence
    ("Claude", "claude@example.com", None, None),
    ("Claude Monet", "monet@example.com", None, None),
    ("Devin Smith", "devin@example.com", None, None),
    ("Jules Verne", "jules@example.com", None, None),
    ("Gemini Jones", "gemini@example.com", None, None),
    ("Jo", "jo@openai.com", None, None),
    ("Sam", "sam@cursor.com", None, None),
    ("Aider Fan", "aider@example.com", None, None),
    ("Paul Gauthier", "aider@paulg.org", None, None),
    ("Paul Gauthier", "paul@aider.chat", None, None),
    ("Copilot", "12345+Copilot@users.noreply.github.com", None, None),  # another account's id
    ("Copilot", "Copilot@users.noreply.github.com", None, None),  # not a bot login without its id
    ("Ashwin", "ashwin@anthropic.com", None, None),
    ("Cursor", "cursor@example.com", None, None),
    ("Qwen", "qwen@alibabacloud.com", None, None),
    ("Crush", "crush@example.com", None, None),
    ("Continue Agent", "nate@continue.dev", None, None),  # a person's address at the vendor, whatever the name
    ("Continue", "continue@example.com", None, None),
]


@pytest.mark.parametrize(("name", "email", "agent", "rule"), IDENTITIES)
def test_identity_table(name: str, email: str, agent: str | None, rule: str | None) -> None:
    found = match_identity(name, email)
    assert (found.agent if found else None, found.rule if found else None) == (agent, rule)


def test_table_is_well_formed() -> None:
    ids = [a.id for a in AGENTS]
    assert len(ids) == len(set(ids))
    for agent in AGENTS:
        assert agent.id == agent.id.lower() and agent.name
        assert all(e == e.lower() and "@" in e for e in agent.emails)
        assert all(login == login.lower() and account > 0 for account, login in agent.github_bots)


def test_models_from_identities() -> None:
    assert match_value("Claude Opus 5 <noreply@anthropic.com>").model == "Claude Opus 5"
    assert match_value("Claude <noreply@anthropic.com>").model is None
    assert match_value("aider (vertex_ai/gemini-2.5-pro) <noreply@aider.dev>").model == "vertex_ai/gemini-2.5-pro"


def test_policy_identities() -> None:
    extra = ("bot@corp.example", "*@agents.corp.example", "build assistant")
    assert match_identity("X", "Bot@Corp.Example", extra).rule == "policy"
    assert match_identity("X", "a1@agents.corp.example", extra).agent == "*@agents.corp.example"
    assert match_identity("Build  Assistant", "ba@corp.example", extra).agent == "build assistant"
    assert match_identity("Y", "human@corp.example", extra) is None
    assert match_identity("Y", "x@notagents.corp.example", extra) is None


def test_kernel_assisted_by() -> None:
    assert parse_assisted_by("Claude:claude-3-opus coccinelle sparse") == ("claude-code", "claude-3-opus")
    assert parse_assisted_by("Cursor:cursor-grok-4.5") == ("cursor", "cursor-grok-4.5")
    assert parse_assisted_by("SomeTool:model-x") == ("SomeTool", "model-x")
    assert parse_assisted_by("codex-mobile/0.3") == (None, None)


@pytest.mark.parametrize(("value", "named"), [
    # Crush's own forms (charmbracelet/crush history): an identity at its address, the model before " via ".
    ("Claude Opus 4.5 via Crush <crush@charm.land>", ("crush", "Claude Opus 4.5")),
    ("Gemini 3 Flash (Preview) via Crush <crush@charm.land>", ("crush", "Gemini 3 Flash (Preview)")),
    ("Charm Crush <crush@charm.land>", ("crush", None)),
    ("Crush", ("crush", None)),
    ("Claude Sonnet 4.5 via Crush", ("crush", "Claude Sonnet 4.5")),
    ("Claude <noreply@anthropic.com>", ("claude-code", None)),
    ("Crush:qwen3.7-max", ("crush", "qwen3.7-max")),  # the kernel form first
    # Words that name no agent stay unnamed: a known agent's address or label is the only evidence of which.
    ("Claude Fable 5", (None, None)),
    ("codex-mobile/0.3", (None, None)),
    # A declaration's words may label it (agents.py): the name before an address that is no agent's still does.
    ("GPT-5 via Crush <crush@example.com>", ("crush", "GPT-5")),
    ("Crush <crush@example.com>", ("crush", None)),
    ("Claude Fable 5 <fable@example.com>", (None, None)),
    ("my script via a pipe", (None, None)),
])
def test_assisted_by_names_the_agent_in_the_forms_tools_write(value: str,
                                                             named: tuple[str | None, str | None]) -> None:
    assert assisted_by_agent(value) == named
    # Only the kernel form is the normalised trailer `ai.require_assisted_by` asks for.
    assert (parse_assisted_by(value)[0] is not None) == (":" in value and "<" not in value)


CASES = {
    # message, author, expected ai, agent, model, session, evidence sources
    "Claude-Generated-By": ("fix\n\nClaude-Generated-By: Claude Code (claude-opus-4=100%)\n", None,
                            AIInvolvement.ASSISTED, "claude-code", "claude-opus-4", None, {"ai/marker"}),
    # Each model with where it ran and its share (anthropics/claude-code-action: red105).
    "Claude-Generated-By with two models": (
        "fix\n\nClaude-Generated-By: Claude Code (cli/claude-opus-4-5=60%, cli/claude-sonnet-4-5=40%)\n", None,
        AIInvolvement.ASSISTED, "claude-code", "claude-opus-4-5, claude-sonnet-4-5", None, {"ai/marker"}),
    "co-author then a separate Copilot-Session paragraph": (
        "fix(repos): label\n\nBody.\n\nCo-authored-by: Copilot App <223556219+Copilot@users.noreply.github.com>\n\n"
        "Copilot-Session: 21420b11-5dae-49b6-ac77-965faec7f88b\n", None,
        AIInvolvement.ASSISTED, "copilot", None, "21420b11-5dae-49b6-ac77-965faec7f88b", {"ai/co-author", "ai/marker"}),
    "indented co-author next to a Claude Code footer": (
        "Squash (#143)\n\n* Add tools\n\n  🤖 Generated with [Claude Code](https://claude.ai/code)\n\n"
        "  Co-Authored-By: Claude <noreply@anthropic.com>\n\n* rebase\n", None,
        AIInvolvement.ASSISTED, "claude-code", None, None, {"ai/co-author", "ai/marker"}),
    "Claude-Session with a model in the co-author": (
        "fix\n\nCo-Authored-By: Claude Opus 5 <noreply@anthropic.com>\n"
        "Claude-Session: https://claude.ai/code/session_01QjGCKib6MQ2SozLNAjfniK\n", None,
        AIInvolvement.ASSISTED, "claude-code", "Claude Opus 5", "https://claude.ai/code/session_01QjGCKib6MQ2SozLNAjfniK",
        {"ai/co-author", "ai/marker"}),
    "kernel Assisted-by": ("fix\n\nAssisted-by: Claude:claude-3-opus coccinelle\nSigned-off-by: Dev <dev@example.com>\n",
                           None, AIInvolvement.ASSISTED, "claude-code", "claude-3-opus", None, {"ai/trailer"}),
    "Generated-by": ("fix\n\nGenerated-by: claude-code\n", None, AIInvolvement.GENERATED, None, None, None,
                     {"ai/trailer"}),
    "Agent-Logs-Url": ("fix\n\nAgent-Logs-Url: https://github.com/o/r/sessions/53221b0b\n"
                       "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\n", None,
                       AIInvolvement.ASSISTED, "copilot", None, "https://github.com/o/r/sessions/53221b0b",
                       {"ai/marker", "ai/co-author"}),
    "Made-with: Cursor": ("fix\n\nMade-with: Cursor\n", None, AIInvolvement.ASSISTED, "cursor", None, None,
                          {"ai/marker"}),
    "Replit agent": ("Clean up .replit configuration\n\nReplit-Commit-Author: Agent\n"
                     "Replit-Commit-Session-Id: 8530e9e7-1\n", None, AIInvolvement.GENERATED, "replit", None,
                     "8530e9e7-1", {"ai/marker"}),
    "Entire checkpoint": ("fix\n\nEntire-Checkpoint: a3b2c4d5e6f7\n", None, AIInvolvement.ASSISTED, "entire", None,
                          "entire-checkpoint: a3b2c4d5e6f7", {"ai/marker"}),
    "Amp thread": ("fix\n\nAmp-Thread-ID: https://ampcode.com/threads/T-1\nCo-authored-by: Amp <amp@ampcode.com>\n",
                   None, AIInvolvement.ASSISTED, "amp", None, "https://ampcode.com/threads/T-1",
                   {"ai/marker", "ai/co-author"}),
    "Devin footer": ("fix\n\nGenerated with [Devin](https://devin.ai)\n\nCo-Authored-By: Devin "
                     "<158243242+devin-ai-integration[bot]@users.noreply.github.com>\n", None,
                     AIInvolvement.ASSISTED, "devin", None, None, {"ai/marker", "ai/co-author"}),
    "agent author": ("fix\n", ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"),
                     AIInvolvement.GENERATED, "copilot", None, None, {"ai/author"}),
    "aider suffix": ("fix\n", ("Paul Gauthier (aider)", "aider@paulg.org"), AIInvolvement.ASSISTED, "aider", None,
                     None, {"ai/author"}),
    "aider's human maintainer": ("fix\n", ("Paul Gauthier", "aider@paulg.org"), AIInvolvement.NONE, None, None, None,
                                 set()),
    "human Claude co-author": ("fix\n\nCo-authored-by: Claude Monet <monet@example.com>\n", None, AIInvolvement.NONE,
                               None, None, None, set()),
    "human named Devin": ("fix\n", ("Devin Smith", "devin@example.com"), AIInvolvement.NONE, None, None, None, set()),
    "OpenAI employee co-author": ("fix\n\nCo-authored-by: Jo <jo@openai.com>\n", None, AIInvolvement.NONE, None, None,
                                  None, set()),
    "golang's 'This CL was generated with:'": ("all: fix\n\nThis CL was generated with:\n\n\tgo generate\n", None,
                                               AIInvolvement.NONE, None, None, None, set()),
    "unknown Made-with": ("fix\n\nMade-with: love\n", None, AIInvolvement.NONE, None, None, None, set()),
    # claude-agent-sdk-python's squash commits: an italic "Generated by" footer, its label wrapped onto a second line.
    "italic Generated-by footer, wrapped": (
        "Release v0.1.9 (#300)\n\nNotes.\n\n---\n_Generated by [Claude\nCode](https://claude.ai/code/session_01QH)_\n",
        None, AIInvolvement.ASSISTED, "claude-code", None, None, {"ai/marker"}),
    "Continue footer and co-author": (
        "fix\n\nGenerated with [Continue](https://continue.dev)\n\nCo-authored-by: Continue <noreply@continue.dev>\n",
        None, AIInvolvement.ASSISTED, "continue", None, None, {"ai/marker", "ai/co-author"}),
    "Crush's Assisted-by with its address": (
        "fix\n\nAssisted-by: AWS Claude Opus 4.5 via Crush <crush@charm.land>\n", None, AIInvolvement.ASSISTED,
        "crush", "AWS Claude Opus 4.5", None, {"ai/trailer"}),
    # charmbracelet/crush 437d275: a message quoting the kernel's form, placeholders and all, outside its trailers.
    "the Assisted-by form quoted in prose": (
        "fix: follow the `Assisted-by` spec\n\nAccording to the SPEC it should be:\n\n"
        "    Assisted-by: AGENT_NAME:MODEL_VERSION\n\nSee:\n\nhttps://docs.kernel.org/process/coding-assistants.html\n",
        None, AIInvolvement.NONE, None, None, None, set()),
    "generated by a tool that is no agent": ("gen: update\n\nGenerated by protoc\n", None, AIInvolvement.NONE, None,
                                            None, None, set()),
    "backup files generated by pkg": ("fix: remove some backup files generated by pkg if present\n", None,
                                      AIInvolvement.NONE, None, None, None, set()),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_ai_evidence_on_real_commits(name: str, repo: RepoBuilder) -> None:
    message, author, ai, agent, model, session, sources = CASES[name]
    sha = repo.commit(message, author=author, allow_empty=True)
    (commit,) = Git(repo.path).commits([sha])
    result, _ = origin.detect(commit, OriginContext(), MOBILE)
    assert result.ai is ai
    assert {e.source for e in result.evidence if e.ai is not None} == sources
    if agent is None:
        assert result.agent is None or result.agent.id != agent
    else:
        assert result.agent is not None and result.agent.id == agent
        assert result.agent.model == model
        assert result.agent.session == session
        assert result.agent.rule


@pytest.mark.parametrize(("committer", "ai", "agent"), [
    (("Paul Gauthier (aider)", "aider@paulg.org"), AIInvolvement.NONE, None),  # aider committed the human's edits
    (("GitHub", "noreply@github.com"), AIInvolvement.NONE, None),
    (("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"), AIInvolvement.ASSISTED, "copilot"),
])
def test_committer_identity(repo: RepoBuilder, committer: tuple[str, str], ai: AIInvolvement,
                            agent: str | None) -> None:
    sha = repo.commit("fix\n", author=("Paul Gauthier", "aider@paulg.org"), committer=committer, allow_empty=True)
    (commit,) = Git(repo.path).commits([sha])
    result, _ = origin.detect(commit, OriginContext(), MOBILE)
    assert result.ai is ai
    assert (result.agent.id if result.agent else None) == agent


GIT_AI_NOTE = """src/app.py
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
  h_31dce776f88375 21-30
"src/my file.py"
  abcd1234abcd1234 1-5
---
{
  "schema_version": "authorship/3.0.0",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {"abcd1234abcd1234": {"agent_id": {"tool": "cursor", "id": "conv-1", "model": "gpt-5"},
              "total_additions": 5, "total_deletions": 0, "accepted_lines": 5, "overriden_lines": 0}},
  "humans": {"h_31dce776f88375": {"author": "Dev <dev@example.com>"}},
  "sessions": {"s_c9883b05a2487d": {"agent_id": {"tool": "claude", "id": "conv_abc", "model": "claude-sonnet-4-5"}}}
}
"""


def _trace(sha: str, path: str = "src/app.py") -> str:
    return json.dumps({
        "version": "0.1.0", "id": "550e8400-e29b-41d4-a716-446655440000", "timestamp": "2026-01-23T14:30:00Z",
        "vcs": {"type": "git", "revision": sha}, "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [{"path": path, "conversations": [
            {"url": "https://api.cursor.com/v1/conversations/12345",
             "contributor": {"type": "ai", "model_id": "anthropic/claude-opus-4-5"},
             "ranges": [{"start_line": 42, "end_line": 67}, {"start_line": 70, "end_line": 70,
                                                              "contributor": {"type": "human"}}]}]}]})


def test_parse_git_ai_note() -> None:
    sessions = parse_git_ai(GIT_AI_NOTE)
    assert sessions is not None
    by_tool = {s.tool: s for s in sessions}
    assert by_tool["claude"].lines == (("src/app.py", "1-10,15-20"),)
    assert by_tool["claude"].model == "claude-sonnet-4-5" and by_tool["claude"].session == "conv_abc"
    assert by_tool["cursor"].lines == (("src/my file.py", "1-5"),)
    assert parse_git_ai("not a note") is None
    assert parse_git_ai("a.py\n  s_ab12cd34ef5678 1-2\n---\n{\"schema_version\": \"authorship/9.0\"}") is None


def test_parse_agent_trace() -> None:
    sha = "a" * 40
    (session,) = parse_agent_trace(_trace(sha), sha) or []
    assert session.lines == (("src/app.py", "42-67"),)  # the human range is not the agent's
    assert session.model == "anthropic/claude-opus-4-5" and session.tool == "cursor"
    assert parse_agent_trace(_trace("b" * 40), sha) is None  # a record about another revision
    assert parse_agent_trace("[1, {\"version\": 3}]", sha) is None


def test_notes_give_ai_lines_and_paths(repo: RepoBuilder) -> None:
    sha = repo.commit("plain subject\n", {"src/app.py": "x\n"})
    other = repo.commit("another\n", {"src/b.py": "y\n"})
    repo.note(sha, GIT_AI_NOTE, ref=AI_NOTES_REF)
    repo.note(other, _trace(other, "src/b.py"), ref=AGENT_TRACE_REF)
    git = Git(repo.path)
    commits = {c.sha: c for c in git.commits([other])}
    ctx = OriginContext(ai_notes=git.notes([sha, other], AI_NOTES_REF), trace_notes=git.notes([sha, other],
                                                                                               AGENT_TRACE_REF))
    first, _ = origin.detect(commits[sha], ctx, MOBILE)
    assert first.ai is AIInvolvement.ASSISTED
    assert first.ai_paths == frozenset({"src/app.py", "src/my file.py"})
    assert first.agent is not None and first.agent.id in ("claude-code", "cursor")
    second, _ = origin.detect(commits[other], ctx, MOBILE)
    assert second.ai_paths == frozenset({"src/b.py"})
    assert second.agent is not None and second.agent.id == "cursor" and second.agent.source == "ai/agent-trace"


ZONE_POLICY = """\
version: 1
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 1}}
  default: {scanners: [], block_at: critical}
zones:
  - {name: payments, paths: ["pay/**"], ai: block}
"""


def _check(repo: RepoBuilder, base: str) -> tuple[int, dict]:
    policy = repo.path.parent / "policy.yml"
    policy.write_text(ZONE_POLICY)
    out = repo.path.parent / "out.json"
    code = run(["check", "--repo", str(repo.path), "--policy", str(policy), "--base", base, "--format", "json",
                "--output", str(out)])
    data = json.loads(out.read_text())
    jsonschema.validate(data, SCHEMA)
    return code, data


def test_zone_ai_applies_to_the_paths_holding_ai_lines(repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {"README": "r\n"})
    # The agent wrote src/app.py only; pay/ledger.py in the same commit is the human's: the zone allows it.
    human_zone = repo.commit("mixed\n", {"src/app.py": "a\n", "pay/ledger.py": "l\n"})
    repo.note(human_zone, GIT_AI_NOTE, ref=AI_NOTES_REF)
    code, data = _check(repo, base)
    assert code == 0, data["findings"]
    (report,) = data["commits"]
    assert report["origin"]["ai"] == "assisted" and report["origin"]["ai_paths"] == ["src/app.py", "src/my file.py"]
    assert any(e.get("ai_lines") for e in report["origin"]["evidence"])
    # An agent-written line in the zone blocks.
    ai_zone = repo.commit("agent edit\n", {"pay/ledger.py": "l2\n"})
    repo.note(ai_zone, GIT_AI_NOTE.replace("src/app.py", "pay/ledger.py"), ref=AI_NOTES_REF)
    code, data = _check(repo, human_zone)
    assert code == 1
    assert [f["path"] for f in data["findings"] if f["rule_id"] == "policy/zone-violation"] == ["pay/ledger.py"]
    # Commit-level evidence only (a co-author): the whole commit counts, as before.
    coauthored = repo.commit("fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", {"pay/x.py": "x\n"})
    code, data = _check(repo, ai_zone)
    assert code == 1
    (report,) = data["commits"]
    assert report["origin"]["agent"] == {"id": "claude-code", "model": None, "session": None, "rule": "email",
                                         "source": "ai/co-author"}
    assert report["origin"]["ai_paths"] is None
    assert coauthored == report["sha"]


AI_RULES_POLICY = """\
version: 1
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 1}}
  default: {scanners: [], block_at: critical}
ai: {require_assisted_by: true, refuse_agent_signoff: true}
"""


def test_ai_attribution_rules(repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {"README": "r\n"})
    missing = repo.commit("fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", {"a": "1"})
    with_model = repo.commit("fix\n\nCo-authored-by: Claude Opus 5 <noreply@anthropic.com>\n", {"a2": "1"})
    normalised = repo.commit("fix\n\nAssisted-by: Claude:claude-opus-4 coccinelle\n", {"b": "2"})
    not_normalised = repo.commit("fix\n\nAssisted-by: codex-mobile/0.3\n", {"c": "3"})
    agent_signoff = repo.commit("fix\n\nAssisted-by: Claude:claude-opus-4\n"
                                "Signed-off-by: Claude <noreply@anthropic.com>\n", {"d": "4"})
    human = repo.commit("fix\n\nSigned-off-by: Dev Eloper <dev@example.com>\n", {"e": "5"})
    policy = repo.path.parent / "policy.yml"
    policy.write_text(AI_RULES_POLICY)
    out = repo.path.parent / "out.json"
    code = run(["check", "--repo", str(repo.path), "--policy", str(policy), "--base", base, "--format", "json",
                "--output", str(out)])
    data = json.loads(out.read_text())
    jsonschema.validate(data, SCHEMA)
    assert code == 1
    by_rule: dict[str, set[str]] = {}
    for f in data["findings"]:
        by_rule.setdefault(f["rule_id"], set()).add(f["commit"])
        if f["rule_id"].startswith("ai/"):
            assert f["blocking"]
    assert by_rule.get("ai/assisted-by-missing") == {missing, with_model, not_normalised}
    assert by_rule.get("ai/agent-signoff") == {agent_signoff}
    assert not {normalised, human} & {c for ids in by_rule.values() for c in ids}
    text = next(f for f in data["findings"] if f["rule_id"] == "ai/assisted-by-missing" and f["commit"] == missing)
    assert "Assisted-by: claude-code:MODEL" in text["fix"]
    text = next(f for f in data["findings"] if f["rule_id"] == "ai/assisted-by-missing" and f["commit"] == with_model)
    assert "'Assisted-by: claude-code:claude-opus-5'" in text["fix"]  # a form the rule itself accepts


@pytest.mark.parametrize(("snippet", "message"), [
    ("ai: {require_assisted_by: yes-please}\n", "ai.require_assisted_by: expected true or false"),
    ("ai: {refuse_signoff: true}\n", "ai.refuse_signoff: unknown key"),
    ("ai: [require_assisted_by]\n", "ai: expected a mapping"),
])
def test_ai_rules_are_validated(snippet: str, message: str) -> None:
    from gatekeeper.config import parse_policy
    from gatekeeper.errors import ConfigError

    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        parse_policy("version: 1\n" + snippet, "p.yml")


def test_policy_init_template_documents_the_ai_rules() -> None:
    from gatekeeper.config import DEFAULT_POLICY_YAML, parse_policy

    assert "#   require_assisted_by: true" in DEFAULT_POLICY_YAML
    enabled = DEFAULT_POLICY_YAML.replace("# ai:\n#   require_assisted_by: true", "ai:\n  require_assisted_by: true")
    enabled = enabled.replace("#   refuse_agent_signoff: true", "  refuse_agent_signoff: true")
    policy = parse_policy(enabled)
    assert policy.ai.require_assisted_by and policy.ai.refuse_agent_signoff
    assert not parse_policy(DEFAULT_POLICY_YAML).ai.require_assisted_by


def test_agent_trace_records_committed_in_the_repository(repo: RepoBuilder) -> None:
    """The reference implementation appends records (version "1.0", vcs.revision = the HEAD the agent
    edited on) to .agent-trace/traces.jsonl; the records a commit adds describe that commit."""
    base = repo.commit("base\n", {"README": "r\n"})
    record = json.loads(_trace(base, "pay/ledger.py"))
    record["version"] = "1.0"
    elsewhere = dict(record, vcs={"type": "git", "revision": "c" * 40})  # about another revision: ignored
    first = repo.commit("agent edit\n", {"pay/ledger.py": "l\n", "src/ok.py": "o\n",
                                         ".agent-trace/traces.jsonl": json.dumps(record) + "\n"
                                         + json.dumps(dict(elsewhere, files=[{"path": "src/ok.py", "conversations": [
                                             {"contributor": {"type": "ai"},
                                              "ranges": [{"start_line": 1, "end_line": 1}]}]}])) + "\n"})
    second = repo.commit("human edit\n", {"src/ok.py": "o2\n"})  # does not touch the traces file
    code, data = _check(repo, base)
    assert code == 1  # the zone blocks the agent-written ledger
    reports = {r["sha"]: r["origin"] for r in data["commits"]}
    assert reports[first]["ai_paths"] == ["pay/ledger.py"]
    assert reports[first]["agent"]["id"] == "cursor" and reports[first]["agent"]["source"] == "ai/agent-trace"
    assert reports[second]["ai"] == "none"
    assert [f["path"] for f in data["findings"] if f["rule_id"] == "policy/zone-violation"] == ["pay/ledger.py"]


HOOK_AI_POLICY = """\
version: 1
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 1}}
  default: {scanners: [], block_at: critical}
zones:
  - {name: payments, paths: ["pay/**"], ai: block}
pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}
"""


def test_zone_ai_through_a_real_push(tmp_path: Path) -> None:
    """`zones: ai: block` on the server: an agent's co-authored change to the zone is refused; people
    named like agents, or working at an AI vendor, and aider's maintainer push freely."""
    from tests.hook_helpers import make_server, seed, spush

    server = make_server(tmp_path / "srv", policy=HOOK_AI_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    work.commit("pay: fix rounding\n\nCo-authored-by: Claude Monet <monet@example.com>\n"
                "Co-authored-by: Jo <jo@openai.com>\n", {"pay/a.py": "a = 1\n"},
                author=("Devin Smith", "devin@example.com"))
    work.commit("pay: tidy\n", {"pay/b.py": "b = 1\n"}, author=("Paul Gauthier", "aider@paulg.org"))
    result = spush(server, work, "origin", "main")
    assert result.code == 0, result.output
    agent = work.commit("pay: refactor\n\nCo-authored-by: Copilot App <223556219+Copilot@users.noreply.github.com>\n\n"
                        "Copilot-Session: 21420b11-5dae-49b6-ac77-965faec7f88b\n", {"pay/c.py": "c = 1\n"})
    result = spush(server, work, "origin", "main")
    assert result.code != 0
    assert any(line.startswith(f"  policy/zone-violation {agent[:12]}") and "pay/c.py" in line
               for line in result.remote), result.remote_text


def test_the_audit_counts_one_agent_under_one_id_whatever_form_its_assisted_by_takes(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """charmbracelet/crush's history listed "AWS Claude Opus 4.5 via Crush <crush@charm.land>", "Crush" and a dozen
    more as agents of their own beside `crush`: the audit's top agents now name it once; words that name no agent
    still stand in for it (the report shows what was declared)."""
    for n, value in enumerate(("Crush", "GLM-5 via Crush <crush@charm.land>", "Crush:glm-5.2", "Claude Fable 5")):
        repo.commit(f"change {n}\n\nAssisted-by: {value}\n", {f"f{n}.txt": f"{n}\n"})
    code = run(["audit", "--repo", str(repo.path), "--format", "json", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out[: out.rindex("}") + 1])
    assert {a["id"]: a["commits"] for a in data["summary"]["top_agents"]} == {"crush": 3, "Claude Fable 5": 1}
    models = {c["subject"]: [a["model"] for a in c["ai"]["agents"]] for c in data["commits"]}
    assert models["change 1"] == ["GLM-5"] and models["change 2"] == ["glm-5.2"] and models["change 0"] == [None]


@pytest.mark.parametrize("email", ["ai@example.com", "bot@sandbox.example.org", "agent@ci.example", "x@host.test",
                                   "a@b.invalid", "me@laptop.local", "me@localhost.localhost"])
def test_reserved_example_domains_are_placeholders(email: str) -> None:
    """An address on a domain reserved for examples is anyone's placeholder: the table may hold none (red105:
    cline@example.com), a project may still name one in origins.ai_identities."""
    from gatekeeper.origin import agents

    assert agents._reserved(email)
    assert not any(agents._reserved(e) for a in AGENTS for e in a.emails)
    assert match_identity("Sandbox", email, (email,)) is not None


@pytest.mark.parametrize("email", ["dev@examples.com", "ops@example.co.uk", "me@testing.io", "x@local.dev"])
def test_real_domains_that_look_reserved_are_not(email: str) -> None:
    from gatekeeper.origin import agents

    assert not agents._reserved(email)


@pytest.mark.parametrize(("name", "email", "model"), [
    ("OpenHands Bot", "openhands@all-hands.dev", None),
    ("OpenDevinBot", "bot@opendevin.com", None),
    ("Copilot Autofix powered by AI", "62310815+github-advanced-security[bot]@users.noreply.github.com", None),
    ("OpenHands-GPT-5", "openhands@all-hands.dev", "GPT-5"),
    ("Claude Opus 5", "noreply@anthropic.com", "Claude Opus 5"),
    ("Claude Opus 4.8 (1M context)", "noreply@anthropic.com", "Claude Opus 4.8 (1M context)"),
    ("GLM 5.1", "noreply@z.ai", "GLM 5.1"),
    ("aider (gpt-5)", "aider@aider.chat", "gpt-5"),
    ("Mastra Code (anthropic/claude-opus-4-6)", "noreply@mastra.ai", "anthropic/claude-opus-4-6"),  # origin150
    ("Auggie (GPT-5)", "noreply@augmentcode.com", "GPT-5"),
    ("Letta Bot", "noreply@letta.com", None),
    ("Claude Assistant", "claude@anthropic.com", None),  # origin160: serena's history
    ("Claude Agent", "claude@anthropic.com", None),
])
def test_a_display_name_is_a_model_only_when_it_names_one(name: str, email: str, model: str | None) -> None:
    found = match_identity(name, email)
    assert found is not None and found.model == model
