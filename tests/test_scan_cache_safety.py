"""The result cache is private or not used: another user must not be able to plant empty results.

Each test fills a real cache with a real bandit run, then "plants" what an attacker would (every entry
rewritten to hold no findings) in a directory another user could write, and scans again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gatekeeper.scan import head
from gatekeeper.scan.bandit import BanditScanner
from gatekeeper.scan.cache import ResultCache, insecure_directory
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import job

RISKY = "import subprocess\nsubprocess.call(cmd, shell=True)\n"
NOBODY = 65534


def _bandit_ids(result_findings: tuple) -> list[str]:  # type: ignore[type-arg]
    return sorted({f.rule_id for f in result_findings if f.rule_id.startswith("bandit/")} - {"bandit/B404"})


def _plant_empty_results(cache_root: Path) -> int:
    planted = 0
    for entry in cache_root.rglob("*.json"):
        data = json.loads(entry.read_text())
        data["findings"] = []
        entry.write_text(json.dumps(data))
        planted += 1
    return planted


def _scan(repo: RepoBuilder, base: str, cache_root: Path) -> tuple:  # type: ignore[type-arg]
    scanner = BanditScanner(cache=ResultCache(cache_root))
    result = scanner.scan(job(repo.path, base))
    return result.findings, scanner


@pytest.fixture
def change(repo: RepoBuilder) -> str:
    base = repo.commit("base", {"README.md": "hi\n"})
    repo.commit("risky", {"run.py": RISKY})
    return base


def test_private_cache_is_used(repo: RepoBuilder, change: str, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    first, _ = _scan(repo, change, root)
    assert _bandit_ids(first) == ["bandit/B602"]
    second, scanner = _scan(repo, change, root)
    assert scanner.last_run.cache_hits == 1 and _bandit_ids(second) == ["bandit/B602"]
    assert not [f for f in second if f.rule_id == "scan/cache-refused"]


@pytest.mark.parametrize("how", ["world-writable", "group-writable", "parent-world-writable", "owned-by-other",
                                 "version-dir-owned-by-other"])
def test_a_cache_others_can_write_is_refused_and_said(repo: RepoBuilder, change: str, tmp_path: Path,
                                                     how: str) -> None:
    parent = tmp_path / "shared"
    root = parent / "cache"
    first, _ = _scan(repo, change, root)
    assert _bandit_ids(first) == ["bandit/B602"]
    assert _plant_empty_results(root) == 1
    if how == "world-writable":
        root.chmod(0o777)
    elif how == "group-writable":
        root.chmod(0o770)
    elif how == "parent-world-writable":
        parent.chmod(0o777)
    else:
        if os.geteuid() != 0:
            pytest.skip("changing a directory's owner needs root")
        os.chown(root if how == "owned-by-other" else root / "v1", NOBODY, NOBODY)
    findings, scanner = _scan(repo, change, root)
    assert scanner.last_run.cache_hits == 0
    assert _bandit_ids(findings) == ["bandit/B602"], "a planted empty result hid the finding"
    (note,) = [f for f in findings if f.rule_id == "scan/cache-refused"]
    assert "refused" in note.message and "ran uncached" in note.message and not note.blocking


def test_a_cache_entry_planted_as_a_symlink_is_a_miss(repo: RepoBuilder, change: str, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    _scan(repo, change, root)
    (entry,) = root.rglob("*.json")
    decoy = tmp_path / "decoy.json"
    data = json.loads(entry.read_text())
    data["findings"] = []
    decoy.write_text(json.dumps(data))
    entry.unlink()
    entry.symlink_to(decoy)
    findings, scanner = _scan(repo, change, root)
    assert scanner.last_run.cache_hits == 0 and _bandit_ids(findings) == ["bandit/B602"]


def test_a_shard_directory_planted_as_a_symlink_is_a_miss(repo: RepoBuilder, change: str, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    _scan(repo, change, root)
    (entry,) = root.rglob("*.json")
    shard = entry.parent
    elsewhere = tmp_path / "elsewhere"
    shard.rename(elsewhere)
    _plant_empty_results(elsewhere)
    shard.symlink_to(elsewhere, target_is_directory=True)
    findings, scanner = _scan(repo, change, root)
    assert scanner.last_run.cache_hits == 0 and _bandit_ids(findings) == ["bandit/B602"]


def test_insecure_directory_reasons(tmp_path: Path) -> None:
    private = tmp_path / "p"
    private.mkdir(mode=0o700)
    assert insecure_directory(private) is None
    private.chmod(0o757)
    assert "writable by group or others" in (insecure_directory(private) or "")
    link = tmp_path / "link"
    private.chmod(0o700)
    link.symlink_to(private, target_is_directory=True)
    assert insecure_directory(link) is None  # a symlink of ours to a private directory of ours is fine


def test_a_symlink_owned_by_another_user_on_the_way_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("changing a symlink's owner needs root")
    private = tmp_path / "p"
    private.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(private, target_is_directory=True)
    os.lchown(link, NOBODY, NOBODY)
    assert "symlink owned by uid" in (insecure_directory(link / "v1") or insecure_directory(link) or "")
    cache = ResultCache(link)
    assert cache.refused and not cache.available


def test_entries_written_by_other_code_are_not_used(repo: RepoBuilder, change: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade that reads a tool's output differently (a finding it now keeps or drops, a message it now
    redacts) must not be answered by what the older code cached: the key holds a digest of the scan package's code.
    Here the older code's entries say "nothing" (planted); the new code runs the tool again and finds the sink."""
    root = tmp_path / "cache"
    _scan(repo, change, root)
    assert _plant_empty_results(root) == 1
    stale, scanner = _scan(repo, change, root)
    assert scanner.last_run.cache_hits == 1 and _bandit_ids(stale) == [], "premise: the same code reads its entry"
    monkeypatch.setattr(head, "code_digest", lambda: "0" * 32)
    fresh, scanner = _scan(repo, change, root)
    assert scanner.last_run.cache_hits == 0 and _bandit_ids(fresh) == ["bandit/B602"]


def test_no_cache_when_the_code_cannot_be_read(repo: RepoBuilder, change: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(head, "code_digest", lambda: None)
    root = tmp_path / "cache"
    _scan(repo, change, root)
    again, scanner = _scan(repo, change, root)
    assert scanner.last_run.cache_hits == 0 and _bandit_ids(again) == ["bandit/B602"]
    assert not list(root.rglob("*.json"))


def test_the_code_digest_covers_every_module_of_the_scan_package() -> None:
    import hashlib

    sources = sorted(Path(head.__file__).resolve().parent.glob("*.py"))
    assert {s.name for s in sources} >= {"bandit.py", "bandit_tar.py", "semgrep.py", "head.py", "redaction.py"}
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    assert head.code_digest() == digest.hexdigest()[:32]
