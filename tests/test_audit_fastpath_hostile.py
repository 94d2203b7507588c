"""Red team (red9) against the audit's fast path as changed in 1a64259..af576e2: `_PLAIN_HEAD` reading ids as
"anything to the end of the line", `_Runner._parts` standing in for raw_parts, plain runs, orjson records.

Hostile commits are written byte by byte (`hash-object --literally`); each test runs both paths through the
oracle of tests/test_audit_fastpath.py, and the CLI's JSON output through json.loads.

FINDING (red9-1): git validates a commit's `parent` lines only while at least hexsz + 8 bytes of the object
are left (commit.c parse_commit_buffer: `bufptr + parent_entry_len < tail`). A commit short enough (no message,
identities of a byte or two) carries an unvalidated `parent` line that git log --pretty=raw prints verbatim,
non-ASCII bytes included. `_PLAIN_HEAD` now accepts it (`parent [^\\n]+`), and when that commit is on a
protected tip's first-parent line the fast path's line tracking decodes the parent with `.decode("ascii")`:
UnicodeDecodeError, `gatekeeper audit` exits 4 with half a JSON document. At 40ec599 (parents matched as hex)
the same repository audits cleanly. Fixed: the parent is read as raw_parts reads it (`"replace"`); the tests
marked `red9-1` failed before that.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.audit.history import AuditRequest, PlainRecord, resolve_range, run_audit
from gatekeeper.audit.render import JsonWriter, summary_dict
from gatekeeper.config import Policy, default_policy, parse_policy
from gatekeeper.git import Git
from gatekeeper.provenance.source import filesystem_reader
from tests.repo_builder import RepoBuilder
from tests.test_audit_fastpath import ALIASES, NOW, assert_parts_agree, assert_same, both_paths

EMPTY_TREE_SHA1 = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def _put(repo: RepoBuilder, data: bytes) -> str:
    return subprocess.run(["git", "-C", str(repo.path), "hash-object", "-t", "commit", "--literally", "-w",
                           "--stdin"], input=data, capture_output=True, check=True).stdout.decode().strip()


def _tree(repo: RepoBuilder) -> str:
    return subprocess.run(["git", "-C", str(repo.path), "mktree"], input=b"", capture_output=True,
                          check=True).stdout.decode().strip()


def _cli_json(path: Path, *args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "audit", "--repo", str(path), "--format", "json",
                           "--no-progress", *args], capture_output=True, check=False)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace")


def _short_root(repo: RepoBuilder, parent_value: bytes) -> str:
    """A commit git parses as a root (its `parent` line is past the last point git validates one) yet prints
    with that `parent` line: no message, empty identities, at most 47 bytes from `parent` to the end (a value of 2 bytes at most)."""
    tree = _tree(repo).encode()
    data = (b"tree " + tree + b"\nparent " + parent_value + b"\nauthor > 0 +0000\ncommitter > 0 +0000\n")
    sha = _put(repo, data)
    # git log prints the unvalidated line as it is.
    raw = subprocess.run(["git", "-C", str(repo.path), "log", "-z", "--pretty=raw", "-1", sha],
                         capture_output=True, check=True).stdout
    assert b"\nparent " + parent_value + b"\n" in raw
    return sha


# -- red9-1: a non-ASCII unvalidated parent on a protected first-parent line ----------------------------------

def test_red9_1_short_root_with_non_ascii_parent_as_protected_tip(tmp_path: Path) -> None:
    """red9-1 (fails at af576e2): the protected tip itself is the short commit."""
    repo = RepoBuilder.init(tmp_path / "r")
    sha = _short_root(repo, "é".encode())
    repo.git("update-ref", "refs/heads/main", sha)
    full, quick, full_summary, quick_summary, plain = both_paths(repo.path, default_policy(), rev_range="main")
    assert (full, full_summary) == (quick, quick_summary)
    assert plain == 1


def test_red9_1_short_root_below_an_ordinary_tip(tmp_path: Path) -> None:
    """red9-1 (fails at af576e2): the short commit is the root of main's first-parent line (an orphan
    history pushed as a new protected branch, or any third-party repository audited)."""
    repo = RepoBuilder.init(tmp_path / "r")
    root = _short_root(repo, b"\xff\xfe")
    tip = _put(repo, (f"tree {_tree(repo)}\nparent {root}\nauthor Dev <dev@example.com> 1700000000 +0000\n"
                      f"committer Dev <dev@example.com> 1700000000 +0000\n\nordinary change\n").encode())
    tip = _put(repo, (f"tree {_tree(repo)}\nparent {tip}\nauthor Dev <dev@example.com> 1700000060 +0000\n"
                      f"committer Dev <dev@example.com> 1700000060 +0000\n\nhelped\n\nAssisted-by: claude\n").encode())
    repo.git("update-ref", "refs/heads/main", tip)
    assert_same(repo.path, default_policy(), rev_range="main")


def test_red9_1_cli_json_stays_valid(tmp_path: Path) -> None:
    """red9-1 (fails at af576e2): the CLI crashes with exit 4 and a truncated JSON document."""
    repo = RepoBuilder.init(tmp_path / "r")
    sha = _short_root(repo, "é".encode())
    repo.git("update-ref", "refs/heads/main", sha)
    code, out, err = _cli_json(repo.path)
    assert code == 0, err
    doc = json.loads(out)
    assert [c["sha"] for c in doc["commits"]] == [sha]


def test_ascii_unvalidated_parents_agree(tmp_path: Path) -> None:
    """ASCII junk in the unvalidated parent line (no crash there): both paths, and _parts, agree."""
    repo = RepoBuilder.init(tmp_path / "r")
    tip = None
    for value in (b"x", b'"', b"\\", b"\x01", b"\x7f", b"ZZ"):
        root = _short_root(repo, value)
        body = (f"tree {_tree(repo)}\nparent {root}\n" + (f"parent {tip}\n" if tip else "")
                + "author Dev <dev@example.com> 1700000000 +0000\ncommitter Dev <dev@example.com> 1700000000 "
                "+0000\n\nmerge it\n\nCo-authored-by: Claude <noreply@anthropic.com>\n").encode()
        tip = _put(repo, body)
    assert tip is not None
    repo.git("update-ref", "refs/heads/main", tip)
    assert_same(repo.path, default_policy(), rev_range="main")


# -- what did not break (kept as regression tests) -----------------------------------------------------------

HOSTILE_NAMES = [
    b'Eve","email":"forged@x.example"},"protected":false,"x":{"a":"', b"Eve\\", b"Eve\\\"", b"\xe2\x80\xa8Eve\xe2\x80\xa9",
    b"\xe2\x80\xaeEve", b"Eve\x1b[31m", b"Eve\x7f", b"Eve\xc0\xaf\xed\xa0\x80", b"Eve\x00", b"\xef\xbb\xbfEve",
    b"Eve\r", b"Claude>", b"Eve <a> <b", b"<<>>", b"",
]
HOSTILE_SUBJECTS = [
    b'subject"},"protected":false,"sha":"0000', b"\\u0022 escaped", b"\xed\xa0\x80 surrogate bytes",
    b"\xf4\x90\x80\x80 beyond U+10FFFF", b"tab\there\x0bvt\x0cff", "é".encode() * 150, b"\xe2\x80\xa8" * 90,
    b"</script><script>alert(1)</script>",
]


def _hostile_repo(path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(path)
    tree = _tree(repo)
    tip: str | None = None
    n = 0
    for name in HOSTILE_NAMES:
        for subject in HOSTILE_SUBJECTS:
            n += 1
            email = b"e" + str(n).encode() + b'"@x\\.example'
            body = b"\n\nSigned-off-by: " + name + b" <" + email + b">\n" if n % 4 == 0 else b"\n"
            if n % 7 == 0:
                body += b"\nAssisted-by: claude\n"
            head = (f"tree {tree}\n".encode() + (f"parent {tip}\n".encode() if tip else b"")
                    + b"author " + name + b" <" + email + b"> %d +0000\n" % (1_700_000_000 + n * 37)
                    + b"committer " + name + b" <" + email + b"> %d +0000\n" % (1_700_000_000 + n * 37))
            tip = _put(repo, head + b"\n" + subject + body)
    assert tip is not None
    repo.git("update-ref", "refs/heads/main", tip)
    repo.git("symbolic-ref", "HEAD", "refs/heads/main")
    return repo


def test_hostile_names_and_subjects_both_paths_agree(tmp_path: Path) -> None:
    repo = _hostile_repo(tmp_path / "r")
    assert assert_same(repo.path, default_policy(), rev_range="main") > 0
    assert assert_same(repo.path, ALIASES, rev_range="main") > 0


def test_hostile_names_and_subjects_cli_json_round_trips(tmp_path: Path) -> None:
    """No forged field: every record's author and subject are the raw bytes decoded, nothing more."""
    repo = _hostile_repo(tmp_path / "r")
    code, out, err = _cli_json(repo.path)
    assert code == 0, err
    doc = json.loads(out)
    assert len(doc["commits"]) == len(HOSTILE_NAMES) * len(HOSTILE_SUBJECTS)
    listed = subprocess.run(["git", "-C", str(repo.path), "log", "-z", "--format=%H %ae", "main"], capture_output=True,
                            check=True).stdout
    git_emails = dict(entry.decode("utf-8", "replace").split(" ", 1) for entry in listed.split(b"\0") if entry)
    for record in doc["commits"]:
        assert set(record) >= {"sha", "time", "author", "subject", "protected"}
        assert record["protected"] is True
        # The e-mail git reads (`%ae`: from the first `<` to the first `>` after it, red79), never a forged one.
        assert record["author"]["email"] == git_emails[record["sha"]]
        assert set(record["author"]) == {"name", "email"}
        assert "x" not in record and record["sha"] != "0000"


def _both_capped(path: Path, policy: Policy, cap: int) -> tuple[dict[str, Any], dict[str, Any]]:
    git = Git(path)
    rng = resolve_range(git, "main", None, False)
    out: list[dict[str, Any]] = []
    for fast in (False, True):
        buf = io.StringIO()
        writer = JsonWriter(buf, {"schema_version": 1})
        request = AuditRequest(git, policy, filesystem_reader, rng, NOW, list_cap=cap)

        def take(records: list[PlainRecord], w: JsonWriter = writer) -> None:
            w.plain(records)

        summary = run_audit(request, writer.commit, take if fast else None)
        summary.duration_ms = 0
        writer.close(summary_dict(summary))
        out.append(json.loads(buf.getvalue()))
    return out[0], out[1]


@pytest.mark.parametrize("cap", [1, 2, 5])
def test_small_list_caps_give_the_same_summary(tmp_path: Path, cap: int) -> None:
    """_count_plains fills unsigned_protected by hand (room computed once per run): with a cap smaller than a
    run, and plain runs interleaved with evidence commits, the lists and totals must match the full path."""
    repo = _hostile_repo(tmp_path / "r")
    full, quick = _both_capped(repo.path, default_policy(), cap)
    assert full == quick


def test_huge_and_odd_timestamps(tmp_path: Path) -> None:
    """Timestamps far outside the calendar (hundreds of digits), zero, leading zeros: same records, same
    summary, no exception on either path."""
    repo = RepoBuilder.init(tmp_path / "r")
    tree = _tree(repo)
    tip: str | None = None
    for stamp in (b"0", b"0000000001", b"9" * 300, b"253402300800", b"18446744073709551616", b"1700000000"):
        for message in (b"t\n", b"t\n\nAssisted-by: claude\n"):  # a plain one and one handed on
            head = (f"tree {tree}\n".encode() + (f"parent {tip}\n".encode() if tip else b"")
                    + b"author A <a@example.com> " + stamp + b" +0000\ncommitter A <a@example.com> " + stamp
                    + b" -9999\n")
            tip = _put(repo, head + b"\n" + message)
    assert tip is not None
    repo.git("update-ref", "refs/heads/main", tip)
    assert_same(repo.path, default_policy(), rev_range="main")


def test_parts_agree_for_handed_on_hostile_headers(tmp_path: Path) -> None:
    """Records the fast path reads and hands on (agent identity, evidence word, GitHub web-flow committer with odd
    case and spacing) with hostile identities: _parts must be raw_parts' answer."""
    repo = RepoBuilder.init(tmp_path / "r")
    tree = _tree(repo)
    tip: str | None = None
    idents = [b" GitHub  <NOREPLY@github.com >", b"Claude <noreply@anthropic.com>", b"x > y <z> <w@x>",
              b"\xff\xfe <\xc3\x28@x>", b"A <a@x>\r", b"<>", b">"]
    for n, who in enumerate(idents):
        for msg in (b"t\n\nAssisted-by: claude\n", b"t\n", b"\xe9t\n\nREVIEWED-BY: R <r@x>\n", b""):
            head = (f"tree {tree}\n".encode() + (f"parent {tip}\n".encode() if tip else b"")
                    + b"author " + who + b" %d +0000\ncommitter " % (1_700_000_000 + n) + who
                    + b" %d +0000\n" % (1_700_000_000 + n))
            tip = _put(repo, head + (b"\n" + msg if msg else b""))
    assert tip is not None
    repo.git("update-ref", "refs/heads/main", tip)
    assert_parts_agree(repo.path, default_policy(), rev_range="main")
    assert_same(repo.path, default_policy(), rev_range="main")


ALL_PROTECTED = parse_policy("""\
version: 1
protected_refs: ["refs/heads/*"]
""", "test")


def test_every_tip_protected_skips_the_second_walk_but_loses_nothing(tmp_path: Path) -> None:
    """af576e2: no second `git log` when the range's tips are all protected. A range naming a protected tip
    twice, or a tag that points at one, must still report every commit once."""
    repo = _hostile_repo(tmp_path / "r")
    tip = repo.git("rev-parse", "main")
    repo.git("update-ref", "refs/heads/other", f"{tip}~3")
    repo.git("tag", "v1", f"{tip}~5")
    assert_same(repo.path, ALL_PROTECTED, rev_range="main")
    assert_same(repo.path, ALL_PROTECTED, every_ref=True)
    code, out, err = _cli_json(repo.path, "--all")
    assert code == 0, err
    shas = [c["sha"] for c in json.loads(out)["commits"]]
    assert len(shas) == len(set(shas)) == len(HOSTILE_NAMES) * len(HOSTILE_SUBJECTS)
