"""Commit and tag messages are content (DESIGN §10; issue 9 item 11): a token in a message lands in
history, so every commit's message and every pushed annotated tag's message is scanned for secrets,
in every mode. Real repositories, a real `git push` into a bare repository with the hook installed.

Tokens are built at run time from a seeded generator: this file holds no token-shaped literal.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.secrets_scanner import COMMIT_MESSAGE, TAG_MESSAGE, SecretsScanner
from tests.hook_helpers import Server, make_server, seed, spush
from tests.repo_builder import RepoBuilder

_rng = random.Random(911)
B62 = string.ascii_letters + string.digits


def token() -> str:
    return "ghp_" + "".join(_rng.choice(B62) for _ in range(36))


POLICY = """\
version: 1
origins: {undeclared: desktop}
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [secrets], block_at: high}
  default: {scanners: [secrets], block_at: high}
pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}
"""


def test_commit_message_token_is_found_with_its_line(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    secret = token()
    sha = repo.commit(f"Fix the deploy\n\nused {secret} to test it\n", {"a.txt": "a\n"})
    git = Git(repo.path)
    result = SecretsScanner().scan(ScanJob(git=git, commits=git.commits([sha]), changes={}, head=sha))
    [finding] = [f for f in result.findings if f.rule_id.startswith("secrets/")]
    assert (finding.rule_id, finding.commit, finding.path, finding.line) == ("secrets/github-pat", sha,
                                                                            COMMIT_MESSAGE, 3)
    assert "in the commit message (line 3)" in finding.message
    assert secret not in finding.message and secret[4:12] not in finding.message
    assert not finding.suppressed_by


def test_placeholder_in_a_message_is_recorded_as_suppressed(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    sha = repo.commit("Docs: set AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE in your shell\n", {"a.txt": "a\n"})
    git = Git(repo.path)
    [finding] = SecretsScanner().scan(ScanJob(git=git, commits=git.commits([sha]), changes={}, head=sha)).findings
    assert finding.suppressed_by == "placeholder value (EXAMPLE)"


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Server, RepoBuilder]:
    server = make_server(tmp_path / "srv", policy=POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    return server, work


def test_push_of_a_commit_whose_message_holds_a_token_is_refused(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    secret = token()
    work.commit(f"Rotate credentials\n\nold one was {secret}\n", {"b.txt": "b\n"})
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert COMMIT_MESSAGE in result.remote_text
    assert secret not in result.output


def test_annotated_tag_message_with_a_token_is_refused_even_without_new_commits(
        seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    secret = token()
    work.git("tag", "-a", "-m", f"Release 1.0\n\ndeploy key: {secret}", "v1.0")
    result = spush(server, work, "origin", "v1.0")
    assert result.code != 0, result.output
    assert TAG_MESSAGE in result.remote_text
    assert secret not in result.output
    assert server.tip("refs/tags/v1.0") is None
    [finding] = [f for f in server.last_verdict()["findings"] if f["path"] == TAG_MESSAGE]
    assert finding["rule_id"] == "secrets/github-pat" and finding["blocking"] and finding["line"] == 3
    assert "refs/tags/v1.0" in finding["message"]


def test_a_tag_of_a_tag_is_read_to_the_end(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    secret = token()
    work.git("tag", "-a", "-m", f"inner {secret}", "inner")
    work.git("tag", "-a", "-m", "outer, harmless", "outer", "inner")
    result = spush(server, work, "origin", "refs/tags/outer")
    assert result.code != 0, result.output
    assert TAG_MESSAGE in result.remote_text


def test_clean_tag_and_message_are_accepted(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.commit("Add b\n\nNothing secret here.\n", {"b.txt": "b\n"})
    work.git("tag", "-a", "-m", "Release 1.1: see CHANGELOG", "v1.1")
    result = spush(server, work, "origin", "main", "v1.1")
    assert result.code == 0, result.output


def test_a_keystore_file_is_reported_by_its_name(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    sha = repo.commit("add keystore\n", {"certs/server.p12": bytes(range(256)) * 4, "certs/README": "x\n"})
    git = Git(repo.path)
    findings = SecretsScanner().scan(ScanJob(git=git, commits=git.commits([sha]), changes={}, head=sha)).findings
    assert [(f.rule_id, f.path) for f in findings if f.rule_id.startswith("secrets/")] == [
        ("secrets/keystore-file", "certs/server.p12")]


def test_each_message_keeps_its_own_commit_and_line_numbers(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    first = repo.commit("One\n\nplain text\nmore text\n", {"a.txt": "a\n"})
    secret = token()
    second = repo.commit(f"Two\n{secret}\n", {"b.txt": "b\n"})
    git = Git(repo.path)
    findings = SecretsScanner().scan(ScanJob(git=git, commits=git.commits([second]), changes={}, head=second)).findings
    assert [(f.commit, f.path, f.line) for f in findings] == [(second, COMMIT_MESSAGE, 2)]
    assert first != second
