"""Red team red163: the whole gate as a hostile pusher, through real `git push`es into a bare repository with the
hook installed (tests/hook_helpers.py), under the built-in policy (`gatekeeper.config.DEFAULT_POLICY_YAML`: secrets
block at high for every device), pushed by Dana from her laptop. Keys are built at run time.

Found and fixed (each test below failed before its fix on branch red163, for the reason its docstring names):

1. HIGH (miss) — scan/text.py `decode` took a byte-order mark at its word: content starting with `FF FE 00 00`
   (UTF-32LE's mark) or `FF FE` / `FE FF` (UTF-16's) was decoded in that encoding only, with no other reading. A
   plain ASCII `.env` behind such a mark — the mark's own NUL bytes (or one NUL anywhere in the first 8000 bytes)
   make git call it binary, so its lines never reach the patch reader — decodes to U+FFFD or CJK: no key, `complete`,
   so not even `scan/binary-skipped`. Every clone holds `aws_access_key_id = AKIA…` in ASCII (`cat`, `grep`,
   `source`, any reader that does not sniff a mark). Same for a blob a tag names outside any commit (scan_blobs).
   Fixed: a mark's reading is one reading; the bytes' own printable runs are read too (the `alternate` reading the
   guesses already had), and a mark in front of what its encoding cannot read is no mark.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from gatekeeper.config import DEFAULT_POLICY_YAML
from tests.hook_helpers import AWS_KEY, DANA, KEY_LINE, Server, make_server, spush
from tests.repo_builder import RepoBuilder


def _server(tmp_path: Path) -> tuple[Server, RepoBuilder]:
    server = make_server(tmp_path / "srv", policy=DEFAULT_POLICY_YAML)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    return server, work


def _summary(findings: list[dict]) -> list[tuple]:  # type: ignore[type-arg]
    return [(f["rule_id"], f.get("path"), f["severity"], f["blocking"]) for f in findings]


def _blocked_as_a_secret(server: Server, code: int, output: str, path: str) -> None:
    findings = server.last_verdict()["findings"]
    assert any(f.get("path") == path and f["blocking"] and f["rule_id"] == "secrets/aws-access-key"
               for f in findings), _summary(findings)
    assert code != 0, output


def _clone_reads_the_key(server: Server, tmp_path: Path, path: str) -> None:
    """The premise, with git: a clone of what the hook accepted holds the key line in ASCII."""
    clone = tmp_path / "victim"
    subprocess.run(["git", "clone", "-q", server.path.as_uri(), str(clone)], check=True, capture_output=True)
    assert KEY_LINE.encode() in (clone / path).read_bytes()


# -- 1. A byte-order mark in front of ASCII ----------------------------------------------------------------------

MARKED = {
    "utf-32le-mark": b"\xff\xfe\x00\x00\n" + KEY_LINE.encode(),
    "utf-16le-mark-and-a-nul": b"\xff\xfe# deploy settings\x00\n" + KEY_LINE.encode(),
    "utf-16be-mark-and-a-nul": b"\xfe\xff# deploy settings\x00\n" + KEY_LINE.encode(),
}


def test_control_the_same_key_without_a_mark_is_refused(tmp_path: Path) -> None:
    server, work = _server(tmp_path)
    work.commit("deploy settings\n", {"deploy/prod.env": b"# deploy settings\x00\n" + KEY_LINE.encode()},
                author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    _blocked_as_a_secret(server, result.code, result.output, "deploy/prod.env")


def test_a_byte_order_mark_in_front_of_an_ascii_key_hides_it(tmp_path: Path) -> None:
    """Attack: `deploy/prod.env` is a plain ASCII key line behind `FF FE 00 00` (UTF-32LE's mark: its NULs make git
    show the file as binary), or behind `FF FE` / `FE FF` with one NUL in a comment. `_binary_content` reads the
    blob through `scan.text.decode`, which honours the mark and reads the rest as UTF-32/UTF-16: replacement
    characters or CJK, no key, and `complete` (no scan/binary-skipped either). Each push was accepted with no
    finding about the file, and a clone holds the key in ASCII. Gain: a live AWS key on main past the hook."""
    server, work = _server(tmp_path)
    for name, data in MARKED.items():
        work.commit(f"settings ({name})\n", {f"deploy/{name}.env": data}, author=DANA, committer=DANA)
        assert AWS_KEY.encode() in data
    result = spush(server, work, "origin", "main")
    if result.code == 0:
        _clone_reads_the_key(server, tmp_path, "deploy/utf-32le-mark.env")
    findings = server.last_verdict()["findings"]
    for name in MARKED:
        assert any(f.get("path") == f"deploy/{name}.env" and f["blocking"] and f["rule_id"] == "secrets/aws-access-key"
                   for f in findings), (name, _summary(findings))
    assert result.code != 0, result.output


def test_a_byte_order_mark_hides_a_key_in_a_blob_a_tag_names(tmp_path: Path) -> None:
    """Attack: the same marked key file as a blob a lightweight tag names, outside any commit
    (`git push origin <blob>:refs/tags/settings`): SecretsScanner.scan_blobs decodes it the same way. Every
    `git fetch --tags` brings it; `git cat-file -p settings` prints the key in ASCII."""
    server, work = _server(tmp_path)
    data = MARKED["utf-32le-mark"]
    blob = work.git("hash-object", "-w", "--stdin", input=data).strip()
    result = spush(server, work, "origin", f"{blob}:refs/tags/settings")
    if result.code == 0:
        assert KEY_LINE.encode() in subprocess.run(["git", "cat-file", "blob", "refs/tags/settings"],
                                                   cwd=server.path, capture_output=True, check=True).stdout
    findings = server.last_verdict()["findings"]
    assert any(f["blocking"] and f["rule_id"] == "secrets/aws-access-key" for f in findings), _summary(findings)
    assert result.code != 0, result.output

