"""`gatekeeper check` end to end on real repositories: ranges, verdicts, JSON schema, exit codes, bad input."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from gatekeeper.cli import run
from gatekeeper.config import parse_policy
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.git import Git
from gatekeeper.models import ZERO_SHA, Decision, RefKind, RefUpdate
from gatekeeper.review.local import LocalReviewSource
from tests.repo_builder import RepoBuilder

SCHEMA = json.loads((Path(__file__).parents[1] / "gatekeeper" / "schema" / "verdict.schema.json").read_text())

# The engine's own tests use a policy without content scanners; scanners have their own tests.
NO_SCAN = """\
version: 1
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 1}}
  default: {scanners: [], block_at: critical}
"""


def check_json(repo: RepoBuilder, *args: str, policy: str = NO_SCAN) -> tuple[int, dict]:
    policy_file = repo.path.parent / "policy.yml"
    policy_file.write_text(policy)
    out = repo.path.parent / "out.json"
    code = run(["check", "--repo", str(repo.path), "--policy", str(policy_file), "--format", "json",
                "--output", str(out), *args])
    data = json.loads(out.read_text()) if out.exists() else {}
    if data:
        jsonschema.validate(data, SCHEMA)
    return code, data


def test_mobile_commit_on_feature_branch(repo: RepoBuilder) -> None:
    repo.commit("base", {"README.md": "hi\n"})
    repo.branch("feature")
    sha = repo.commit("add thing\n\nOrigin-Device: mobile\nOrigin-Device-Id: pixel8-jdoe\n", {"a.py": "x = 1\n"})
    code, data = check_json(repo)
    assert code == 0
    assert data["decision"] == "warn"
    assert data["range"].startswith("main..HEAD (commits not on the default branch)")
    assert [c["sha"] for c in data["commits"]] == [sha]
    commit = data["commits"][0]
    assert commit["origin"]["device"] == "mobile"
    assert commit["origin"]["device_id"] == "pixel8-jdoe"
    assert commit["mobile"] is True and commit["ruleset"] == "mobile"
    assert commit["review"]["status"] == "unknown"
    assert [f["rule_id"] for f in data["findings"]] == ["review/required"]
    assert data["updates"] == [{"ref": "refs/heads/main", "old": data["updates"][0]["old"], "new": sha,
                                "kind": "update"}]


def test_upstream_is_the_default_base(repo: RepoBuilder, tmp_path: Path) -> None:
    repo.commit("base", {"README.md": "hi\n"})
    remote = RepoBuilder.init(tmp_path / "remote.git", bare=True)
    repo.git("remote", "add", "origin", str(remote.path))
    repo.git("push", "-q", "-u", "origin", "main")
    new = repo.commit("local work", {"b.txt": "b\n"})
    code, data = check_json(repo)
    assert code == 0
    assert data["range"] == "origin/main..HEAD (the upstream of the current branch)"
    assert [c["sha"] for c in data["commits"]] == [new]


def test_whole_history_when_no_base(repo: RepoBuilder) -> None:
    shas = [repo.commit(f"c{i}", {f"f{i}": "x"}) for i in range(3)]
    code, data = check_json(repo)
    assert code == 0 and data["decision"] == "allow"
    assert data["range"].startswith("all commits of HEAD")
    assert [c["sha"] for c in data["commits"]] == shas


def test_whole_history_of_a_sha256_repository(tmp_path: Path) -> None:
    """The created ref's "old" id is all zeros as long as the repository's ids, not a SHA-1 one."""
    repo = RepoBuilder.init(tmp_path / "r", object_format="sha256")
    sha = repo.commit("c0", {"f": "x"})
    code, data = check_json(repo)
    assert code == 0 and len(sha) == 64
    assert data["updates"][0]["old"] == "0" * 64 and data["updates"][0]["new"] == sha
    assert [c["sha"] for c in data["commits"]] == [sha]


def test_explicit_range_and_root_base(repo: RepoBuilder) -> None:
    root = repo.commit("root", {"a": "1"})
    second = repo.commit("second", {"a": "2"})
    code, data = check_json(repo, "--base", root, "--head", second)
    assert code == 0
    assert [c["sha"] for c in data["commits"]] == [second]


def test_zone_violation_blocks(repo: RepoBuilder) -> None:
    repo.commit("base", {"README.md": "hi\n"})
    repo.branch("feature")
    repo.commit("pay\n\nOrigin-Device: mobile\n", {"src/payments/charge.py": "x = 1\n"})
    policy = NO_SCAN + "zones:\n  - {name: payments, paths: ['src/payments/**'], mobile: block}\n"
    code, data = check_json(repo, policy=policy)
    assert code == 1
    assert data["decision"] == "block"
    (zone,) = [f for f in data["findings"] if f["rule_id"] == "policy/zone-violation"]
    assert zone["blocking"] is True
    assert zone["path"] == "src/payments/charge.py"


def test_undeclared_mobile_fails_closed(repo: RepoBuilder) -> None:
    repo.commit("base", {"README.md": "hi\n"})
    repo.branch("feature")
    repo.commit("untagged", {"a.txt": "a\n"})
    policy = NO_SCAN + "origins: {undeclared: mobile}\n"
    code, data = check_json(repo, policy=policy)
    assert data["commits"][0]["origin"]["device"] == "unknown"
    assert data["commits"][0]["ruleset"] == "mobile"
    assert [f["rule_id"] for f in data["findings"]] == ["review/required"]


def test_expired_ignore_stops_applying(repo: RepoBuilder) -> None:
    repo.commit("base", {"README.md": "hi\n"})
    repo.branch("feature")
    repo.commit("pay\n\nOrigin-Device: mobile\n", {"src/payments/charge.py": "x = 1\n"})
    zone = "zones:\n  - {name: payments, paths: ['src/payments/**'], mobile: block}\n"
    live = NO_SCAN + zone + "ignore:\n  - {rule: policy/zone-violation, reason: migration, expires: 2999-01-01}\n"
    code, data = check_json(repo, policy=live)
    assert code == 0
    assert [s["reason"] for s in data["suppressed"]] == ["ignore: migration (until 2999-01-01)"]
    expired = NO_SCAN + zone + "ignore:\n  - {rule: policy/zone-violation, reason: migration, expires: 2020-01-01}\n"
    code, data = check_json(repo, policy=expired)
    assert code == 1
    assert {f["rule_id"] for f in data["findings"]} >= {"policy/zone-violation", "policy/ignore-expired"}


def test_missing_scanner_fails_closed(repo: RepoBuilder) -> None:
    sha = repo.commit("x\n\nOrigin-Device: mobile\n", {"a.py": "x = 1\n"})
    policy = parse_policy("version: 1\n", "p.yml")
    request = Request(git=Git(repo.path), updates=(RefUpdate("refs/heads/feature", ZERO_SHA, sha, RefKind.CREATE),),
                      policy=policy, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC))
    verdict = evaluate(request, Services(scanners={}, review=LocalReviewSource()))
    assert verdict.decision is Decision.BLOCK
    assert {f.rule_id for f in verdict.blocking} == {"tool/secrets-failed", "tool/semgrep-failed",
                                                     "tool/bandit-failed"}


def test_merges_octopus_and_empty_commits(repo: RepoBuilder) -> None:
    repo.commit("base", {"a": "1"})
    for name in ("b1", "b2", "b3"):
        repo.branch(name, "main")
        repo.commit(f"on {name}\n\nOrigin-Device: tablet\n", {name: name})
    repo.checkout("main")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "b1", "b2", "b3")
    repo.commit("nothing", allow_empty=True)
    code, data = check_json(repo)
    subjects = [c["subject"] for c in data["commits"]]
    assert "nothing" in subjects and len(data["commits"]) == 6
    octopus = [c for c in data["commits"] if len(c["parents"]) == 4]
    assert len(octopus) == 1


def test_hostile_commit_messages(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    base = repo.commit("base", {"a": "1"})
    evil = repo.raw_commit(b"\x1b[31mred \xff\xfe invalid utf-8\x1b]0;title\x07\n\nOrigin-Device: mobile\n",
                           parents=(base,))
    big = repo.raw_commit(b"big\n\n" + b"line\n" * 100_000 + b"\nOrigin-Device: tablet\n", parents=(evil,))
    many = repo.raw_commit(b"many\n\n" + b"".join(b"X-K-%d: v\n" % i for i in range(10_000))
                           + b"Origin-Device: mobile\n", parents=(big,))
    repo.git("update-ref", "refs/heads/main", many)
    policy = repo.path.parent / "p.yml"
    policy.write_text(NO_SCAN)
    assert run(["check", "--repo", str(repo.path), "--base", base, "--format", "text", "--policy", str(policy)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "red" in out and "invalid utf-8" in out
    code, data = check_json(repo, "--base", base)
    assert [c["origin"]["device"] for c in data["commits"]] == ["mobile", "tablet", "mobile"]


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "--repo", str(tmp_path)]) == 4
    err = capsys.readouterr().err
    assert err == f"gatekeeper: error: {tmp_path.resolve()} is not a git repository\nfix: run inside a clone or pass --repo PATH\n"


def test_unknown_revision(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("base", {"a": "1"})
    assert run(["check", "--repo", str(repo.path), "--base", "nope"]) == 4
    assert capsys.readouterr().err == ("gatekeeper: error: unknown base revision 'nope'\n"
                                       "fix: check the name with `git rev-parse`\n")
    assert run(["check", "--repo", str(repo.path), "--base", "--upload-pack=evil"]) == 4


def test_shallow_clone_missing_base(repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = repo.commit("one", {"a": "1"})
    repo.commit("two", {"a": "2"})
    repo.commit("three", {"a": "3"})
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)], check=True)
    assert run(["check", "--repo", str(clone), "--base", first]) == 4
    err = capsys.readouterr().err
    assert f"unknown base revision '{first}'" in err
    assert "fix: this clone is shallow: fetch the history (`git fetch --unshallow`, or fetch-depth: 0)" in err


def test_invalid_and_unreadable_policy(repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("base", {"a": "1"})
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 1\nrules: {mobile: {block_at: hgh}}\n")
    assert run(["check", "--repo", str(repo.path), "--policy", str(bad)]) == 3
    assert (f"gatekeeper: config error: {bad}: rules.mobile.block_at: expected one of info, low, medium, high, "
            "critical, got 'hgh'") in capsys.readouterr().err
    assert run(["check", "--repo", str(repo.path), "--policy", str(tmp_path / "none.yml")]) == 3
    if os.geteuid() != 0:  # root reads anything
        bad.chmod(0)
        assert run(["check", "--repo", str(repo.path), "--policy", str(bad)]) == 3


def test_policy_in_work_tree_is_used(repo: RepoBuilder) -> None:
    repo.commit("base", {".gatekeeper.yml": NO_SCAN + "origins: {undeclared: mobile}\n"})
    code = run(["check", "--repo", str(repo.path), "--format", "json", "--output", str(repo.path / "o.json")])
    data = json.loads((repo.path / "o.json").read_text())
    assert data["policy"].endswith(".gatekeeper.yml")
    assert code == 0


def test_usage_errors_exit_2_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "--format", "xml"]) == 2
    assert run(["--no-such-flag"]) == 2
    assert run(["frobnicate"]) == 2
    assert run(["--version"]) == 0
    assert "gatekeeper, version" in capsys.readouterr().out


def test_console_script_exit_code(repo: RepoBuilder) -> None:
    """The real entry point, as a user runs it: blocked is 1, nothing else is."""
    repo.commit("base", {"README.md": "hi\n"})
    repo.branch("feature")
    repo.commit("pay\n\nOrigin-Device: mobile\n", {"src/payments/x.py": "x = 1\n"})
    policy = repo.path.parent / "p.yml"
    policy.write_text(NO_SCAN + "zones:\n  - {name: payments, paths: ['src/payments/**'], mobile: block}\n")
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--repo", str(repo.path), "--policy",
                           str(policy)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "gatekeeper: BLOCK" in proc.stdout
    assert "policy/zone-violation" in proc.stdout


def test_empty_repository_and_file_as_repo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = RepoBuilder.init(tmp_path / "empty")
    assert run(["check", "--repo", str(empty.path)]) == 4
    assert capsys.readouterr().err == (f"gatekeeper: error: {empty.path.resolve()} has no commits yet\n"
                                       "fix: commit something, then run the check\n")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert run(["check", "--repo", str(a_file)]) == 4
    assert capsys.readouterr().err == (f"gatekeeper: error: {a_file}: not a directory\n"
                                       "fix: pass --repo with a git repository path\n")


def test_broken_pipe_keeps_the_verdict_exit_code(repo: RepoBuilder) -> None:
    """`gatekeeper check | head` must not turn a block into 0."""
    repo.commit("base", {"README.md": "hi\n"})
    repo.branch("feature")
    repo.commit("pay\n\nOrigin-Device: mobile\n", {"src/payments/x.py": "x = 1\n"})
    policy = repo.path.parent / "p.yml"
    policy.write_text(NO_SCAN + "zones:\n  - {name: payments, paths: ['src/payments/**'], mobile: block}\n")
    proc = subprocess.Popen([sys.executable, "-m", "gatekeeper", "check", "--repo", str(repo.path), "--policy",
                             str(policy)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before anything is written
    assert proc.wait(timeout=60) == 1
    assert b"Traceback" not in (proc.stderr.read() if proc.stderr else b"")


def test_error_lines_are_sanitised(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("base", {"a": "1"})
    assert run(["check", "--repo", str(repo.path), "--policy", str(repo.path / "\x1b[2Jevil\x07.yml")]) == 3
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "evil" in err
