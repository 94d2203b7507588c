"""Issue #9 items closed on the hook side, proven with real pushes into a bare repository with the hook:
inline suppression refused for secrets by default and every suppression shown to the pusher (item 20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hook_helpers import make_server, spush

AWS_KEY = "AKIA" + "Z7QH4M2XKJ5RTW3P"
SCANNING = """\
version: 1
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [secrets], block_at: high, review: {approvals: 0}}
  default: {scanners: [secrets], block_at: high}
pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}
"""


@pytest.mark.parametrize("comment", ["ignore[*]", "ignore[secrets/*]", "ignore[secrets/aws-access-key]"])
def test_inline_ignore_cannot_silence_a_live_key_on_a_protected_ref(tmp_path: Path, comment: str) -> None:
    server = make_server(tmp_path / "srv", policy=SCANNING)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    assert spush(server, work, "origin", "main").code == 0
    work.commit("config\n", {"settings.py": f"KEY = '{AWS_KEY}'  # gatekeeper: {comment}\n"})
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert "push REJECTED" in result.remote_text
    assert "secrets/aws-access-key" in result.remote_text
    assert "not honoured: policy inline_ignore.refuse names 'secrets'" in result.remote_text
    assert AWS_KEY not in result.output


def test_every_suppression_is_shown_to_the_pusher(tmp_path: Path) -> None:
    policy = SCANNING + "inline_ignore: {refuse: []}\n"
    server = make_server(tmp_path / "srv", policy=policy)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    assert spush(server, work, "origin", "main").code == 0
    work.commit("fixture\n", {"fixture.py": f"KEY = '{AWS_KEY}'  # gatekeeper: ignore[secrets/*]\n"})
    result = spush(server, work, "origin", "main")
    assert result.code == 0, result.output
    assert "  suppressed: 1 finding(s) not counted (see the audit log or JSON report):" in result.remote
    assert any(line.startswith("    secrets/aws-access-key ") and "fixture.py:1: inline: gatekeeper: ignore[secrets/*]"
               in line for line in result.remote), result.remote_text
    assert AWS_KEY not in result.output

