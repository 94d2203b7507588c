"""Regression guards found by the adversarial review: graft files and invisible characters.

A graft on the server must not turn a rewrite of main into a fast-forward (git reads
$GIT_DIR/info/grafts unless GIT_GRAFT_FILE names another file), and zero-width, BOM, interlinear and
Unicode tag characters from commit data must never reach a terminal or a workflow log.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.hook_helpers import DANA, rejected, seeded, spush
from tests.repo_builder import RepoBuilder

# -- info/grafts is honoured by the gate's git calls -----------------------------------

def test_a_grafts_file_does_not_turn_a_force_push_into_a_fast_forward(tmp_path: Path) -> None:
    """git reads $GIT_DIR/info/grafts unless GIT_GRAFT_FILE names another file (GIT_NO_REPLACE_OBJECTS does
    not cover grafts): a graft on the server (left by an admin, a migration, `git replace
    --convert-graft-file` never run) would make a rewrite of main look like a fast-forward."""
    server, work = seeded(tmp_path)
    base = work.head()
    work.commit("desktop\n", {"d.txt": "d\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    tip = server.tip()
    work.git("reset", "-q", "--hard", base)
    rewritten = work.commit("rewritten\n", {"r.txt": "r\n"}, author=DANA, committer=DANA)
    (server.path / "info").mkdir(exist_ok=True)
    (server.path / "info" / "grafts").write_text(f"{rewritten} {tip}\n")
    rejected(spush(server, work, "origin", "+main"), "policy/force-push")
    assert server.tip() == tip


# -- zero-width and tag characters reach the terminal (issue 9 item 28) -----------------------

def test_zero_width_characters_from_commit_data_are_not_printed(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "w")
    repo.commit("base\n", {"a.txt": "a\n"})
    repo.commit("fix ma\u200bin \u2060x\ufeff \U000e0041\n\nOrigin-Device: mobile\n", {"b.txt": "b\n"})
    policy = tmp_path / "p.yml"
    policy.write_text('version: 1\nprotected_refs: ["refs/heads/main"]\n')
    for fmt in ("text", "github"):
        proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--repo", str(repo.path), "--base",
                               "HEAD~1", "--policy", str(policy), "--format", fmt], capture_output=True, text=True,
                              timeout=120, check=False)
        out = proc.stdout + proc.stderr
        assert "fix ma" in out, out
        for ch in ("\u200b", "\u2060", "\ufeff", "\U000e0041"):
            assert ch not in out, (fmt, repr(ch))
