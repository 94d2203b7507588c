"""Red team red82: the gate's provenance/ambiguous-identity (gatekeeper/provenance/source.py identity_doubt,
same_skeleton, _same_line) after red79-red81 — what it refuses that git itself wrote, what it admits that other
tools read otherwise, and what a crafted message costs it.

Found:
1. A commit with an `encoding` header whose message opens with a blank line (`git commit --cleanup=verbatim`,
   libgit2 clients): the gate compares the object as stored (`git cat-file`) with git's own `--pretty=raw` record
   of it (Git.decoded_records). git's raw format skips a message's leading blank lines (pretty.c pp_remainder); the
   stored object keeps them: "another number of header or message lines" — the CRITICAL, blocking
   provenance/ambiguous-identity on an ordinary commit. (The audit compares two raw records and admits it: gate and
   audit disagree.)
2. identity_doubt compares the stored e-mail — from the first `<` to the LAST `>` — with git's (`%ae`: first `<` to
   the first `>`) only when it is ASCII. An identity with two `<…>` parts (red79) is refused — unless any non-ASCII
   byte sits between them (`Dev <noreply@anthropic.com> Dév <dev@corp.example>`): the check is skipped and the
   commit passes. And `Dev <dev@corp.example Dev <noreply@anthropic.com>` (one `>`) is read alike by git and by
   identity_doubt's idea of "stored", while libgit2 (git_signature__parse: the LAST `<` and `>`, as GitHub and
   most mobile clients read it) shows the agent's address: the gate reads a human, `ai: none`, and admits it.
3. _same_line compiles a regular expression per differing line from the line's whole ASCII run (`\\` and `~` each
   an alternation group), twice for a CP1258-composed ending: ~50 s per MB of backslashes, ~1.3 GB of memory per
   MB in one line (a 16 MB commit, MAX_COMMIT_BYTES, is allowed). A single ordinary `git commit` with
   `i18n.commitEncoding=CP1258` stalls `gatekeeper check` (and the audit, over any branch) for a minute.

Each test FAILS on the code at the time of writing for the reason its docstring names and asserts the correct
behaviour. Real repositories in tmp_path (git itself, or `git hash-object` for hand-written objects), the real CLI
in-process.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.provenance_helpers import check_json, feature_repo, findings
from tests.repo_builder import RepoBuilder

AMBIGUOUS = "provenance/ambiguous-identity"
POLICY = """\
version: 1
rules:
  default: {scanners: [], block_at: high, review: null}
"""



def _repo(tmp_path: Path) -> RepoBuilder:
    return feature_repo(tmp_path / "repo", POLICY)


def _git_commit(repo: RepoBuilder, encoding: str | None, message: bytes, *extra: str) -> str:
    """`git [-c i18n.commitEncoding=ENCODING] commit` of `message` (bytes in that encoding), made by git itself."""
    env = {k.encode(): v.encode() for k, v in os.environ.items()}
    env.update({b"GIT_AUTHOR_NAME": b"Dev", b"GIT_AUTHOR_EMAIL": b"dev@example.com", b"GIT_COMMITTER_NAME": b"Dev",
                b"GIT_COMMITTER_EMAIL": b"dev@example.com", b"GIT_AUTHOR_DATE": b"1767226000 +0700",
                b"GIT_COMMITTER_DATE": b"1767226000 +0700"})
    (repo.path / "notes.txt").write_bytes(message[:200])
    subprocess.run(["git", "add", "notes.txt"], cwd=repo.path, check=True)
    config = ["-c", f"i18n.commitEncoding={encoding}"] if encoding else []
    subprocess.run(["git", *config, "commit", "-q", "--no-verify", "-F", "-", *extra], cwd=repo.path, env=env,
                   input=message, check=True, capture_output=True)
    sha = repo.head()
    assert repo.git("fsck", "--strict", "--no-dangling") == ""
    return sha


def _doubts(data: dict[str, Any], sha: str) -> list[dict[str, Any]]:
    return [f for f in findings(data, AMBIGUOUS) if f.get("commit") == sha]


# -- 1. a leading blank line: git's raw format drops it, the stored object keeps it ----------------------------------

def test_control_a_latin1_commit_without_a_leading_blank_line_passes(tmp_path: Path) -> None:
    """Control (passes today): the same commit, its message starting with its subject."""
    repo = _repo(tmp_path)
    sha = _git_commit(repo, "ISO-8859-1", b"Caf\xe9 menu\n", "--cleanup=verbatim")
    code, data = check_json(repo)
    assert not _doubts(data, sha) and code == 0, data["findings"]


def test_an_encoded_commit_whose_message_opens_with_a_blank_line_is_not_ambiguous(tmp_path: Path) -> None:
    """Done: `git -c i18n.commitEncoding=ISO-8859-1 commit --cleanup=verbatim` of `\\nCafé menu\\n` (a message that
    opens with a blank line, as libgit2-based clients and verbatim cleanup keep it). git reads exactly what it wrote
    (`%B` is the stored message, re-encoded).

    The gate: identity_doubt compares the stored object (`git cat-file`: the blank line kept) with git's
    `log --pretty=raw` record (Git.decoded_records), in which pretty.c skips the message's leading blank lines.
    same_skeleton counts one message line more on the stored side: "another number of header or message lines",
    the CRITICAL, blocking provenance/ambiguous-identity.
    Should: pass — nothing differs. Severity low-medium (false positive on a git-written commit; the audit, which
    compares two raw records, admits it). Fix: drop leading blank lines of the stored message too (as git's raw
    format does), or compare with `%B`."""
    repo = _repo(tmp_path)
    sha = _git_commit(repo, "ISO-8859-1", b"\nCaf\xe9 menu\n", "--cleanup=verbatim")
    assert b"\nencoding ISO-8859-1\n\n\nCaf\xe9" in subprocess.run(
        ["git", "cat-file", "commit", sha], cwd=repo.path, capture_output=True, check=True).stdout

    code, data = check_json(repo)

    assert not _doubts(data, sha), data["findings"]
    assert code == 0, data["findings"]


# -- 2. two `<…>` parts in an identity, read one way by git and another by libgit2 ----------------------------------

TWO_ADDRESSES = {
    # red79's object with a non-ASCII byte between the addresses: git reads the agent, libgit2 the person.
    "non-ascii between the addresses": b"Dev <noreply@anthropic.com> D\xc3\xa9v <dev@corp.example>",
    # one `>`: git reads `dev@corp.example Dev <noreply@anthropic.com` (no agent), libgit2 the agent's address.
    "two opening brackets": b"Dev <dev@corp.example Dev <noreply@anthropic.com>",
}


def _hand_written(repo: RepoBuilder, author: bytes) -> str:
    tree = repo.git("write-tree")
    body = (f"tree {tree}\nparent {repo.head()}\n".encode() + b"author " + author + b" 1767225900 +0000\n"
            b"committer Dev <dev@corp.example> 1767225900 +0000\n\nfix the login form\n")
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=body)
    repo.git("update-ref", "HEAD", sha)
    return sha


def test_control_red79_two_addresses_in_ascii_are_refused(tmp_path: Path) -> None:
    """Control (passes today): red79's `Dev <noreply@anthropic.com> Dev <dev@corp.example>`, all ASCII, is refused."""
    repo = _repo(tmp_path)
    sha = _hand_written(repo, b"Dev <noreply@anthropic.com> Dev <dev@corp.example>")
    code, data = check_json(repo)
    assert code == 1 and _doubts(data, sha), data["findings"]


@pytest.mark.parametrize("author", list(TWO_ADDRESSES.values()), ids=list(TWO_ADDRESSES))
def test_an_identity_git_and_libgit2_read_differently_is_ambiguous(tmp_path: Path, author: bytes) -> None:
    """Attack (a pusher who writes objects, on a server without receive.fsckObjects — git's default; fsck calls
    them badDate/badEmail): an author header with two `<…>` parts. git (ident.c split_ident_line, so `%ae` and the
    gate) reads the e-mail from the first `<` to the first `>` after it; libgit2 (git_signature__parse: the LAST `<`
    and the LAST `>`) — GitHub's and most mobile clients' reading — another one.

    The gate: identity_doubt takes the stored e-mail from the first `<` to the last `>`, and compares it only when
    that span is ASCII. (a) red79's refused object with one `é` between the addresses: the span is not ASCII, the
    comparison skipped — git's agent address `noreply@anthropic.com` is judged, libgit2 shows `dev@corp.example`,
    and the commit passes. (b) `Dev <dev@corp.example Dev <noreply@anthropic.com>`: the span is exactly git's
    e-mail, so nothing differs to identity_doubt; git (and the gate) read no agent (`ai: none`), libgit2 and the
    forge show the author as `noreply@anthropic.com` — the signer binding, AI rules and review exclusion judge an
    author no other tool shows, and the commit passes.
    Should: provenance/ambiguous-identity (blocking). Severity medium: red79's fix is undone by one byte, and the
    AI rules can be steered either way. Fix: refuse any identity with more than one `<` or `>` (as _ODD_IDENT in
    the audit already singles them out), or compare git's e-mail with both readings without the ASCII condition
    when no encoding is declared."""
    repo = _repo(tmp_path)
    sha = _hand_written(repo, author)
    seen = subprocess.run(["git", "log", "-1", "--format=%ae", sha], cwd=repo.path, capture_output=True,
                          check=True).stdout.decode("utf-8", "replace").strip()
    libgit2 = author[author.rfind(b"<") + 1 : author.rfind(b">")].decode()
    assert seen != libgit2, (seen, libgit2)

    code, data = check_json(repo)

    assert _doubts(data, sha), data["findings"]
    assert code == 1, data["findings"]


# -- 3. a regular expression compiled per line from the whole line ---------------------------------------------------

LINES = 14
WIDTH = 50_000  # backslashes per line: 700 KB in all, a small fraction of MAX_COMMIT_BYTES (16 MB)


def _long_lines() -> bytes:
    # Distinct lines (Python's pattern cache does not help), each `\\`…`\\` and a CP1258 `a` + combining dot below
    # (0xF2), which git's iconv composes into `ạ`: _same_line compiles the run, fails, and compiles it again.
    return b"".join(b"%d " % n + b"\\" * WIDTH + b"a\xf2\n" for n in range(LINES))


def test_control_the_same_long_message_without_an_encoding_is_checked_quickly(tmp_path: Path) -> None:
    """Control (passes today): the same 700 KB message, stored as UTF-8 bytes with no `encoding` header."""
    repo = _repo(tmp_path)
    _git_commit(repo, None, b"fix\n\n" + _long_lines().replace(b"a\xf2", "ạ".encode()))
    started = time.monotonic()
    code, _data = check_json(repo)
    assert time.monotonic() - started < 10 and code == 0


def test_a_long_cp1258_message_does_not_stall_the_gate(tmp_path: Path) -> None:
    """Attack (any pusher, with git itself): `git -c i18n.commitEncoding=CP1258 commit` whose message has 14 lines of
    50,000 backslashes, each ending in `a` + CP1258's combining dot below (the way iconv writes `ạ`).

    The gate: every such line differs between the stored object and git's decoding, so _same_line builds a pattern
    from the line's whole ASCII run — each `\\` an alternation group `(?:\\\\|\\xc2\\xa5)` — and re.compile parses it
    in Python (~25 s and ~1.3 GB per MB of run); the composed ending makes the first pattern fail, and the run minus
    its last letter is compiled again. `gatekeeper check` takes ~40 s on this 700 KB message (control: well under a
    second without the encoding header); a 16 MB one-line message takes minutes and tens of GB (the pre-receive hook
    is cut at its budget — blocked, or accepted UNCHECKED under `on_timeout: warn` — but CI's `check` and the audit,
    which reads every branch, are not).
    Should: linear, compile-free comparison (walk the two lines byte by byte, `\\`/`~` allowing the two UTF-8
    sequences), done in a few seconds. Severity medium (availability of CI and the audit)."""
    repo = _repo(tmp_path)
    _git_commit(repo, "CP1258", b"fix\n\n" + _long_lines())
    started = time.monotonic()
    code, data = check_json(repo)
    took = time.monotonic() - started
    assert not findings(data, AMBIGUOUS), data["findings"]
    assert took < 15, f"gatekeeper check took {took:.0f} s"
