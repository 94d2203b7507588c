"""Shared by the tests that look for a credential in what gatekeeper prints or keeps."""

from __future__ import annotations

import pytest

from gatekeeper.cli import run


def leaked(secret: str, text: str) -> bool:
    """The secret, or any 16 characters of its body (a redaction may show a public prefix, never the body)."""
    body = secret.split("_", 1)[-1] if secret.startswith("ghp_") else secret
    return any(body[i:i + 16] in text for i in range(len(body) - 15))


def gk(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the CLI in-process: its exit code and everything it printed (stdout, then stderr)."""
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err
