"""`gatekeeper demo` runs offline in a temp dir and reports whether every step behaved as designed."""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from gatekeeper.config import default_policy
from gatekeeper.modes.demo import fake_aws_key, run_demo
from gatekeeper.scan import build_scanners


def test_fake_key_is_aws_shaped_and_not_an_example() -> None:
    key_id, secret = fake_aws_key()
    assert key_id.startswith("AKIA") and len(key_id) == 20 and "EXAMPLE" not in key_id
    assert len(secret) == 40
    assert fake_aws_key() != (key_id, secret)


def test_demo_behaves_as_designed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The user's gatekeeper settings must not leak into the sandbox.
    monkeypatch.setenv("GATEKEEPER_POLICY", "/nonexistent/policy.yml")
    monkeypatch.setenv("GATEKEEPER_PUSHER", "someone-else")
    out = io.StringIO()
    before = set(Path(tempfile.gettempdir()).glob("gatekeeper-demo-*"))
    code = run_demo(out=out)
    text = out.getvalue()
    assert set(Path(tempfile.gettempdir()).glob("gatekeeper-demo-*")) == before  # cleaned up
    if "secrets" not in build_scanners(default_policy()):
        assert code == 1
        assert "no secrets scanner" in text
        return
    assert code == 0, text
    lines = [line.strip() for line in text.splitlines()]
    assert "remote: gatekeeper: push accepted (1 new commit(s) checked)" in lines
    assert "remote: gatekeeper: push REJECTED: 3 blocking finding(s) in 1 new commit(s)" in lines
    assert any(line.startswith("remote:   secrets/aws-access-key ") for line in lines)
    assert any(line.startswith("remote:   review/missing ") for line in lines)
    assert "remote: gatekeeper: push accepted (2 new commit(s) checked)" in lines
    assert ("remote:   review: 1 mobile-origin commit(s) approved by Rita Reviewer <rita@example.com> (trailer)"
            in lines)
    assert lines[-1].startswith("demo result: every step behaved as expected.")
    assert "\x1b" not in text
    # git's advice (the grafts deprecation hint an empty GIT_GRAFT_FILE provokes) is not the user's business.
    assert not any(line.startswith("hint:") for line in lines), text


def test_demo_cli_exit_code() -> None:
    proc = subprocess.run([sys.executable, "-m", "gatekeeper.cli_hook", "demo"], capture_output=True, text=True,
                          check=False, timeout=120)
    expected = 0 if "secrets" in build_scanners(default_policy()) else 1
    assert proc.returncode == expected, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
