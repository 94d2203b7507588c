"""`gatekeeper tag`: trailers on the last commit or in a message file, idempotent, exact keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.errors import UsageError
from gatekeeper.modes.tag import resolve_trailers, set_trailers, tag_head, tag_message_file
from gatekeeper.trailers import parse_trailers
from tests.repo_builder import RepoBuilder

MOBILE = (("Origin-Device", "mobile"),)
FULL = (("Origin-Device", "tablet"), ("Origin-Device-Id", "ipad-jdoe"), ("Origin-Client", "a-shell/1.9"),
        ("Assisted-by", "codex-mobile/0.3"))


def _message(repo: RepoBuilder) -> str:
    raw = repo.git("cat-file", "commit", "HEAD")
    return raw.split("\n\n", 1)[1]


def test_tag_head_amends_once(repo: RepoBuilder) -> None:
    repo.commit("Fix the parser\n\nLonger body.\n", {"a.py": "a = 1\n"})
    before = repo.head()
    result = tag_head(repo.path, FULL)
    assert result.changed and result.old == before and result.new == repo.head() != before
    assert _message(repo) == ("Fix the parser\n\nLonger body.\n\nOrigin-Device: tablet\nOrigin-Device-Id: ipad-jdoe\n"
                              "Origin-Client: a-shell/1.9\nAssisted-by: codex-mobile/0.3")
    again = tag_head(repo.path, FULL)
    assert not again.changed and repo.head() == result.new


def test_tag_replaces_existing_values_with_exact_keys(repo: RepoBuilder) -> None:
    repo.commit("Subject\n\nOrigin-Device: desktop\nOrigin-Device-Id: old-laptop\nSigned-off-by: Dev <dev@example.com>\n")
    tag_head(repo.path, MOBILE)
    trailers = [(t.key, t.value) for t in parse_trailers(_message(repo))]
    # Origin-Device-Id survives: git interpret-trailers would have treated it as the same key (prefix match).
    assert trailers == [("Origin-Device-Id", "old-laptop"), ("Signed-off-by", "Dev <dev@example.com>"),
                        ("Origin-Device", "mobile")]


def test_tag_never_folds_staged_changes_into_the_amend(repo: RepoBuilder) -> None:
    repo.commit("one\n", {"a.txt": "a\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}")
    repo.write("staged.txt", "not for this commit\n")
    repo.git("add", "staged.txt")
    tag_head(repo.path, MOBILE)
    assert repo.git("rev-parse", "HEAD^{tree}") == tree
    assert "staged.txt" in repo.git("diff", "--cached", "--name-only")


def test_tag_without_commits_is_a_usage_error(repo: RepoBuilder) -> None:
    with pytest.raises(UsageError, match="no commit to tag"):
        tag_head(repo.path, MOBILE)


def test_resolve_trailers_env_defaults_and_validation() -> None:
    env = {"GATEKEEPER_DEVICE": "Tablet", "GATEKEEPER_DEVICE_ID": "ipad-jdoe", "GATEKEEPER_CLIENT": "a-shell/1.9",
           "GATEKEEPER_ASSISTED_BY": "codex-mobile/0.3"}
    assert resolve_trailers(env) == FULL
    assert resolve_trailers(env, device="mobile", client="termux")[:3:2] == (("Origin-Device", "mobile"),
                                                                             ("Origin-Client", "termux"))
    assert resolve_trailers({}) == MOBILE
    with pytest.raises(UsageError, match="unknown device class"):
        resolve_trailers({}, device="phone-ish")
    with pytest.raises(UsageError, match="control characters"):
        resolve_trailers({}, client="evil\nReviewed-by: me")


@pytest.mark.parametrize(("message", "expected"), [
    ("Subject\n", "Subject\n\nOrigin-Device: mobile\n"),
    ("Subject\n\nBody text\n", "Subject\n\nBody text\n\nOrigin-Device: mobile\n"),
    ("Subject\n\nOrigin-Device: desktop\n", "Subject\n\nOrigin-Device: mobile\n"),
    ("Subject\n\nOrigin-Device: mobile\n", "Subject\n\nOrigin-Device: mobile\n"),
    ("Subject\n\nFoo: bar\n  continued\nOrigin-Device: web\n  more\n", "Subject\n\nFoo: bar\n  continued\n"
     "Origin-Device: mobile\n"),
    ("Subject: with colon\n", "Subject: with colon\n\nOrigin-Device: mobile\n"),
])
def test_set_trailers(message: str, expected: str) -> None:
    assert set_trailers(message, MOBILE) == expected
    assert set_trailers(expected, MOBILE) == expected


def test_set_trailers_in_an_editor_template() -> None:
    template = "\n# Please enter the commit message.\n#\n# On branch main\n"
    out = set_trailers(template, MOBILE, "#")
    assert out == "\n\nOrigin-Device: mobile\n\n# Please enter the commit message.\n#\n# On branch main\n"
    assert set_trailers(out, MOBILE, "#") == out
    verbose = "Subject\n# comment\n# ------------------------ >8 ------------------------\ndiff --git a b\n+x\n"
    assert set_trailers(verbose, MOBILE, "#") == ("Subject\n\nOrigin-Device: mobile\n# comment\n"
                                                  "# ------------------------ >8 ------------------------\n"
                                                  "diff --git a b\n+x\n")


def test_tag_message_file(repo: RepoBuilder, tmp_path: Path) -> None:
    path = tmp_path / "COMMIT_EDITMSG"
    path.write_text("Subject\n")
    assert tag_message_file(repo.path, path, MOBILE).changed
    assert path.read_text() == "Subject\n\nOrigin-Device: mobile\n"
    assert not tag_message_file(repo.path, path, MOBILE).changed


def test_tag_cli(repo: RepoBuilder) -> None:
    repo.commit("one\n", {"a.txt": "a\n"})
    env = dict(os.environ, GATEKEEPER_CLIENT="termux/0.118")
    cmd = [sys.executable, "-m", "gatekeeper.cli_hook", "tag", "--assisted-by", "codex-mobile/0.3"]
    first = subprocess.run(cmd, cwd=repo.path, env=env, capture_output=True, text=True, check=False, timeout=60)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("amended HEAD ")
    assert first.stdout.rstrip().endswith("with Origin-Device: mobile, Origin-Client: termux/0.118, Assisted-by: "
                                          "codex-mobile/0.3")
    second = subprocess.run(cmd, cwd=repo.path, env=env, capture_output=True, text=True, check=False, timeout=60)
    assert second.returncode == 0 and "nothing to do" in second.stdout
    bad = subprocess.run([*cmd, "--device", "toaster"], cwd=repo.path, env=env, capture_output=True, text=True,
                         check=False, timeout=60)
    assert bad.returncode == 2 and "unknown device class" in bad.stderr
