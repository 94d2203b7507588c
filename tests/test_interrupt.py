"""Interruption: SIGTERM (what CI runners and git servers send) cleans up exactly like Ctrl-C.

A real `gatekeeper check` runs in a subprocess, scanning a repository with a slow fake semgrep (the
engine's collaborator) that starts a grandchild; the test sends the signal while the tool runs and
asserts the exit code, that the scan workspace (which holds the scanned content) is gone and that the
tool's whole process group is dead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gatekeeper import process
from gatekeeper.models import ExitCode
from tests.repo_builder import RepoBuilder

POLICY = """\
version: 1
origins: {undeclared: desktop}
protected_refs: []
rules:
  default: {scanners: [semgrep], block_at: high}
"""

DRIVER = """\
import sys
import gatekeeper.scan.semgrep as semgrep
fake = sys.argv.pop(1)
semgrep.find_semgrep = lambda: fake  # the fake tool stands in for the real one
from gatekeeper.cli import main
main(sys.argv[1:])
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie is dead, only not yet reaped by its new parent


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def _default_signals() -> None:
    """The gate as a terminal starts it: a shell's background job (`.ci/run &`, nohup) may inherit SIGINT or SIGHUP
    ignored, and the gate keeps a signal its parent ignores ignored, as it should — the test would then wait for an
    exit that never comes. (One SIGINT run timed out under `bash .ci/run &` on a loaded machine; not reproduced.)"""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_during_a_scan_removes_the_workspace_and_kills_the_tool(tmp_path: Path, repo: RepoBuilder,
                                                                      signum: int) -> None:
    base = repo.commit("base", {"README.md": "hello\n"})
    repo.commit("code", {"app.py": "token = 'x'\nprint(token)\n"})
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    pids = tmp_path / "pids"
    stub = tmp_path / "bin" / "semgrep"
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\nif [ "$1" = "--version" ]; then echo 1.99.0; exit 0; fi\n'
                    f'sleep 300 &\necho "$$ $!" > "{pids}"\nwait\n')
    stub.chmod(0o755)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "GATEKEEPER_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(stub), "check", "--repo", str(repo.path),
                             "--base", base, "--policy", str(policy)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_default_signals)
    try:
        _wait_for(pids)
        tool, grandchild = (int(p) for p in pids.read_text().split())
        assert _alive(tool) and _alive(grandchild)
        assert any(p.name.startswith("gatekeeper-scan-") for p in scratch.iterdir())
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert b"interrupted" in err and b"Traceback" not in err
    if signum != signal.SIGINT:
        assert signal.Signals(signum).name.encode() in err
    assert list(scratch.iterdir()) == []
    deadline = time.monotonic() + 10
    while (_alive(tool) or _alive(grandchild)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(tool) and not _alive(grandchild)


def test_release_all_kills_registered_groups_and_removes_registered_dirs(tmp_path: Path) -> None:
    """The net under the watchdog's os._exit, which runs no `finally`."""
    work = tmp_path / "gatekeeper-scan-x"
    work.mkdir()
    (work / "secret.txt").write_text("k")
    child = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        process.track_dir(work)
        process.track_group(child.pid)
        process.release_all()
        assert child.wait(timeout=10) == -signal.SIGKILL
        assert not work.exists()
        assert process.pending() == ((), ())
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_the_hook_watchdog_releases_workspaces_and_tools_before_it_exits(tmp_path: Path) -> None:
    """The watchdog ends the process with os._exit, which runs no `finally`: it releases first."""
    import io

    from gatekeeper.scan.workspace import Workspace
    from gatekeeper.watchdog import HookState, Watchdog

    workspace = Workspace()
    (workspace.root / "scanned.py").write_text("key = 'x'\n")
    child = subprocess.Popen(["sleep", "300"], start_new_session=True)
    process.track_group(child.pid)
    codes: list[int] = []
    try:
        state = HookState(out=io.StringIO(), gitlab=False, audit_log=None, on_timeout="block", budget=4.0)
        Watchdog(state, exit=codes.append)._fire()
        assert codes == [ExitCode.BLOCKED]
        assert not workspace.root.exists()
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        workspace.close()
        if child.poll() is None:
            child.kill()
            child.wait()


def test_a_legacy_hook_that_outlives_the_budget_is_killed_with_what_it_started(tmp_path: Path) -> None:
    """A real push: the legacy pre-receive hook starts a grandchild and hangs; at the budget the hook
    rejects the push and kills the legacy hook's whole process group (no orphan keeps running)."""
    from gatekeeper.modes.install import install
    from tests.hook_helpers import make_server, spush

    server = make_server(tmp_path / "srv", install_hook=False)
    pids = tmp_path / "legacy-pids"
    hook = server.path / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ncat >/dev/null\nsleep 300 &\necho \"$$ $!\" > '{pids}'\nwait\n")
    hook.chmod(0o755)
    install(server.path, "pre-receive", policy=server.policy_file)
    work = server.clone()
    work.commit("c\n", {"c.txt": "c\n"})
    result = spush(server, work, "origin", "main")
    assert result.code != 0
    assert "REJECTED by pre-receive.legacy (exit 124)" in result.remote_text, result.remote_text
    legacy, grandchild = (int(p) for p in pids.read_text().split())
    deadline = time.monotonic() + 10
    while (_alive(legacy) or _alive(grandchild)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(legacy) and not _alive(grandchild)


def test_a_helper_thread_never_takes_a_termination_signal() -> None:
    """A signal sent to the process goes to any thread that does not block it, and Python handles it only when the
    main thread runs again: a pipe's feeder or drainer that took Ctrl-C while the main thread waited on a scanner
    could leave the gate running for as long as the tool did. Helper threads hold the signals."""
    import threading

    from gatekeeper.process import TERMINATING_SIGNALS, start_thread

    seen: list[set[int]] = []
    release = threading.Event()

    def helper() -> None:
        seen.append(set(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
        release.wait(5)

    thread = start_thread(helper)
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    thread.join(5)
    assert seen and set(TERMINATING_SIGNALS) <= seen[0]
    assert not set(TERMINATING_SIGNALS) & set(signal.pthread_sigmask(signal.SIG_BLOCK, []))  # the caller's mask is back
