"""fix119: the class behind red119's two misses (tests/test_red119_hostile.py), beyond its examples.

1. A vendor's session link — the Codex cloud task link (`https://chatgpt.com/codex/tasks/task_…`) and the Claude Code
   on the web session link (`https://claude.ai/code/session_…`) — is AI evidence wherever the vendor writes it: a
   line of its own in the body or in the trailer block (where git reads a bare link as a trailer `https`), also
   quoted or as a list item, as `<link>` or as a markdown link alone on its line (`[Codex Task](…)`), in a CRLF
   message. Not evidence: a link inside prose (a bug report quoting a session), the product's page without a
   session (`https://claude.ai/code`), a longer path after the id, another host.
   Measured on the mirrors (every ref, 28 histories): the 641 bare Claude Code session links and 3 Codex task
   links all stand on a line of their own; no commit mentions one in prose.
2. A "Generated with/by …" footer naming a known agent in more words ("… from OpenAI Codex", "Claude CLI",
   gemini-cli's "yours truly __Gemini Code__") is assisted; tool footers naming no agent, and lower-case prose
   that happens to end in an agent's everyday-word label ("a script to continue"), stay human.
3. The audit's fast path, which decides on raw bytes that a commit carries no evidence, must not skip a commit
   whose only evidence is a session link: the audit reports it as the gate does.
"""

from __future__ import annotations

from functools import partial

import pytest

from gatekeeper.models import AIInvolvement, DeviceClass, Trust
from tests.audit_helpers import audit
from tests.origin_helpers import detect_origin
from tests.repo_builder import RepoBuilder

MOBILE = (DeviceClass.MOBILE, DeviceClass.TABLET)
TASK = "https://chatgpt.com/codex/tasks/task_e_" + "68a1" + "0123456789abcdef" + "0a1b2c3d4e5f"
SESSION = "https://claude.ai/code/session_01" + "AbCdEfGhJkLmNpQrStUvWx"


_origin = partial(detect_origin, classes=MOBILE)


LINKED = {
    "codex link alone as the last paragraph (git: a trailer `https`)": ("fix\n\nCloses #3\n\n" + TASK + "\n", "codex"),
    "codex link after Codex's rule line": ("docs\n\n## Summary\n- a\n\n------\n" + TASK + "\n", "codex"),
    "codex link inside the trailer block": ("fix\n\nSigned-off-by: Pat <pat@people.test>\n" + TASK + "\n", "codex"),
    "codex markdown link alone on its line": ("fix\n\n------\n[Codex Task](" + TASK + ")\n", "codex"),
    "codex link in angle brackets": ("fix\n\n<" + TASK + ">\n", "codex"),
    "claude link after a human co-author": (
        "fix\n\nCo-authored-by: Sam <sam@people.test>\n" + SESSION + "\n", "claude-code"),
    "claude link then a closing paragraph": ("fix\n\n" + SESSION + "\n\nReviewed in the PR.\n", "claude-code"),
    "claude link quoted in a squash body": ("Squash (#9)\n\n* part one\n\n  > " + SESSION + "\n", "claude-code"),
    "claude link as a list item": ("fix\n\n- " + SESSION + "\n", "claude-code"),
    "claude link in a CRLF message": ("fix\r\n\r\nbody\r\n\r\n" + SESSION + "\r\n", "claude-code"),
    "claude link with trailing spaces": ("fix\n\n" + SESSION + "   \n", "claude-code"),
}


@pytest.mark.parametrize("name", sorted(LINKED))
def test_a_session_link_on_a_line_of_its_own_is_ai_evidence(repo: RepoBuilder, name: str) -> None:
    """Every place the vendor's link stands alone on its line: assisted, heuristic, the agent named, the link its
    session (red119 finding 1, the placements beyond its three examples)."""
    message, agent = LINKED[name]
    result = _origin(repo, message)
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent
    assert result.agent.session is not None and result.agent.session.rstrip(">)") in (TASK, SESSION)
    (marker,) = [e for e in result.evidence if e.source == "ai/marker"]
    assert marker.trust is Trust.HEURISTIC


def test_a_session_link_fills_the_session_of_a_co_authored_commit(repo: RepoBuilder) -> None:
    """Claude Code on the web writes the link after its co-author line (136 of ipython's 140): the agent is the
    co-author's, and its session — DESIGN §10's "session URL when known" — is now the link."""
    result = _origin(repo, "fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n\n" + SESSION + "\n")
    assert result.agent is not None and result.agent.id == "claude-code"
    assert result.agent.session == SESSION


NOT_LINKED = {
    "claude link in prose": "fix crash\n\nReported from " + SESSION + " while testing the parser.\n",
    "codex link in prose": "fix\n\nThe task at " + TASK + " showed the bug.\n",
    "codex link ending a sentence": "fix\n\nSee " + TASK + ".\n",
    "the product page, no session": "docs\n\nhttps://claude.ai/code\n",
    "codex without a task": "docs\n\nhttps://chatgpt.com/codex\n",
    "a path after the session id": "docs\n\n" + SESSION + "/settings\n",
    "another host": "docs\n\nhttps://claude.ai.mirror.test/code/session_01abc\n",
    "a look-alike host": "docs\n\nhttps://notchatgpt.com/codex/tasks/task_e_1\n",
    "plain http": "docs\n\nhttp://chatgpt.com/codex/tasks/task_e_1\n",
    "a markdown link inside prose": "docs\n\nSee [the task](" + TASK + ") for context.\n",
    # A host spelt with a long s or a dotless i matched case-insensitively under Unicode folding, and the vendor
    # lookup then found no prefix: `check` and `audit` stopped with an internal error on the commit (red120).
    "a long s in the scheme": "docs\n\nhttp\u017f://claude.ai/code/session_01abc\n",
    "a dotless i in the host": "docs\n\nhttps://claude.a\u0131/code/session_01abc\n",
    "a dotted capital I in the path": "docs\n\nhttps://chatgpt.com/codex/tasks/task_\u0130\n",
}


@pytest.mark.parametrize("name", sorted(NOT_LINKED))
def test_a_mentioned_or_other_link_is_no_evidence(repo: RepoBuilder, name: str) -> None:
    """A commit that only mentions a session in prose, or links somewhere else, says nothing of how it was made."""
    result = _origin(repo, NOT_LINKED[name])
    assert result.ai is AIInvolvement.NONE, result.evidence


AGENT_FOOTERS = {
    "Generated with assistance from OpenAI Codex.": "codex",  # uv 8587aec332
    "\U0001f916 Generated with Claude CLI.": "claude-code",  # claude-code, python-sdk
    "Generated by yours truly __Gemini Code__": "gemini",  # gemini-cli 095163bbed (6 commits, no co-author)
    "Generated with the help of GitHub Copilot": "copilot",
    "Generated by Codex CLI 0.46.0": "codex",
    "Generated with Claude Code CLI": "claude-code",
    "_Generated with Cursor Agent_": "cursor",
    "Generated using Claude Code": None,  # not "with"/"by": not the footer shape at all
}


@pytest.mark.parametrize("footer", sorted(AGENT_FOOTERS))
def test_a_footer_naming_a_known_agent_in_more_words(repo: RepoBuilder, footer: str) -> None:
    """Finding 2's class: a footer naming a known agent — after words of help, or before the product's own words
    (CLI, Code, Agent, a version) — is assisted, that agent."""
    result = _origin(repo, f"change\n\n## Test plan\n\n- tests\n\n{footer}\n")
    agent = AGENT_FOOTERS[footer]
    if agent is None:
        assert result.ai is AIInvolvement.NONE, result.evidence
        return
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent


TOOL_FOOTERS = [
    "\U0001f916 Generated by GitHub Actions",  # claude-agent-sdk-python
    "Generated with Castiron from OpenAPI SHA",  # openai-python
    "Generated by protoc",
    "Generated by protoc-gen-go. DO NOT EDIT.",
    "Generated by Dependabot",
    "Generated by Mend Renovate",
    "Generated by Renovate Bot",
    "Generated with Sphinx",
    "Generated by git-cliff",
    "Generated by Stainless",
    "Generated by openapi-generator 7.1.0",
    "Generated by continuous integration",
    "generated by a script to continue",  # lower-case prose ending in Continue's label
    "Generated with cursor position tracking",  # Cursor's label, then words that are no product's
    "Generated by the entire test suite",
    "Generated by the Amp team release script",  # a label in the middle
    "Generated with Lucas Wang<lucas_wang@automodules.test>",  # crush c5ba-style: a person
    "Generated by cgit 1.2 (git 2.18.0)",
    "Generated with Karigor",  # crush: a personal tool, in no table
]


@pytest.mark.parametrize("footer", TOOL_FOOTERS)
def test_tool_footers_stay_human(repo: RepoBuilder, footer: str) -> None:
    """Guards for the widened footer reading: a footer naming no known agent, or naming one only as a word of
    prose, is no AI evidence."""
    result = _origin(repo, f"Update generated files\n\n{footer}\n")
    assert result.ai is AIInvolvement.NONE, result.evidence


def test_the_audit_reports_commits_whose_only_evidence_is_a_session_link(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """The audit's fast path decides on raw bytes that a commit carries no evidence (history._WORDS): without the
    links' words it wrote these commits `ai: none` from its template, whatever the gate says."""
    human = ("Pat Example", "pat@people.test")
    repo.commit("base\n", {"README": "r\n"}, author=human, committer=human)
    for i, message in enumerate([
            "codex change\n\nCloses #1\n\n" + TASK + "\n",
            "claude change\n\n- notes\n\n" + SESSION + "\n",
            "codex footer\n\nGenerated with assistance from OpenAI Codex.\n",
            "plain change\n\nnothing here\n"]):
        repo.commit(message, {f"f{i}.txt": f"{i}\n"}, author=human, committer=human)
    data = audit(capsys, repo.path)
    by_subject = {c["subject"]: c for c in data["commits"]}
    for subject, agent in (("codex change", "codex"), ("claude change", "claude-code"), ("codex footer", "codex")):
        record = by_subject[subject]
        assert record["origin"]["ai"] == "assisted", (subject, record["origin"])
        assert [a["id"] for a in record["ai"]["agents"]] == [agent]
    assert by_subject["codex change"]["ai"]["agents"][0]["session"] == TASK
    assert by_subject["plain change"]["origin"]["ai"] == "none"


def test_a_footer_linking_to_its_session_records_the_session(repo: RepoBuilder) -> None:
    """A footer whose link is a session link ("Generated with [Claude Code](…/session_…)", one line) names the
    session too."""
    result = _origin(repo, "fix\n\n\U0001f916 Generated with [Claude Code](" + SESSION + ")\n")
    assert result.agent is not None and result.agent.id == "claude-code"
    assert result.agent.session == SESSION
