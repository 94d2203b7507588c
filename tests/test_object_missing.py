"""Missing objects (partial clones, damaged repositories): the commit is named, the rest is still judged.

A real partial clone (`git clone --filter=blob:none` from a bare repository with uploadpack.allowFilter)
whose promisor remote is then gone, and a repository with a loose blob deleted. Before, one unreadable
object aborted the whole run with exit 4 and no verdict.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from gatekeeper.cli import run
from tests.repo_builder import RepoBuilder

AWS_KEY = "AKIA" + "QYLPMN5HHHFPZAM2"  # split: our own gate must not find a key in this file
POLICY = """version: 1
rules:
  mobile:
    scanners: [secrets]
    block_at: high
  default:
    scanners: [secrets]
    block_at: critical
"""


def _check(repo: Path, policy: Path, base: str) -> tuple[int, dict[str, Any]]:
    out = repo.parent / "verdict.json"
    code = run(["check", "--repo", str(repo), "--policy", str(policy), "--base", base, "--format", "json",
                "--output", str(out)])
    return code, json.loads(out.read_text())


def _source(tmp_path: Path) -> tuple[RepoBuilder, str, str, str]:
    src = RepoBuilder.init(tmp_path / "src")
    base = src.commit("base", {"README.md": "hi\n"})
    leaky = src.commit("feat: keys\n\nOrigin-Device: mobile\n",
                       {"config.py": f"KEY = '{AWS_KEY}'\n", "data/huge.csv": "a,b\n1,2\n"})
    later = src.commit("docs\n\nOrigin-Device: mobile\n", {"notes.md": "more\n"})
    return src, base, leaky, later


def test_partial_clone_with_an_unreachable_promisor(tmp_path: Path) -> None:
    src, base, leaky, later = _source(tmp_path)
    server = tmp_path / "server.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(src.path), str(server)], check=True)
    subprocess.run(["git", "-C", str(server), "config", "uploadpack.allowFilter", "true"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", "--no-checkout", f"file://{server}", str(clone)],
                   check=True)
    # Fetch only config.py's blob (as a sparse checkout would), then lose the promisor remote.
    blob = subprocess.run(["git", "-C", str(clone), "rev-parse", f"{leaky}:config.py"], capture_output=True,
                          text=True, check=True).stdout.strip()
    subprocess.run(["git", "-C", str(clone), "cat-file", "-p", blob], capture_output=True, check=True)
    shutil.move(server, tmp_path / "gone.git")
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)

    code, data = _check(clone, policy, base)

    rules = sorted((f["rule_id"], f["commit"]) for f in data["findings"] if not f["rule_id"].startswith("review/"))
    assert ("secrets/aws-access-key", leaky) in rules  # what could be read was still scanned
    missing = {f["commit"]: f for f in data["findings"] if f["rule_id"] == "scan/object-missing"}
    assert set(missing) == {leaky, later}
    assert "data/huge.csv" in missing[leaky]["message"] and "config.py" not in missing[leaky]["message"]
    assert missing[leaky]["blocking"]  # mobile rules block at high: unscanned content does not pass
    assert code == 1 and data["decision"] == "block"
    assert len(data["commits"]) == 2


def test_deleted_loose_blob_in_a_full_repository(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"README.md": "hi\n"})
    sha = repo.commit("add", {"a.py": "x = 1\n", "b.py": f"KEY = '{AWS_KEY}'\n"})
    blob = repo.git("rev-parse", f"{sha}:a.py")
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)

    code, data = _check(repo.path, policy, base)

    by_rule = {f["rule_id"]: f for f in data["findings"]}
    assert by_rule["scan/object-missing"]["commit"] == sha and by_rule["scan/object-missing"]["path"] == "a.py"
    assert not by_rule["scan/object-missing"]["blocking"]  # a desktop commit: default rules warn (block_at critical)
    assert "secrets/aws-access-key" in by_rule
    assert code in (0, 1) and data["decision"] in ("warn", "block")


def test_too_many_missing_paths_leave_whole_commits_out(repo: RepoBuilder, tmp_path: Path,
                                                        monkeypatch: Any) -> None:
    from gatekeeper import engine

    monkeypatch.setattr(engine, "MAX_EXCLUDED_PATHS", 1)
    base = repo.commit("base", {"README.md": "hi\n"})
    sha = repo.commit("add", {"a.py": "x = 1\n", "b.py": "y = 2\n"})
    clean = repo.commit("clean", {"c.py": f"KEY = '{AWS_KEY}'\n"})
    for name in ("a.py", "b.py"):
        blob = repo.git("rev-parse", f"{sha}:{name}")
        (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)

    _code, data = _check(repo.path, policy, base)

    missing = [f for f in data["findings"] if f["rule_id"] == "scan/object-missing"]
    assert [f["commit"] for f in missing] == [sha] and "a.py, b.py" in missing[0]["message"]
    # The commit is left out of the scan as a whole; the next one is still scanned.
    assert {(f["rule_id"], f["commit"]) for f in data["findings"]} == {
        ("scan/object-missing", sha), ("secrets/aws-access-key", clean)}


def test_pre_receive_semantics_enforce_the_finding(repo: RepoBuilder) -> None:
    """Inside pre-receive (`pushed`), what cannot be read is not let through, whatever the rule set."""
    import datetime as dt

    from gatekeeper.config import parse_policy
    from gatekeeper.engine import Request, Services, evaluate
    from gatekeeper.git import Git
    from gatekeeper.models import Decision, RefKind, RefUpdate
    from gatekeeper.scan import build_scanners

    base = repo.commit("base", {"README.md": "hi\n"})
    sha = repo.commit("add", {"a.py": "x = 1\n"})
    blob = repo.git("rev-parse", f"{sha}:a.py")
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    repo.git("update-ref", "refs/heads/main", base)  # as before the push
    policy = parse_policy(POLICY, "p.yml")
    request = Request(git=Git(repo.path), updates=(RefUpdate("refs/heads/main", base, sha, RefKind.UPDATE),),
                      policy=policy, pushed=True, mode="pre-receive", now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))

    verdict = evaluate(request, Services(scanners=build_scanners(policy)))

    (finding,) = [f for f in verdict.findings if f.rule_id == "scan/object-missing"]
    assert finding.enforced and finding.blocking and verdict.decision is Decision.BLOCK
