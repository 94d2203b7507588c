"""Red team red24: content that reaches a protected branch past the pre-receive hook (and `gatekeeper check`)
although the documented policy should stop it.

Each reproduction failed on main when it was written (e61d5be). Real repositories, `gatekeeper check`
in-process and real `git push`es into a bare repository with the installed hook, under the built-in policy
(`gatekeeper policy init`'s text: pre_receive scans secrets, `unscanned: {mobile: block, default: warn}`).

The mobile commits pushed to main carry a `Reviewed-by:` of the pusher (README: a self-asserted trailer counts
when the pusher is that reviewer and not an author), so review is satisfied and only the content decides.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from gatekeeper.config import DEFAULT_POLICY_YAML
from gatekeeper.models import ExitCode
from gatekeeper.scan.text import decode_python_source, lfs_pointer, python_source_encoding, python_source_encodings
from tests.hook_helpers import AWS_KEY, MO, MOBILE, Server, spush
from tests.hook_helpers import default_policy_server as _server
from tests.leak_helpers import token_maker
from tests.repo_builder import RepoBuilder
from tests.test_origin_red22_hostile import _check, _repo

REVIEWED = "Reviewed-by: Rita Reviewer <rita@example.com>\n"
RITA_PUSHES = {"GATEKEEPER_PUSHER": "rita", "GATEKEEPER_PUSHER_EMAIL": "rita@example.com"}
github_token = token_maker(2424)


def _phone_push(server: Server, work: RepoBuilder, files: dict[str, str | bytes]) -> tuple[int, str]:
    work.commit("from the phone" + MOBILE + REVIEWED, files, author=MO, committer=MO)
    result = spush(server, work, "origin", "main", env=RITA_PUSHES)
    return result.code, result.output


def test_control_a_reviewed_phone_commit_with_a_plain_key_is_refused(tmp_path: Path) -> None:
    """Control (passes on main): the same push with the key written plainly is refused."""
    server, work = _server(tmp_path)
    code, output = _phone_push(server, work, {"settings.py": f"KEY = '{AWS_KEY}'\n"})
    assert code != 0, output
    assert "secrets/aws-access-key" in output


# -- 1. Git LFS: the file's content is not in the push at all, and nobody is told ------------------------

LFS_POINTER = ("version https://git-lfs.github.com/spec/v1\n"
               "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
               "size 1337\n")


def test_a_git_lfs_file_from_the_phone_reaches_main_unscanned_and_unreported(tmp_path: Path) -> None:
    """`.gitattributes` routes `*.env` through Git LFS: the commit holds a 3-line pointer and the file itself
    (here: production credentials) is uploaded to the LFS store out of band — GHES, GitLab and Gitea serve it
    to every clone and checkout. The hook scans the pointer, finds nothing, and accepts the mobile commit on
    main without a word. The content no scanner could read is exactly what `unscanned: {mobile: block}` is
    for (README: "the hook always lists such files"); LFS pointers are not recognised anywhere
    (grep -ri lfs gatekeeper/ finds nothing)."""
    server, work = _server(tmp_path)
    code, output = _phone_push(server, work, {
        ".gitattributes": "*.env filter=lfs diff=lfs merge=lfs -text\n",
        "deploy/prod.env": LFS_POINTER,
    })
    findings = server.last_verdict()["findings"]
    named = [f for f in findings if f.get("path") == "deploy/prod.env"]
    assert named, f"no finding names the LFS file whose content was never scanned: {findings}"
    assert code != 0, output


# -- 2. A PEP 263 `coding: utf-7` cookie: Python runs what the scanners cannot read ----------------------

def _utf7(text: str) -> str:
    """`text` in UTF-7's base64 form (`+...-`): legal UTF-7 for any character, letters and `_` included."""
    return "+" + base64.b64encode(text.encode("utf-16-be")).decode("ascii").rstrip("=") + "-"


def _utf7_module(token: str) -> bytes:
    source = ("# -*- coding: utf-7 -*-\n"
              "import subprocess\n\n\n"
              "def run(cmd):\n"
              f"    subprocess.call(cmd, {_utf7('shell')}=True)\n"
              f"    return {_utf7('eval')}(cmd)\n\n\n"
              f"AWS = '{_utf7('A')}{AWS_KEY[1:]}'\n"
              f"GH = 'ghp{_utf7('_')}{token[4:]}'\n")
    return source.encode("ascii")


def test_the_utf7_module_is_what_python_runs() -> None:
    """Control (passes): CPython honours the cookie, so the module *is* `eval(cmd)`, `shell=True` and the two
    credentials, byte for byte."""
    token = github_token()
    namespace: dict[str, object] = {}
    exec(compile(_utf7_module(token), "settings.py", "exec"), namespace)
    assert namespace["AWS"] == AWS_KEY
    assert namespace["GH"] == token


def test_a_utf7_coded_python_file_carries_live_keys_past_the_hook(tmp_path: Path) -> None:
    """A reviewed phone commit adds `settings.py` declaring `# -*- coding: utf-7 -*-` (PEP 263): Python decodes
    the file before it runs it, so `AWS = '+AEE-KIA…'` is the AWS access key and `'ghp+AF8-…'` the GitHub
    token. The secrets scanner reads the stored bytes as UTF-8 (scan.text decodes UTF-16/32 and NUL-bearing
    text, not a file's declared encoding) and finds neither: the hook accepts the push (exit 0)."""
    server, work = _server(tmp_path)
    code, output = _phone_push(server, work, {"app/settings.py": _utf7_module(github_token())})
    assert code != 0, output


def test_a_utf7_coded_python_file_hides_eval_and_shell_true_from_check(tmp_path: Path) -> None:
    """`gatekeeper check` with every scanner (mobile rule set: secrets, semgrep, bandit) on the same phone
    commit: semgrep reads `+AGUAdgBhAGw-(cmd)` where Python reads `eval(cmd)`, bandit cannot parse the file
    and the secrets scanner saw no key. Now the keys are found in the file as Python reads it, and the file is
    reported as one the other scanners read only as bytes (scan/source-encoding, which follows `unscanned`)."""
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    token = github_token()
    repo.commit("from the phone" + MOBILE, {"app/settings.py": _utf7_module(token)}, author=MO, committer=MO)
    code, verdict = _check(repo, policy, base)
    rules = {f["rule_id"]: f for f in verdict["findings"]}
    assert {"secrets/aws-access-key", "secrets/github-pat"} <= set(rules), sorted(rules)
    assert "declared utf-7" in rules["secrets/github-pat"]["message"]
    encoding = rules["scan/source-encoding"]
    assert encoding["path"] == "app/settings.py" and "utf-7" in encoding["message"] and encoding["blocking"]
    assert token not in json.dumps(verdict) and AWS_KEY not in json.dumps(verdict)
    assert code == ExitCode.BLOCKED


# -- 3. A file bandit cannot parse is "not checked", yet never follows `unscanned` ------------------------

WEAK_HASH = ("import hashlib\n\n\n"
             "def fingerprint(data):\n"
             "    return hashlib.md5(data).hexdigest()\n")


def test_control_bandit_blocks_the_weak_hash_from_the_phone(tmp_path: Path) -> None:
    """Control (passes on main): bandit's B324 (high) on a phone commit blocks under the built-in policy."""
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    repo.commit("from the phone" + MOBILE, {"src/auth.py": WEAK_HASH}, author=MO, committer=MO)
    code, verdict = _check(repo, policy, base)
    assert "bandit/B324" in [f["rule_id"] for f in verdict["findings"]]
    assert code == ExitCode.BLOCKED


def test_one_line_of_newer_python_syntax_blinds_bandit_and_the_commit_passes(tmp_path: Path) -> None:
    """The same phone commit with `type Alias = int` (PEP 695; any syntax newer than the interpreter bandit
    runs under will do — 3.12 here, 3.14's `except A, B:` on a 3.13 gate) on its first line: bandit cannot
    parse the file, reports `scan/parse-error` (low, never blocking: not in models.UNSCANNED_RULES, so policy
    `unscanned: {mobile: block}` does not apply) and the weak hash passes — exit 0. The file is valid Python
    for the interpreter that runs it, and bandit checked none of it."""
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    repo.commit("from the phone" + MOBILE, {"src/auth.py": "type Alias = int\n\n" + WEAK_HASH}, author=MO,
                committer=MO)
    code, verdict = _check(repo, policy, base)
    assert code == ExitCode.BLOCKED, verdict["findings"]


# -- what the fixes must not do, and what they must also catch ----------------------------------------------

@pytest.mark.parametrize("cookie", ["utf-8", "latin-1", "cp1252", "koi8-r", "euc-jp", "ascii", "iso-8859-15"])
def test_an_encoding_that_reads_ascii_as_ascii_is_no_finding(cookie: str) -> None:
    """Declarations that read every ASCII byte as itself (UTF-8, the single-byte ASCII supersets, EUC) change
    nothing the scanners see: no finding for the many legacy files that carry one."""
    assert python_source_encoding(f"# -*- coding: {cookie} -*-\nx = 1\n".encode()) is None


@pytest.mark.parametrize("cookie", ["utf-7", "unicode_escape", "raw_unicode_escape", "shift_jis", "big5", "gbk",
                                    "hz", "iso2022_jp", "utf-16", "idna", "cp037"])
def test_an_encoding_that_reads_ascii_otherwise_is_named(cookie: str) -> None:
    # A double-byte encoding differs only where a byte above 0x7F starts a pair (`\x83\x5c` is one Shift_JIS
    # character whose second byte is a backslash to every other reader).
    source = f"#!/usr/bin/env python\n# vim: set fileencoding={cookie} :\n".encode() + b"x = '\x83\x5c'\n"
    assert python_source_encoding(source) == cookie


@pytest.mark.parametrize("cookie", ["shift_jis", "cp932", "big5", "gbk", "gb18030", "cp949"])
def test_a_double_byte_declaration_on_an_ascii_file_is_no_finding(cookie: str) -> None:
    """red28's false positives: legacy CJK files declare Shift_JIS or Big5 and are often pure ASCII, which those
    encodings read as ASCII. Only when the whole file is known: a head alone could be followed by a high byte."""
    source = f"# -*- coding: {cookie} -*-\nx = 'a\\\\b'\n".encode()
    assert python_source_encoding(source) is None
    assert python_source_encodings(source, partial=True) == [cookie]


@pytest.mark.parametrize("cookie", ["utf-7", "unicode_escape", "hz", "iso2022_jp", "utf-16"])
def test_a_stateful_declaration_on_an_ascii_file_is_still_named(cookie: str) -> None:
    assert python_source_encoding(f"# -*- coding: {cookie} -*-\nx = 1\n".encode()) == cookie


@pytest.mark.parametrize("source", [
    b"x = 1\n",  # no cookie
    b"x = 1\ny = 2\n# coding: utf-7\n",  # line 3 after a line of code: not even `python -x` reads it
    b"#\n#\n#\n# coding: utf-7\n",  # line 4: no Python reads it
    b"# coding: rot13\nx = 1\n",  # not a text encoding: Python refuses to run the file
    b"# coding: no-such-codec\nx = 1\n",
])
def test_what_python_does_not_read_as_a_declaration_is_none(source: bytes) -> None:
    assert python_source_encoding(source) is None


def test_a_key_added_below_a_cookie_an_earlier_commit_wrote_is_found(tmp_path: Path) -> None:
    """The declaration need not be in the range: a harmless utf-7 module lands first, and a later commit adds
    only the line that Python reads as a key. The file is read whole, as Python reads it, for every commit."""
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    head = "# -*- coding: utf-7 -*-\nimport os\n"
    base = repo.commit("module\n", {"app/conf.py": head})
    repo.commit("from the phone" + MOBILE, {"app/conf.py": head + f"AWS = '{_utf7('A')}{AWS_KEY[1:]}'\n"},
                author=MO, committer=MO)
    code, verdict = _check(repo, policy, base)
    rules = [f["rule_id"] for f in verdict["findings"]]
    assert "secrets/aws-access-key" in rules and "scan/source-encoding" in rules, rules
    assert code == ExitCode.BLOCKED


def test_a_utf7_key_from_a_desktop_commit_blocks_too(tmp_path: Path) -> None:
    """A credential blocks whatever device it came from (default rule set: secrets, block_at high): the decoded
    reading counts for every commit, not only for the mobile rule set."""
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    repo.commit("settings\n", {"app/settings.py": _utf7_module(github_token())})
    code, verdict = _check(repo, policy, base)
    assert "secrets/github-pat" in [f["rule_id"] for f in verdict["findings"]]
    assert code == ExitCode.BLOCKED


def test_a_key_already_in_the_parent_version_is_not_added_again(tmp_path: Path) -> None:
    """A secret the parent's version already held (read the same way) was not added by this commit."""
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    module = _utf7_module(github_token())
    base = repo.commit("module\n", {"app/settings.py": module})
    repo.commit("more\n", {"app/settings.py": module + b"X = 1\n"})
    _, verdict = _check(repo, policy, base)
    assert not [f for f in verdict["findings"] if f["rule_id"].startswith("secrets/")], verdict["findings"]


def test_an_lfs_pointer_whose_object_changed_is_reported(tmp_path: Path) -> None:
    """Updating an LFS file changes only the pointer's `oid` and `size` lines: still content the push does not
    carry. A file that merely mentions such lines (documentation of the format) is no pointer."""
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    base = repo.commit("lfs\n", {"deploy/prod.env": LFS_POINTER})
    repo.commit("from the phone" + MOBILE, {
        "deploy/prod.env": LFS_POINTER.replace("4d7a", "5e8b").replace("1337", "2048"),
        "docs/lfs.md": "# Pointers\n\n" + LFS_POINTER + "\nThat is what git keeps.\n",
    }, author=MO, committer=MO)
    _, verdict = _check(repo, policy, base)
    lfs = [f for f in verdict["findings"] if f["rule_id"] == "scan/lfs-content"]
    assert [f["path"] for f in lfs] == ["deploy/prod.env"], verdict["findings"]


@pytest.mark.parametrize(("data", "expected"), [
    (LFS_POINTER.encode(), True),
    (LFS_POINTER.replace("\n", "\r\n").encode(), True),
    (LFS_POINTER.replace("git-lfs.github.com", "example.com").encode(), False),
    (b"# " + LFS_POINTER.encode(), False),
    (b"Pointers look like this:\n" + LFS_POINTER.encode(), False),  # documentation of the format
    (LFS_POINTER.encode() + b" " * 2048 + b"the rest", True),  # git-lfs reads the first 1 KiB, trimmed
    (b"ext-0-foo sha256:" + b"0" * 64 + b"\n" + LFS_POINTER.encode(), True),
])
def test_lfs_pointers_are_read_by_the_spec(data: bytes, expected: bool) -> None:
    assert lfs_pointer(data) is expected


def test_a_python_script_without_the_suffix_is_read_as_python_reads_it(tmp_path: Path) -> None:
    """`bin/deploy` with a `#!/usr/bin/env python3` line runs as Python, cookie and all."""
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    script = b"#!/usr/bin/env python3\n" + _utf7_module(github_token())
    repo.commit("deploy script\n", {"bin/deploy": script})
    code, verdict = _check(repo, policy, base)
    rules = [f["rule_id"] for f in verdict["findings"]]
    assert "secrets/github-pat" in rules and "scan/source-encoding" in rules, rules
    assert code == ExitCode.BLOCKED


@pytest.mark.parametrize(("encoding", "body"), [("idna", b"x = 'xn--caf-dma'\n"), ("idna", b"x = '\xff'\n"),
                                                 ("utf-16", b"x = 1\n"), ("utf-7", b"x = '+AGU'\n")])
def test_a_declared_source_python_cannot_decode_is_still_read(encoding: str, body: bytes) -> None:
    """A codec without error replacement (idna), or content the codec refuses: the reading never fails, it
    falls back to the bytes (Python refuses to run such a file)."""
    decoded = decode_python_source(f"# coding: {encoding}\n".encode() + body, encoding)
    assert "coding" in decoded.text + (decoded.alternate or "")


def test_a_declaration_after_a_first_line_longer_than_the_head_read_is_found(tmp_path: Path) -> None:
    """The head of a changed file is read in 64 KiB; a first comment line longer than that puts the declaration
    past it: the file is read further (to the scan size cap) rather than taken for undeclared."""
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    head = b"# " + b"x" * 70_000 + b"\n# -*- coding: utf-7 -*-\n"
    base = repo.commit("module\n", {"app/conf.py": head + b"X = 1\n"})
    repo.commit("key\n", {"app/conf.py": head + b"X = 1\n" + f"AWS = '{_utf7('A')}{AWS_KEY[1:]}'\n".encode()})
    code, verdict = _check(repo, policy, base)
    rules = [f["rule_id"] for f in verdict["findings"]]
    assert "secrets/aws-access-key" in rules and "scan/source-encoding" in rules, rules
    assert code == ExitCode.BLOCKED


def test_a_new_file_whose_patch_holds_it_whole_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    """The head is read from the object store only where the patch does not show the whole file: a new plain
    file, or one whose every line the commit rewrote, is decided from its patch (a 20,000-commit check would
    otherwise read every file it touches again)."""
    from gatekeeper.git.objects import BlobReader

    reads: list[str] = []
    original = BlobReader.read_head

    def counted(self: BlobReader, sha: str, limit: int) -> tuple[str, int, bytes | None]:
        reads.append(sha)
        return original(self, sha, limit)

    monkeypatch.setattr(BlobReader, "read_head", counted)
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    base = repo.commit("one\n", {"a.py": "x = 1\n", "b.txt": "keep\nthis\n"})
    repo.commit("two\n", {"a.py": "x = 2\n", "b.txt": "keep\nthat\n", "c.py": "# coding: utf-7\nx = 3\n"})
    _check(repo, policy, base)
    # a.py was rewritten whole, b.txt only in part (read), c.py is new but declares utf-7 (read for its
    # declaration, then to decode it)
    a_blob = repo.git("rev-parse", "HEAD:a.py")
    assert a_blob not in reads and len(set(reads)) == 2, reads
