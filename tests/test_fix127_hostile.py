"""fix127 - the classes behind red127's findings (tests/test_red127_hostile.py), beyond its examples.

1. A flattened message: the tool-written Claude Code / Continue "Generated with [Label](link)" footer and the
   `Co-authored-by:` of an agent's address, read after other text on the same line when the line is a message whose
   line breaks were lost: turned into two spaces (continuedev/continue, 3 commits) or written as a literal `\\n`
   (github/github-mcp-server 30600ba335, a Copilot co-author after "tests.\\n\\n": missed too, not in red127's
   count). Prose that mentions the markers (one space before, words after, a person as co-author) stays human.
2. `Assisted-by:` naming a person by `Name <address>` is a human helper, wherever gatekeeper reads it (trailer block,
   origin note, a line outside the block); a name or address that names an agent or a model stays AI.
3. GitHub's one-parent security-advisory squash, and its squash ending with `Signed-off-by:` lines after the dashes,
   are pull-request merges - which a browser edit can write too, so they are claims the Action asks GitHub about.
"""

from __future__ import annotations

import time

import pytest

from gatekeeper import origin
from gatekeeper.git import Git
from gatekeeper.models import AIInvolvement, DeviceClass
from gatekeeper.origin.ai import body_lines
from gatekeeper.origin.base import OriginContext
from gatekeeper.origin.heuristics import classify_forge_commit, forgeable_merge_claim
from tests.origin_helpers import detect_origin
from tests.repo_builder import RepoBuilder

MOBILE_AND_WEB = (DeviceClass.MOBILE, DeviceClass.TABLET, DeviceClass.WEB)
WEB_FLOW = ("GitHub", "noreply@github.com")
ANTHROPIC = "noreply@" + "anthropic.com"
COPILOT_APP = "223556219+Copilot@users.noreply.github.com"


_origin = detect_origin


# -- 1: flattened messages ---------------------------------------------------------------------------------------------

FLATTENED = {
    "escaped newlines, Copilot co-author": (
        "perf(repos): reduce symlink guard overhead\n\nResolve refs directly through Git Trees, and lock request "
        f"counts in tests.\\n\\nCo-authored-by: Copilot App <{COPILOT_APP}>\n", "copilot"),
    "two spaces, Continue footer alone": (
        "docs: add the cookbook  Generated with [Continue](https://continue.dev)\n", "continue"),
    "two spaces, Claude Code footer alone": (
        "feat: add the bar  \U0001f916 Generated with [Claude Code](https://claude.ai/code)\n", "claude-code"),
    "two spaces, co-author alone": (f"feat: add the bar  Co-Authored-By: Claude <{ANTHROPIC}>\n", "claude-code"),
    "escaped newlines, footer and co-author": (
        "docs: wire the guide into nav\\n\\nGenerated with [Continue](https://continue.dev)\\n\\nCo-Authored-By: "
        "Continue <noreply@continue.dev>\n", "continue"),
    "flattened body under a subject": (
        f"feat: status bar\n\nAdd the bar.  \U0001f916 Generated with [Claude Code](https://claude.ai/code)  "
        f"Co-Authored-By: Claude <{ANTHROPIC}>\n", "claude-code"),
}


@pytest.mark.parametrize("shape", sorted(FLATTENED))
def test_a_flattened_agent_message_is_ai(repo: RepoBuilder, shape: str) -> None:
    """Finding 1's class: whatever flattened the message (two spaces for a line break, or a literal backslash-n),
    the tool-written footer and agent co-author after other text still say AI, naming the agent; the evidence says
    it was read inside a line."""
    message, agent = FLATTENED[shape]
    result = _origin(repo, message)
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == agent, result.evidence
    assert all("mid-line" in (e.rule or "") for e in result.evidence), result.evidence


PROSE = {
    "co-author quoted in prose": f"docs: drop the `Co-Authored-By: Claude <{ANTHROPIC}>` line from the template\n",
    "co-author after one space": f"chore: remove Co-Authored-By: Claude <{ANTHROPIC}> from the commit hook\n",
    "footer after one space, words after": (
        "docs: the footer \U0001f916 Generated with [Claude Code](https://claude.ai/code) is added by the tool\n"),
    "footer after two spaces, words after": (
        "docs: explain the footer  Generated with [Claude Code](https://claude.ai/code) and how to turn it off\n"),
    "person as co-author after two spaces": "fix the parser  Co-authored-by: Sam Second <sam@example.org>\n",
    "footer naming no agent after two spaces": "deps: bump  Generated with [Mend Renovate](https://mend.io/renovate)\n",
    "footer without its link after two spaces": "fix  Generated with Claude Code\n",
}


@pytest.mark.parametrize("shape", sorted(PROSE))
def test_prose_mentioning_the_markers_mid_line_stays_human(repo: RepoBuilder, shape: str) -> None:
    """Guard for finding 1's fix: only the markers as the tool writes them, where a line break was (two spaces or a
    literal backslash-n before, nothing but another such break after), and only with an agent's address or label."""
    result = _origin(repo, PROSE[shape])
    assert result.ai is AIInvolvement.NONE, result.evidence


def test_mid_line_reading_is_linear_on_hostile_input() -> None:
    """A megabyte of spaces, escaped newlines and half-written markers on one line: the scan stays linear."""
    hostile = ("x" + " " * 200_000 + "\\n" * 100_000 + "  Co-authored-by: " * 10_000 + "  Generated with [" * 10_000
               + " " * 200_000 + "y\n")
    started = time.monotonic()
    body_lines(hostile)
    assert time.monotonic() - started < 2.0


# -- 2: Assisted-by naming a person ------------------------------------------------------------------------------------

PEOPLE = ["Waldek Maleska <waldek@example.org>", "Claude Monet <claude@example.org>",
          "Devin Smith <devin@example.org>", "Phil Hord <phil@example.org>", "Jo <jo@openai.com>"]


@pytest.mark.parametrize("value", PEOPLE)
def test_assisted_by_a_person_in_the_trailer_block_is_no_ai(repo: RepoBuilder, value: str) -> None:
    """Finding 2's class: a person's name (also one that is an agent's label plus a surname: names are no evidence)
    and an address that is no agent's."""
    result = _origin(repo, f"Fix the parser\n\nAssisted-by: {value}\nSigned-off-by: Pat <pat@example.org>\n")
    assert result.ai is AIInvolvement.NONE, result.evidence


def test_assisted_by_a_person_outside_the_block_or_in_a_note_is_no_ai(repo: RepoBuilder) -> None:
    """The same value read outside the trailer block and from the commit's origin note."""
    outside = _origin(repo, "Fix the parser\n\nAssisted-by: Waldek Maleska <waldek@example.org>\n\nMore words.\n")
    assert outside.ai is AIInvolvement.NONE, outside.evidence
    sha = repo.commit("Fix the lexer\n", allow_empty=True)
    (commit,) = Git(repo.path).iter_log([sha], no_walk=True)
    noted, _ = origin.detect(commit, OriginContext(notes={sha: "Assisted-by: Waldek Maleska <waldek@example.org>\n"}),
                             MOBILE_AND_WEB)
    assert noted.ai is AIInvolvement.NONE, noted.evidence


AGENT_VALUES = ["Claude 3.5 Sonnet <me@example.org>", "GPT-4o <me@example.org>", "Cursor <me@example.org>",
                "Claude Opus 4.5 via Crush <crush@charm.land>", "sweep-ai[bot] <sweep@example.org>",
                "Jo <jo@example.org> with Claude", "codex-mobile/0.3", "Some Words", "Claude Code",
                "Chintok via Karigor <karigor@example.org>"]


@pytest.mark.parametrize("value", AGENT_VALUES)
def test_assisted_by_naming_an_agent_or_no_person_stays_ai(repo: RepoBuilder, value: str) -> None:
    """Held: a model or agent in the name, a bot login, words after the address, Crush's `MODEL via AGENT` form
    naming an agent not in the table (a renamed fork of Crush, seen in charmbracelet/crush's refs), or a value that
    is not `Name <address>` at all (the README's `codex-mobile/0.3`; words naming no agent) stay AI."""
    result = _origin(repo, f"Fix the parser\n\nAssisted-by: {value}\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence


def test_assisted_by_a_policy_identity_stays_ai(repo: RepoBuilder) -> None:
    """Held: a project's own agent identity (`origins.ai_identities`) in `Name <address>` form is AI."""
    ctx = OriginContext(ai_identities=("builder@agents.corp.example",))
    result = _origin(repo, "Fix the parser\n\nAssisted-by: Builder <builder@agents.corp.example>\n", ctx)
    assert result.ai is AIInvolvement.ASSISTED, result.evidence


# -- 3: GitHub's advisory squash and sign-offs after the dashes -------------------------------------------------------

SQUASHES = {
    "advisory squash, GHSA title": "Merge pull request from GHSA-xr7r-f8xq-vfvv\n\n* fix the parser\n",
    "advisory squash, sign-offs": ("Merge commit from fork\n\n* feat: reject odd names\n\nSigned-off-by: Wil Wood "
                                   "<wil@example.org>\n\n---------\n\nSigned-off-by: Wil Wood <wil@example.org>\n"),
    "edited squash title, sign-offs after the dashes": (
        "feat: reject odd names\n\n* feat: reject\n\n* test\n\n---------\n\nSigned-off-by: Wil Wood "
        "<wil@example.org>\n"),
    "edited squash title, co-authors and sign-offs": (
        "feat: reject odd names\n\n* feat: reject\n\n---------\n\nCo-authored-by: Sam <sam@example.org>\n"
        "Signed-off-by: Wil Wood <wil@example.org>\n"),
}


@pytest.mark.parametrize("shape", sorted(SQUASHES))
def test_githubs_one_parent_squashes_are_pull_request_merges_and_claims(repo: RepoBuilder, shape: str) -> None:
    """Finding 3's class: a pull-request merge, no device class - and, written by a browser editor just as well, a
    one-parent claim the Action asks GitHub about (forgeable_merge_claim)."""
    repo.commit("base\n", allow_empty=True)
    sha = repo.commit(SQUASHES[shape], allow_empty=True, author=("Wil Wood", "wil@example.org"), committer=WEB_FLOW)
    (commit,) = Git(repo.path).iter_log([sha], no_walk=True)
    made = classify_forge_commit(commit)
    assert made is not None and made.kind == "pr-merge", made
    assert forgeable_merge_claim(commit) is not None
    result, _ = origin.detect(commit, OriginContext(), MOBILE_AND_WEB)
    assert result.device is not DeviceClass.WEB, result.evidence
    unconfirmed, _ = origin.detect(commit, OriginContext(unconfirmed_merges=frozenset({sha})), MOBILE_AND_WEB)
    assert unconfirmed.device is DeviceClass.WEB, unconfirmed.evidence


WEB_EDITS = {
    "sign-off then words after the dashes": ("Update README.md\n\n---------\n\nSigned-off-by: Wil <wil@example.org>\n"
                                             "and some words\n"),
    "advisory title with more words": "Merge commit from fork of mine\n",
    "other trailer after the dashes": "Update README.md\n\n---------\n\nReviewed-by: Wil <wil@example.org>\n",
}


@pytest.mark.parametrize("shape", sorted(WEB_EDITS))
def test_browser_edits_stay_web_edits(repo: RepoBuilder, shape: str) -> None:
    """Guard for finding 3's fix: only GitHub's own shapes."""
    repo.commit("base\n", allow_empty=True)
    sha = repo.commit(WEB_EDITS[shape], allow_empty=True, author=("Wil Wood", "wil@example.org"), committer=WEB_FLOW)
    (commit,) = Git(repo.path).iter_log([sha], no_walk=True)
    made = classify_forge_commit(commit)
    assert made is not None and made.kind == "web-edit", made
