"""Optional live validation (`secrets.validate: true`): identity calls against a local HTTP server
shaped like each provider — never the internet — with timeouts, and never in the pre-receive hook.

Tokens are built at run time from a seeded generator: this file holds no token-shaped literal.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from gatekeeper.config import parse_policy
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.models import Severity
from gatekeeper.scan import build_scanners
from gatekeeper.scan.secrets_scanner import SecretsScanner
from gatekeeper.scan.validation import LIVE, REVOKED, UNKNOWN, HttpValidator
from tests.repo_builder import RepoBuilder

_rng = random.Random(5150)
B62 = string.ascii_letters + string.digits


def r(n: int, alphabet: str = B62) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def validator(server: HTTPServer, timeout: float = 2.0) -> HttpValidator:
    base = server.url_for("").rstrip("/")
    return HttpValidator(bases={p: base for p in ("github", "slack", "stripe", "openai", "aws")}, timeout=timeout)


@pytest.mark.parametrize(("code", "status"), [(200, LIVE), (401, REVOKED), (403, REVOKED), (500, UNKNOWN),
                                              (429, UNKNOWN)])
def test_github_user_call(httpserver: HTTPServer, code: int, status: str) -> None:
    token = "ghp_" + r(36)
    httpserver.expect_request("/user", method="GET", headers={"Authorization": f"Bearer {token}"}).respond_with_json(
        {"login": "octocat"} if code == 200 else {"message": "Bad credentials"}, status=code)
    assert validator(httpserver).check("secrets/github-pat", token) == status


def test_slack_auth_test_reads_the_ok_field(httpserver: HTTPServer) -> None:
    live, dead = "xoxb-" + r(12, string.digits) + "-" + r(24), "xoxb-" + r(12, string.digits) + "-" + r(24)
    httpserver.expect_request("/auth.test", method="POST", headers={"Authorization": f"Bearer {live}"}
                              ).respond_with_json({"ok": True, "team": "T1"})
    httpserver.expect_request("/auth.test", method="POST", headers={"Authorization": f"Bearer {dead}"}
                              ).respond_with_json({"ok": False, "error": "invalid_auth"})
    v = validator(httpserver)
    assert v.check("secrets/slack-token", live) == LIVE
    assert v.check("secrets/slack-token", dead) == REVOKED


def test_stripe_and_openai(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/balance").respond_with_json({"object": "balance"})
    httpserver.expect_request("/v1/models").respond_with_json({"error": {"code": "invalid_api_key"}}, status=401)
    v = validator(httpserver)
    assert v.check("secrets/stripe-secret-key", "sk_live_" + r(24)) == LIVE
    assert v.check("secrets/openai-api-key", "sk-proj-" + r(40)) == REVOKED


def test_aws_sts_get_caller_identity_is_sigv4_signed(httpserver: HTTPServer) -> None:
    key_id, secret = "AKIA" + r(16, string.ascii_uppercase + string.digits), r(40)
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response("<GetCallerIdentityResponse/>", status=200, content_type="text/xml")

    httpserver.expect_request("/", method="POST").respond_with_handler(handler)
    v = validator(httpserver)
    v.now = lambda: dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    assert v.check("secrets/aws-access-key", f"{key_id}:{secret}") == LIVE
    [request] = seen
    assert request.get_data(as_text=True) == "Action=GetCallerIdentity&Version=2011-06-15"
    auth = request.headers["Authorization"]
    assert auth.startswith(f"AWS4-HMAC-SHA256 Credential={key_id}/20261201/us-east-1/sts/aws4_request, ")
    assert secret not in auth and request.headers["X-Amz-Date"] == "20261201T120000Z"
    assert v.check("secrets/aws-access-key", key_id) is None  # no secret: no call


def test_timeout_is_unknown_and_the_value_does_not_leak(httpserver: HTTPServer) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(1.0)
        return Response("{}", status=200)

    httpserver.expect_request("/user").respond_with_handler(slow)
    assert validator(httpserver, timeout=0.2).check("secrets/github-pat", "ghp_" + r(36)) == UNKNOWN


def test_rules_without_an_identity_call_are_not_sent_anywhere(httpserver: HTTPServer) -> None:
    assert validator(httpserver).check("secrets/generic-password", r(16)) is None
    assert httpserver.log == []


def test_scanner_marks_findings_live_and_raises_severity(tmp_path: Path, httpserver: HTTPServer) -> None:
    token = "ghp_" + r(36)
    httpserver.expect_request("/user").respond_with_json({"login": "octocat"})
    repo = RepoBuilder.init(tmp_path / "r")
    sha = repo.commit("add\n", {"deploy.sh": f"export GITHUB_TOKEN={token}\n", "ci.yml": "password: <your-pass>\n"})
    git = Git(repo.path)
    scanner = SecretsScanner(validate=True, validator=validator(httpserver))
    [finding] = scanner.scan(ScanJob(git=git, commits=git.commits([sha]), changes={}, head=sha)).findings
    assert finding.message.endswith("[validated: live]") and finding.severity == Severity.CRITICAL
    assert token not in finding.message


def test_validation_never_runs_in_the_hook() -> None:
    policy = parse_policy("version: 1\nsecrets: {validate: true}\n")
    assert build_scanners(policy)["secrets"].scanner.validate is True  # type: ignore[attr-defined]
    assert build_scanners(policy, in_hook=True)["secrets"].scanner.validate is False  # type: ignore[attr-defined]
    assert parse_policy("version: 1\n").secrets.validate is False  # off by default


def test_docs_and_fixtures_are_suppressed_with_the_reason_unless_a_checksum_verifies(tmp_path: Path) -> None:
    import zlib

    from gatekeeper.scan.secrets import _base62

    body = r(30)
    verified = "ghp_" + body + _base62(zlib.crc32(body.encode()), 6)
    unverified = "ghp_" + r(36)
    repo = RepoBuilder.init(tmp_path / "r")
    sha = repo.commit("add\n", {"docs/setup.md": f"GITHUB_TOKEN={unverified}\nGITHUB_TOKEN={verified}\n",
                                "tests/fixtures/cfg.env": f"SLACK_WEBHOOK=hooks.slack.com/services/T{r(8, 'ABCDEFGH')}"
                                                          f"/B{r(10, 'ABCDEFGH')}/{r(24)}\n",
                                "app.env": f"GITHUB_TOKEN={unverified}\n"})
    policy = parse_policy("version: 1\nsecrets: {docs: ['docs/**'], fixtures: ['tests/fixtures/**']}\n")
    git = Git(repo.path)
    findings = SecretsScanner(settings=policy.secrets).scan(
        ScanJob(git=git, commits=git.commits([sha]), changes={}, head=sha)).findings
    by = {(f.path, f.line): f.suppressed_by for f in findings}
    assert by == {
        ("app.env", 1): "",
        ("docs/setup.md", 1): "context: documentation file (policy secrets.docs)",
        ("docs/setup.md", 2): "",  # the CRC32 checks out: a real token, wherever it is
        ("tests/fixtures/cfg.env", 1): "context: test fixture file (policy secrets.fixtures)",
    }
