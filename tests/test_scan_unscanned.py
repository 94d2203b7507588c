"""Nothing goes unscanned without the pusher being told: UTF-16 and NUL-bearing text is decoded and
scanned, and what still cannot be read (a real binary, a file over the size cap, a diff cut short) is
listed to the pusher every time and blocks on a protected ref when policy `unscanned` says so (by
default: for mobile commits). Hook cases are real pushes into a bare repository with the hook.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

import pytest

from gatekeeper.config import DEFAULT_POLICY_YAML, default_policy, parse_policy
from gatekeeper.scan.bandit import BanditScanner
from gatekeeper.scan.text import decode
from tests.hook_helpers import MO, MOBILE, Server, make_server, seed, spush
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import job

AWS_KEY = "AKIA" + "Z7QH4M2XKJ5RTW3P"  # split so this file does not itself look like a key
BINARY = bytes(range(256)) * 16 + os.urandom(4096)

POLICY = """\
version: 1
origins: {mobile_classes: [mobile], undeclared: desktop}
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [secrets], block_at: high, review: null}
  default: {scanners: [secrets], block_at: high}
pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}
"""


def _listed(rule: str, path: str, text: str) -> bool:
    return re.search(rf"{re.escape(rule)} [0-9a-f]{{12}} {re.escape(path)}: ", text) is not None


def _server(tmp_path: Path, extra: str = "") -> tuple[Server, RepoBuilder]:
    server = make_server(tmp_path / "srv", policy=POLICY + extra)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    return server, work


# -- decoding ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "encoding", "complete"), [
    (codecs.BOM_UTF16_LE + "k = 1\r\n".encode("utf-16-le"), "utf-16-le", True),
    (codecs.BOM_UTF16_BE + "k = 1\n".encode("utf-16-be"), "utf-16-be", True),
    (codecs.BOM_UTF32_LE + "k = 1\n".encode("utf-32-le"), "utf-32-le", True),
    ("k = 1\nsecond line\n".encode("utf-16-le"), "utf-16-le without a byte-order mark", True),
    ("k = 1\nsecond line\n".encode("utf-16-be"), "utf-16-be without a byte-order mark", True),
    (b"k = 1\n\x00\x00\nsecond line\n", "utf-8 with NUL bytes", True),
    (BINARY, "printable runs of a binary", False),
])
def test_decode(data: bytes, encoding: str, complete: bool) -> None:
    decoded = decode(data)
    assert (decoded.encoding, decoded.complete) == (encoding, complete)
    if complete:
        assert decoded.text.replace("\r", "").startswith("k = 1\n")


def test_decode_keeps_line_numbers_and_does_not_join_binary_runs() -> None:
    assert decode(b"a\n\x00b\nc").text == "a\nb\nc"
    runs = decode(b"\x01\x02" * 50 + b"AKIA\x00" + AWS_KEY[4:].encode() + b"\x03" * 50).text
    assert AWS_KEY not in runs  # two runs split by NUL must not join into a token that is not in the file


# -- the secrets scanner sees decoded text ----------------------------------------------------------

@pytest.mark.parametrize("content", [
    codecs.BOM_UTF16_LE + f"$x = 1\r\n$key = \"{AWS_KEY}\"\r\n".encode("utf-16-le"),
    f"$x = 1\r\n$key = \"{AWS_KEY}\"\r\n".encode("utf-16-le"),
    f"x = 1\n\x00\nkey = {AWS_KEY}\n".encode(),
], ids=["utf16-bom", "utf16-no-bom", "nul-bytes"])
def test_a_key_in_text_git_calls_binary_is_rejected(tmp_path: Path, content: bytes) -> None:
    server, work = _server(tmp_path)
    before = server.tip()
    work.commit("Add deploy script\n", {"deploy.ps1": content})
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert re.search(r"secrets/aws-access-key [0-9a-f]{12} deploy\.ps1:[23]: ", result.remote_text), result.remote_text
    assert AWS_KEY not in result.output
    assert server.tip() == before


def test_an_unchanged_key_in_a_utf16_file_is_not_blamed_on_a_later_commit(repo: RepoBuilder) -> None:
    from gatekeeper.scan.secrets_scanner import SecretsScanner

    content = f"$key = \"{AWS_KEY}\"\r\n".encode("utf-16-le")
    repo.commit("base", {"deploy.ps1": codecs.BOM_UTF16_LE + content})
    base = repo.head()
    repo.commit("more", {"deploy.ps1": codecs.BOM_UTF16_LE + content + "$y = 2\r\n".encode("utf-16-le")})
    assert [f.rule_id for f in SecretsScanner().scan(job(repo.path, base)).findings] == []


def test_bandit_sees_a_utf16_python_file(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"README.md": "hi\n"})
    source = "import subprocess\nsubprocess.call(cmd, shell=True)\n"
    repo.commit("code", {"run.py": codecs.BOM_UTF16_LE + source.encode("utf-16-le")})
    result = BanditScanner(use_cache=False).scan(job(repo.path, base))
    assert ("bandit/B602", "run.py", 2) in [(f.rule_id, f.path, f.line) for f in result.findings], result.findings


# -- what still cannot be read: policy `unscanned`, always shown ------------------------------------

def test_a_mobile_binary_on_a_protected_ref_is_rejected_by_default(tmp_path: Path) -> None:
    server, work = _server(tmp_path)
    before = server.tip()
    work.commit("Add blob" + MOBILE, {"assets/blob.dat": BINARY}, author=MO, committer=MO)
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert _listed("scan/binary-skipped", "assets/blob.dat", result.remote_text)
    assert server.tip() == before


def test_a_mobile_binary_elsewhere_is_accepted_and_listed(tmp_path: Path) -> None:
    server, work = _server(tmp_path)
    work.branch("topic")
    work.commit("Add blob" + MOBILE, {"assets/blob.dat": BINARY}, author=MO, committer=MO)
    result = spush(server, work, "origin", "topic")
    assert result.code == 0, result.output
    assert "push accepted with warnings" in result.remote_text
    assert "unscanned: 1 file(s) not fully scanned" in result.remote_text
    assert _listed("scan/binary-skipped", "assets/blob.dat", result.remote_text)


def test_a_desktop_binary_on_main_warns_and_is_listed(tmp_path: Path) -> None:
    server, work = _server(tmp_path)
    sha = work.commit("Add blob\n", {"assets/blob.dat": BINARY})
    result = spush(server, work, "origin", "main")
    assert result.code == 0, result.output
    assert "push accepted with warnings" in result.remote_text
    assert _listed("scan/binary-skipped", "assets/blob.dat", result.remote_text)
    assert server.tip() == sha


def test_a_key_past_the_line_cap_is_found(tmp_path: Path) -> None:
    """A key on line 200,001: the patch is cut at the line cap, the whole file is read and scanned."""
    server, work = _server(tmp_path)
    before = server.tip()
    big = "x = 1\n" * 200_000 + f"key = {AWS_KEY}\n"
    work.commit("Big config\n", {"config.txt": big})
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    # Within the hook's budget the key is named; on a loaded machine the budget may run out first, and
    # then the push is refused as not fully scanned (on_timeout: block) -- never accepted.
    named = re.search(r"secrets/aws-access-key [0-9a-f]{12} config\.txt:200001: ", result.remote_text)
    assert named or "tool/timeout" in result.remote_text, result.remote_text
    assert server.tip() == before
    from gatekeeper.scan.secrets_scanner import SecretsScanner

    found = SecretsScanner().scan(job(work.path, before or "HEAD~1")).findings
    assert [(f.rule_id, f.path, f.line) for f in found] == [("secrets/aws-access-key", "config.txt", 200_001)]


def test_a_cut_patch_scans_the_whole_file_but_not_what_a_parent_had(repo: RepoBuilder) -> None:
    from gatekeeper.scan.secrets_scanner import SecretsScanner

    other = "AKIA" + "Q2WE4RT6YU8IO0PLKJHG"[:16]
    repo.commit("base", {"cfg.txt": f"old = {other}\n" + "x\n" * 5})
    base = repo.head()
    repo.commit("more", {"cfg.txt": f"old = {other}\n" + "x\n" * 30 + f"new = {AWS_KEY}\n"})
    result = SecretsScanner(max_file_lines=10).scan(job(repo.path, base))
    assert [(f.rule_id, f.line) for f in result.findings] == [("secrets/aws-access-key", 32)]


def test_head_scanner_counts_lines_past_the_line_cap(repo: RepoBuilder) -> None:
    """1,000,001 lines in 1 MB: the net patch is cut at its line cap; a finding after it still counts."""
    base = repo.commit("base", {"README.md": "hi\n"})
    repo.commit("code", {"run.py": "import subprocess\n" + "\n" * 1_000_000 + "subprocess.call(cmd, shell=True)\n"})
    result = BanditScanner(use_cache=False).scan(job(repo.path, base))
    assert ("bandit/B602", 1_000_002) in [(f.rule_id, f.line) for f in result.findings], result.findings


def test_unscanned_warn_accepts_the_mobile_binary_and_still_lists_it(tmp_path: Path) -> None:
    server, work = _server(tmp_path, "unscanned: {mobile: warn}\n")
    work.commit("Add blob" + MOBILE, {"assets/blob.dat": BINARY}, author=MO, committer=MO)
    result = spush(server, work, "origin", "main")
    assert result.code == 0, result.output
    assert "unscanned: 1 file(s) not fully scanned" in result.remote_text


def test_unscanned_block_for_default_rejects_a_desktop_binary(tmp_path: Path) -> None:
    server, work = _server(tmp_path, "unscanned: {default: block}\n")
    work.commit("Add blob\n", {"assets/blob.dat": BINARY})
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and _listed("scan/binary-skipped", "assets/blob.dat", result.remote_text)


def test_policy_key_defaults_and_template() -> None:
    assert "unscanned: {mobile: block, default: warn}" in DEFAULT_POLICY_YAML
    policy = default_policy()
    assert policy.unscanned_action("mobile", True) == "block"
    assert policy.unscanned_action("default", False) == "warn"
    assert policy.unscanned_action("tablet", True) == "block"  # a device-class rule set follows mobile
    partial = parse_policy("version: 1\nunscanned: {default: allow}\n", "p.yml")
    assert partial.unscanned_action("mobile", True) == "block"  # a key left out keeps the default
    assert partial.unscanned_action("default", False) == "allow"


def _oversized(first: str, size: int) -> str:
    filler = "# " + "x" * 60 + "\n"
    return first + filler * ((size - len(first)) // len(filler) + 1)


def test_a_file_over_the_cap_is_scanned_up_to_it_and_the_rest_reported(repo: RepoBuilder) -> None:
    """red55: a file one byte over the cap was only `scan/file-too-large`; its head is scanned now."""
    from gatekeeper.scan.secrets_scanner import SecretsScanner

    repo.commit("base", {"README": "x\n"})
    base = repo.head()
    repo.commit("data", {"data/blob.txt": _oversized(f"key = {AWS_KEY}\n", 5000),
                         "data/tail.txt": _oversized("nothing here\n", 5000) + f"late = {AWS_KEY}\n"})
    found = SecretsScanner(max_file_bytes=4096).scan(job(repo.path, base)).findings
    got = sorted((f.rule_id, f.path) for f in found)
    assert got == [("scan/file-too-large", "data/blob.txt"), ("scan/file-too-large", "data/tail.txt"),
                   ("secrets/aws-access-key", "data/blob.txt")]
    too_large = [f for f in found if f.rule_id == "scan/file-too-large"]
    assert all("only its first 4096 bytes were checked for secrets" in f.message for f in too_large)
    assert AWS_KEY not in "".join(f.message for f in found)


def test_a_key_already_in_the_head_of_an_oversized_file_is_not_blamed_on_a_later_commit(repo: RepoBuilder) -> None:
    from gatekeeper.scan.secrets_scanner import SecretsScanner

    content = _oversized(f"key = {AWS_KEY}\n", 5000)
    repo.commit("base", {"data/blob.txt": content})
    base = repo.head()
    repo.commit("more", {"data/blob.txt": content + "more = 1\n"})
    found = SecretsScanner(max_file_bytes=4096).scan(job(repo.path, base)).findings
    assert [f.rule_id for f in found] == ["scan/file-too-large"]
