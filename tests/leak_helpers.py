"""Shared by the tests that look for a credential in what gatekeeper prints or keeps."""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.cli import run
from tests.hook_helpers import SECRETS_POLICY, Server, make_server, seed
from tests.repo_builder import RepoBuilder


def leaked(secret: str, text: str) -> bool:
    """The secret, or any 16 characters of its body (a redaction may show a public prefix, never the body)."""
    body = secret.split("_", 1)[-1] if secret.startswith("ghp_") else secret
    return any(body[i:i + 16] in text for i in range(len(body) - 15))


def gk(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the CLI in-process: its exit code and everything it printed (stdout, then stderr)."""
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def audit_all(capsys: pytest.CaptureFixture[str], repo: RepoBuilder) -> dict[str, tuple[int, str]]:
    """The audit's text and HTML reports, and its JSON summary (its per-commit records are the history's own
    data, as git log shows it: docs/secrets.md), by format: (exit code, output)."""
    shown = {fmt: gk(capsys, "audit", "--repo", str(repo.path), "--format", fmt, "--no-progress")
             for fmt in ("text", "json", "html")}
    code, out = shown["json"]
    shown["json"] = (code, json.dumps(json.loads(out)["summary"]))
    return shown


def secrets_server(tmp_path: Path, **options: Any) -> tuple[Server, RepoBuilder]:
    """A bare repository with the hook and a policy that runs the secrets scanner, and a clone whose first
    commit is pushed already."""
    server = make_server(tmp_path / "srv", policy=SECRETS_POLICY, **options)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    return server, work


def base_repo(tmp_path: Path) -> RepoBuilder:
    """A repository with one commit, for a test to add the commit under judgement to."""
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    return repo


B62 = string.ascii_letters + string.digits


def token_maker(seed: int) -> Callable[..., str]:
    """A GitHub-token-shaped value per call, from a seeded generator (the test files hold no token literal)."""
    rng = random.Random(seed)

    def github_token(alphabet: str = B62) -> str:
        return "ghp_" + "".join(rng.choice(alphabet) for _ in range(36))

    return github_token


def check_all(tmp_path: Path, capsys: pytest.CaptureFixture[str], repo: RepoBuilder, policy_text: str = SECRETS_POLICY,
              formats: tuple[str, ...] = ("text", "json", "github", "sarif")) -> dict[str, tuple[int, str]]:
    """`gatekeeper check` of the repository's last commit in each of `formats`: (exit code, output)."""
    policy = tmp_path / "policy.yml"
    policy.write_text(policy_text)
    return {fmt: gk(capsys, "check", "--repo", str(repo.path), "--base", "HEAD~1", "--policy", str(policy),
                    "--format", fmt) for fmt in formats}
