"""Red team red12: a credential the gate detects must not come back out of the gate's own outputs.

(Kept from the red team's branch w/red12; each test failed before the fixes it names.)

Each test pushes (or checks) real commits with a real `git push` into a bare repository with the hook
installed, or runs the real CLI, and looks for the credential in what gatekeeper prints or keeps. They
fail on main at 63659dd: the secrets scanner finds the token, but the verdict still carries it verbatim
in the commit's metadata (subject, author, trailer-derived origin fields), in the push options, and in
a decision-log URL's query string.

Tokens are built at run time from a seeded generator: this file holds no token-shaped literal.
"""

from __future__ import annotations

import json
import random
import sqlite3
import string
from pathlib import Path

import pytest

from gatekeeper.audit.logformat import redact_url
from tests.hook_helpers import SECRETS_POLICY, Server, make_server, seed, spush
from tests.hook_helpers import seeded as seeded_server
from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder

_rng = random.Random(1212)
B62 = string.ascii_letters + string.digits


def github_token() -> str:
    return "ghp_" + "".join(_rng.choice(B62) for _ in range(36))


def gitlab_token() -> str:
    return "glpat-" + "".join(_rng.choice(B62) for _ in range(20))


def leaked(token: str, text: str) -> bool:
    """The token, or most of its body (the redaction may show the public prefix, never the body)."""
    body = token.split("_", 1)[-1].split("-", 1)[-1]
    return token in text or body[:16] in text or body[-16:] in text


def assert_logs_keep_no(token: str, server: Server, db: Path, capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the audit JSONL, the decision log's database, nor `gatekeeper log export` holds the token."""
    assert not leaked(token, server.audit_log.read_text()), "the audit JSONL keeps the token"
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert not leaked(token, dump), "the decision log keeps the token"
    monkeypatch.setenv("GATEKEEPER_DECISION_LOG", str(db))
    code, out = gk(capsys, "log", "export", "--format", "json")
    assert code == 0
    assert not leaked(token, out), "`gatekeeper log export` prints the token"


def metadata_commit(repo: RepoBuilder, token: str) -> str:
    """A mobile commit whose subject, author and Origin-* trailers hold the token (a paste gone wrong)."""
    return repo.commit(f"Deploy with {token}\n\nOrigin-Device: mobile\nOrigin-Device-Id: {token}\n"
                       f"Origin-Client: {token}\n", {"b.txt": "b\n"}, author=(f"Dev {token}", f"{token}@example.com"))


@pytest.fixture
def pasted(tmp_path: Path) -> tuple[RepoBuilder, str]:
    """A repository whose last commit holds a token in its metadata (metadata_commit), and the token."""
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"a.txt": "a\n"})
    token = github_token()
    metadata_commit(repo, token)
    return repo, token


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Server, RepoBuilder]:
    return seeded_server(tmp_path, SECRETS_POLICY)


# -- red12-1: a refused push's token is kept in the audit log and the decision log ---------------------------

def test_refused_push_keeps_no_token_from_commit_metadata_in_either_log(
        seeded: tuple[Server, RepoBuilder], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    server, work = seeded
    token = github_token()
    metadata_commit(work, token)
    db = tmp_path / "decisions.db"
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_DECISION_LOG": str(db)})
    assert result.code != 0, result.output  # refused: the token never reaches the repository ...
    assert "secrets/github-pat" in result.remote_text
    assert not leaked(token, result.output)
    # ... nor does the gate keep it, in either store of the decision it just made.
    assert_logs_keep_no(token, server, db, capsys, monkeypatch)


# -- red12-2: `gatekeeper check` prints the token it reports as redacted ----------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_check_never_prints_a_token_from_commit_metadata(tmp_path: Path, fmt: str, pasted: tuple[RepoBuilder, str],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo, token = pasted
    policy = tmp_path / "policy.yml"
    policy.write_text(SECRETS_POLICY)
    code, out = gk(capsys, "check", "--repo", str(repo.path), "--base", "HEAD~1", "--policy", str(policy),
                   "--format", fmt)
    assert code == 1, out  # blocked: the scanner found the token ...
    assert "github-pat" in out
    assert not leaked(token, out), f"`check --format {fmt}` prints the token it redacts in the findings"


# -- red12-3: a token in a push option is kept verbatim in both logs ---------------------------------------------

def test_push_option_token_is_not_kept_in_the_logs(seeded: tuple[Server, RepoBuilder], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    server, work = seeded
    server.git("config", "receive.advertisePushOptions", "true")
    token = gitlab_token()
    work.commit("feature\n", {"c.txt": "c\n"})
    db = tmp_path / "decisions.db"
    # GitLab's documented way to hand a CI job a variable: `-o ci.variable="NAME=value"`.
    result = spush(server, work, "-o", f"ci.variable=DEPLOY_TOKEN={token}", "origin", "main",
                   env={"GATEKEEPER_DECISION_LOG": str(db)})
    assert result.code == 0, result.output
    assert_logs_keep_no(token, server, db, capsys, monkeypatch)


# -- red12-4: the decision log's database password reaches every pusher ------------------------------------------

PASSWORD = "Sx" + "".join(_rng.choice(B62) for _ in range(18))


def test_decision_log_password_in_the_query_is_redacted() -> None:
    # libpq takes `password` as a URI query parameter as well as in the userinfo.
    url = f"postgresql://127.0.0.1:1/gk?user=gk&password={PASSWORD}&sslmode=disable"
    assert PASSWORD not in redact_url(url)


def test_pusher_never_sees_the_decision_logs_password(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.commit("feature\n", {"c.txt": "c\n"})
    url = f"postgresql://127.0.0.1:1/gk?user=gk&password={PASSWORD}"  # nothing listens on port 1
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_DECISION_LOG": url})
    assert "decision was not logged" in result.remote_text, result.output
    assert PASSWORD not in result.output, "the server's database password is printed to the pusher"


def test_log_commands_never_print_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"postgresql://127.0.0.1:1/gk?user=gk&password={PASSWORD}"
    code, out = gk(capsys, "log", "show", "--log", url)
    assert code == 4, out
    assert PASSWORD not in out


# -- red12-5: `gatekeeper audit` reprints what the gate reports redacted --------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_audit_never_prints_a_token_from_commit_metadata(fmt: str, pasted: tuple[RepoBuilder, str],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo, token = pasted
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", fmt)
    assert code == 0, out
    if fmt == "json":
        # The per-commit records are the history's own data, as `git log` shows it (redacting them would mean
        # reading every commit of every audit with the detector); the summary's lists are the report.
        data = json.loads(out)
        out = json.dumps(data["summary"])
        assert token in data["commits"][0]["subject"]
    assert not leaked(token, out), f"`audit --format {fmt}` prints the token"


# -- red12-6: with the secrets scanner off, a key in a ref's name is kept (a key in a path is not) -----------

def test_ref_name_is_redacted_in_the_logs_when_the_secrets_scanner_is_off(tmp_path: Path) -> None:
    from tests.hook_helpers import TEST_POLICY  # scanners: [] everywhere

    server = make_server(tmp_path / "srv", policy=TEST_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    token = github_token()
    aws = "AKIA" + "".join(_rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
    work.git("checkout", "-q", "-b", f"feature/{token}")
    work.commit("x\n", {f"keys/{aws}.txt": "b\n"})
    assert spush(server, work, "origin", f"feature/{token}").code == 0  # policy: no scanner, so accepted
    kept = server.audit_log.read_text()
    assert aws not in kept  # a key in a file's name is redacted even with the scanner off ...
    assert not leaked(token, kept), "... a key in a ref's name is not (verdict.updates[].ref, commits[].refs)"
