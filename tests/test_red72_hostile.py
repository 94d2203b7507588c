"""Red team red72: a hostile committer against the audit's new raw-record decoding (f506f87): records read with
`git log --pretty=raw --encoding=none` and the commit's declared `encoding` decoded in Python (`raw_parts`,
`_declared_codec`, `_unindented`, `person_of(ident, codec)`), while the gate (`gatekeeper check`) reads what git
itself prints (`%an %ae %B` with i18n.logOutputEncoding=UTF-8: git's own choice of header, git's iconv).

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the secure
behaviour (it passes once fixed). Real repositories built with git, hand-written objects through
`git hash-object -t commit -w` (git's own format check), the real CLI in-process.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder
from tests.test_red71_hostile import _audit, _by_sha, _check, _unreviewed

PROTECTED_MAIN = "version: 1\nprotected_refs: [refs/heads/main]\n"
AGENT = "Claude <noreply@anthropic.com>"
TRAILER = "Assisted-by: Claude:claude-opus-4"


def _policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(PROTECTED_MAIN)
    return path


def _git_shows(repo: RepoBuilder, sha: str, fmt: str) -> str:
    """What git prints for a format the way the gate asks for it (i18n.logOutputEncoding=UTF-8)."""
    out = subprocess.run(["git", "-C", str(repo.path), "-c", "i18n.logOutputEncoding=UTF-8", "log", "-1",
                          f"--format={fmt}", sha], capture_output=True, check=True).stdout
    return out.decode("utf-8", "replace")


def _object(repo: RepoBuilder, tmp_path: Path, headers: list[bytes], body: bytes) -> str:
    """A commit object on main, written as given (bytes; `git hash-object -t commit -w` checks its format)."""
    tree = repo.git("write-tree")
    raw = f"tree {tree}\nparent {repo.head()}\n".encode() + b"".join(h + b"\n" for h in headers) + b"\n" + body
    obj = tmp_path / "commit.obj"
    obj.write_bytes(raw)
    sha = repo.git("hash-object", "-t", "commit", "-w", str(obj))
    repo.git("update-ref", "refs/heads/main", sha)
    return sha


IDENTS = [b"author Dev <dev@corp.example> 1767225900 +0000",
          b"committer " + AGENT.encode() + b" 1767225900 +0000"]


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    return repo


def _assert_gate_and_audit_agree_on_ai(repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       base: str, sha: str) -> None:
    policy = _policy(tmp_path)
    checked = _check(capsys, repo.path, base, sha, policy)
    assert checked["commits"][0]["origin"]["ai"] != "none", checked["commits"][0]  # the gate sees the agent
    data = _audit(capsys, repo.path, "--policy", str(policy))
    audited = _by_sha(data)[sha]
    assert audited["ai"]["involvement"] != "none", audited
    assert sha in _unreviewed(data)


# -- 1. two `encoding` headers: git decodes by the FIRST, the audit by the LAST ----------------------------------------

def test_a_second_encoding_header_hides_the_agent_from_the_audit(repo: RepoBuilder, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: a pusher writes a commit object (ASCII throughout) whose committer is the agent
    (`Claude <noreply@anthropic.com>`) and whose message carries `Assisted-by: Claude:claude-opus-4`, with two
    `encoding` headers: `encoding UTF-8` then `encoding UTF-16`. `git hash-object` and `git fsck --strict` accept
    it (fsck does not look at `encoding`). git reads the FIRST header (pretty.c get_header → find_commit_header
    returns the first match): UTF-8, the output encoding, so nothing is re-encoded — `git log --format=%cn <%ce>`
    says Claude, `%B` shows the trailer, and `gatekeeper check` reports the commit `ai: assisted`.

    The audit: `_declared_codec` (gatekeeper/git/history.py) takes `head.rfind(b"\\nencoding ")` — the LAST header
    ("as git reads it", says its docstring; git does not) — so `raw_parts` decodes the committer and the whole
    message from UTF-16: CJK mojibake. No agent identity, no trailer: the commit is `ai: none`, a person's ordinary
    commit, and missing from `unreviewed_mobile_ai_on_protected` although it sits on main unreviewed.

    Should: the audit decodes with the encoding git uses (the first `encoding` header), so it reports what the gate
    reported: AI-involved, unreviewed on main.
    Severity high: one extra header line, which no git tool flags, takes any agent commit out of the audit's AI
    counts and its unreviewed list, while the gate saw the agent.
    Fix: in `_declared_codec` use `head.find` (the first header, as find_commit_header does) — better, do not
    re-implement git's decoding at all: read identities and message with git's own `%an %ae %cn %ce %B`
    (i18n.logOutputEncoding=UTF-8) for any record with an `encoding` header, as the gate does; or treat a record
    with more than one `encoding` header as evidence that takes the full path and is flagged."""
    base = repo.head()
    sha = _object(repo, tmp_path, [*IDENTS, b"encoding UTF-8", b"encoding UTF-16"],
                  f"tune the retry loop\n\n{TRAILER}\n".encode())
    assert repo.git("fsck", "--strict", "--no-dangling") == ""
    assert _git_shows(repo, sha, "%cn <%ce>").strip() == AGENT  # git: the first header, nothing re-encoded
    assert TRAILER in _git_shows(repo, sha, "%B")
    _assert_gate_and_audit_agree_on_ai(repo, tmp_path, capsys, base, sha)


# -- 2. an encoding git's iconv knows and Python does not: the audit reads the stored bytes as UTF-8 ----------------

def test_an_encoding_only_iconv_knows_hides_the_trailer_from_the_audit(repo: RepoBuilder, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: a commit declares `encoding IBM1047` (EBCDIC Latin-1, z/OS's code page: glibc's iconv knows it,
    Python's codecs do not) and its message is stored in that code page: `fix` + `Assisted-by: Claude:claude-opus-4`
    (EBCDIC line feeds, 0x25). `git commit` with `i18n.commitEncoding IBM1047` writes exactly this. git re-encodes
    the record from IBM1047 before `%B` (logmsg_reencode): `git log --format=%B` shows the Assisted-by trailer, and
    `gatekeeper check` reports the commit AI-assisted.

    The audit: `_declared_codec` returns None for a name `codecs.lookup` does not know, documented as "git prints
    the bytes as they are then: decoded here as UTF-8" — git does not: it re-encodes with iconv. `raw_parts` decodes
    the EBCDIC bytes as UTF-8: replacement characters, no trailer; the commit is `ai: none`, ordinary, and missing
    from `unreviewed_mobile_ai_on_protected`.

    Should: the audit sees the message git shows (the trailer): AI-assisted, unreviewed on main.
    Severity high: any agent commit written in an iconv-only code page (IBM1047, IBM01140, EBCDIC-US, ...: glibc
    knows hundreds Python lacks) is ordinary work in the audit while the gate counted it AI.
    Fix: when a record declares an encoding other than UTF-8, read its text fields through git
    (`git log --no-walk --format=%an%x00%ae%x00%cn%x00%ce%x00%B` with i18n.logOutputEncoding=UTF-8, what the gate
    reads) instead of guessing git's iconv with Python's codec table; at least never treat an unknown name as UTF-8
    silently (send the record to the full path and note it)."""
    base = repo.head()
    body = f"\nfix\n\n{TRAILER}\n".encode("cp037")  # the letters, digits, `:` `-` and LF of IBM1047
    sha = _object(repo, tmp_path, [b"author Dev <dev@corp.example> 1767225900 +0000",
                                   b"committer Dev <dev@corp.example> 1767225900 +0000", b"encoding IBM1047"], body)
    assert TRAILER in _git_shows(repo, sha, "%B")  # git's iconv decodes it
    _assert_gate_and_audit_agree_on_ai(repo, tmp_path, capsys, base, sha)


# -- 3. an encoding Python knows and git's iconv does not: the audit decodes what git prints as it is -----------------

def test_an_encoding_only_python_knows_hides_the_agent_from_the_audit(repo: RepoBuilder, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: a commit, ASCII throughout, committer `Claude <noreply@anthropic.com>` (the agent's own address),
    declares `encoding punycode`. iconv has no such charset, so git prints the record as stored
    (logmsg_reencode falls back to the original buffer): `%cn <%ce>` says Claude, and `gatekeeper check` reports
    `ai: assisted`.

    The audit: `codecs.lookup("punycode")` succeeds, so `raw_parts` decodes the identities and the message with
    Python's punycode codec — text with no `-` is read entirely as punycode deltas, so
    `Claude <noreply@anthropic.com>` becomes a few CJK characters: no agent identity, `ai: none`, not in
    `unreviewed_mobile_ai_on_protected`. (A message keeps what precedes its last `-`, so trailers survive; the
    identities, which need no `-`, do not.)

    Should: AI-assisted and unreviewed, as the gate said.
    Severity high: the same evasion as a second header, with one ordinary-looking header.
    Fix: as for the iconv-only names: let git decode (its `%an %ae %B`), or decode only for an allow-list of names
    whose git/iconv and Python meanings are known to match, and send any other to the full path with a note."""
    base = repo.head()
    sha = _object(repo, tmp_path, [*IDENTS, b"encoding punycode"], b"tune the retry loop\n")
    assert _git_shows(repo, sha, "%cn <%ce>").strip() == AGENT
    _assert_gate_and_audit_agree_on_ai(repo, tmp_path, capsys, base, sha)


# -- 4. a codec name that is not a text encoding: the audit crashes ------------------------------------------------------

@pytest.mark.parametrize("name", ["rot13", "base64", "undefined", "idna"])
def test_a_non_text_codec_name_crashes_the_audit(repo: RepoBuilder, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str], name: str) -> None:
    """Attack: one commit anywhere in the history declares `encoding rot13` (or base64, hex, zlib, undefined,
    idna). git has no such charset and prints the commit as stored: `git log` works, `gatekeeper check` judges it.

    The audit: `codecs.lookup(name)` succeeds (they are Python codecs), so `_declared_codec` returns the name, and
    `person_of(ident, codec)` calls `bytes.decode(codec, "replace")`, which raises — LookupError ("'rot-13' is not a
    text encoding"), UnicodeError ("undefined encoding", "Unsupported error handling replace" for idna). Nothing
    catches it: `gatekeeper audit` stops with "internal error: LookupError: 'rot-13' is not a text encoding" and
    exit 4 (cannot evaluate) after a truncated report, for every later audit of any range that holds that commit.

    Should: the audit completes and reports the commit (here: the agent committer git shows, so AI-involved).
    Severity medium: any pusher can permanently break the security team's audit of the repository with one header
    (denial of the report; a scheduled audit that fails is easy to stop reading).
    Fix: accept only codecs that are text encodings (`codecs.lookup(name)._is_text_encoding`) and that decode with
    "replace", inside a try; better, let git decode the text fields (see the other tests)."""
    sha = _object(repo, tmp_path, [*IDENTS, f"encoding {name}".encode()], f"tune the retry loop\n\n{TRAILER}\n".encode())
    assert _git_shows(repo, sha, "%cn <%ce>").strip() == AGENT  # git prints it as stored
    policy = _policy(tmp_path)
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "json", "--no-progress", "--policy",
                   str(policy))
    assert code == 0, f"gatekeeper audit failed on `encoding {name}`: " + out[out.rfind("}") + 1 :][-600:]
    data = json.loads(out[: out.rindex("}") + 1])
    audited = _by_sha(data)[sha]
    assert audited["ai"]["involvement"] != "none", audited
