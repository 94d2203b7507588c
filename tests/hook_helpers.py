"""Test helpers for the hook side: a bare "server" with the real hook installed, clones, real pushes.

Pushes run the real `git push`; over file:// (and local paths) receive-pack is spawned by the pushing
git, so the hook inherits the push's environment — that is how the forge variables of GHES, GitLab
and Gitea are simulated here. Over git:// (`git daemon`) the hook inherits the daemon's environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatekeeper.config import DEFAULT_POLICY_YAML
from gatekeeper.modes.install import install
from tests.repo_builder import RepoBuilder

ZERO = "0" * 40

TEST_POLICY = """\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
protected_refs: ["refs/heads/main", "refs/heads/release/*"]
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 1}}
  default: {scanners: [], block_at: critical}
zones:
  - {name: payments, paths: ["src/payments/**"], mobile: block}
pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}
bypass: {push_option: gatekeeper.bypass, allowed: [captain], reason_required: true}
"""

MOBILE = "\n\nOrigin-Device: mobile\nOrigin-Client: working-copy/6.1\n"
MO = ("Mo Bile", "mo@example.com")
RITA = ("Rita Reviewer", "rita@example.com")


@dataclass
class PushResult:
    code: int
    output: str

    @property
    def remote(self) -> list[str]:
        """The hook's lines as the pusher sees them, without `remote: ` and git's sideband padding."""
        return [line[len("remote: "):].rstrip() for line in self.output.splitlines() if line.startswith("remote: ")]

    @property
    def remote_text(self) -> str:
        return "\n".join(self.remote)


@dataclass
class Server:
    path: Path
    root: Path
    policy_file: Path | None
    audit_log: Path

    def git(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["git", *args], cwd=self.path, capture_output=True, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
        return proc.stdout.decode().strip()

    def tip(self, ref: str = "refs/heads/main") -> str | None:
        proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", ref], cwd=self.path, capture_output=True,
                              check=False)
        return proc.stdout.decode().strip() or None

    def clone(self, name: str = "work") -> RepoBuilder:
        target = self.root / name
        # file:// (not a bare path) so pushes take git's file:// transport, as the tests say they do.
        subprocess.run(["git", "clone", "-q", self.path.as_uri(), str(target)], check=True, capture_output=True)
        return RepoBuilder(target)

    def audit(self) -> list[dict[str, Any]]:
        if not self.audit_log.exists():
            return []
        # One record a line, split on "\n" only: a record may hold U+2028 unescaped (a ref's name), which
        # str.splitlines would split on. A last line without its "\n" is a record another hook is still writing
        # (concurrent pushes: spush reads the log to decide on a retry), not one to read yet.
        lines = self.audit_log.read_text().split("\n")
        return [json.loads(line) for line in lines[:-1] if line.strip()]

    def last_verdict(self) -> dict[str, Any]:
        verdict = self.audit()[-1]["verdict"]
        assert verdict is not None
        return dict(verdict)


def make_server(root: Path, *, policy: str | None = TEST_POLICY, server_side_policy: bool = True,
                install_hook: bool = True, watchdog: bool = False) -> Server:
    """A bare repository with the pre-receive hook; the policy as a server-side file unless told otherwise.

    The hard watchdog is off unless asked for: these tests judge decisions, and on a loaded CI machine a
    hook can exceed the wall-clock budget. The watchdog has its own tests (and one end-to-end push).
    """
    root.mkdir(parents=True, exist_ok=True)
    bare = root / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    policy_file = None
    if policy is not None and server_side_policy:
        policy_file = root / "policy.yml"
        policy_file.write_text(policy)
    audit_log = root / "audit.jsonl"
    if install_hook:
        install(bare, "pre-receive", policy=policy_file)
        if not watchdog:
            disable_watchdog(bare)
    return Server(bare, root, policy_file, audit_log)


def disable_watchdog(bare: Path) -> None:
    hook = bare / "hooks" / "pre-receive"
    text = hook.read_bytes()  # (its paths are the file system's bytes, not always UTF-8)
    assert b" pre-receive --legacy " in text
    hook.write_bytes(text.replace(b" pre-receive --legacy ", b" pre-receive --no-watchdog --legacy "))


def push(clone: RepoBuilder, *args: str, env: Mapping[str, str] | None = None, audit: Path | None = None) -> PushResult:
    full = dict(os.environ)
    full.update(clone.env_overrides)
    if audit is not None:
        full["GATEKEEPER_AUDIT_LOG"] = str(audit)
    full.update(env or {})
    proc = subprocess.run(["git", "push", "--porcelain", *args], cwd=clone.path, env=full, capture_output=True,
                          check=False, timeout=120)
    return PushResult(proc.returncode, proc.stderr.decode("utf-8", "replace") + proc.stdout.decode("utf-8", "replace"))


def spush(server: Server, clone: RepoBuilder, *args: str, env: Mapping[str, str] | None = None) -> PushResult:
    """Push to the server's `origin` with the server's audit log.

    A push the hook refused only because its wall-clock budget ran out (a blocking `tool/timeout`, nothing else
    blocking) is tried again, up to twice: on a loaded CI machine the hook's 4 s budget can be spent before a
    scanner starts, and these tests judge decisions, not speed. The refusal changed nothing on the server, so the
    repeat is the same push. A test that wants the timeout still sees it (the last attempt is returned)."""
    return retried_for_time(server, lambda: push(clone, *args, env=env, audit=server.audit_log))


def retried_for_time(server: Server, attempt: Callable[[], PushResult]) -> PushResult:
    """`attempt` (a push to `server` that records to its audit log), tried again up to twice while the hook refused
    it only for time (spush's reason: the tests run several workers per core)."""
    result = attempt()
    for _ in range(2):
        if result.code == 0 or not refused_for_time_only(server):
            break
        result = attempt()
    return result


def refused_for_time_only(server: Server) -> bool:
    """Whether the server's last recorded decision refused the push only for time: the watchdog's timeout, or a
    verdict whose one blocking rule is `tool/timeout`."""
    records = server.audit()
    if records and records[-1].get("event") == "timeout":
        return True
    verdict = records[-1].get("verdict") if records else None
    if not verdict:
        return False
    blocking = {f["rule_id"] for f in verdict.get("findings", ()) if f.get("blocking")}
    return blocking == {"tool/timeout"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def git_daemon(base: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """`git daemon` serving `base` with receive-pack enabled on 127.0.0.1; yields the git:// base URL."""
    full = dict(os.environ)
    full.update(env or {})
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}", f"--base-path={base}",
             "--export-all", "--enable=receive-pack", "--informative-errors", str(base)],
            env=full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        ready = False
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                ready = True
                break
            time.sleep(0.05)
        if ready:
            try:
                yield f"git://127.0.0.1:{port}"
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                if proc.stderr:
                    proc.stderr.close()
            return
        proc.kill()
        proc.wait()
        if proc.stderr:
            proc.stderr.close()
    raise RuntimeError("git daemon did not start")


def run_hook_subprocess(code: str, *, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run Python code in a fresh interpreter (for the watchdog, which ends its process)."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False)


# -- shared by the hostile-push tests (test_adversarial*.py, test_graft_and_invisible.py) ----------------

AWS_KEY = "AKIA" + "Z7QH4M2XKJ5RTW3P"  # split so this file does not itself look like a key
KEY_LINE = f"aws_access_key_id = {AWS_KEY}\n"
DANA = ("Dana Developer", "dana@example.com")


def default_policy_server(tmp_path: Path) -> tuple[Server, RepoBuilder]:
    """A server under the built-in policy whose main already holds Dana's first commit (accepted), and a clone."""
    server = make_server(tmp_path / "srv", policy=DEFAULT_POLICY_YAML)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    seed(server, work)
    return server, work

SECRETS_POLICY = TEST_POLICY.replace(
    "default: {scanners: [], block_at: critical}", "default: {scanners: [secrets], block_at: high}").replace(
    "mobile: {scanners: [], block_at: high,", "mobile: {scanners: [secrets], block_at: high,").replace(
    "pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}",
    "pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}")
# semgrep in the hook's budget, blocking at high (the red teams' hostile pushes of rule bypasses: red147 to red149).
SEMGREP_HOOK_POLICY = TEST_POLICY.replace(
    "default: {scanners: [], block_at: critical}", "default: {scanners: [semgrep], block_at: high}").replace(
    "pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}",
    "pre_receive: {budget_seconds: 4.5, scanners: [semgrep], defer: []}")


def seed(server: Server, work: RepoBuilder, branch: str = "main") -> None:
    """`work`'s `branch` put on the server as it is — where a first push would leave it, but without running the hook:
    the state a test starts from, not a push under test. Every hook run is a new Python process that imports the
    engine (about 0.6 s of CPU on the CI machine); a seeding push in front of each test was a fifth of the suite's time.
    First pushes through the hook have their own tests (tests/test_pre_receive.py)."""
    server.git("fetch", "-q", str(work.path), f"refs/heads/{branch}:refs/heads/{branch}")
    work.git("fetch", "-q", "origin")  # (the remote-tracking ref a push would have moved)


def seeded(tmp_path: Path, policy: str = TEST_POLICY) -> tuple[Server, RepoBuilder]:
    server = make_server(tmp_path / "srv", policy=policy)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    seed(server, work)
    return server, work


def rejected(result: PushResult, *needles: str) -> None:
    assert result.code != 0, result.output
    for needle in needles:
        assert needle in result.output, result.output
    assert AWS_KEY not in result.output


def push_files(tmp_path: Path, files: dict[str, str]) -> PushResult:
    """Dana's desktop commit of `files` pushed to main of a fresh server under SECRETS_POLICY."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    work.commit("Add configuration\n", files, author=DANA, committer=DANA)
    return spush(server, work, "origin", "main")


def assert_blocked(result: PushResult, rule: str) -> None:
    assert result.code != 0, f"the push to main passed; {rule} did not block:\n{result.output}"
    assert rule in result.output, result.output
