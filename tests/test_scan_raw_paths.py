"""Paths are keyed on their raw bytes: names that differ only in undecodable bytes, or a file and a
gitlink sharing one name, must never let one entry's mode or lines stand in for the other's.

The hook cases are real pushes into a bare repository with the hook installed.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from gatekeeper.git import Git
from gatekeeper.models import display_path
from gatekeeper.scan.bandit import BanditScanner
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.hook_helpers import Server, make_server, seed, spush
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import job

AWS_KEY = "AKIA" + "Z7QH4M2XKJ5RTW3P"  # split so this file does not itself look like a key
CREDS = f"aws_access_key_id = {AWS_KEY}\n".encode()

SECRETS_POLICY = """\
version: 1
origins: {undeclared: desktop}
protected_refs: ["refs/heads/main"]
rules:
  default: {scanners: [secrets], block_at: high}
pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}
"""


def test_display_path_is_lossless_and_plain_for_ordinary_names() -> None:
    assert display_path(b"src/app.py") == "src/app.py"
    assert display_path("\u00e9t\u00e9/x.py".encode()) == "\u00e9t\u00e9/x.py"
    assert display_path(b"new\nline") == "new\nline"
    assert display_path(b"creds\xfe.txt") == "creds\\376.txt"
    # A valid UTF-8 name that spells the escape must not display like the undecodable one.
    assert display_path(b"creds\\376.txt") == "creds\\\\376.txt"
    assert display_path(b"creds\xfe.txt") != display_path(b"creds\xff.txt")
    rng = random.Random(7)
    alphabet = [b"a", b"\\", b"3", b"7", b"6", b"\xfe", b"\xff", b"\xc3", b"\xa9", b"/", b"n"]
    seen: dict[str, bytes] = {}
    for _ in range(20000):
        raw = b"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
        text = display_path(raw)
        assert seen.setdefault(text, raw) == raw, (text, raw, seen[text])


def _blob(repo: RepoBuilder, data: bytes) -> str:
    return repo.git("hash-object", "-w", "--stdin", input=data)


def _commit_tree(repo: RepoBuilder, entries: list[tuple[str, str, str, bytes]], message: str) -> str:
    """A commit on top of HEAD whose tree is exactly `entries` (mode, type, id, raw name), written with
    `git mktree -z` so names can hold any byte and even repeat (git fsck objects; receive does not)."""
    data = b"".join(f"{mode} {kind} {sha}\t".encode() + name + b"\x00" for mode, kind, sha, name in entries)
    tree = repo.git("mktree", "-z", "--missing", input=data)
    parent = repo.head()
    sha = repo.git("commit-tree", tree, "-p", parent, "-m", message)
    repo.git("update-ref", "refs/heads/main", sha)
    return sha


@pytest.fixture
def pushed(tmp_path: Path) -> tuple[Server, RepoBuilder]:
    server = make_server(tmp_path / "srv", policy=SECRETS_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    return server, work


@pytest.mark.parametrize("shadow", ["gitlink", "symlink"])
@pytest.mark.parametrize(("file_name", "shadow_name"), [(b"creds\xfe.txt", b"creds\xff.txt"),
                                                       (b"creds\xff.txt", b"creds\xfe.txt")])
def test_names_differing_only_in_undecodable_bytes_do_not_share_a_mode(
        pushed: tuple[Server, RepoBuilder], shadow: str, file_name: bytes, shadow_name: bytes) -> None:
    server, work = pushed
    before = server.tip()
    key = _blob(work, CREDS)
    if shadow == "gitlink":
        other = ("160000", "commit", work.head(), shadow_name)
    else:
        other = ("120000", "blob", _blob(work, b"README.md"), shadow_name)
    readme = _blob(work, b"hello\n")
    entries = sorted([("100644", "blob", readme, b"README.md"), other, ("100644", "blob", key, file_name)],
                     key=lambda e: e[3])
    _commit_tree(work, entries, "add creds")
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert "secrets/aws-access-key" in result.remote_text
    assert display_path(file_name) in result.remote_text
    assert AWS_KEY not in result.output
    assert server.tip() == before


def test_a_file_and_a_gitlink_of_the_same_name_do_not_hide_the_file(pushed: tuple[Server, RepoBuilder]) -> None:
    server, work = pushed
    before = server.tip()
    readme = _blob(work, b"hello\n")
    _commit_tree(work, [("100644", "blob", readme, b"README.md"),
                        ("100644", "blob", _blob(work, CREDS), b"creds.txt"),
                        ("160000", "commit", work.head(), b"creds.txt")], "add creds")
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert "secrets/aws-access-key" in result.remote_text and "creds.txt" in result.remote_text
    assert server.tip() == before


def test_secrets_scanner_keys_modes_on_raw_bytes(repo: RepoBuilder) -> None:
    repo.commit("base", {"README.md": "hello\n"})
    base = repo.head()
    _commit_tree(repo, [("100644", "blob", _blob(repo, b"hello\n"), b"README.md"),
                        ("160000", "commit", base, b"creds\xfe.txt"),
                        ("100644", "blob", _blob(repo, CREDS), b"creds\xff.txt")], "add creds")
    result = SecretsScanner().scan(job(repo.path, base))
    assert [(f.rule_id, f.path) for f in result.findings] == [("secrets/aws-access-key", "creds\\377.txt")]


def test_head_scanner_added_lines_are_keyed_on_raw_bytes(repo: RepoBuilder) -> None:
    """Two .py files whose names decode alike: the one with the finding must keep its own added lines."""
    repo.commit("base", {"README.md": "hello\n"})
    base = repo.head()
    risky = b"import subprocess\n\n\n\nsubprocess.call(user_input, shell=True)\n"
    _commit_tree(repo, [("100644", "blob", _blob(repo, b"hello\n"), b"README.md"),
                        ("100644", "blob", _blob(repo, risky), b"mod\xfe.py"),
                        ("100644", "blob", _blob(repo, b"x = 1\n"), b"mod\xff.py")], "add modules")
    result = BanditScanner(use_cache=False).scan(job(repo.path, base))
    found = [(f.rule_id, f.path, f.line) for f in result.findings if f.rule_id.startswith("bandit/")]
    assert ("bandit/B602", "mod\\376.py", 5) in found, result.findings


def test_changed_files_keep_raw_bytes(repo: RepoBuilder) -> None:
    repo.commit("base", {"README.md": "hello\n"})
    _commit_tree(repo, [("100644", "blob", _blob(repo, b"a\n"), b"a\xfe"),
                        ("100644", "blob", _blob(repo, b"b\n"), b"a\xff")], "two")
    git = Git(repo.path)
    head = git.resolve("HEAD")
    changes = git.changed_files([head])[head]
    assert {c.key for c in changes} >= {b"a\xfe", b"a\xff"}
    assert len({c.path for c in changes}) == len(changes)
    assert subprocess.run(["git", "fsck", "--no-dangling"], cwd=repo.path, capture_output=True).returncode == 0
