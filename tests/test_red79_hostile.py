"""Red team red79: trailer and identity spellings that make a mobile or AI commit read as an ordinary laptop/human one,
to the gate (`gatekeeper check`) or to the audit (`gatekeeper audit`) — or make the two disagree on the same commit.

Found:
1. The audit reads every message through `git log --pretty=raw` (gatekeeper/git/history.py iter_raw_records,
   raw_parts / audit/history.py _message). git's raw format is not the stored message: pretty.c pp_remainder
   runs is_blank_line() on every line, which cuts trailing whitespace — spaces, tabs and the CR of a CRLF line.
   The gate reads `%B`, the message as stored, and git's own trailer parser (`%(trailers)`) reads that too. The
   trailer rules depend on exact lines (a scissors line only counts as exactly `# --- >8 ---` with LF; git only
   treats a line as its own `Signed-off-by: ` when the prefix includes the space), so for some messages the audit
   finds a different trailer block from the one git and the gate find.
2. An author or committer header with two `<…>` parts: git reads the e-mail from the first `<` to the first `>`
   after it (ident.c split_ident_line). The gate takes that (`%ae`/`%ce`); the audit's person_of takes everything
   up to the LAST `>`.
3. `Co-developed-by:` (the kernel's co-author tag, which the July 2025 kernel AI RFC used for the agent) naming an
   agent by the exact address in gatekeeper's own table is not read as AI involvement.
4. The default co-author lines of Qwen Code (`Qwen-Coder <qwen-coder@alibabacloud.com>`, added to every
   `git commit` the agent runs, on by default) and Crush (`Crush <crush@charm.land>` with a "Generated with Crush"
   footer, written into its system prompt) are not in the agent table: those agent commits are `ai: none`.

Each test FAILS on the code at the time of writing for the reason its docstring names, and asserts the behaviour
it should have (passes once fixed). Real repositories built with git (`git commit --cleanup=verbatim`, as clients
built on libgit2 — most mobile git apps — write messages, or `git hash-object -t commit -w` for hand-written
objects), the real CLI in-process (`check --format json`, `audit --format json`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder

PROTECTED_MAIN = "version: 1\nprotected_refs: [refs/heads/main]\n"
SCISSORS = "# ------------------------ >8 ------------------------"


def _policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(PROTECTED_MAIN)
    return path


def _check(capsys: pytest.CaptureFixture[str], repo: RepoBuilder, sha: str, policy: Path) -> dict[str, Any]:
    _code, out = gk(capsys, "check", "--repo", str(repo.path), "--base", f"{sha}^", "--head", sha, "--policy",
                    str(policy), "--format", "json")
    data: dict[str, Any] = json.loads(out[out.index("{") : out.rindex("}") + 1])
    commits = [c for c in data["commits"] if c["sha"] == sha]
    assert len(commits) == 1, data
    return commits[0]


def _audit(capsys: pytest.CaptureFixture[str], repo: RepoBuilder, sha: str, policy: Path) -> dict[str, Any]:
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "json", "--no-progress", "--policy",
                   str(policy))
    assert code == 0, out
    data: dict[str, Any] = json.loads(out[: out.rindex("}") + 1])
    found = [c for c in data["commits"] if c["sha"] == sha]
    assert len(found) == 1, data["summary"]
    return found[0]


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    return repo


def _git_trailer(repo: RepoBuilder, sha: str, key: str) -> str:
    return repo.git("log", "-1", f"--format=%(trailers:key={key},valueonly)", sha)


# -- 1. the audit reads `--pretty=raw`, which cuts every line's trailing whitespace (CR included) -------------------

RAW_FORMAT_CASES = {
    # A CRLF message (a Windows editor, a libgit2-based phone app, `--cleanup=verbatim`) quoting a scissors line:
    # stored it is `...>8 ---\r`, which git does not take for scissors; raw output drops the CR and the audit cuts
    # the message there, the Origin-Device trailer with it.
    "crlf scissors line": f"fix login\r\n\r\n{SCISSORS}\r\n\r\nOrigin-Device: mobile\r\n",
    # The same with one trailing space (a pasted `git commit -v` template).
    "scissors line with a trailing space": f"fix login\n\n{SCISSORS} \n\nOrigin-Device: mobile\n",
    # An empty `Signed-off-by: ` (a template the author did not fill in): git's own prefix, space included, makes the
    # block count under the 25 % rule; raw output cuts the space, the audit sees no git-generated line and no block.
    "empty sign-off line": "fix login\n\nTested on the train.\nOrigin-Device: mobile\nSigned-off-by: \n",
}


@pytest.mark.parametrize("message", list(RAW_FORMAT_CASES.values()), ids=list(RAW_FORMAT_CASES))
def test_trailing_whitespace_cut_by_the_raw_format_hides_the_mobile_trailer_from_the_audit(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], message: str) -> None:
    """Attack (a careless or hostile author; a CRLF message is what a Windows editor or a libgit2-based phone app
    writes): `git log --format=%(trailers)` reads `Origin-Device: mobile` from the commit and so does the gate —
    `gatekeeper check` reads `%B` and says `device: mobile`.

    The audit reads the message from `git log -z --pretty=raw` (iter_raw_records → raw_parts / _message). git's raw
    format prints each line through pretty.c pp_remainder, whose is_blank_line() cuts the line's trailing
    whitespace (space, tab, CR). The audit's trailer parser then sees `# --- >8 ---` exactly (scissors: everything
    below is cut) or `Signed-off-by:` without git's own `Signed-off-by: ` prefix (no git-generated line: the 25 %
    rule no longer admits the block). The Origin-Device trailer is gone, the commit is `unknown` → the policy's
    `undeclared: desktop`, not mobile, not in the mobile counts and not in `unreviewed_mobile_ai_on_protected`.

    Should: the audit classifies the commit as the gate and git's trailer parser do: mobile.
    Severity medium: the gate and the audit disagree on the same commit; a mobile commit on a protected branch
    vanishes from the security team's report. Fix: read the message as stored (`%B`, or `--pretty=raw` is not
    the message: take the body from `cat-file --batch`), or parse trailers from the raw text only where it is
    provably identical."""
    policy = _policy(tmp_path)
    sha = repo.commit(message, {"src/login.py": "ok = True\n"}, extra_args=("--cleanup=verbatim",))
    assert _git_trailer(repo, sha, "Origin-Device") == "mobile"  # git's own trailer parser
    checked = _check(capsys, repo, sha, policy)
    assert checked["origin"]["device"] == "mobile", checked  # the gate agrees with git
    audited = _audit(capsys, repo, sha, policy)
    assert audited["origin"]["device"] == "mobile", audited
    assert audited["mobile"] is True, audited


def test_control_raw_format_without_trailing_whitespace_agrees(repo: RepoBuilder, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Control (passes today): a scissors-looking line that ends in a visible character (no trailing whitespace for
    the raw format to cut) is no scissors line to anyone: git, the gate and the audit all read the trailer."""
    policy = _policy(tmp_path)
    sha = repo.commit(f"fix login\n\n{SCISSORS}x\n\nOrigin-Device: mobile\n", {"src/login.py": "ok = True\n"},
                      extra_args=("--cleanup=verbatim",))
    assert _git_trailer(repo, sha, "Origin-Device") == "mobile"
    assert _check(capsys, repo, sha, policy)["origin"]["device"] == "mobile"
    assert _audit(capsys, repo, sha, policy)["origin"]["device"] == "mobile"


# -- 2. an identity with two `<…>`: git reads the first address, the audit everything up to the last `>` -----------

IDENT_CASES = {
    # author: git's %ae is noreply@anthropic.com (the agent): ai generated in the gate.
    "author": (b"author Dev <noreply@anthropic.com> <dev@corp.example> 1767225900 +0000\n"
               b"committer Dev <dev@corp.example> 1767225900 +0000\n"),
    # committer: git's %ce is the agent's address: ai assisted in the gate.
    "committer": (b"author Dev <dev@corp.example> 1767225900 +0000\n"
                  b"committer Claude <noreply@anthropic.com> <dev@corp.example> 1767225900 +0000\n"),
    # committer GitHub web-flow: a web edit (device web) in the gate.
    "web-flow committer": (b"author Dev <dev@corp.example> 1767225900 +0000\n"
                           b"committer GitHub <noreply@github.com> <dev@corp.example> 1767225900 +0000\n"),
}


@pytest.mark.parametrize("headers", list(IDENT_CASES.values()), ids=list(IDENT_CASES))
def test_an_identity_with_two_addresses_is_the_agent_to_the_gate_and_a_person_to_the_audit(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], headers: bytes) -> None:
    """Attack (a pusher who writes objects; git accepts them on a server without receive.fsckObjects, git's default,
    fsck calls them badDate): `Dev <noreply@anthropic.com> <dev@corp.example>` as the author (or committer). git reads
    the e-mail from the first `<` to the first `>` after it (ident.c split_ident_line): `git log --format=%ae` says
    noreply@anthropic.com, and so the gate (`%ae`/`%ce`) says the commit is the agent's (or GitHub's web editor's).

    The audit parses raw headers itself: person_of (gatekeeper/git/history.py) takes the e-mail from the first `<`
    to the LAST `>` — `noreply@anthropic.com> <dev@corp.example` — which is no agent and no forge: `_Runner._ident`
    calls the identity clean, the commit takes the fast path and is reported `ai: none` / `unknown`.

    Should: the audit reads the identity git reads (as %ae/%ce do), so it reports the AI / web origin the gate
    judged. Severity low-medium: only an object-writing pusher does this, and the gate itself also raises
    provenance/ambiguous-identity for it, but the audit — the security team's history view — shows an ordinary
    commit with no finding at all, disagreeing with the gate on the same commit."""
    policy = _policy(tmp_path)
    tree = repo.git("write-tree")
    body = f"tree {tree}\nparent {repo.head()}\n".encode() + headers + b"\nfix login\n"
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=body)
    repo.git("update-ref", "refs/heads/main", sha)
    checked = _check(capsys, repo, sha, policy)
    assert checked["origin"]["ai"] != "none" or checked["origin"]["device"] == "web", checked
    audited = _audit(capsys, repo, sha, policy)
    assert (audited["origin"]["ai"], audited["origin"]["device"]) == (
        checked["origin"]["ai"], checked["origin"]["device"]), (audited, checked)


# -- 3. Co-developed-by naming an agent ------------------------------------------------------------------------------

def test_co_developed_by_naming_the_agent_address_is_ai_involvement(repo: RepoBuilder, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Attack (a careless kernel-style author, or one who wants the AI rules not to apply): the kernel's co-author tag
    is `Co-developed-by:` (Documentation/process/submitting-patches.rst), and the July 2025 kernel RFC for AI
    assistants had agents credit themselves with it. The commit ends
    `Co-developed-by: Claude <noreply@anthropic.com>` / `Signed-off-by: Dev <dev@corp.example>`: git's trailer
    parser reads both; the address is the exact agent address of gatekeeper's own table (agents.py, `email`).

    The gate only reads that address in `Co-authored-by:` (AICoauthorDetector, `_BODY`), so `gatekeeper check` and
    the audit both say `ai: none`; an `ai: block` zone or the AI review rules do not apply.

    Should: an agent identity named as a co-developer is AI involvement (assisted), as it is under
    Co-authored-by. Severity low-medium: a real, documented co-author spelling; the evidence is in git's trailers."""
    policy = _policy(tmp_path)
    sha = repo.commit("net: fix the retry loop\n\nCo-developed-by: Claude <noreply@anthropic.com>\n"
                      "Signed-off-by: Dev <dev@corp.example>\n", {"src/retry.py": "a = 1\n"})
    assert _git_trailer(repo, sha, "Co-developed-by") == "Claude <noreply@anthropic.com>"
    assert _check(capsys, repo, sha, policy)["origin"]["ai"] != "none"


# -- 4. agents' default co-author lines missing from the table -------------------------------------------------------

DEFAULT_COAUTHORS = {
    # Qwen Code appends this to every `git commit -m` the agent runs (gitCoAuthor, on by default; its shell tool).
    "qwen-code": "feat: add bookmark search\n\nCo-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>\n",
    # Crush's commit instructions (its system prompt, both switches on by default).
    "crush": "feat: add bookmark search\n\n💘 Generated with Crush\n\nCo-Authored-By: Crush <crush@charm.land>\n",
}


@pytest.mark.parametrize("message", list(DEFAULT_COAUTHORS.values()), ids=list(DEFAULT_COAUTHORS))
def test_an_agent_tools_own_default_co_author_line_is_ai_involvement(repo: RepoBuilder, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     message: str) -> None:
    """Attack (none needed: the agent's default): Qwen Code adds `Co-authored-by: Qwen-Coder
    <qwen-coder@alibabacloud.com>` to every commit its shell tool makes, and Crush ends its commits with
    "💘 Generated with Crush" and `Co-Authored-By: Crush <crush@charm.land>`. git's trailer parser reads the
    co-author; the address is the tool's fixed one (the rule agents.py states for an entry: an address the tool
    writes, seen in real commits).

    Neither address nor the label "crush" is in gatekeeper's agent table, so `gatekeeper check` says `ai: none`
    (the footer is read, but only labels of known agents count).

    Should: `ai: assisted` (agent qwen-code / crush). Severity medium: two agents' commits, as they write them by
    default, bypass the AI policy (zones, review, assisted-by rules) with no effort by the author."""
    policy = _policy(tmp_path)
    sha = repo.commit(message, {"src/search.py": "q = 1\n"})
    assert _git_trailer(repo, sha, "Co-authored-by")  # git reads the co-author trailer
    assert _check(capsys, repo, sha, policy)["origin"]["ai"] != "none"
