"""Red team red80: the line-skeleton comparison of provenance/ambiguous-identity (`same_skeleton`) both misses an
object whose message git reads differently, and refuses ordinary commits real git writes.

Since f1e99ad, for a commit with an `encoding` header, the object as git decodes it (`git log --pretty=raw`, git's own
iconv) must have the stored object's lines, each with the same ASCII (`[\\t\\x20-\\x7e]`) up to its first other
byte, and no line all-ASCII on one side only; U+00A5 and U+203E in git's output count as `\\` and `~`.

1. False negative: the comparison stops at a line's first byte outside `[\\t\\x20-\\x7e]` — a CARRIAGE RETURN
   included. UTF-7 passes a CR through as it is, so a stored line `Signed-off-by: Alice \\r+ADw-alice+AEA-...` has the
   prefix `Signed-off-by: Alice ` on both sides and is "not all ASCII" on both; everything after the CR is free.
   git decodes the rest to `<alice@example.com>`: a sign-off with the author's e-mail that the stored object (what
   `git cat-file`, `git interpret-trailers`, a forge's DCO app read) does not hold.
2. False positives (the rule is CRITICAL and blocking):
   - the `\\` / `~` allowance is applied to every encoding, so a Latin-1 / CP1252 line whose only non-ASCII
     character is a real yen sign (0xA5 → U+00A5) becomes all-ASCII on git's side only;
   - glibc's CP1258 (Vietnamese) decoder composes a base letter with the tone mark that follows it, so git's line
     loses the ASCII letter just before the first non-ASCII byte (`Ca\\xd2i` → `Cải`) and the prefixes differ.
   Both commits are made with the real `git -c i18n.commitEncoding=... commit`, text converted by iconv.

Each test FAILS on the code at the time of writing for the reason its docstring names and asserts the correct
behaviour. Real repositories in tmp_path, the real CLI in-process.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.provenance_helpers import check_json, feature_repo, findings, raw_commit
from tests.repo_builder import RepoBuilder
from tests.test_red78_hostile import _git, _git_reads, _stored_trailers

AMBIGUOUS = "provenance/ambiguous-identity"
POLICY = """\
version: 1
rules:
  default: {scanners: [], block_at: high, review: null}
"""
WHEN = b"1767225900 -0500"  # no `+`: in a UTF-7 buffer `+` opens a base64 run
IDENTS = [b"author Alice <alice@example.com> " + WHEN, b"committer Alice <alice@example.com> " + WHEN]



def _repo(tmp_path: Path, policy: str) -> RepoBuilder:
    return feature_repo(tmp_path / "repo", policy)


def _blocking_on(data: dict, sha: str) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in data["findings"] if f.get("commit") == sha and f["blocking"]]


def _doubts(data: dict, sha: str) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in findings(data, AMBIGUOUS) if f.get("commit") == sha]


# -- 1. a carriage return ends the compared prefix; UTF-7 after it writes what git reads -----------------------------

DCO_POLICY = POLICY + "require_dco: true\n"
CR_SIGNOFF = b"fix the login form\n\nSigned-off-by: Alice \r+ADw-alice+AEA-example.com+AD4-\n"


def test_control_the_cr_sign_off_read_as_stored_is_no_dco(tmp_path: Path) -> None:
    """Control (passes today): the same object WITHOUT the `encoding` header — the sign-off as stored has no
    e-mail (`Alice \\r+ADw-alice+AEA-example.com+AD4-`), so the gate blocks it with provenance/dco-missing."""
    repo = _repo(tmp_path, DCO_POLICY)
    sha = raw_commit(repo, tmp_path, IDENTS, CR_SIGNOFF)
    code, data = check_json(repo)
    assert code == 1 and "provenance/dco-missing" in {f["rule_id"] for f in _blocking_on(data, sha)}, data


def test_utf7_after_a_carriage_return_gives_git_a_sign_off_the_object_does_not_store(tmp_path: Path) -> None:
    """Attack: `require_dco: true`; an ASCII-only, fsck-clean object with `encoding UTF-7`, one author and one
    committer (untouched by UTF-7), whose message ends `Signed-off-by: Alice \\r+ADw-alice+AEA-example.com+AD4-`.
    Stored (`git cat-file`, `git interpret-trailers --parse`, a forge's DCO app) the sign-off has no e-mail — no
    DCO. git keeps the CR (a direct character in UTF-7) and decodes the rest: `Signed-off-by: Alice \\r<alice@
    example.com>`, a sign-off by the author.

    The gate: same_skeleton compares each line only up to its first byte outside `[\\t\\x20-\\x7e]` — the CR here, on
    both sides — and both lines are "not all ASCII": no provenance/ambiguous-identity. DcoCheck parses git's
    trailer (`Alice \\r` is a name, the e-mail the author's) and the commit passes; as stored (control) it is blocked.
    (red78's `Signed+AC0-off+AC0-by` is caught now only because its base64 sits BEFORE the first non-ASCII byte.)

    Should: block (ambiguous-identity, or at least not pass the DCO) — git's message is not the stored one.
    Severity medium: the DCO attestation (and the same way a Reviewed-by / Co-authored-by e-mail, an Origin-Device
    value) is satisfied by text that exists only after UTF-7 decoding, with the line count and every compared
    prefix intact. Fix: compare the whole line — e.g. the decoded line must equal the stored one wherever the
    stored one is ASCII, with a control character (CR included) not ending the comparison; or refuse UTF-7."""
    repo = _repo(tmp_path, DCO_POLICY)
    sha = raw_commit(repo, tmp_path, [*IDENTS, b"encoding UTF-7"], CR_SIGNOFF)
    assert "alice@example.com" not in _stored_trailers(repo, sha)
    assert _git_reads(repo, sha, "%(trailers:key=Signed-off-by,valueonly)") == "Alice \r<alice@example.com>\n\n"
    assert _git_reads(repo, sha, "%an|%ae|%cn|%ce") == "Alice|alice@example.com|Alice|alice@example.com\n"

    code, data = check_json(repo)

    assert code == 1 and _blocking_on(data, sha), data["findings"]


# -- 2. commits real git writes, refused as no one's -----------------------------------------------------------------

def _git_commit(repo: RepoBuilder, encoding: str, name: bytes, message: bytes) -> str:
    """`git -c i18n.commitEncoding=ENCODING commit` with the name and message as bytes in that encoding."""
    env = {k.encode(): v.encode() for k, v in os.environ.items()}
    env.update({b"GIT_AUTHOR_NAME": name, b"GIT_AUTHOR_EMAIL": b"dev@example.com", b"GIT_COMMITTER_NAME": name,
                b"GIT_COMMITTER_EMAIL": b"dev@example.com", b"GIT_AUTHOR_DATE": b"1767226000 +0700",
                b"GIT_COMMITTER_DATE": b"1767226000 +0700"})
    (repo.path / "notes.txt").write_bytes(message)
    subprocess.run(["git", "add", "notes.txt"], cwd=repo.path, check=True)
    subprocess.run(["git", "-c", f"i18n.commitEncoding={encoding}", "commit", "-q", "--no-verify", "-F", "-"],
                   cwd=repo.path, env=env, input=message, check=True, capture_output=True)
    sha = repo.head()
    assert repo.git("fsck", "--strict", "--no-dangling") == ""
    raw = _git(repo, "cat-file", "commit", sha)
    assert raw.count(b"\nauthor ") == 1 and raw.count(b"\ncommitter ") == 1 and b"\0" not in raw
    assert f"\nencoding {encoding}\n".encode() in raw
    return sha


def _iconv(text: str, encoding: str) -> bytes:
    """`text` in `encoding` as glibc's iconv writes it (what an editor or terminal in that locale produces)."""
    return subprocess.run(["iconv", "-f", "UTF-8", "-t", encoding], input=text.encode(), capture_output=True,
                          check=True).stdout


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "CP1252"])
def test_a_yen_sign_in_a_latin1_commit_is_not_ambiguous(tmp_path: Path, encoding: str) -> None:
    """Done: `git -c i18n.commitEncoding=ISO-8859-1 commit` (or CP1252) of `Ticket price ¥500` — 0xA5 is the yen
    sign in both; git's iconv reads it as U+00A5, exactly what the object stores.

    The gate: same_skeleton turns EVERY U+00A5 in git's output into `\\` (the allowance meant for Shift_JIS's 0x5C),
    so git's line becomes `Ticket price \\500` — all ASCII on git's side only — and the commit gets the CRITICAL,
    blocking provenance/ambiguous-identity ("the message (line 1)").
    Should: pass — nothing differs. Severity medium (false positive): any Latin-1/CP1252/ISO-8859-15 commit whose
    line has the yen sign (or, likewise, an overline) as its only non-ASCII character is refused as no one's.
    Fix: apply the `\\`/`~` allowance only for the Shift_JIS family (or only where the stored byte is 0x5C/0x7E)."""
    repo = _repo(tmp_path, POLICY)
    message = _iconv("Ticket price \u00a5500\n", encoding)
    assert message == b"Ticket price \xa5500\n"
    sha = _git_commit(repo, encoding, b"Dev", message)
    assert _git_reads(repo, sha, "%B") == "Ticket price \u00a5500\n\n"

    code, data = check_json(repo)

    assert not _doubts(data, sha), data["findings"]
    assert code == 0, data["findings"]


def test_a_vietnamese_cp1258_commit_is_not_ambiguous(tmp_path: Path) -> None:
    """Done: `git -c i18n.commitEncoding=CP1258 commit` (Windows' Vietnamese code page), author `Phạm Văn Đức`,
    message `Cải thiện tốc độ`, both converted by glibc's iconv. CP1258 has no `ạ`/`ả`: iconv writes the ASCII base
    letter and a combining tone mark (`Pha\\xf2m`, `Ca\\xd2i`), and reading them back composes the pair into one
    character — git reads exactly the name and message that were written.

    The gate: the stored line's ASCII prefix ends AFTER the base letter (`author Pha`, `Ca`), git's before it
    (`author Ph`, `C`): "a header" differs, the CRITICAL, blocking provenance/ambiguous-identity.
    Should: pass. Severity medium (false positive): most Vietnamese names and text in CP1258 (and TCVN5712-1 text
    with combining marks) have a tone mark on an ASCII vowel, so every such commit is refused.
    Fix: allow the last ASCII byte of the stored prefix to be absorbed into git's first non-ASCII character (a
    composed base + mark), or compare after canonical decomposition."""
    repo = _repo(tmp_path, POLICY)
    name, message = _iconv("Phạm Văn Đức", "CP1258"), _iconv("Cải thiện tốc độ\n", "CP1258")
    assert name.startswith(b"Pha\xf2m") and message.startswith(b"Ca\xd2i")
    sha = _git_commit(repo, "CP1258", name, message)
    assert _git_reads(repo, sha, "%an|%B") == "Phạm Văn Đức|Cải thiện tốc độ\n\n"

    code, data = check_json(repo)

    assert not _doubts(data, sha), data["findings"]
    assert code == 0, data["findings"]
