"""Red team red78: hand-made commit objects that `identity_doubt` (provenance/ambiguous-identity) still lets the gate
read differently from what the object stores.

Since red76, identity_doubt judges a declared `encoding` by structure only: one author and one committer header, no
NUL, the stored e-mail and date (where ASCII) equal git's `%ae %at`, the stored name (where ASCII) equal `%an`, and
the stored message has as many LINES as git's `%B`. It assumes "an encoding that keeps ASCII as it is (every one
teams use) changes none of these". Two gaps remain:

1. A message can be rewritten WITHOUT changing its line count. Under UTF-7 (an ASCII-only object, fsck-clean) a
   stored line `+ACM- ---...>8---` is git's scissors line `# ---...>8---`, and a stored line `+ACA-` is a blank
   (space-only) line to git's trailer parser. Either one removes a trailer the object stores (`Co-authored-by:
   Claude`, `Assisted-by:`, `Origin-Device:`) from git's `%B` / `%(trailers)`, which the gate reads.
2. EBCDIC (`encoding IBM037`, which glibc's iconv and so `git log` know) keeps NO ASCII byte as it is: git re-encodes
   the whole object, so the header block and message git parses come entirely from bytes the attacker hid in an
   extra header; the stored headers become one garbage line. The gate's comparisons hold only where the stored
   ident is ASCII — a non-ASCII stored name is not compared at all.

`git cat-file -p`, `git fsck --strict` (which accepts every object here), libgit2/JGit and the forges read the object
as stored. Each test FAILS on the code at the time of writing for the reason its docstring names and asserts the
secure behaviour. Hand-written objects through `git hash-object -t commit -w`, the real CLI in-process.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.hook_helpers import make_server, spush
from tests.provenance_helpers import check_json, feature_repo, install_policy, raw_commit
from tests.repo_builder import RepoBuilder

# An AI-involved commit must name its agent (`ai/assisted-by-missing`, blocking); an ordinary commit need not.
POLICY = """\
version: 1
rules:
  default: {scanners: [], block_at: high, review: null}
ai: {require_assisted_by: true}
"""
WHEN = b"1767225900 -0500"  # no `+0000`: in a UTF-7 buffer `+` opens a base64 run
IDENTS = [b"author Alice <alice@example.com> " + WHEN, b"committer Alice <alice@example.com> " + WHEN]
CLAUDE = b"Co-authored-by: Claude <noreply@anthropic.com>\n"



@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    return feature_repo(tmp_path / "repo", POLICY)


def _git(repo: RepoBuilder, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo.path), "-c", "i18n.logOutputEncoding=UTF-8", *args],
                          capture_output=True, check=True).stdout


def _git_reads(repo: RepoBuilder, sha: str, fmt: str) -> str:
    return _git(repo, "log", "-1", f"--format={fmt}", sha).decode("utf-8", "replace")


def _stored_trailers(repo: RepoBuilder, sha: str) -> str:
    """The trailers of the message as the object stores it (`git cat-file` | `git interpret-trailers --parse`)."""
    raw = _git(repo, "cat-file", "commit", sha)
    body = raw.split(b"\n\n", 1)[1]
    return subprocess.run(["git", "interpret-trailers", "--parse"], input=body, capture_output=True,
                          check=True).stdout.decode("utf-8", "replace")


def _blocking_on(data: dict, sha: str) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in data["findings"] if f.get("commit") == sha and f["blocking"]]


def _control(repo: RepoBuilder, tmp_path: Path, headers: list[bytes], body: bytes,
             rule_id: str = "ai/assisted-by-missing") -> None:
    """The object as stored, read as stored (no `encoding` header): blocked by `rule_id`."""
    base = repo.head()
    sha = raw_commit(repo, tmp_path, headers, body)
    code, data = check_json(repo)
    assert code == 1 and rule_id in {f["rule_id"] for f in _blocking_on(data, sha)}, data["findings"]
    repo.git("update-ref", "HEAD", base)


# -- 1. UTF-7 rewrites the message without changing its line count ---------------------------------------------------

# Mobile work needs a signature; desktop work does not (DESIGN §3's shape).
MOBILE_POLICY = """\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
rules:
  mobile: {scanners: [], block_at: high, require_signature: true, review: null}
  default: {scanners: [], block_at: critical, review: null}
"""
MOBILE = b"Origin-Device: mobile\n"


@pytest.mark.parametrize("body", [
    pytest.param(b"fix the login form\n\n+ACM- ------------------------ >8 ------------------------\n\n" + MOBILE,
                 id="utf7-scissors"),
    pytest.param(b"fix the login form\n\n" + MOBILE + b"+ACA-\nSigned-off-by: Alice <alice@example.com>\n",
                 id="utf7-blank-line"),
])
def test_utf7_hides_a_stored_origin_device_trailer_without_changing_the_line_count(
        tmp_path: Path, body: bytes) -> None:
    """Attack: an unsigned phone commit whose stored trailer block holds `Origin-Device: mobile` (`git cat-file`,
    `git interpret-trailers --parse` of the stored message and the forge all show it), with `encoding UTF-7`; one
    author and one committer, untouched by the encoding:
    - scissors: a stored line `+ACM- ------------------------ >8 ------------------------` before the trailer
      paragraph. git decodes `+ACM-` to `#`: it is git's scissors line, and git's trailer parser (so the gate's
      `parse_trailers`, which follows it) ignores everything from there on;
    - blank-line: the trailer block `Origin-Device: mobile` / `+ACA-` / `Signed-off-by: Alice ...`. git decodes
      `+ACA-` to one space — a blank line to the trailer parser — so git's block is the sign-off alone; stored,
      the block holds both (the `Signed-off-by:` makes git's 25 % rule accept the odd line).

    The gate: no NUL, one ident each, same e-mail, name and date, and the message has as many lines as stored — no
    provenance/ambiguous-identity. git's trailers have no Origin-Device (the TrailerDetector reads only those):
    desktop rules, the unsigned commit passes. The same object without the `encoding` header (control) gets the
    mobile rules and is blocked by provenance/unsigned.

    Should: block — the message git reads is not the one the object stores (only its line count is compared).
    Severity medium-high: takes mobile work out of the mobile rules (signature, registered device, review) with an
    ASCII-only, fsck-clean object — red75's NUL trailer cut, with the NUL replaced by a line that only turns into
    a scissors/blank line after decoding. Any trailer read only from the block (Origin-Device, Origin-Device-Id,
    Origin-Client, Signed-off-by, Reviewed-by) can be hidden the same way.
    Fix: under a declared encoding compare git's `%B` with the stored message (e.g. byte-equal wherever both are
    ASCII, or the same trailer list), or refuse encodings that are not ASCII-transparent (UTF-7)."""
    repo = RepoBuilder.init(tmp_path / "repo")
    install_policy(repo, MOBILE_POLICY)
    repo.branch("feature")
    _control(repo, tmp_path, IDENTS, body, "provenance/unsigned")
    sha = raw_commit(repo, tmp_path, [*IDENTS, b"encoding UTF-7"], body)
    assert "Origin-Device: mobile" in _stored_trailers(repo, sha)
    assert "Origin-Device" not in _git_reads(repo, sha, "%(trailers)")
    assert _git_reads(repo, sha, "%an|%ae|%at|%cn|%ce|%ct") == (
        "Alice|alice@example.com|1767225900|Alice|alice@example.com|1767225900\n")

    code, data = check_json(repo)

    assert code == 1 and _blocking_on(data, sha), data["findings"]


def test_utf7_gives_git_a_sign_off_the_object_does_not_store(tmp_path: Path) -> None:
    """Attack: `require_dco: true`; an object whose stored message ends `Signed+AC0-off+AC0-by: Alice
    <alice@example.com>` with `encoding UTF-7`. Stored (`git cat-file`, `git interpret-trailers --parse`, a forge's
    DCO app reading the commit message as stored) there is no sign-off; git decodes `+AC0-` to `-` and reads
    `Signed-off-by: Alice <alice@example.com>`. Author/committer and the line count are untouched.

    The gate: no ambiguous-identity; DcoCheck sees the author's sign-off in git's trailers and the commit passes.
    The same object without the `encoding` header (control) is blocked by provenance/dco-missing.

    Should: block — the certification the gate accepted is not in the object anyone else reads.
    Severity medium: the DCO, a legal attestation, is satisfied by text that exists only after UTF-7 decoding.
    Fix: as above (compare the decoded message/trailers with the stored ones, or refuse UTF-7)."""
    repo = RepoBuilder.init(tmp_path / "repo")
    install_policy(repo, POLICY.replace("ai: {require_assisted_by: true}", "require_dco: true"))
    repo.branch("feature")
    body = b"fix the login form\n\nSigned+AC0-off+AC0-by: Alice <alice@example.com>\n"
    _control(repo, tmp_path, IDENTS, body, "provenance/dco-missing")
    sha = raw_commit(repo, tmp_path, [*IDENTS, b"encoding UTF-7"], body)
    assert "Signed-off-by" not in _stored_trailers(repo, sha)
    assert _git_reads(repo, sha, "%(trailers:key=Signed-off-by,valueonly)") == "Alice <alice@example.com>\n\n"

    code, data = check_json(repo)

    assert code == 1 and _blocking_on(data, sha), data["findings"]


# -- 2. EBCDIC: git parses headers and message the attacker hid in an extra header -----------------------------------

def _ebcdic_object(stored_author: bytes, git_author: str, git_message: str, body: bytes) -> tuple[list[bytes], bytes]:
    """Headers and body of an `encoding IBM037` object: the stored idents are `stored_author`; git, which re-encodes
    the whole object from EBCDIC (ASCII's `\\n` is not EBCDIC's newline, `%` is), reads the header block and
    message hidden, EBCDIC-encoded, in an `x-note` header (no NUL, no LF byte: fsck --strict accepts it)."""
    hidden = (f"\nauthor {git_author} {WHEN.decode()}\ncommitter {git_author} {WHEN.decode()}\n\n{git_message}"
              .encode("cp037"))
    assert b"\n" not in hidden and b"\0" not in hidden
    headers = [b"author " + stored_author + b" " + WHEN, b"committer " + stored_author + b" " + WHEN,
               b"encoding IBM037", b"x-note " + hidden]
    return headers, body


def test_ebcdic_object_hides_the_stored_message_behind_a_hidden_one(repo: RepoBuilder, tmp_path: Path) -> None:
    """Attack: an object that stores an ordinary ASCII commit — `Alice <alice@example.com>`, message `refactor the
    parser` + `Co-authored-by: Claude <noreply@anthropic.com>` — plus `encoding IBM037` and an `x-note` header of
    EBCDIC bytes. git (glibc iconv) re-encodes the WHOLE object from EBCDIC before parsing: the stored header lines
    become one garbage line, and the header block and message git parses are the hidden ones — `author Alice
    <alice@example.com>`, message `refactor the parser` followed by the stored message as EBCDIC garbage (no
    trailer). The hidden message has as many newlines as the stored one.

    The gate: same name, e-mail and date as stored, same line count — no provenance/ambiguous-identity. `%B` has no
    trailer: not an AI commit, passes. Stored (control, no encoding header) it is blocked by ai/assisted-by-missing.

    Should: block — nothing of what git read comes from the stored header block or message.
    Severity medium-high: every message-derived fact (AI/mobile trailers, sign-offs, review co-authors) can be
    replaced wholesale by an fsck-clean object whose stored text is perfectly ordinary.
    Fix: refuse declared encodings that do not keep ASCII (EBCDIC family, UTF-7, UTF-16/32...) — iconv one ASCII
    probe line through the declared name and require it unchanged — and compare the decoded message, not its
    line count."""
    body = b"refactor the parser\n\n" + CLAUDE
    _control(repo, tmp_path, IDENTS, body)
    headers, body = _ebcdic_object(b"Alice <alice@example.com>", "Alice <alice@example.com>",
                                   "refactor the parser\n\n", body)
    sha = raw_commit(repo, tmp_path, headers, body)
    assert "Co-authored-by: Claude" in _stored_trailers(repo, sha)
    assert _git_reads(repo, sha, "%an|%ae|%at") == "Alice|alice@example.com|1767225900\n"
    assert "Co-authored-by" not in _git_reads(repo, sha, "%B")

    code, data = check_json(repo)

    assert code == 1 and _blocking_on(data, sha), data["findings"]


def test_ebcdic_object_renames_a_non_ascii_stored_author(repo: RepoBuilder, tmp_path: Path) -> None:
    """Attack: the stored author and committer are `Alicé (aider) <alice@example.com>` — aider's mark of an
    AI-written commit, which `git cat-file -p` and the forge's commit page show — with `encoding IBM037` and an
    `x-note` header of EBCDIC bytes that git's whole-object re-encoding turns into the header block `author Alice
    <alice@example.com>` / `committer ...` (the stored `author` line itself becomes garbage to git). The gate's
    `%an` is `Alice`.

    The gate: one stored author, same e-mail, same date; the stored NAME is not ASCII, so identity_doubt does not
    compare it (the red76 allowance for legacy encodings) — no provenance/ambiguous-identity; no `(aider)`, the
    commit passes. As stored (control, no encoding header) it is an AI commit blocked by ai/assisted-by-missing.

    Should: block — git read a name the object does not store.
    Severity high: the red75 rename (AI identity, bot/web-flow detection, review-exclusion names) again, needing
    only one non-ASCII character in the stored name.
    Fix: as above — refuse a declared encoding that is not ASCII-transparent; then a non-ASCII name can only differ
    in its non-ASCII characters, and the ASCII characters of the stored name can be compared with `%an`'s."""
    stored = "Alicé (aider) <alice@example.com>".encode()
    idents = [b"author " + stored + b" " + WHEN, b"committer " + stored + b" " + WHEN]
    _control(repo, tmp_path, idents, b"refactor the parser\n")
    headers, body = _ebcdic_object(stored, "Alice <alice@example.com>", "refactor the parser", b"x\n")
    sha = raw_commit(repo, tmp_path, headers, body)
    assert [line for line in repo.git("cat-file", "commit", sha).splitlines() if line.startswith("author ")] == [
        "author Alicé (aider) <alice@example.com> " + WHEN.decode()]
    assert _git_reads(repo, sha, "%an|%ae|%at") == "Alice|alice@example.com|1767225900\n"

    code, data = check_json(repo)

    assert code == 1 and _blocking_on(data, sha), data["findings"]


def test_a_real_push_of_a_commit_an_encoding_rewrites_is_refused_by_the_hook(tmp_path: Path) -> None:
    """The same refusal at the pre-receive door: a real `git push` into a bare repository with the hook, where the
    pushed objects are only in the quarantine (git's own decoding of them, `Git.decoded_records`, must read them
    there). A UTF-7 commit whose stored `Signed+AC0-off+AC0-by` line is a sign-off only to git is refused as
    provenance/ambiguous-identity (critical, under `block_at: critical`); an ISO-8859-1 commit with a non-ASCII
    name, pushed the same way, is accepted."""
    server = make_server(tmp_path / "srv", policy="version: 1\nprotected_refs: [refs/heads/main]\n"
                                                  "rules:\n  default: {scanners: [], block_at: critical}\n")
    work = server.clone()
    work.commit("base\n", {"a.txt": "a\n"})
    assert spush(server, work, "origin", "main").code == 0
    latin = [b"author J\xfcrgen <j@example.com> " + WHEN, b"committer J\xfcrgen <j@example.com> " + WHEN,
             b"encoding ISO-8859-1"]
    raw_commit(work, tmp_path, latin, b"Gr\xfc\xdfe\n")
    assert spush(server, work, "origin", "main").code == 0  # control
    sha = raw_commit(work, tmp_path, [*IDENTS, b"encoding UTF-7"],
                     b"tidy up\n\nSigned+AC0-off+AC0-by: Alice <alice@example.com>\n")
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert [f["commit"] for f in server.last_verdict()["findings"]
            if f["rule_id"] == "provenance/ambiguous-identity" and f["severity"] == "critical"] == [sha]
