"""Red team red83: provenance/ambiguous-identity (gatekeeper/provenance/source.py identity_doubt, same_skeleton,
_same_line) after red74-red82 — now CRITICAL and blocking under any policy — against commits git itself writes
and objects that read one way to git and another as stored.

Found:
1. False positive, ISO-2022-KR: iconv (and so every editor or mailer writing ISO-2022-KR) puts the designator
   `ESC $ ) C` at the start of the text, before the subject. git's decoding drops it; _PLAIN_RUN stops at the ESC
   (an empty run), so _same_line requires git's line to continue with a non-ASCII byte — and a subject such as
   `fix: 한글` continues with `f`. Every ISO-2022-KR commit whose subject starts in ASCII is blocked.
2. False positive, ESC / SO / SI in an ASCII-keeping encoding: a terminal colour code (`ESC[31m`) pasted into the
   message of an ISO-8859-1 commit, on a line that also holds a non-ASCII letter. Latin-1 keeps the ESC; the run
   ends there and git's line goes on with the ESC itself (< 0x80): "the message (line N)" differs.
3. False positive, VISCII: VISCII (glibc iconv) stores six Vietnamese capitals (Ẳ Ẵ Ẫ Ỷ Ỹ Ỵ) at C0 positions
   (0x02 0x05 0x06 0x14 0x19 0x1E), which _PLAIN_RUN counts as plain: a line plain to its end must be the same to
   its end, and git reads `Ỵ` there.
4. False negative, ISO-2022-KR: a Shift Out inside a line makes everything up to the Shift In Korean to git —
   `Co-authored-by: Claude SO x<noreply@anthropic.com> SI` is `Co-authored-by: Claude 遍全鎭…` to git (and to the
   gate), while the object stores the agent's address in ASCII (what `git cat-file`, libgit2 and the gate itself,
   reading the same bytes without the `encoding` header, see). _same_line stops comparing at the SO (as the
   contract's "up to an ISO-2022 shift" allows), so nothing is doubted and the AI commit passes. No designator
   is needed (glibc decodes SO without one) and `git fsck --strict` accepts the object.

Checked and clean (no finding): `git am` of format-patch mails into ISO-2022-JP, EUC-KR, KOI8-R, Big5, GB18030,
Shift_JIS and ISO-8859-1 repositories (i18n.commitEncoding), then `cherry-pick` and `commit --amend --author`;
messages with form feeds / vertical tabs, CRLF, whitespace-only bodies, tabs, DEL; ESC on a line that is ASCII
to its end.

Each non-control test FAILS on the code at the time of writing for the reason its docstring names and asserts the
correct behaviour. Real repositories in tmp_path (git itself, or `git hash-object` for the hand-written object),
the real CLI in-process.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from tests.provenance_helpers import check_json, feature_repo, findings, raw_commit
from tests.repo_builder import RepoBuilder

AMBIGUOUS = "provenance/ambiguous-identity"
POLICY = """\
version: 1
rules:
  default: {scanners: [], block_at: high, review: null}
ai: {require_assisted_by: true}
"""



def _repo(tmp_path: Path) -> RepoBuilder:
    return feature_repo(tmp_path / "repo", POLICY)


def _git_commit(repo: RepoBuilder, encoding: str, message: bytes) -> str:
    """`git -c i18n.commitEncoding=ENCODING commit` of `message` (bytes in that encoding), made by git itself."""
    env = {k.encode(): v.encode() for k, v in os.environ.items()}
    env.update({b"GIT_AUTHOR_NAME": b"Dev", b"GIT_AUTHOR_EMAIL": b"dev@example.com", b"GIT_COMMITTER_NAME": b"Dev",
                b"GIT_COMMITTER_EMAIL": b"dev@example.com", b"GIT_AUTHOR_DATE": b"1767226000 +0700",
                b"GIT_COMMITTER_DATE": b"1767226000 +0700"})
    (repo.path / "notes.txt").write_bytes(b"notes\n")
    subprocess.run(["git", "add", "notes.txt"], cwd=repo.path, check=True)
    subprocess.run(["git", "-c", f"i18n.commitEncoding={encoding}", "commit", "-q", "--no-verify", "-F", "-"],
                   cwd=repo.path, env=env, input=message, check=True, capture_output=True)
    sha = repo.head()
    assert repo.git("fsck", "--strict", "--no-dangling") == ""
    return sha


def _git_reads(repo: RepoBuilder, sha: str, fmt: str = "%B") -> str:
    return subprocess.run(["git", "-C", str(repo.path), "-c", "i18n.logOutputEncoding=UTF-8", "log", "-1",
                           f"--format={fmt}", sha], capture_output=True, check=True).stdout.decode()


def _doubts(data: dict[str, Any], sha: str) -> list[dict[str, Any]]:
    return [f for f in findings(data, AMBIGUOUS) if f.get("commit") == sha]


# -- 1-3. false positives: commits git itself wrote ------------------------------------------------------------------

def test_control_an_euc_kr_commit_passes(tmp_path: Path) -> None:
    """Control (passes today): the same Korean subject in EUC-KR (no designator, no shifts)."""
    repo = _repo(tmp_path)
    sha = _git_commit(repo, "EUC-KR", "fix: 한글 메시지\n".encode("euc-kr"))
    code, data = check_json(repo)
    assert not _doubts(data, sha) and code == 0, data["findings"]


def test_an_iso_2022_kr_commit_is_refused_for_its_stateful_encoding_not_for_a_line(tmp_path: Path) -> None:
    """False positive (any ISO-2022-KR user): `git -c i18n.commitEncoding=ISO-2022-KR commit` of `fix: 한글 메시지`
    as iconv writes it — `ESC $ ) C` (the designator RFC 1557 puts once at the start of the text), then
    `fix: SO GQ1[ SI SO 8^=CAv SI`. git reads exactly `fix: 한글 메시지`.

    The gate: same_skeleton compares the stored first line with git's. _PLAIN_RUN stops at the ESC, so the run
    is empty, and _same_line then demands that git's line continue with a byte >= 0x80; it continues with `f`
    (the designator decodes to nothing). "the message (line 1)" differs: CRITICAL, blocking.
    Should: pass — git and every reader that decodes the declared encoding show the same message; the ASCII
    `fix: ` is where it is on both sides once the designator (which stands for no character) is skipped.
    Severity medium (false alarm blocking every ISO-2022-KR commit whose subject opens in ASCII — conventional
    commits, ticket ids). Fix: skip ISO-2022 designations (`ESC $ ) C`, `ESC ( B`, …) before comparing, or keep
    comparing after a shift when git's line holds the same ASCII there.

    Decided otherwise (see test 4): in a stateful 7-bit encoding the ASCII bytes after a shift ARE the text, so
    this commit cannot be told byte for byte from test 4's, which hides an AI co-author's address between SO and
    SI. Every commit whose declared encoding git decodes by consuming ESC, SO or SI is refused, and the finding
    says why and what to do (re-create it in UTF-8): none of the 465,000 commits of six public histories declares one."""
    repo = _repo(tmp_path)
    message = b"\x1b$)Cfix: \x0eGQ1[\x0f \x0e8^=CAv\x0f\n"
    assert subprocess.run(["iconv", "-f", "UTF-8", "-t", "ISO-2022-KR"], input="fix: 한글 메시지\n".encode(),
                          capture_output=True, check=True).stdout == message
    sha = _git_commit(repo, "ISO-2022-KR", message)
    assert _git_reads(repo, sha).strip() == "fix: 한글 메시지"

    code, data = check_json(repo)

    (doubt,) = _doubts(data, sha)
    assert "stateful 7-bit" in doubt["message"] and "UTF-8" in doubt["message"], doubt
    assert code == 1


def test_control_a_latin1_colour_code_on_an_ascii_line_passes(tmp_path: Path) -> None:
    """Control (passes today): the colour codes on a line with no non-ASCII letter (the lines are equal)."""
    repo = _repo(tmp_path)
    sha = _git_commit(repo, "ISO-8859-1", b"Caf\xe9: fix the test\n\n\x1b[31mFAILED\x1b[0m test_menu\n")
    code, data = check_json(repo)
    assert not _doubts(data, sha) and code == 0, data["findings"]


def test_a_latin1_commit_with_a_terminal_colour_code_is_not_ambiguous(tmp_path: Path) -> None:
    """False positive (a Latin-1 repository, `git commit` of pasted terminal output): `git -c
    i18n.commitEncoding=ISO-8859-1 commit` whose body holds `ESC[31mFAILED ESC[0m caf\\xe9_menu` — a colour code
    from a test run, on a line with an accented letter. ISO-8859-1 keeps every byte below 0x80 (ESC included):
    git reads the same line, `é` re-encoded.

    The gate: _PLAIN_RUN stops at the ESC (as if it were an ISO-2022 shift), the run is empty, and _same_line
    demands that git's line continue with a byte >= 0x80 — git's continues with the ESC it kept. "the message
    (line 3)" differs: CRITICAL, blocking.
    Should: pass. Severity medium-low (false alarm on an ordinary commit; colour codes and other controls land in
    messages from pasted tool output). Fix: where git's line holds the very byte the run stopped at (ESC, SO, SI),
    the encoding did not treat it as a shift: keep comparing."""
    repo = _repo(tmp_path)
    sha = _git_commit(repo, "ISO-8859-1", b"Caf\xe9: fix the test\n\n\x1b[31mFAILED\x1b[0m caf\xe9_menu\n")
    assert "\x1b[31mFAILED\x1b[0m café_menu" in _git_reads(repo, sha)

    code, data = check_json(repo)

    assert not _doubts(data, sha), data["findings"]
    assert code == 0, data["findings"]


def test_a_viscii_commit_with_a_letter_stored_at_a_c0_position_is_not_ambiguous(tmp_path: Path) -> None:
    """False positive (a Vietnamese VISCII repository): `git -c i18n.commitEncoding=VISCII commit` of `Sửa lỗi` /
    `fix Ỵ`. VISCII stores six capitals (Ẳ Ẵ Ẫ Ỷ Ỹ Ỵ) at C0 positions: `Ỵ` is the byte 0x1E; git's iconv reads it
    as `Ỵ`.

    The gate: _PLAIN_RUN counts 0x1E as a plain byte, so `fix \\x1e` is a line plain to its end, which must be
    the same to its end on git's side — git's reads `fix Ỵ` (UTF-8 E1 BB B4). "the message (line 3)" differs:
    CRITICAL, blocking. (The contract says every encoding that keeps ASCII passes; VISCII keeps every printable
    ASCII character.)
    Should: pass. Severity low (a legacy encoding, but a blocking false alarm on a git-written commit). Fix: a
    control byte in the run is no place to demand equality — compare such a line up to it, as for a byte >= 0x80."""
    repo = _repo(tmp_path)
    message = subprocess.run(["iconv", "-f", "UTF-8", "-t", "VISCII"], input="Sửa lỗi\n\nfix Ỵ\n".encode(),
                             capture_output=True, check=True).stdout
    assert b"fix \x1e\n" in message
    sha = _git_commit(repo, "VISCII", message)
    assert "fix Ỵ" in _git_reads(repo, sha)

    code, data = check_json(repo)

    assert not _doubts(data, sha), data["findings"]
    assert code == 0, data["findings"]


# -- 4. false negative: a Shift Out hides a stored AI co-author from git ---------------------------------------------

IDENTS = [b"author Alice <alice@example.com> 1767225900 +0000", b"committer Alice <alice@example.com> 1767225900 +0000"]
HIDDEN = b"refactor the parser\n\nCo-authored-by: Claude \x0ex<noreply@anthropic.com>\x0f\n"


def _blocking_on(data: dict[str, Any], sha: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f.get("commit") == sha and f["blocking"]]


def test_control_the_stored_message_without_the_encoding_is_an_ai_commit(tmp_path: Path) -> None:
    """Control (passes today): the very same stored message, no `encoding` header — the gate itself reads the
    agent's address out of these bytes and blocks (`ai/assisted-by-missing`)."""
    repo = _repo(tmp_path)
    sha = raw_commit(repo, tmp_path, IDENTS, HIDDEN)
    code, data = check_json(repo)
    assert code == 1 and any(f["rule_id"] == "ai/assisted-by-missing" for f in _blocking_on(data, sha)), \
        data["findings"]


def test_an_iso_2022_kr_shift_out_hides_an_ai_coauthor_the_object_stores(tmp_path: Path) -> None:
    """Attack (a pusher who writes objects; `git fsck --strict` accepts it): a commit with `encoding ISO-2022-KR`
    whose message ends `Co-authored-by: Claude SO x<noreply@anthropic.com> SI`. Stored — `git cat-file`, libgit2,
    a forge that shows the bytes, and the gate itself on the same bytes without the header (control) — it is
    Claude Code's co-author trailer with the agent's address in ASCII. git decodes the SO…SI span as KS X 1001
    pairs: `%B` reads `Co-authored-by: Claude 遍全鎭鏃…` — no address, no AI. (glibc needs no `ESC $ ) C`
    designator for it.)

    The gate: same_skeleton compares the trailer line only up to the SO (_PLAIN_RUN), git's line continues there
    with non-ASCII, so the lines count as the same; headers and e-mails are untouched. No
    provenance/ambiguous-identity, no AI origin: the commit passes (code 0) where its stored bytes are blocked.
    The same shift hides `Origin-Device:`, `Assisted-by:` or a reviewer's `Co-authored-by` (red75's NUL cut, by
    another encoding).
    Should: block — the message git reads has lost ASCII the object stores (`<noreply@anthropic.com>`): a span
    that git decodes from plain ASCII bytes to other characters is a line git reads differently.
    Severity medium (defeats the AI rules and origin trailers; ISO-2022-KR is in glibc's iconv on every gate
    host). Fix: for a stateful ISO-2022 encoding compare the bytes after a shift too (a decoded span must come
    from bytes that are not a trailer's ASCII), or refuse the 7-bit ISO-2022 encodings whose shifted bytes are
    ASCII letters — as UTF-7 and EBCDIC are — unless git's reading keeps every stored ASCII run."""
    repo = _repo(tmp_path)
    sha = raw_commit(repo, tmp_path, [*IDENTS, b"encoding ISO-2022-KR"], HIDDEN)
    assert b"<noreply@anthropic.com>" in subprocess.run(["git", "-C", str(repo.path), "cat-file", "commit", sha],
                                                        capture_output=True, check=True).stdout
    seen = _git_reads(repo, sha)
    assert "Co-authored-by: Claude " in seen and "anthropic" not in seen, seen

    code, data = check_json(repo)

    assert code == 1 and _blocking_on(data, sha), data["findings"]
