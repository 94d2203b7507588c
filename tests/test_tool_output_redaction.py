"""A failing tool's output is quoted in its tool/* finding: what it quotes of the scanned source is
redacted there (semgrep and bandit print source lines in parse errors and tracebacks)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from gatekeeper.scan.bandit import BanditScanner
from gatekeeper.scan.common import redact_secrets
from gatekeeper.scan.semgrep import SemgrepScanner
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import job, script, write_rules

AWS_KEY = "AKIA" + "Z7QH4M2XKJ5RTW3P"
PEM_BODY = "MIIEowIBAAKCAQEA" + "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0"


def _jwt() -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': 'deploy-bot', 'scope': 'admin', 'n': 98231})}." \
           + "Qm9yaW5nU2lnbmF0dXJlX3Jlc3RfbG9uZ2VyX3RoYW5fbmVlZGVk"


SECRETS = {
    "aws": (f"  3 | aws_key = '{AWS_KEY}'", AWS_KEY),
    "pem": (f"Syntax error at line 9:\\n-----BEGIN RSA PRIVATE KEY-----\\n{PEM_BODY}", PEM_BODY),
    "jwt": ("  File \"x.py\", line 4\\n    TOKEN = \"" + _jwt() + "\" +\\nSyntaxError: bad", _jwt()),
}


def test_redact_secrets_cuts_at_the_secret_and_keeps_ordinary_text() -> None:
    assert redact_secrets("error: rule x.yml invalid") == "error: rule x.yml invalid"
    out = redact_secrets(f"line one\nkey = {AWS_KEY} trailing\nmore")
    assert AWS_KEY not in out and "line one" in out and "withheld" in out and "more" not in out


@pytest.mark.parametrize("kind", sorted(SECRETS))
@pytest.mark.parametrize("tool", ["semgrep", "bandit"])
def test_tool_failure_messages_never_quote_a_secret(repo: RepoBuilder, tmp_path: Path, tool: str, kind: str) -> None:
    shown, value = SECRETS[kind]
    base = repo.commit("base", {"README.md": "hi\n"})
    repo.commit("code", {"app.py": "x = 1\n"})
    fake = script(tmp_path / f"fake-{tool}", f'printf "{shown}\\n" >&2\nexit 2\n')
    scanner = (SemgrepScanner(rules_dir=write_rules(tmp_path / "rules"), executable=fake, version="1.0",
                              use_cache=False, experimental=False)
               if tool == "semgrep" else BanditScanner(python=fake, use_cache=False))
    result = scanner.scan(job(repo.path, base))
    failures = [f for f in result.findings if f.rule_id.startswith("tool/")]
    assert failures, result.findings
    for text in [f.message for f in failures] + [result.stat.error or "", result.stat.detail or ""]:
        assert value not in text and value[:24] not in text
    assert any("withheld" in f.message for f in failures), failures
