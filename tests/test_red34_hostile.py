"""Red team red34: past the red33 fix (working-tree-encoding as macOS and Windows clones match it).

Each reproduction fails on w/red34 at 405479c for the reason its docstring names, and asserts the secure behaviour.
Real `git push`es into a bare repository with the installed hook, under the built-in policy
(`gatekeeper.config.DEFAULT_POLICY_YAML`); helpers from tests/test_red24_hostile.py and tests/test_red33_hostile.py.
Every premise is checked with git itself: the blob does not hold the key, and a real clone of what the hook
accepted writes the AWS key in ASCII.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from gatekeeper.config import DEFAULT_POLICY_YAML
from tests.hook_helpers import AWS_KEY, PushResult, Server, make_server, spush
from tests.machine import alone
from tests.repo_builder import RepoBuilder
from tests.test_red24_hostile import RITA_PUSHES, _server
from tests.test_red33_hostile import EBCDIC_KEY_LINE, _blocked_as_a_secret, _case_folded_push, _clone, _phone

# -- 1. Linux and macOS/Windows clones get *different* encodings: only the Linux one is read ----------------------


def test_a_case_folded_pattern_overriding_a_linux_encoding_re_encodes_unscanned(tmp_path: Path) -> None:
    """Attack: `.gitattributes` says `*.env text working-tree-encoding=UTF-16LE-BOM` (git's own documented example
    encoding) and, on the next line, `*.ENV working-tree-encoding=IBM037`; `deploy/prod.env` holds the key line
    read as EBCDIC. On Linux (core.ignorecase=false) only the first line matches: UTF-16LE-BOM. On macOS/Windows
    (core.ignorecase=true, the clone default there) both lines match and the later one wins: IBM037, and every such
    clone writes the AWS key in ASCII. red33's fix (`_answer`) asks both ways but keeps the case-insensitive answer
    only when the exact one is *no* encoding (`value if _encoding(value) else folded...`): here the exact answer is
    UTF-16LE-BOM, so the folded IBM037 is thrown away. The blob is read as UTF-16LE-BOM writes it — the same text,
    so not even scan/working-tree-encoding. Gain: a reviewed phone commit puts a live AWS key into the checkout of
    every macOS/Windows developer; the hook exits 0 with no finding about the file. Fix: read the file under every
    encoding either answer gives (a set, not a fallback)."""
    server, work = _server(tmp_path)
    _phone(work, "mainframe settings", {
        ".gitattributes": "*.env text working-tree-encoding=UTF-16LE-BOM\n*.ENV working-tree-encoding=IBM037\n",
        # written as the Linux work tree holds it (UTF-16LE-BOM): `git add` stores the EBCDIC-read line in UTF-8
        "deploy/prod.env": "\ufeff".encode("utf-16-le") + EBCDIC_KEY_LINE.encode("utf-16-le")})
    assert work.git("cat-file", "blob", "HEAD:deploy/prod.env") == EBCDIC_KEY_LINE.rstrip("\n")
    assert AWS_KEY not in work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    _case_folded_push(server, work, tmp_path, "deploy/prod.env", "UTF-16LE-BOM", "IBM037")


# -- 2. A legitimate working-tree-encoding makes an ordinary push of a large repository time out ---------------------


def _big_repository(tmp_path: Path, attributes: str, files: int = 20000) -> tuple[Server, RepoBuilder]:
    """A bare repository with the hook as installed (watchdog on, built-in policy) already holding `files` files
    and a root `.gitattributes` (seeded by a fetch: no hook runs), and a clone of it."""
    server = make_server(tmp_path / "srv", policy=DEFAULT_POLICY_YAML, watchdog=True)
    work = server.clone()
    stream = [b"commit refs/heads/main\ncommitter Dana Developer <dana@example.com> 1700000000 +0000\ndata 5\ntree\n"]
    for path, text in [(".gitattributes", attributes), *((f"src/mod{i // 100}/file{i}.txt", f"line {i}\n")
                                                         for i in range(files))]:
        data = text.encode()
        stream.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=work.path, input=b"".join(stream) + b"\n", check=True)
    work.git("reset", "-q", "--hard", "main")
    subprocess.run(["git", "fetch", "-q", str(work.path), "main:main"], cwd=server.path, check=True)
    return server, work


def _a_week_of_commits(server: Server, work: RepoBuilder, commits: int = 150) -> PushResult:
    """`commits` commits of Dana's on main, one changed file each, written by fast-import (a `git add` and a
    `git commit` in the 20,000-file work tree cost ~0.2 s a commit, 30 s of the test), then pushed with the machine to
    this test alone (the hook's budget is wall-clock time)."""
    stream = []
    for i in range(commits):
        data = f"changed {i}\n".encode()
        stamp = 1700000060 + 60 * i
        stream.append(f"commit refs/heads/main\nauthor Dana Developer <dana@example.com> {stamp} +0000\n"
                      f"committer Dana Developer <dana@example.com> {stamp} +0000\n".encode()
                      + f"data {len(f'change {i}')}\nchange {i}\n".encode()
                      + (b"from refs/heads/main^0\n" if i == 0 else b"")
                      + f"M 100644 inline src/mod{i % 50}/file{i}.txt\ndata {len(data)}\n".encode() + data + b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=work.path, input=b"".join(stream) + b"\n", check=True)
    with alone():
        return spush(server, work, "origin", "main")


def test_control_the_same_push_without_the_attribute_is_accepted_in_time(tmp_path: Path) -> None:
    """Control (passes): the same repository and push with a root `.gitattributes` that names no encoding."""
    server, work = _big_repository(tmp_path, "*.png binary\n")
    result = _a_week_of_commits(server, work)
    assert result.code == 0, result.output


def test_a_large_repository_with_a_utf16_powershell_attribute_times_out_on_an_ordinary_push(tmp_path: Path) -> None:
    """False block (robustness): a Windows/PowerShell repository with git's own documented attribute
    `*.ps1 text working-tree-encoding=UTF-16LE-BOM` in its root `.gitattributes` and a 20 000-file tree; a developer
    pushes 150 ordinary commits (a week of work, a merged feature branch), none touching a .ps1. Because the root
    `.gitattributes` names the attribute, `_checkout_encodings` asks git about *every* written file of *every*
    commit: per commit `_answer` runs `Objects.checkout_attribute` twice (exact and core.ignorecase), each a fresh
    `git read-tree` of the whole 20 000-entry tree into a private index plus a `check-attr` — ~50 ms a commit,
    against 0.6 s for the whole push without the attribute (the control). Nothing in `_checkout_encodings` looks
    at `job.deadline`, so the soft deadline never cuts it: the hook runs past the 4 s budget and the watchdog ends
    it as `on_timeout: block` (GitHub Enterprise kills it at 5 s anyway). Impact: every such team's larger pushes
    are refused with a timeout though nothing is wrong. Fix: ask only about files whose path could match a pattern
    naming the attribute (or one read-tree per push: `check-attr --source=<commit>` with git ≥ 2.40 reads the tree
    without an index), batch all commits' questions, and honour the deadline there."""
    server, work = _big_repository(tmp_path, "*.ps1 text working-tree-encoding=UTF-16LE-BOM\n*.png binary\n")
    result = _a_week_of_commits(server, work)
    assert result.code == 0, result.output


# -- 3. A byte-order mark makes the model read the checkout back as the blob ------------------------------------


BOM_FILE = b"# xy\n" + f"aws_access_key_id = {AWS_KEY}\n".encode()  # 46 bytes: a whole number of UTF-16 units


def test_a_utf16le_bom_checkout_that_is_ascii_after_its_bom_hides_the_key(tmp_path: Path) -> None:
    """Attack: `.gitattributes` says `*.env text working-tree-encoding=UTF-16LE-BOM` (git's own documented example
    encoding), and the phone writes `deploy/prod.env` as `FF FE` followed by plain ASCII: `# xy`, then the key line
    (an even length). `git add` reads it as UTF-16LE — each two ASCII bytes one CJK character (`AK` → U+4B41) — and
    stores that in UTF-8: the blob is CJK text, no key. Every checkout writes it back byte for byte: `FF FE`, then
    `# xy\\naws_access_key_id = AKIA…` in ASCII — the BOM merely glued to the comment line, the key line clean
    (`grep`, `source`, any ASCII/Latin-1 config reader, or anyone who opens it in an editor that does not sniff a
    BOM). `checkout_bytes` writes the same bytes, but `_binary_content` reads them through `scan.text.decode`,
    which honours the BOM and decodes UTF-16LE — the blob's CJK text again: no key, and since it equals the blob's
    text `differ` is empty, so not even scan/working-tree-encoding. (Without `-BOM`, red30's UTF-16LE case, the
    same bytes are read as UTF-8 and the key is found.) Gain: a reviewed phone commit puts a live AWS key in ASCII
    into every clone of main; the hook exits 0 with no finding about the file. Fix: also read each checkout's
    bytes as ASCII/UTF-8 (after the BOM), not only as the encoding it names."""
    server, work = _server(tmp_path)
    _phone(work, "settings", {".gitattributes": "*.env text working-tree-encoding=UTF-16LE-BOM\n",
                              "deploy/prod.env": b"\xff\xfe" + BOM_FILE})
    blob = work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    assert blob == BOM_FILE.decode("utf-16-le").rstrip("\n") and AWS_KEY not in blob  # CJK text
    assert work.git("check-attr", "working-tree-encoding", "--", "deploy/prod.env").endswith(": UTF-16LE-BOM")
    result = spush(server, work, "origin", "main", env=RITA_PUSHES)
    if result.code == 0:  # the premise, with git: a clone writes the key line in ASCII
        clone = _clone(server.path, tmp_path)
        written = (clone / "deploy" / "prod.env").read_bytes()
        assert written == b"\xff\xfe" + BOM_FILE
        assert f"\naws_access_key_id = {AWS_KEY}\n".encode() in written
    _blocked_as_a_secret(server, result, "deploy/prod.env")
