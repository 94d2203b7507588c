"""Red team red85: messages that `gatekeeper check` (git's `%an %ae ... %B`, the message as stored) and `gatekeeper
audit` (git's `log -z --pretty=raw --encoding=none` records, audit/history.py) still read differently after the
performance rework (e71ce07, 4cba68e, ad774ed) — device id and DCO bit.

Background: git's raw format cuts every message line's trailing whitespace (pretty.c pp_remainder →
is_blank_line: spaces, tabs, the CR of CRLF). git's trailer parser folds a continuation line into its trailer
keeping what stood before the newline (trailer.c unfold_value; trailers.py `_FOLD` does the same): a stored
`Origin-Device-Id: pixel-7\\r\\n 0042` is the value `pixel-7\\r 0042` to git and the gate, `pixel-7 0042` to the
raw record. The audit re-reads such a message as stored only when `_git_text_needed` says so.

Found:
1. `_git_text_needed` (4cba68e) looks for a folded trailer only in the record's LAST PARAGRAPH (text after the
   last blank line). git's trailer block is not always there: git (and the gate) ignore a trailing run of comment
   lines and blank lines (trailer.c ignore_non_trailer). A folded trailer followed by a `# …` paragraph — a
   comment left in the message, as `git commit --cleanup=verbatim` and libgit2 clients keep it — is read by git
   and the gate with its CR / trailing spaces, by the audit without: the audit's device id (free text the
   security team counts devices by) and DCO bit differ from the gate's.
2. The fast path `_Runner._plain` (ASCII body, no evidence word) routes a signed-off commit to the full path only
   on the `_WHITESPACE_SENSITIVE` hints; it never asks about a folded trailer at all. A sign-off whose e-mail is
   folded after a CR (`<dev@example.com\\r\\n >`) is no e-mail to git's reading and the gate's parse_ident (the
   CR before `>`): the gate reports provenance/dco-missing, while the fast path parses the raw record's
   `<dev@example.com >` and reports `dco: true`. The same message with one non-ASCII byte (full path, whose
   `_FOLDED` test sees the last paragraph) agrees: control.

Each test FAILS on the code at the time of writing for the reason its docstring names and asserts that the gate
and the audit agree (controls are marked and pass). Real repositories made with `git commit --cleanup=verbatim`
(`_verbatim` asserts `git fsck --strict` accepts them), the real CLI in-process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.repo_builder import RepoBuilder
from tests.test_red79_hostile import _audit
from tests.test_red81_hostile import DCO_MISSING, ME, _check, _policy, _verbatim


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"}, author=ME, committer=ME)
    return repo


def _git_trailers(repo: RepoBuilder, sha: str) -> str:
    return repo.git("log", "-1", "--format=%(trailers:only,unfold)", sha)


# -- 1. a folded trailer followed by a comment paragraph: not the last paragraph, never re-read ----------------------

DEVICE_ID_CASES = {
    "cr before the fold": "fix login\n\nOrigin-Device: mobile\nOrigin-Device-Id: pixel-7\r\n 0042\n\n"
                          "# edited on the train\n",
    "spaces before the fold": "fix login\n\nOrigin-Device: mobile\nOrigin-Device-Id: pixel-7   \n 0042\n\n"
                              "# edited on the train\n",
    "crlf message": "fix login\r\n\r\nOrigin-Device: mobile\r\nOrigin-Device-Id: pixel-7\r\n 0042\r\n\r\n"
                    "# edited on the train\r\n",
}


@pytest.mark.parametrize("message", list(DEVICE_ID_CASES.values()), ids=list(DEVICE_ID_CASES))
def test_folded_device_id_before_a_comment_paragraph_is_another_device_to_the_audit(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], message: str) -> None:
    """Attack (or a phone client's CRLF and a leftover comment): a mobile commit whose `Origin-Device-Id` is folded
    onto a second line, with a CR (or spaces) before the fold, and a `# …` comment paragraph after the trailer
    block. git ignores the trailing comment paragraph and reads the block; its unfold keeps the CR:
    `%(trailers)` and the gate say device id `pixel-7\\r 0042` (or `pixel-7    0042`).

    The audit's raw record lost the CR / spaces. `_git_text_needed` (4cba68e) looks for a folded trailer only in
    the record's last paragraph — here the comment — so the stored message is never re-read, and the audit
    reports device id `pixel-7 0042`: the security team's device counts (Summary.devices) and the per-commit
    device id name a device the gate never saw, and the gate's device appears nowhere in the audit.

    Should: the audit's device id is the gate's. Severity low-medium (device identity in the history report, the
    origin class agrees). Fix: look for the fold in git's trailer block (after ignore_non_trailer), or in the
    whole message."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, message)
    assert "Origin-Device-Id: pixel-7" in _git_trailers(repo, sha)  # git's own parser finds the block
    checked, _ = _check(capsys, repo, sha, policy)
    audited = _audit(capsys, repo, sha, policy)
    assert checked["origin"]["device"] == audited["origin"]["device"] == "mobile"
    assert checked["origin"]["device_id"].startswith("pixel-7")
    assert audited["origin"]["device_id"] == checked["origin"]["device_id"], (checked["origin"], audited["origin"])


def test_folded_sign_off_before_a_comment_paragraph_is_signed_to_the_audit_only(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: the author's sign-off with its e-mail folded after a CR (`<dev@example.com\\r\\n >`), then a comment
    paragraph, in a message with a non-ASCII byte (so the audit takes the full path). git's unfold keeps the CR:
    the value `Dev Eloper <dev@example.com\\r >` has no e-mail to parse_ident (no CR before `>`), and the gate
    reports provenance/dco-missing under `require_dco`.

    The raw record cut the CR; the fold sits outside the record's last paragraph (the comment), so
    `_git_text_needed` does not re-read the stored message: the audit parses `<dev@example.com >` and reports
    `dco: true` for a commit the gate refused for lack of a sign-off.

    Should: the audit's DCO bit is the gate's (false). Severity low (a DCO compliance report that disagrees with
    the gate)."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, "fix login \u2014 caf\u00e9\n\nSigned-off-by: Dev Eloper <dev@example.com\r\n >\n\n"
                          "# signed on the phone\n")
    _, findings = _check(capsys, repo, sha, policy)
    assert [f for f in findings if f["rule_id"] == DCO_MISSING], findings  # the gate: not signed off
    audited = _audit(capsys, repo, sha, policy)
    assert audited["dco"] is False, audited


def test_control_folded_device_id_in_the_last_paragraph_agrees(repo: RepoBuilder, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Control (passes today): the same folded device id with nothing after the trailer block — the last
    paragraph, where `_FOLDED` looks: the audit re-reads the stored message and agrees."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, "fix login\n\nOrigin-Device: mobile\nOrigin-Device-Id: pixel-7\r\n 0042\n")
    checked, _ = _check(capsys, repo, sha, policy)
    audited = _audit(capsys, repo, sha, policy)
    assert checked["origin"]["device_id"] == audited["origin"]["device_id"] == "pixel-7\r 0042"


# -- 2. the fast path never asks about a folded sign-off -----------------------------------------------------------

FAST_DCO_CASES = {
    "lf message": "fix login\n\nSigned-off-by: Dev Eloper <dev@example.com\r\n >\n",
    "crlf message": "fix login\r\n\r\nSigned-off-by: Dev Eloper <dev@example.com\r\n >\r\n",
}


@pytest.mark.parametrize("message", list(FAST_DCO_CASES.values()), ids=list(FAST_DCO_CASES))
def test_folded_sign_off_after_a_cr_is_signed_to_the_audits_fast_path_only(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], message: str) -> None:
    """Attack: an ASCII commit whose only trailer is the author's sign-off with the e-mail's `>` folded onto the
    next line after a CR. git's unfold keeps the CR (`%(trailers)`: `<dev@example.com\\r >`), parse_ident finds no
    e-mail in it, and the gate reports provenance/dco-missing under `require_dco`.

    The audit's fast path (`_Runner._plain`: ASCII body, no evidence word) sends a signed-off commit to the full
    path only when the record holds one of the `_WHITESPACE_SENSITIVE` lines (`    signed-off-by:\\n`, ` >8 ---`,
    …); a folded trailer is not among its hints (the full path's `_git_text_needed` would have caught this one, in
    the last paragraph). `_simple_sign_off` gives up on the continuation line and parse_trailers reads the raw
    record, whose CR is gone: `<dev@example.com >`, the author's address — `dco: true`.

    Should: the audit's DCO bit is the gate's (false). Severity low (DCO compliance report). Fix: in the fast path,
    route a signed-off body with a folded line (`\\n     ` / `\\n    \\t` in the record) to the full path."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, message)
    assert "<dev@example.com\r >" in _git_trailers(repo, sha)  # git's own reading keeps the CR
    _, findings = _check(capsys, repo, sha, policy)
    assert [f for f in findings if f["rule_id"] == DCO_MISSING], findings  # the gate: not signed off
    audited = _audit(capsys, repo, sha, policy)
    assert audited["dco"] is False, audited


def test_control_folded_sign_off_in_a_non_ascii_message_agrees(repo: RepoBuilder, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Control (passes today): the same sign-off in a message with a non-ASCII byte takes the full path, where
    `_git_text_needed`'s `_FOLDED` sees the fold in the last paragraph: the audit re-reads the stored message and
    agrees with the gate (`dco: false`)."""
    policy = _policy(tmp_path)
    sha = _verbatim(repo, "fix login \u2014 caf\u00e9\n\nSigned-off-by: Dev Eloper <dev@example.com\r\n >\n")
    _, findings = _check(capsys, repo, sha, policy)
    assert [f for f in findings if f["rule_id"] == DCO_MISSING], findings
    assert _audit(capsys, repo, sha, policy)["dco"] is False
