"""Red team red75: what 3e2e8e4's `identity_doubt` (provenance/ambiguous-identity) still lets through.

`identity_doubt` compares only the first stored `author`/`committer` E-MAIL with git's `%ae`/`%ce` (and counts
stored headers). git re-encodes the whole object from its declared `encoding` before it parses it, so an
`encoding UTF-7` object can still make git — and so the gate (`%an %ae %B`, i18n.logOutputEncoding=UTF-8) —
read a different author NAME and a different MESSAGE than the object stores, as long as the e-mails agree.
`git cat-file -p`, `git fsck --strict` (which accepts every object here), libgit2/JGit and the forges read the
object as stored.

Each test FAILS on the code at the time of writing for the reason its docstring names and asserts the secure
behaviour (it passes once fixed). Hand-written objects through `git hash-object -t commit -w`, the real CLI.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.provenance_helpers import check_json, feature_repo, raw_commit, utf7
from tests.repo_builder import RepoBuilder

# An AI-involved commit must name its agent (`ai/assisted-by-missing`, blocking); an ordinary commit need not.
POLICY = """\
version: 1
rules:
  default: {scanners: [], block_at: high, review: null}
ai: {require_assisted_by: true}
"""
WHEN = b"1767225900 -0500"  # no `+0000`: in a UTF-7 buffer `+` opens a base64 run



@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    return feature_repo(tmp_path / "repo", POLICY)


def _git_reads(repo: RepoBuilder, sha: str, fmt: str) -> str:
    return subprocess.run(["git", "-C", str(repo.path), "-c", "i18n.logOutputEncoding=UTF-8", "log", "-1",
                           f"--format={fmt}", sha], capture_output=True, check=True).stdout.decode("utf-8", "replace")


def _blocking_on(data: dict, sha: str) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in data["findings"] if f.get("commit") == sha and f["blocking"]]


def _control(repo: RepoBuilder, tmp_path: Path, headers: list[bytes], body: bytes) -> None:
    """The same commit as stored, without the trick: blocked (an AI commit with no `Assisted-by:`)."""
    base = repo.head()
    sha = raw_commit(repo, tmp_path, headers, body)
    code, data = check_json(repo)
    assert code == 1 and _blocking_on(data, sha), data["findings"]
    repo.git("update-ref", "HEAD", base)


# -- 1. a UTF-7-smuggled second `author` line with the SAME e-mail: a different name, no doubt raised ----------------

def test_a_utf7_smuggled_author_with_the_same_email_renames_the_author_past_identity_doubt(
        repo: RepoBuilder, tmp_path: Path) -> None:
    """Attack: an object whose one stored author is `Alice (aider) <alice@example.com>` — aider's own mark of
    an AI-written commit, which every reader of the object shows (`git cat-file -p`, the forge's commit page) —
    with `encoding UTF-7` and one extra header `x-note +AAoAYQB1...-` (letters and digits) that git's re-encoding
    turns into a second line `author Alice <alice@example.com> ...`. git's pretty parser takes the last author:
    the gate's `%an` is `Alice`, `%ae` alice@example.com.

    The gate: `identity_doubt` counts ONE stored author header (the smuggled one exists only after decoding)
    and compares only e-mails — equal — so no provenance/ambiguous-identity; the AI-identity heuristic sees no
    `(aider)` and the commit passes. As stored (control, checked first) it is an AI commit, blocked by
    `ai/assisted-by-missing`.

    Should: block — the commit's identity (name and date too, not only the e-mail) as git reads it differs from
    the one the object stores; the header block git parsed is not the stored one.
    Severity high: defeats the AI-identity rules (and everything else that reads names: review exclusion's
    name/login spellings, `[bot]` and web-flow detection) with an object `git fsck --strict` accepts, the very
    encoding trick 3e2e8e4 set out to refuse.
    Fix: in identity_doubt compare the whole ident (name, e-mail, date) of the stored header with `%an %ae %at`
    / `%cn %ce %ct`; better, refuse any commit whose declared encoding decodes its header block to anything
    but the stored header block (or any non-ASCII-transparent encoding such as UTF-7 / ISO-2022 / UTF-16)."""
    stored = [b"author Alice (aider) <alice@example.com> " + WHEN, b"committer Alice <alice@example.com> " + WHEN]
    _control(repo, tmp_path, stored, b"refactor the parser\n")
    hidden = utf7("\nauthor Alice <alice@example.com> " + WHEN.decode())
    sha = raw_commit(repo, tmp_path, [*stored, b"encoding UTF-7", b"x-note " + hidden], b"refactor the parser\n")
    raw = repo.git("cat-file", "commit", sha)
    assert [line for line in raw.splitlines() if line.startswith("author ")] == [stored[0].decode()]
    assert _git_reads(repo, sha, "%an|%ae") == "Alice|alice@example.com\n"

    code, data = check_json(repo)

    assert code == 1 and _blocking_on(data, sha), data["findings"]


# -- 2. a UTF-7 NUL that cuts the message the gate reads -------------------------------------------------------------

def test_a_utf7_nul_hides_the_ai_coauthor_trailer_the_object_stores(repo: RepoBuilder, tmp_path: Path) -> None:
    """Attack: an object whose stored message is `refactor the parser +AAA-` and a trailer
    `Co-authored-by: Claude <noreply@anthropic.com>` (what Claude Code writes; the forge shows the co-author),
    with `encoding UTF-7`. Stored, it holds no NUL byte (`git fsck --strict` accepts it: no nulInCommit). git
    re-encodes the object from UTF-7 first: `+AAA-` is U+0000, and git's pretty output stops at the NUL, so
    `%B` — the gate's message — is `refactor the parser ` and nothing after it. Author and committer are
    untouched (no identity doubt).

    The gate: no Co-authored-by, no AI origin; the commit passes. The same stored message without the `+AAA-`
    (control, checked first) is an AI commit blocked by `ai/assisted-by-missing`. The same cut hides a reviewer's `Co-authored-by` from review exclusion, `Origin-Device: mobile`,
    `Assisted-by:` and any trailer that makes the gate stricter.

    Should: block (or judge the message the object stores) — a message git reads shorter than stored, or any
    declared encoding that decodes to a NUL / rewrites the object, must not pass.
    Severity medium-high: AI and origin detection and review exclusion read a message cut short (`git log` cuts it
    too; `git cat-file`, fsck and the object as a forge stores it hold the trailer); fsck-clean object.
    Fix: in ProvenanceSource (which already reads every raw object) compare the decoded stored body with `%B`
    (or refuse a declared encoding under which the object decodes to NUL or differently from ASCII), as
    provenance/ambiguous-identity or a sibling rule."""
    idents = [b"author Alice <alice@example.com> " + WHEN, b"committer Alice <alice@example.com> " + WHEN]
    trailer = b"\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"
    _control(repo, tmp_path, [*idents, b"encoding UTF-7"], b"refactor the parser" + trailer)
    sha = raw_commit(repo, tmp_path, [*idents, b"encoding UTF-7"], b"refactor the parser +AAA-" + trailer)
    assert b"\0" not in subprocess.run(["git", "-C", str(repo.path), "cat-file", "commit", sha],
                                       capture_output=True, check=True).stdout
    assert "Co-authored-by" in repo.git("cat-file", "commit", sha)
    assert "Co-authored-by" not in _git_reads(repo, sha, "%B")

    code, data = check_json(repo)

    assert code == 1 and _blocking_on(data, sha), data["findings"]
