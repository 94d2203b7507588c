"""user100: a new user's pass over the README, on a clean checkout. Each test reproduces one place where
what the README (or `--help`) says differs from what the tool does. They fail until the product is fixed.

- A closed stdout (`gatekeeper audit | head`, `gatekeeper log show | head`) makes click exit 1, which the
  README reserves for "blocked" ("Exit code 1 always means blocked, never crashed"; the audit "never blocks:
  exit 0; 4 when git cannot be read"); `log export` says "cannot write None".
- `gatekeeper policy init --path DIR/x.yml` with a missing DIR (or a directory as the path) is an
  "internal error" (exit 4) instead of an error with a fix.
- `gatekeeper audit --since <typo>` silently audits nothing (git reads an unparseable date as "now") and
  exits 0, where `--since ''` is already a usage error.
- A `secrets.config` that does not exist is reported as `tool/secrets-failed` whose fix tells the user to
  run `secrets --version` — there is no such program: the secrets scanner is built in.
- The README's policy reference ignores `semgrep/python-eval`, a rule id that no rule carries, so the
  example entry never suppresses anything (and `policy check` accepts it silently).
- `gatekeeper install --hook pre-receive --policy FILE` installs a hook whose policy does not exist or is
  invalid without a word; the first push is then refused.
- An interrupted `gatekeeper audit --output F` leaves F truncated (a previous good report is destroyed).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.repo_builder import RepoBuilder

ROOT = Path(__file__).resolve().parent.parent
GATEKEEPER = [sys.executable, "-c", "from gatekeeper.cli import main; main()"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("GATEKEEPER_DECISION_LOG", None)
    env["HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir(exist_ok=True)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GATEKEEPER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                          **kw)  # type: ignore[call-overload]


def _run_closed_stdout(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe whose reader has gone (`gatekeeper … | head` after head exits)."""
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run([*GATEKEEPER, *args], cwd=cwd, env=env, stdout=w, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    finally:
        os.close(w)


def _repo(tmp_path: Path, commits: int = 3) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    for i in range(commits):
        repo.commit(f"c{i}", {f"f{i}.txt": f"{i}\n"})
    return repo


# -- exit codes on a closed stdout ------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["audit"], ["audit", "--format", "json"], ["rules", "list"]])
def test_a_closed_stdout_is_not_exit_1_blocked(tmp_path: Path, args: list[str]) -> None:
    repo = _repo(tmp_path)
    proc = _run_closed_stdout(args, repo.path, _env(tmp_path))
    # README, Exit codes: "Exit code 1 always means 'blocked', never 'crashed'"; audit: "It never blocks".
    assert proc.returncode != 1, f"`gatekeeper {' '.join(args)} | head` exits 1 (= blocked): {proc.stderr!r}"


def test_log_verify_of_an_intact_log_is_not_exit_1_when_stdout_closes(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    env = _env(tmp_path)
    env["GATEKEEPER_DECISION_LOG"] = str(tmp_path / "decisions.db")
    assert _run(["check"], repo.path, env).returncode == 0
    assert _run(["log", "verify"], repo.path, env).returncode == 0
    proc = _run_closed_stdout(["log", "verify"], repo.path, env)
    # `log verify` exit 1 means "the log is broken": a closed pipe must not say that of an intact log.
    assert proc.returncode != 1, proc.stderr
    show = _run_closed_stdout(["log", "show"], repo.path, env)
    assert show.returncode != 1, show.stderr


def test_log_export_to_a_closed_stdout_names_no_none_path(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    env = _env(tmp_path)
    env["GATEKEEPER_DECISION_LOG"] = str(tmp_path / "decisions.db")
    assert _run(["check"], repo.path, env).returncode == 0
    proc = _run_closed_stdout(["log", "export"], repo.path, env)
    assert "None" not in proc.stderr, proc.stderr  # "cannot write None: Broken pipe / fix: choose --output"


# -- policy init -------------------------------------------------------------------------------------------

def test_policy_init_into_a_missing_directory_is_not_an_internal_error(tmp_path: Path) -> None:
    proc = _run(["policy", "init", "--path", str(tmp_path / "nodir" / "policy.yml")], tmp_path, _env(tmp_path))
    assert "internal error" not in proc.stderr, proc.stderr
    assert "fix:" in proc.stderr and "--verbose" not in proc.stderr


def test_policy_init_force_onto_a_directory_is_not_an_internal_error(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    proc = _run(["policy", "init", "--path", str(tmp_path / "adir"), "--force"], tmp_path, _env(tmp_path))
    assert "internal error" not in proc.stderr, proc.stderr


# -- audit --since -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("since", ["garbage date", "2026-13-45", "yesterdy"])
def test_audit_since_an_unreadable_date_is_a_usage_error(tmp_path: Path, since: str) -> None:
    repo = _repo(tmp_path)
    proc = _run(["audit", "--since", since], repo.path, _env(tmp_path))
    # git reads an unparseable --since as "now": the audit reports "no commits" and exits 0.
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-300:])


# -- the fix of a tool/secrets-failed finding ---------------------------------------------------------------

def test_missing_gitleaks_config_fix_does_not_name_a_secrets_program(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.write(".gatekeeper.yml", "version: 1\nsecrets: {config: .gitleaks.toml}\n")
    proc = _run(["check", "--format", "json"], repo.path, _env(tmp_path))
    findings = json.loads(proc.stdout)["findings"]
    failed = [f for f in findings if f["rule_id"] == "tool/secrets-failed"]
    assert failed, findings
    # "check that secrets is installed and runs (`secrets --version`)": no such program exists.
    assert "secrets --version" not in failed[0]["fix"], failed[0]["fix"]


# -- the README's policy reference ----------------------------------------------------------------------------

def test_readme_reference_ignore_example_names_a_rule_that_exists(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    reference = readme.split("## Policy reference", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    ids = re.findall(r"\{rule: ([\w/*.-]+),", reference)
    assert ids, "no ignore example found in the policy reference"
    proc = _run(["rules", "list", "--format", "json"], tmp_path, _env(tmp_path))
    data = json.loads(proc.stdout)
    rules = data["rules"] if isinstance(data, dict) else data
    known = [r["id"] for r in rules]
    for rule in ids:
        # ignore entries match rule ids as globs; a rule family such as `bandit/B*` matches its members.
        assert any(fnmatch.fnmatchcase(k, rule) or k == rule for k in known), \
            f"README's ignore example names {rule!r}, which no rule carries (see `gatekeeper rules list`)"


# -- install --policy ----------------------------------------------------------------------------------------

def test_install_refuses_a_policy_file_that_does_not_exist(tmp_path: Path) -> None:
    server = RepoBuilder.init(tmp_path / "srv.git", bare=True)
    proc = _run(["install", "--hook", "pre-receive", "--repo", str(server.path),
                 "--policy", str(tmp_path / "no-such-policy.yml")], tmp_path, _env(tmp_path))
    assert proc.returncode != 0, "installed a hook whose --policy does not exist; every push will be refused"


def test_install_refuses_an_invalid_policy_file(tmp_path: Path) -> None:
    server = RepoBuilder.init(tmp_path / "srv.git", bare=True)
    policy = tmp_path / "policy.yml"
    policy.write_text("version: 1\nrules: {mobile: {block_at: severe}}\n", encoding="utf-8")
    proc = _run(["install", "--hook", "pre-receive", "--repo", str(server.path), "--policy", str(policy)],
                tmp_path, _env(tmp_path))
    assert proc.returncode == 3, (proc.returncode, proc.stderr)


# -- an interrupted audit and its --output -------------------------------------------------------------------

def test_an_interrupted_audit_keeps_the_previous_report(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "repo")
    # A long history, made fast with fast-import, so the audit is still writing when it is interrupted.
    stream = []
    for i in range(60000):
        parent = f"from :{i}\n" if i else ""
        stream.append(f"commit refs/heads/main\nmark :{i + 1}\ncommitter A <a@example.com> {1700000000 + i} +0000\n"
                      f"data 6\nc{i:04d}\n{parent}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo.path, input="".join(stream).encode(), check=True)
    env = _env(tmp_path)
    report = tmp_path / "report.json"
    report.write_text('{"previous": "good report"}', encoding="utf-8")
    proc = subprocess.Popen([*GATEKEEPER, "audit", "--format", "json", "--output", str(report)], cwd=repo.path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    started = False
    while time.monotonic() < deadline and proc.poll() is None and not started:
        # The new report has started to be written (beside the old one, which it replaces once whole).
        started = any(p.stat().st_size > 200 for p in tmp_path.glob(".report.json.*.tmp"))
        time.sleep(0.005)
    assert started and proc.poll() is None, "the audit wrote no report in progress beside the old one"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 130
    assert not list(tmp_path.glob(".report.json.*")), "the interrupted report's temporary file was left behind"
    text = report.read_text(encoding="utf-8")
    assert text == '{"previous": "good report"}', text[:200]
    try:
        json.loads(text)
    except ValueError:
        pytest.fail(f"an interrupted audit left {report.name} truncated ({len(text)} bytes of invalid JSON): "
                    "the previous report is gone and the new one is unusable")


# -- what the fixes above added ------------------------------------------------------------------------------

def test_policy_check_warns_of_an_ignore_that_names_no_rule(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text("version: 1\nignore:\n  - {rule: semgrep/python-eval, reason: typo}\n"
                      "  - {rule: semgrep/python-eval*, reason: glob}\n  - {rule: bandit/B602, reason: a test id}\n",
                      encoding="utf-8")
    proc = _run(["policy", "check", str(policy)], tmp_path, _env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    warned = [line for line in proc.stdout.splitlines() if "warning" in line]
    assert len(warned) == 1 and "ignore[0]" in warned[0] and "semgrep/python-eval'" in warned[0], proc.stdout


def test_log_commands_read_the_log_the_work_trees_policy_names(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.write(".gatekeeper.yml", "version: 1\nlog: {path: decisions.db}\n")
    env = _env(tmp_path)
    assert _run(["check"], repo.path, env).returncode == 0
    shown = _run(["log", "show"], repo.path, env)
    assert shown.returncode == 0 and "allow" in shown.stdout, shown.stderr
    assert _run(["log", "verify"], repo.path, env).returncode == 0


def test_install_says_which_policy_the_hook_reads_and_warns_of_a_work_tree(tmp_path: Path) -> None:
    server = RepoBuilder.init(tmp_path / "srv.git", bare=True)
    proc = _run(["install", "--hook", "pre-receive", "--repo", str(server.path)], tmp_path, _env(tmp_path))
    assert proc.returncode == 0 and "policy: GATEKEEPER_POLICY" in proc.stdout, proc.stdout
    clone = _repo(tmp_path)
    proc = _run(["install", "--hook", "pre-receive"], clone.path, _env(tmp_path))
    assert proc.returncode == 0 and "has a work tree" in proc.stdout, proc.stdout
