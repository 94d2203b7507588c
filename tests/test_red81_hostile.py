"""Red team red81: commits that `gatekeeper check` (git's `%an %ae ... %B`, the message as stored) and `gatekeeper
audit` (git's `log -z --pretty=raw --encoding=none` records, audit/history.py) read differently — origin class, AI
involvement, review evidence, DCO bit or the ambiguous-identity flag.

Found:
1. git's `--pretty=raw` cuts every message line's trailing whitespace (pretty.c pp_remainder → is_blank_line). The
   audit re-reads the stored message only when `_git_text_needed` sees a scissors line, `Conflicts:` or a bare
   `Signed-off-by:`. git's trailer parser has a second whitespace-sensitive git-generated prefix,
   `(cherry picked from commit ` (trailer.c git_generated_prefixes, trailers.py _GIT_GENERATED), space included:
   a line holding exactly that prefix (plus trailing whitespace, or the CR of a CRLF message) makes the 25 % rule
   admit the block to git and the gate; raw output cuts the space, and the audit finds no trailer block at all
   (an Origin-Device trailer, or the author's sign-off, disappears).
2. The "Generated with [Claude Code](…)" footer (origin/ai.py _BODY) must end the line, after at most four
   non-word characters other than CR. A CRLF message (a Windows editor, a libgit2 client, `--cleanup=verbatim`)
   or five trailing spaces make the stored line miss the pattern — the gate says `ai: none` — while the raw
   record, its trailing whitespace cut, matches: the audit says `ai: assisted`, agent claude-code.
3. A message with a leading blank line: `%B` keeps it, so the gate's Commit.subject is "" (git's own `%s` skips it);
   the raw format drops leading blank lines, so the audit's subject is the real first line. With GitHub's web-flow
   committer and a subject ending `(#12)` the audit reads a pull-request squash merge (review evidence
   forge-pr-merge, no device class), the gate a web edit (device `web`).
4. A NUL byte in the message: the gate's identity_doubt sees it in the stored object and refuses the commit
   (provenance/ambiguous-identity, critical); the audit hands identity_doubt only records whose headers look odd,
   and the raw record it reads never holds the NUL (git prints a message only up to it): `ambiguous_identity: null`.
5. The other way round: an identity with a third `<`/`>` (which sends it to identity_doubt in the audit) and two
   spaces before its date. git (split_ident_line) skips any whitespace before the date, and so does the gate's
   identity_doubt (`.split()`); raw_parts reads the date only after exactly one space and takes 0, so the audit's
   identity_doubt finds the stored date "not the one git reads" and flags a commit the gate admits as unambiguous.

Each test FAILS on the code at the time of writing for the reason its docstring names and asserts that the gate
and the audit agree (controls are marked). Real repositories, the real CLI in-process (`check --format json`,
`audit --format json`).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder
from tests.test_red79_hostile import _audit

POLICY = "version: 1\nprotected_refs: [refs/heads/main]\nrequire_dco: true\n"
DCO_MISSING = "provenance/dco-missing"
AMBIGUOUS = "provenance/ambiguous-identity"
ME = ("Dev Eloper", "dev@example.com")


def _policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(POLICY)
    return path


def _check(capsys: pytest.CaptureFixture[str], repo: RepoBuilder, sha: str,
           policy: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The gate's record of the commit, and its findings about it."""
    _code, out = gk(capsys, "check", "--repo", str(repo.path), "--base", f"{sha}^", "--head", sha, "--policy",
                    str(policy), "--format", "json")
    data: dict[str, Any] = json.loads(out[out.index("{") : out.rindex("}") + 1])
    commits = [c for c in data["commits"] if c["sha"] == sha]
    assert len(commits) == 1, data
    return commits[0], [f for f in data["findings"] if f.get("commit") == sha]


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"}, author=ME, committer=ME)
    return repo


def _verbatim(repo: RepoBuilder, message: str, *, committer: tuple[str, str] = ME) -> str:
    """A commit made by git itself, its message kept byte for byte (as libgit2-based clients write them)."""
    sha = repo.commit(message, {"src/login.py": f"ok = {len(message)}\n"}, author=ME, committer=committer,
                      extra_args=("--cleanup=verbatim",))
    assert subprocess.run(["git", "fsck", "--strict"], cwd=repo.path, capture_output=True).returncode == 0
    return sha


def _git_trailers(repo: RepoBuilder, sha: str) -> str:
    return repo.git("log", "-1", "--format=%(trailers:only,unfold)", sha)


# -- 1. `(cherry picked from commit ` with trailing whitespace: git's second git-generated prefix --------------------

CHERRY_CASES = {
    "trailing space": "fix login\n\nTested on the train.\nOrigin-Device: mobile\n(cherry picked from commit \n",
    "trailing tab": "fix login\n\nTested on the train.\nOrigin-Device: mobile\n(cherry picked from commit \t\n",
    "crlf message": "fix login\r\n\r\nTested on the train.\r\nOrigin-Device: mobile\r\n(cherry picked from commit \r\n",
}


@pytest.mark.parametrize("message", list(CHERRY_CASES.values()), ids=list(CHERRY_CASES))
def test_cherry_pick_prefix_with_trailing_whitespace_hides_the_mobile_trailer_from_the_audit(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], message: str) -> None:
    """Attack: a mobile commit whose trailer block is prose, `Origin-Device: mobile` and a line holding exactly
    `(cherry picked from commit ` (an unfinished cherry-pick note, a template, or on purpose). git's trailer parser
    counts that line as git-generated (trailer.c git_generated_prefixes: the prefix ends in a space), so the 25 %
    rule admits the block: `git log --format=%(trailers)` and the gate read `Origin-Device: mobile`.

    The audit reads the message from `--pretty=raw`, which cuts the line's trailing whitespace (the space, and the
    CR of a CRLF message): `(cherry picked from commit` is no git-generated line, the block has 1 trailer to 2
    other lines, and no block is found. `_git_text_needed` (audit/history.py) only looks for scissors, `Conflicts:`
    and a bare `Signed-off-by:` — not this prefix — so the stored message is never re-read. The audit shows a
    `desktop` (undeclared) commit, not a mobile one, and no unreviewed mobile commit on main.

    Should: the audit reads the device the gate reads. Severity medium: a mobile commit on a protected branch
    vanishes from the security team's report; fsck --strict accepts the commit, `git commit --cleanup=verbatim`
    makes it. Fix: add `\\(cherry picked from commit` (as a whole line) to _WHITESPACE_SENSITIVE and the fast
    path's prefilter, or read every message as stored."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, message)
    assert "Origin-Device: mobile" in _git_trailers(repo, sha)  # git's own trailer parser
    checked, _ = _check(capsys, repo, sha, policy)
    assert checked["origin"]["device"] == "mobile", checked  # the gate agrees with git
    audited = _audit(capsys, repo, sha, policy)
    assert audited["origin"]["device"] == "mobile", audited
    assert audited["mobile"] is True, audited


def test_cherry_pick_prefix_with_trailing_space_drops_the_audits_dco(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Attack (or an accident): the author's sign-off in a block of five prose lines, a sign-off and a
    `(cherry picked from commit ` line with its trailing space. To git and the gate the block has 2 trailers to 5
    other lines (2 * 3 >= 5 with a git-generated line): the sign-off counts, and `require_dco` is satisfied.

    The raw format cuts the space; the audit's fast path (`_simple_sign_off` gives up, then parse_trailers on the
    raw text) and its full path (no `_git_text_needed` line) both find 1 trailer to 6 other lines: no block, and
    report `dco: false` — the history view says a commit the gate admitted under the DCO rule has no sign-off.

    Should: the audit's DCO bit is the gate's (true). Severity low: a DCO compliance report that disagrees with the
    gate; fsck --strict accepts the commit."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, "fix login\n\nprose one\nprose two\nprose three\nprose four\nprose five\n"
                          "Signed-off-by: Dev Eloper <dev@example.com>\n(cherry picked from commit \n")
    assert "Signed-off-by: Dev Eloper <dev@example.com>" in _git_trailers(repo, sha)
    _, findings = _check(capsys, repo, sha, policy)
    assert not [f for f in findings if f["rule_id"] == DCO_MISSING], findings  # the gate: signed off
    audited = _audit(capsys, repo, sha, policy)
    assert audited["dco"] is True, audited


def test_control_cherry_pick_line_with_its_commit_id_agrees(repo: RepoBuilder, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Control (passes today): the cherry-pick line as git writes it (`(cherry picked from commit <id>)`, nothing
    for the raw format to cut): git, the gate and the audit all read the mobile trailer."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, "fix login\n\nTested on the train.\nOrigin-Device: mobile\n"
                          "(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n")
    assert _check(capsys, repo, sha, policy)[0]["origin"]["device"] == "mobile"
    assert _audit(capsys, repo, sha, policy)["origin"]["device"] == "mobile"


# -- 2. the "Generated with" footer behind a CR or trailing spaces ---------------------------------------------------

FOOTER = "\U0001f916 Generated with [Claude Code](https://claude.ai/code)"
FOOTER_CASES = {
    "crlf message": f"fix login\r\n\r\n{FOOTER}\r\n",
    "five trailing spaces": f"fix login\n\n{FOOTER}     \n",
}


@pytest.mark.parametrize("message", list(FOOTER_CASES.values()), ids=list(FOOTER_CASES))
def test_generated_with_footer_before_a_cr_or_trailing_spaces_is_ai_to_the_audit_only(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], message: str) -> None:
    """Attack: Claude Code's own footer, `🤖 Generated with [Claude Code](https://claude.ai/code)`, in a CRLF message
    (a Windows editor or client) or followed by five spaces. origin/ai.py's _BODY pattern wants the footer to end
    its line after at most four non-word characters, none of them a CR (`[^\\w\\r\\n]{0,4}$`, MULTILINE `$` only
    before LF). The gate reads `%B`, the message as stored: no match, `ai: none` — the AI rules (ai zones, the
    review an AI commit needs) do not apply.

    The audit reads `--pretty=raw`, which cut the CR / spaces: the footer matches, `ai: assisted`, agent
    claude-code. The security team's report shows AI involvement the gate never enforced anything on.

    Should: the gate and the audit agree, and on the secure reading — the commit carries an agent's footer.
    Severity medium: an AI commit passes the gate as a human one with a single trailing CR (fsck --strict accepts
    it; `git commit --cleanup=verbatim` makes it). Fix: let the footer pattern end before trailing whitespace
    (`[ \\t\\r]*$`), or scan the message with each line's trailing whitespace cut, as git prints it."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, message)
    checked, _ = _check(capsys, repo, sha, policy)
    audited = _audit(capsys, repo, sha, policy)
    assert audited["origin"]["ai"] != "none", audited  # the audit, on git's raw output: claude-code
    assert checked["origin"]["ai"] == audited["origin"]["ai"], (checked["origin"], audited["origin"])


def test_control_footer_without_trailing_whitespace_agrees(repo: RepoBuilder, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Control (passes today): the footer as Claude Code writes it (LF, nothing after it): both read AI."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, f"fix login\n\n{FOOTER}\n")
    checked, _ = _check(capsys, repo, sha, policy)
    audited = _audit(capsys, repo, sha, policy)
    assert checked["origin"]["ai"] == audited["origin"]["ai"] != "none"


# -- 3. a leading blank line: the gate's subject is empty, the audit's (and git's %s) is the first line ---------------

def test_leading_blank_line_makes_a_web_flow_commit_a_web_edit_to_the_gate_and_a_pr_merge_to_the_audit(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: a commit with GitHub's web-flow committer (`GitHub <noreply@github.com>`: anyone can write it) and the
    message `\\nFix thing (#12)\\n` — one blank line before the subject (`git commit --cleanup=verbatim`).

    The gate reads `%B`, which keeps the blank line: Commit.subject is "" and classify_forge_commit finds no
    `(#N)` squash-merge subject — a web edit, device class `web`. The audit reads `--pretty=raw`, whose
    pp_remainder drops leading blank lines: the subject is `Fix thing (#12)` (as git's own `%s` says), a
    pull-request squash merge — review evidence `forge-pr-merge`, no device class (the policy's `undeclared`).

    Should: the two read the same origin evidence and device class for the same commit. Severity low-medium: the
    audit counts as PR-reviewed (heuristic) a commit the gate judged a browser edit, and the two disagree on its
    device class; fsck --strict accepts it. Fix: one subject rule for both (skip leading blank lines, as git's
    `%s` and the raw format do)."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, "\nFix thing (#12)\n", committer=("GitHub", "noreply@github.com"))
    assert repo.git("log", "-1", "--format=%s", sha) == "Fix thing (#12)"  # git's own subject
    checked, _ = _check(capsys, repo, sha, policy)
    audited = _audit(capsys, repo, sha, policy)
    gate_sources = sorted(e["source"] for e in checked["origin"]["evidence"])
    audit_sources = sorted(e["source"] for e in audited["origin"]["evidence"])
    assert gate_sources == audit_sources, (checked["origin"], audited["origin"], audited["review"])
    assert checked["origin"]["device"] == audited["origin"]["device"], (checked["origin"], audited["origin"])


# -- 4. a NUL in the message: the gate refuses the commit as ambiguous, and the audit flags it --------------------------

def test_nul_in_the_message_is_ambiguous_to_the_gate_and_to_the_audit(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: a hand-written commit object whose message holds a NUL byte (`git hash-object --literally`; git fsck
    --strict rejects it — nulInCommit — but receive-pack does not run fsck unless transfer.fsckObjects is set), with
    an Origin-Device trailer after the NUL that `cat-file`, libgit2 and forges show and git's own `%B` hides.

    The gate's identity_doubt (provenance/source.py) sees the NUL in the stored object and refuses the commit:
    provenance/ambiguous-identity, critical. The audit calls identity_doubt only for records whose headers look odd
    (an encoding, two author/committer headers, an identity with three `<`/`>`), and hands it the raw record, which
    never holds the NUL (git prints a message only up to it): the audit reports `ambiguous_identity: null` and the
    summary's ambiguous-identity list leaves the commit out.

    Should: the audit flags the commit as the gate does (DESIGN: the audit reports the gate's ambiguous_identity per
    commit). Severity medium: the one list that tells the security team which commits' text git reads differently
    from what they store misses a commit the gate refuses as critical. Fix: look for a NUL in the stored object
    (the raw record cannot show it: e.g. compare the record's message length with `cat-file`'s, or ask
    `cat-file --batch-check` for the size)."""
    policy = _policy(tmp_path)
    tree = repo.git("write-tree")
    body = (f"tree {tree}\nparent {repo.head()}\n".encode()
            + b"author Dev Eloper <dev@example.com> 1767225900 +0000\n"
            + b"committer Dev Eloper <dev@example.com> 1767225900 +0000\n\n"
            + b"fix login\n\nSigned-off-by: Dev Eloper <dev@example.com>\n\0\nOrigin-Device: mobile\n")
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=body)
    repo.git("update-ref", "refs/heads/main", sha)
    fsck = subprocess.run(["git", "fsck", "--strict"], cwd=repo.path, capture_output=True, text=True)
    assert "nulInCommit" in fsck.stderr + fsck.stdout  # (fsck --strict rejects it)
    _, findings = _check(capsys, repo, sha, policy)
    assert [f for f in findings if f["rule_id"] == AMBIGUOUS and f["severity"] == "critical"], findings
    audited = _audit(capsys, repo, sha, policy)
    assert audited["ambiguous_identity"] is not None, audited


# -- 5. an odd identity with two spaces before its date: ambiguous to the audit only -----------------------------------

ODD_IDENTS = {
    "a '>' in the name": b"author D>ev <dev@example.com>  1767225900 +0000\n",
    "a '<' in the e-mail": b"author Dev <x<dev@example.com>  1767225900 +0000\n",
}


@pytest.mark.parametrize("author", list(ODD_IDENTS.values()), ids=list(ODD_IDENTS))
def test_odd_identity_with_two_spaces_before_the_date_is_ambiguous_to_the_audit_only(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], author: bytes) -> None:
    """Attack (hand-written object; fsck --strict rejects it: badName / badEmail): an author line with a third `<` or
    `>` and two spaces before the timestamp. git reads e-mail and date as stored (split_ident_line skips the
    whitespace before the date), and the gate's identity_doubt, comparing the stored e-mail and date with `%ae %at`,
    finds nothing: no provenance/ambiguous-identity finding.

    The audit sends the record to identity_doubt (_ODD_IDENT: three `<`/`>`), with the Commit raw_parts made: it reads
    the date from exactly one byte after the last `>` (`value[close + 2:]`), gets "" and so 0, and identity_doubt then
    says "the author git reads ... is not the one the commit object stores": `ambiguous_identity` is set for a commit
    the gate judged unambiguous (the summary's ambiguous-identity list names it).

    Should: the audit's flag is the gate's (none here). Severity low: a false critical in the security report; and
    raw_parts' author or commit time of such commits is 1970 (it reads every 2-space date as 0; fsck --strict
    accepts a 2-space date on an ordinary identity). Fix: read the date as git does (skip whitespace after the last `>`)."""
    policy = _policy(tmp_path)
    tree = repo.git("write-tree")
    body = (f"tree {tree}\nparent {repo.head()}\n".encode() + author
            + b"committer Dev Eloper <dev@example.com> 1767225900 +0000\n\nfix login\n")
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=body)
    repo.git("update-ref", "refs/heads/main", sha)
    assert repo.git("log", "-1", "--format=%at", sha) == "1767225900"  # git reads the date
    _, findings = _check(capsys, repo, sha, policy)
    gate = bool([f for f in findings if f["rule_id"] == AMBIGUOUS])
    audited = _audit(capsys, repo, sha, policy)
    # The audit's flag is the gate's. (Since red82 both flag a second `<` before the e-mail, which git and libgit2
    # read as different people; a `>` in the name is read alike by both, and flagged by neither.)
    assert (audited["ambiguous_identity"] is not None) == gate == (b"<x<" in author), (audited, findings)


# -- 6. (found measuring libgit2's history) a folded trailer in a CRLF message ---------------------------------------

def test_a_folded_trailer_in_a_crlf_message_reads_the_same_to_both(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A trailer folded onto a next line in a CRLF message: git keeps the CR before the fold in the value
    (trailer.c unfold_value), the raw format the audit reads had cut it, so the device id the audit reported was
    not the gate's (libgit2's history holds such a message). The audit reads such a message as stored."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, "fix login\r\n\r\nOrigin-Device: mobile\r\nOrigin-Device-Id: pixel\r\n  -8\r\n")
    checked, _ = _check(capsys, repo, sha, policy)
    audited = _audit(capsys, repo, sha, policy)
    assert checked["origin"]["device_id"] == audited["origin"]["device_id"], (checked["origin"], audited["origin"])


# -- 7. (review) a cat-file that stops while the audit re-reads stored messages -----------------------------------

def test_a_stopped_cat_file_is_said_once_and_not_started_again(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit re-reads a few messages as stored through one long-lived `git cat-file --batch`. When it stops
    (here: every read fails, as a killed process does), the commits keep their records' messages, the report is
    marked incomplete with one note, and no second cat-file is started for the next window (one per window)."""
    from gatekeeper.audit import history
    from gatekeeper.errors import GitError
    from gatekeeper.git.objects import BlobReader

    policy = _policy(tmp_path)
    for n in range(3):
        _verbatim(repo, f"fix {n}{'!' * n}\n\nOrigin-Device: mobile\n(cherry picked from commit \n")
    started: list[int] = []
    real_enter = BlobReader.__enter__

    def enter(self: BlobReader) -> BlobReader:
        started.append(1)
        return real_enter(self)

    def read(self: BlobReader, sha: str, *, max_size: int | None = None) -> tuple[str, bytes | None]:
        raise GitError("git cat-file --batch stopped unexpectedly", "check the repository with `git fsck`")

    monkeypatch.setattr(BlobReader, "__enter__", enter)
    monkeypatch.setattr(BlobReader, "read", read)
    monkeypatch.setattr(history, "WINDOW", 1)
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "json", "--no-progress", "--policy",
                   str(policy))
    assert code == 0, out
    summary = json.loads(out[: out.rindex("}") + 1])["summary"]
    assert not summary["complete"]
    assert sum("could not be read again" in note for note in summary["notes"]) == 1, summary["notes"]
    assert started == [1]
