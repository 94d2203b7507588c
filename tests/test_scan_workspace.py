"""The workspace: blobs from the object store into a private dir; hostile names, symlinks, sizes."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from gatekeeper.git import Git
from gatekeeper.scan.bandit import BanditScanner
from gatekeeper.scan.secrets_scanner import SecretsScanner
from gatekeeper.scan.semgrep import SemgrepScanner
from gatekeeper.scan.workspace import RESERVED_DIR, Entry, Workspace, safe_extension, unsafe_reason
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import job, write_rules


@pytest.mark.parametrize("path", ["/etc/passwd", "../x.py", "a/../../x.py", "a/./b.py", "a//b.py", "-rf",
                                  "dir/-x.py", "new\nline.py", "tab\there.py", "back\\slash.py", "bad\ufffd.py",
                                  "rtl\u202egnp.py", "x" * 300 + ".py", ".semgrepignore", "sub/.semgrepignore",
                                  f"{RESERVED_DIR}/000001.py", ""])
def test_unsafe_paths_are_recognised(path: str) -> None:
    assert unsafe_reason(path) is not None


@pytest.mark.parametrize("path", ["a.py", "src/pkg/mod.py", "spa ce/é.js", ".github/workflows/ci.yml", "a-b/c_d.ts"])
def test_ordinary_paths_are_safe(path: str) -> None:
    assert unsafe_reason(path) is None


def test_safe_extension_is_plain_ascii_only() -> None:
    assert safe_extension("a/b.PY") == ".py"
    assert safe_extension("x.py\n.sh") == ".sh"
    assert safe_extension(".bashrc") == ""
    assert safe_extension("a.p$y") == ""


def _blob(repo: RepoBuilder, data: bytes) -> str:
    return repo.git("hash-object", "-w", "--stdin", input=data)


def test_materialise_writes_private_files_and_renames_unsafe_ones(repo: RepoBuilder) -> None:
    git = Git(repo.path)
    good = _blob(repo, b"print(1)\n")
    evil = _blob(repo, b"eval(x)\n")
    entries = [Entry("src/ok.py", good, "100644"), Entry("-rf", evil, "100644"),
               Entry("../../escape.py", evil, "100644"), Entry("new\nline.py", evil, "100755"),
               Entry("/etc/cron.d/x.py", evil, "100644")]
    with Workspace() as ws:
        targets = ws.materialise(git, entries)
        root = ws.root
        assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
        assert [t.path for t in targets] == [e.path for e in entries]
        for target in targets:
            assert target.local.resolve().is_relative_to(root)
            assert stat.S_IMODE(os.stat(target.local).st_mode) == 0o600
            assert ws.lookup(target.rel) == target and ws.lookup("./" + target.rel) == target
        ok, *renamed = targets
        assert ok.rel == "src/ok.py" and not ok.renamed
        assert all(t.renamed and t.rel.startswith(RESERVED_DIR + "/") for t in renamed)
        assert renamed[0].rel.endswith(".py") is False  # "-rf" has no extension to keep
        assert renamed[1].rel.endswith(".py") and renamed[2].rel.endswith(".py")
        files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
        assert files == {t.rel for t in targets}
    assert not root.exists()
    assert not (repo.path.parent / "escape.py").exists()


def test_symlinks_gitlinks_binaries_and_large_files_are_recorded_skips(repo: RepoBuilder) -> None:
    git = Git(repo.path)
    link = _blob(repo, b"/etc/passwd")
    binary = _blob(repo, b"\x89PNG\r\n\x1a\n\x00\x00data")
    large = _blob(repo, b"x = 1\n" * 1000)
    entries = [Entry("pw", link, "120000", "c1"), Entry("sub", "1" * 40, "160000"),
               Entry("img.py", binary, "100644"), Entry("big.py", large, "100644"),
               Entry("gone.py", "2" * 40, "100644")]
    with Workspace(max_file_bytes=100) as ws:
        assert ws.materialise(git, entries) == []
        reasons = {s.path: s.reason for s in ws.skips}
        assert reasons == {"pw": "symlink", "sub": "gitlink", "img.py": "binary", "big.py": "too-large",
                           "gone.py": "missing"}
        findings = {s.path: s.finding("semgrep", 100) for s in ws.skips}
        assert findings["sub"] is None
        assert findings["pw"] is not None and findings["pw"].rule_id == "scan/symlink-skipped"
        assert findings["pw"].commit == "c1"
        assert findings["big.py"] is not None and findings["big.py"].rule_id == "scan/file-too-large"
        assert "6000 bytes" in findings["big.py"].message
        assert not any(ws.root.rglob("*"))


@pytest.mark.slow
def test_a_200_mb_blob_is_not_read_into_memory(repo: RepoBuilder, tmp_path: Path) -> None:
    """A real 200 MB blob (streamed into git): reported as too large, workspace stays empty."""
    proc = subprocess.Popen(["git", "hash-object", "-w", "--stdin"], cwd=repo.path, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    assert proc.stdin is not None
    chunk = b"a = 1\n" * (1 << 20)  # 6 MiB
    for _ in range(32):
        proc.stdin.write(chunk)
    proc.stdin.close()
    blob = proc.stdout.read().decode().strip() if proc.stdout else ""
    assert proc.wait() == 0
    with Workspace() as ws:
        assert ws.materialise(Git(repo.path), [Entry("huge.py", blob, "100644")]) == []
        (skip,) = ws.skips
        assert skip.reason == "too-large" and skip.size == 32 * 6 * (1 << 20)
    # The same blob committed: every scanner reports it as too large instead of reading it.
    base = repo.commit("base", {"keep": "k\n"})
    repo.git("update-index", "--add", "--cacheinfo", f"100644,{blob},huge.py")
    repo.commit("huge", {"small.py": "x = 1\n"})
    scan_job = job(repo.path, base)
    for scanner in (SecretsScanner(), SemgrepScanner(rules_dir=write_rules(tmp_path / "rules"), use_cache=False),
                    BanditScanner(use_cache=False)):
        result = scanner.scan(scan_job)
        assert [(f.rule_id, f.path) for f in result.findings] == [("scan/file-too-large", "huge.py")], scanner.name
        assert result.stat.ran
