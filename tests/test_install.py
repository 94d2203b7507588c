"""`gatekeeper install` / `uninstall`: the hook scripts, .legacy chaining, core.hooksPath, pre-push and
prepare-commit-msg in a real clone."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.errors import UsageError
from gatekeeper.modes.install import MARKER, install, is_ours, uninstall
from gatekeeper.trailers import parse_trailers
from tests.hook_helpers import MO, MOBILE, TEST_POLICY, make_server, push
from tests.repo_builder import RepoBuilder


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "gatekeeper.cli_hook", *args], cwd=cwd, capture_output=True,
                          text=True, env=full, check=False, timeout=120)


def _bare(tmp_path: Path) -> Path:
    return RepoBuilder.init(tmp_path / "srv.git", bare=True).path


def test_install_pre_receive_script(tmp_path: Path) -> None:
    bare = _bare(tmp_path)
    policy = tmp_path / "policy.yml"
    policy.write_text(TEST_POLICY)
    result = install(bare, "pre-receive", policy=policy)
    hook = bare / "hooks" / "pre-receive"
    assert result.path == hook and result.legacy is None
    assert os.access(hook, os.X_OK)
    text = hook.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert MARKER in text
    assert (f'exec {shlex.quote(sys.executable)} -P -m gatekeeper.cli_hook pre-receive --legacy "$0.legacy" '
            f'--policy {shlex.quote(str(policy))} "$@"') in text
    assert subprocess.run(["git", "config", "--get", "receive.advertisePushOptions"], cwd=bare, capture_output=True,
                          text=True, check=True).stdout.strip() == "true"
    assert any("receive.advertisePushOptions" in note for note in result.notes)
    # Re-installing replaces our own hook and keeps nothing as legacy.
    again = install(bare, "pre-receive")
    assert again.legacy is None and not (bare / "hooks" / "pre-receive.legacy").exists()
    assert "--policy" not in hook.read_text()


def test_existing_hook_kept_as_legacy_and_restored(tmp_path: Path) -> None:
    bare = _bare(tmp_path)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho old hook\n")
    hook.chmod(0o755)
    result = install(bare, "pre-receive")
    legacy = bare / "hooks" / "pre-receive.legacy"
    assert result.legacy == legacy and legacy.read_text() == "#!/bin/sh\necho old hook\n"
    assert os.access(legacy, os.X_OK)
    assert is_ours(hook)
    install(bare, "pre-receive")  # idempotent: the legacy hook is not overwritten by ours
    assert legacy.read_text() == "#!/bin/sh\necho old hook\n"
    restored = uninstall(bare, "pre-receive")
    assert restored.legacy == legacy
    assert hook.read_text() == "#!/bin/sh\necho old hook\n" and not legacy.exists()
    with pytest.raises(UsageError, match="not installed by gatekeeper"):
        uninstall(bare, "pre-receive")
    assert hook.exists()


def test_refuses_when_hook_and_legacy_both_exist(tmp_path: Path) -> None:
    bare = _bare(tmp_path)
    for name in ("pre-receive", "pre-receive.legacy"):
        (bare / "hooks" / name).write_text("#!/bin/sh\n")
    with pytest.raises(UsageError, match="refusing to overwrite"):
        install(bare, "pre-receive")


def test_core_hooks_path_refused_unless_told(tmp_path: Path) -> None:
    bare = _bare(tmp_path)
    shared = tmp_path / "shared-hooks"
    subprocess.run(["git", "config", "core.hooksPath", str(shared)], cwd=bare, check=True)
    with pytest.raises(UsageError, match=r"core\.hooksPath is set") as info:
        install(bare, "pre-receive")
    assert "--use-hooks-path" in info.value.fix
    result = install(bare, "pre-receive", use_hooks_path=True)
    assert result.path == shared / "pre-receive" and is_ours(result.path)
    uninstall(bare, "pre-receive", use_hooks_path=True)
    assert not result.path.exists()


def test_core_hooks_path_in_global_config_is_seen(tmp_path: Path) -> None:
    bare = _bare(tmp_path)
    global_config = Path(os.environ["GIT_CONFIG_GLOBAL"])
    global_config.write_text(global_config.read_text() + f"[core]\n\thooksPath = {tmp_path / 'global-hooks'}\n")
    with pytest.raises(UsageError, match=r"core\.hooksPath"):
        install(bare, "pre-receive")


def test_cli_install_and_uninstall(tmp_path: Path) -> None:
    bare = _bare(tmp_path)
    proc = _cli("install", "--hook", "pre-receive", "--repo", str(bare), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == f"installed {bare / 'hooks' / 'pre-receive'}"
    proc = _cli("uninstall", "--hook", "pre-receive", "--repo", str(bare), cwd=tmp_path)
    assert proc.returncode == 0
    proc = _cli("uninstall", "--hook", "pre-receive", "--repo", str(bare), cwd=tmp_path)
    assert proc.returncode == 2
    assert "fix: nothing to uninstall" in proc.stderr
    proc = _cli("install", "--hook", "pre-push", "--repo", str(bare), cwd=tmp_path)
    assert proc.returncode == 2 and "bare repository" in proc.stderr


def test_pre_receive_needs_stdin_from_git(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "gatekeeper.cli_hook", "pre-receive"], cwd=tmp_path,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False, timeout=60)
    # Empty stdin (no updates) is a no-op; a terminal would be refused with a usage error.
    assert proc.returncode == 0


def test_pre_push_hook_checks_what_is_pushed(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", install_hook=False)
    work = server.clone()
    work.commit("init\n", {"README.md": "r\n"})
    assert push(work, "origin", "main").code == 0
    policy = tmp_path / "policy.yml"
    policy.write_text(TEST_POLICY)
    old = work.path / ".git" / "hooks" / "pre-push"
    seen = tmp_path / "legacy-pre-push.txt"
    old.write_text(f"#!/bin/sh\necho \"$1\" > '{seen}'\ncat >> '{seen}'\n")
    old.chmod(0o755)
    install(work.path, "pre-push", policy=policy)
    work.branch("topic")
    work.commit("desktop change\n", {"ok.txt": "ok\n"})
    result = push(work, "origin", "topic")
    assert result.code == 0, result.output
    assert seen.read_text().splitlines()[0] == "origin"
    assert "refs/heads/topic" in seen.read_text()
    # A mobile change to a compliance zone is stopped before it leaves the phone.
    work.commit("payments tweak" + MOBILE, {"src/payments/fee.py": "FEE = 0\n"}, author=MO, committer=MO)
    result = push(work, "origin", "topic")
    assert result.code != 0
    assert "policy/zone-violation" in result.output
    assert "gatekeeper: push stopped by the local pre-push check" in result.output
    assert server.tip("refs/heads/topic") != work.head()
    # Only the commits new to the remote are judged, for a new branch too.
    work.git("reset", "-q", "--hard", "HEAD~1")
    work.branch("fresh")
    work.commit("another\n", {"another.txt": "a\n"})
    result = push(work, "origin", "fresh")
    assert result.code == 0, result.output
    assert "(1 commit(s)" in result.output


def test_pre_push_sees_the_servers_branches_when_judging_a_tag_that_shadows_one(tmp_path: Path) -> None:
    """`refs/heads/release/*` is protected. A tag `release/1.0` is refused on the server only beside a branch
    release/1.0; a clone knows that branch as origin/release/1.0, and its pre-push check says the same as the
    server instead of letting the push go to be refused there."""
    server = make_server(tmp_path / "srv", install_hook=False)
    work = server.clone()
    work.commit("init\n", {"README.md": "r\n"})
    assert push(work, "origin", "main", "main:refs/heads/release/1.0").code == 0
    work.git("fetch", "-q", "origin")
    assert not work.git("branch", "--list", "release/1.0") and work.git("rev-parse", "origin/release/1.0")
    policy = tmp_path / "policy.yml"
    policy.write_text(TEST_POLICY)
    install(work.path, "pre-push", policy=policy)
    work.git("tag", "release/2.0")
    assert push(work, "origin", "refs/tags/release/2.0").code == 0  # no such branch: a release tag
    work.git("tag", "release/1.0")
    result = push(work, "origin", "refs/tags/release/1.0")
    assert result.code != 0 and "policy/ambiguous-ref" in result.output, result.output
    assert server.tip("refs/tags/release/1.0") is None


def test_prepare_commit_msg_hook_tags_commits(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "phone")
    repo.commit("before the hook\n", {"a.txt": "a\n"})
    legacy_ran = tmp_path / "legacy-ran"
    old = repo.path / ".git" / "hooks" / "prepare-commit-msg"
    old.write_text(f"#!/bin/sh\ntouch '{legacy_ran}'\n")
    old.chmod(0o755)
    install(repo.path, "prepare-commit-msg")
    env = {"GATEKEEPER_DEVICE": "tablet", "GATEKEEPER_DEVICE_ID": "ipad-jdoe", "GATEKEEPER_CLIENT": "working-copy/6"}
    repo.write("b.txt", "b\n")
    repo.git("add", "b.txt")
    repo.git("commit", "-q", "-m", "from the tablet", env=env)
    message = repo.git("log", "-1", "--format=%B")
    assert message == ("from the tablet\n\nOrigin-Device: tablet\nOrigin-Device-Id: ipad-jdoe\n"
                       "Origin-Client: working-copy/6")
    assert {t.key: t.value for t in parse_trailers(message)}["Origin-Device"] == "tablet"
    assert legacy_ran.exists()
    # Amending keeps one set of trailers.
    repo.git("commit", "-q", "--amend", "--no-edit", env=env)
    assert repo.git("log", "-1", "--format=%B") == message


def test_print_script_touches_nothing(tmp_path: Path) -> None:
    proc = _cli("install", "--hook", "pre-receive", "--print-script", "--policy", "/etc/gatekeeper/policy.yml",
                cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("#!/bin/sh\n")
    assert proc.stdout.rstrip().endswith(f"exec {shlex.quote(sys.executable)} -P -m gatekeeper.cli_hook pre-receive "
                                         '--legacy "$0.legacy" --policy /etc/gatekeeper/policy.yml "$@"')
    assert list(tmp_path.iterdir()) == []


def test_pre_receive_brings_post_receive_and_takes_it_away(tmp_path: Path) -> None:
    bare = _bare(tmp_path)
    hooks = bare / "hooks"
    (hooks / "post-receive").write_text("#!/bin/sh\necho mine\n")
    (hooks / "post-receive").chmod(0o755)
    result = install(bare, "pre-receive")
    assert is_ours(hooks / "post-receive")
    assert (hooks / "post-receive.legacy").read_text() == "#!/bin/sh\necho mine\n"  # kept, still runs first
    assert any("post-receive" in note for note in result.notes)
    script = (hooks / "post-receive").read_text()
    assert '[ -n "$GATEKEEPER_ATTEST_KEY" ] || exit 0' in script  # no key: no Python started at all
    assert subprocess.run(["sh", "-n", str(hooks / "post-receive")], check=False).returncode == 0
    uninstall(bare, "pre-receive")
    assert (hooks / "post-receive").read_text() == "#!/bin/sh\necho mine\n"
    assert not (hooks / "pre-receive").exists()
