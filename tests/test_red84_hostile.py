"""Red team red84: commits written by NON-git writers — libgit2 (pygit2: what Working Copy, GitJournal and most
mobile git apps are built on) and dulwich (pure Python) — judged by the gate (`gatekeeper check`) and the audit
(`gatekeeper audit`), with provenance/ambiguous-identity (gatekeeper/provenance/source.py identity_doubt) now
CRITICAL and blocking under any policy.

Found:
1. Gate and audit disagree, NUL in the message: dulwich's own `porcelain.commit` writes a message holding a NUL
   byte as given (`git fsck` only warns, nulInCommit; receive.fsckObjects is off by default). git reads the message
   only up to the NUL (`%B`, `--pretty=raw`); `git cat-file`, libgit2 and the forges show all of it — here a
   `Co-authored-by: Claude <noreply@anthropic.com>` trailer after the NUL. The gate's identity_doubt sees the NUL
   in the object (`cat-file --batch`) and blocks it (CRITICAL). The audit runs identity_doubt only on records its
   filter calls doubtful (an encoding, a second author/committer, an identity with three `<`/`>`; audit/history.py
   `doubtful`), never on a NUL — and the record it would hand it is git's `--pretty=raw` print, already cut at the
   NUL (stored_object). So the audit reports an ordinary human commit (`ai: none`, `ambiguous_identity: null`, not
   in the summary's ambiguous list) that the gate refuses and every libgit2-based client shows as AI co-authored.
2. Gate and audit disagree, `<` without `>`: an author `Dev <dev@example.com <noreply@anthropic.com` (two `<`, no
   `>`: what dulwich's Commit object API writes as given). The gate's identity_doubt flags it (two `<`); the audit's
   doubtful filter `_ODD_IDENT` needs three angle brackets on the line, so the audit never asks identity_doubt and
   reports `ambiguous_identity: null`. (git reads no person at all from it, libgit2 refuses to parse it.)

Checked and clean (no false ambiguous-identity, no other unexpected finding, and gate and audit agree on origin
device, AI involvement, author e-mail and DCO): pygit2 `create_commit` with CRLF messages, no trailing newline,
leading blank lines, CR-only line ends, 100,000-character lines, trailing whitespace/tabs, `Co-authored-by` and
`Origin-Device` trailers in CRLF messages, agent authors/committers, GitHub web-flow committer, non-ASCII and
upper-case e-mails, e-mails with spaces, control bytes and quotes in names, time 0 / negative / 2**40 / 2**63-1,
offsets 0 / ±10000 minutes; `encoding=` with ~30 codec names (Python-only names libgit2 writes verbatim —
`latin_1`, `utf_8`, `u8`, `utf-8-sig`, `cp65001` — which iconv does not know; ISO-8859-x, CP125x, KOI8, EUC-JP,
GBK, GB18030, Big5-HKSCS, Shift_JIS-2004, HZ, UTF-7, UTF-16 (libgit2 cuts the message at the first NUL), mac_roman,
CP437, CP1258) with signatures in the same or another encoding, CRLF and leading blank lines; libgit2
`amend_commit` of a Latin-1 commit (a Latin-1 author under `encoding UTF-8`) and a libgit2 cherry-pick that
double-encodes the message; libgit2 `create_commit_with_signature` with real `ssh-keygen -Y sign` signatures (the
`\\n \\n` continuation libgit2 writes for the signature's final newline), also for CRLF, unterminated and
Latin-1 messages: all `good`, device `mobile`. dulwich `Commit` objects with `-0000`, `encoding` UTF-8 / Latin-1
(also a Latin-1 e-mail), extra headers (one multi-line holding an `author ...` continuation, one named
`encoding-note`), `mergetag`, a (fake) `gpgsig`, no space before `<`, runs of spaces, spaces inside `<…>`, empty
name, empty or missing e-mail, text after `>`, time 0, empty / unterminated / CRLF / leading-blank messages.

Unconfirmed / not pursued: in a Shift_JIS commit (glibc's SHIFT_JIS maps `~` and `\\` to U+203E / U+00A5) an ASCII
e-mail holding `~` is read by git with an overline, and identity_doubt's e-mail comparison (unlike same_skeleton)
has no Shift_JIS allowance — a false alarm in principle, but such an address in such an encoding was not seen.

The tests need pygit2 / dulwich: `pytest.importorskip` skips them where the packages are absent, so the suite
still runs without them. Each non-control test FAILS on the code at the time of writing for the reason its
docstring names and asserts the correct behaviour. Real repositories in tmp_path, the real CLI in-process.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder

AMBIGUOUS = "provenance/ambiguous-identity"
POLICY = """\
version: 1
protected_refs: [refs/heads/main]
rules:
  default: {scanners: [], block_at: high, review: null}
require_dco: true
"""
WHEN = 1767226000


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    return repo


def _policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(POLICY)
    return path


def _check(capsys: pytest.CaptureFixture[str], repo: RepoBuilder, sha: str,
           policy: Path) -> tuple[int, dict[str, Any], dict[str, Any]]:
    code, out = gk(capsys, "check", "--repo", str(repo.path), "--base", f"{sha}^", "--head", sha, "--policy",
                   str(policy), "--format", "json")
    data: dict[str, Any] = json.loads(out[out.index("{") : out.rindex("}") + 1])
    (commit,) = [c for c in data["commits"] if c["sha"] == sha]
    return code, data, commit


def _audit(capsys: pytest.CaptureFixture[str], repo: RepoBuilder, sha: str,
           policy: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "json", "--no-progress", "--policy",
                   str(policy))
    assert code == 0, out
    data: dict[str, Any] = json.loads(out[: out.rindex("}") + 1])
    (commit,) = [c for c in data["commits"] if c["sha"] == sha]
    return data, commit


def _doubts(data: dict[str, Any], sha: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["rule_id"] == AMBIGUOUS and f.get("commit") == sha]


def _dco(data: dict[str, Any], sha: str) -> bool:
    return not [f for f in data["findings"] if f["rule_id"] == "provenance/dco-missing" and f.get("commit") == sha]


def _agree(capsys: pytest.CaptureFixture[str], repo: RepoBuilder, sha: str,
           tmp_path: Path) -> tuple[int, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """check and audit of `sha`; asserts the two agree on origin device, AI involvement, author e-mail and DCO."""
    policy = _policy(tmp_path)
    code, data, checked = _check(capsys, repo, sha, policy)
    summary, audited = _audit(capsys, repo, sha, policy)
    gate = (checked["origin"]["device"], checked["origin"]["ai"], checked["author"]["email"], _dco(data, sha))
    history = (audited["origin"]["device"], audited["origin"]["ai"], audited["author"]["email"], audited["dco"])
    assert gate == history, (checked, audited)
    return code, data, audited, summary


# -- controls: what libgit2 and dulwich write for phones is no ambiguous identity ----------------------------------------

SIGN_OFF = "Signed-off-by: Dev Phone <dev@example.com>"
LIBGIT2_SHAPES: dict[str, tuple[str, str | None, dict[str, Any]]] = {
    "crlf": (f"fix login\r\n\r\n{SIGN_OFF}\r\n", None, {}),
    "no final newline": (f"fix login\n\n{SIGN_OFF}", None, {}),
    "leading blank lines": (f"\n\nfix login\n\n{SIGN_OFF}\n", None, {}),
    "crlf co-author": (f"fix\r\n\r\nCo-authored-by: Claude <noreply@anthropic.com>\r\n{SIGN_OFF}\r\n", None, {}),
    "latin-1 crlf": ("\r\nfix café\r\n\r\nSigned-off-by: José <dev@example.com>\r\n", "ISO-8859-1",
                     {"name": "José", "encoding": "iso-8859-1"}),
    "python-only codec name": ("fix café\n\nSigned-off-by: José <dev@example.com>\n", "latin_1", {"name": "José"}),
    "utf-8 name in a cp1252 commit": ("fix “q”\n\nSigned-off-by: José <dev@example.com>\n", "cp1252", {"name": "José"}),
    "odd offset": (f"fix\n\n{SIGN_OFF}\n", None, {"offset": -10000}),
}


@pytest.mark.parametrize("shape", list(LIBGIT2_SHAPES), ids=list(LIBGIT2_SHAPES))
def test_control_libgit2_commits_are_not_ambiguous_and_gate_and_audit_agree(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str) -> None:
    """Control (passes today): pygit2 `create_commit` of the shapes mobile apps write (messages verbatim: CRLF, no
    final newline, leading blank lines; `encoding=` with an iconv or a Python-only codec name; a UTF-8 signature in
    a CP1252 commit; an offset of -10000 minutes): no ambiguous-identity, and the audit agrees with the gate."""
    pygit2 = pytest.importorskip("pygit2")
    message, encoding, who = LIBGIT2_SHAPES[shape]
    g = pygit2.Repository(str(repo.path))
    args = [who.get("name", "Dev Phone"), "dev@example.com", WHEN, who.get("offset", 120)]
    person = pygit2.Signature(*args, who["encoding"]) if "encoding" in who else pygit2.Signature(*args)
    head = g.head.target
    extra = [encoding] if encoding else []
    sha = str(g.create_commit("refs/heads/main", person, person, message, g[head].tree.id, [head], *extra))

    code, data, audited, _summary = _agree(capsys, repo, sha, tmp_path)

    assert not _doubts(data, sha) and audited["ambiguous_identity"] is None, data["findings"]
    assert _dco(data, sha) and code == 0, data["findings"]


def test_control_dulwich_negative_zero_offset_and_mergetag_are_not_ambiguous(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Control (passes today): a dulwich Commit with `-0000` offsets, `encoding ISO-8859-1`, a `mergetag` and an
    extra multi-line header whose continuation reads `author Claude <noreply@anthropic.com> ...`."""
    pytest.importorskip("dulwich")
    from dulwich.objects import Commit, Tag
    from dulwich.repo import Repo

    r: Any = Repo(str(repo.path))
    head = r.refs[b"refs/heads/main"]
    tag = Tag()
    tag.object = (Commit, head)
    tag.name, tag.tagger, tag.tag_time, tag.tag_timezone, tag.message = b"v1", b"T <t@example.com>", WHEN, 0, b"v1\n"
    r.object_store.add_object(tag)
    c = Commit()
    c.tree, c.parents = r[head].tree, [head]
    c.author = c.committer = b"Jos\xe9 <dev@example.com>"
    c.author_time = c.commit_time = WHEN
    c.author_timezone = c.commit_timezone = 0
    c._author_timezone_neg_utc = c._commit_timezone_neg_utc = True
    c.encoding = b"ISO-8859-1"
    c.mergetag = [tag]
    c._extra.append((b"x-meta", b"line1\nauthor Claude <noreply@anthropic.com> 1 +0000"))
    c.message = b"fix caf\xe9\n\nSigned-off-by: Jos\xe9 <dev@example.com>\n"
    r.object_store.add_object(c)
    r.refs[b"refs/heads/main"] = c.id
    sha = c.id.decode()
    assert b" -0000\n" in repo.git("cat-file", "commit", sha).encode()

    code, data, audited, _summary = _agree(capsys, repo, sha, tmp_path)

    assert not _doubts(data, sha) and audited["ambiguous_identity"] is None, data["findings"]
    assert code == 0, data["findings"]


# -- 1. a NUL in the message: the gate refuses the commit, and the audit names the same doubt ----------------------------

HIDDEN = b"fix login\x00\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"


def test_a_nul_in_a_dulwich_message_is_an_ambiguous_identity_to_the_audit_as_to_the_gate(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Disagreement (gate vs audit): dulwich's own `porcelain.commit(message=b"fix login\\x00\\n\\nCo-authored-by:
    Claude <noreply@anthropic.com>\\n")` stores the NUL as given (`git fsck` warns nulInCommit, it does not fail).
    git reads the message up to the NUL (`fix login`); `git cat-file`, libgit2-based clients and forges show the
    agent co-author after it.

    The gate: identity_doubt reads the object with `cat-file --batch`, sees the NUL and raises
    provenance/ambiguous-identity (CRITICAL, blocking) — correct.
    The audit: identity_doubt runs only on records `doubtful` names (an encoding, a second author/committer header,
    `_ODD_IDENT`), never for a NUL, and on `stored_object(raw)` of git's `--pretty=raw` record, which git already
    cut at the NUL. It reports the commit `ai: none`, `ambiguous_identity: null`, and leaves it out of the summary's
    `ambiguous_identity` list: the history view shows an ordinary human commit that the gate refuses and every
    non-git tool shows as AI co-authored.
    Should: the audit reports the same ambiguous identity as the gate (the summary lists it).
    Severity low-medium (audit false negative on the commits the audit exists to surface; the gate itself blocks).
    Fix: test the stored object (cat-file, as _stored_messages already does for a few) for a NUL, or let
    `doubtful` take any record whose object size exceeds what the raw record printed."""
    pytest.importorskip("dulwich")
    from dulwich import porcelain
    from dulwich.repo import Repo

    sha = porcelain.commit(Repo(str(repo.path)), message=HIDDEN, author=b"Dev <dev@example.com>",
                           committer=b"Dev <dev@example.com>").decode()
    assert repo.git("cat-file", "commit", sha).endswith("Co-authored-by: Claude <noreply@anthropic.com>")
    assert repo.git("log", "-1", "--format=%B", sha) == "fix login"
    policy = _policy(tmp_path)
    code, data, _checked = _check(capsys, repo, sha, policy)
    (doubt,) = _doubts(data, sha)
    assert "NUL" in doubt["message"] and doubt["blocking"] and code == 1

    summary, audited = _audit(capsys, repo, sha, policy)

    assert audited["ambiguous_identity"] is not None, audited
    assert sha in {item["sha"] for item in summary["summary"]["ambiguous_identity"]["items"]}, summary["summary"]


# -- 2. an identity with two `<` and no `>`: the gate refuses it, the audit never asks ----------------------------------

def test_an_author_with_two_lt_and_no_gt_is_ambiguous_to_the_audit_as_to_the_gate(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Disagreement (gate vs audit): a dulwich Commit whose author is `Dev <dev@example.com <noreply@anthropic.com`
    (two `<`, no `>`; dulwich's object API writes it as given, `git fsck` only reports it). git reads no person
    from it (`%an|%ae` empty); libgit2 refuses it; a forge shows the raw text.

    The gate: identity_doubt flags the second `<` — provenance/ambiguous-identity, CRITICAL, blocking (correct).
    The audit: its `doubtful` filter asks identity_doubt only when `_ODD_IDENT` finds THREE angle brackets on an
    author/committer line; this one has two, so the audit reports `ambiguous_identity: null` for the commit the
    gate refuses. Should: the audit names the same doubt (the filter must admit every line identity_doubt would
    flag: two `<`, or two `>` after the `<`). Severity low (hand-assembled objects only)."""
    pytest.importorskip("dulwich")
    from dulwich.objects import Commit
    from dulwich.repo import Repo

    r: Any = Repo(str(repo.path))
    head = r.refs[b"refs/heads/main"]
    c = Commit()
    c.tree, c.parents = r[head].tree, [head]
    c.author = b"Dev <dev@example.com <noreply@anthropic.com"
    c.committer = b"Dev <dev@example.com>"
    c.author_time = c.commit_time = WHEN
    c.author_timezone = c.commit_timezone = 0
    c.message = b"fix login\n"
    r.object_store.add_object(c)
    r.refs[b"refs/heads/main"] = c.id
    sha = c.id.decode()
    assert subprocess.run(["git", "-C", str(repo.path), "log", "-1", "--format=%an|%ae", sha], capture_output=True,
                          text=True, check=True).stdout == "|\n"
    policy = _policy(tmp_path)
    code, data, _checked = _check(capsys, repo, sha, policy)
    (doubt,) = _doubts(data, sha)
    assert doubt["blocking"] and code == 1

    summary, audited = _audit(capsys, repo, sha, policy)

    assert audited["ambiguous_identity"] is not None, audited
    assert sha in {item["sha"] for item in summary["summary"]["ambiguous_identity"]["items"]}, summary["summary"]
