"""Red team red25: past the red24 fixes (LFS pointers, PEP 263 coding declarations).

Each reproduction fails on w/lead at dbe3846. Real repositories, `gatekeeper check` in-process and real
`git push`es into a bare repository with the installed hook, under the built-in policy
(`unscanned: {mobile: block}`; the hook's pre_receive scans secrets). Helpers from tests/test_red24_hostile.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gatekeeper.config import DEFAULT_POLICY_YAML
from gatekeeper.models import ExitCode
from gatekeeper.scan.text import lfs_pointer, python_source_encoding
from tests.hook_helpers import AWS_KEY, MO, MOBILE
from tests.test_red24_hostile import LFS_POINTER, _check, _phone_push, _repo, _server, _utf7

# -- Python: a declaration CPython honours that tokenize.detect_encoding refuses ------------------------------
#
# text.python_source_encoding asks tokenize.detect_encoding, which decodes the first line (and the second) as
# UTF-8 *before* it looks for a cookie and raises SyntaxError when it cannot: python_source_encoding turns that
# into None ("no declaration"). CPython's C tokenizer, on the path `import` and `compile(bytes)` take (bandit's
# ast.parse too), looks for the cookie on the raw bytes of lines 1-2 and never checks line 1 as UTF-8; it also
# splits lines on CR as well as LF, where detect_encoding's BytesIO.readline splits on LF only.

UNICODE_ESCAPE_KEY = b"AWS = '\\u0041" + AWS_KEY[1:].encode() + b"'\n"


def _latin1_comment_module() -> bytes:
    # Line 1 is a comment with one Latin-1 byte (a name, `caf\xe9`): fine for CPython's tokenizer on import.
    return b"# config (c) caf\xe9 GmbH\n# -*- coding: unicode_escape -*-\n" + UNICODE_ESCAPE_KEY


def _cr_only_module() -> bytes:
    # Classic Mac line endings (CR only) and one non-UTF-8 byte anywhere in the file: detect_encoding reads the
    # whole file as its "first line" and cannot decode it.
    return (b"# -*- coding: unicode_escape -*-\r" + UNICODE_ESCAPE_KEY.replace(b"\n", b"\r")
            + b"# caf\xe9\r")


def _python_reads(tmp_path: Path, name: str, source: bytes) -> str:
    """What `import name` gives for AWS, in a fresh interpreter."""
    (tmp_path / f"{name}.py").write_bytes(source)
    out = subprocess.run([sys.executable, "-c", f"import {name}; print({name}.AWS)"], cwd=tmp_path,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_control_python_imports_both_modules_as_the_key(tmp_path: Path) -> None:
    """Control (passes): CPython 3.6-3.13 import both files, and AWS is the access key."""
    assert _python_reads(tmp_path, "latin1_head", _latin1_comment_module()) == AWS_KEY
    assert _python_reads(tmp_path, "cr_only", _cr_only_module()) == AWS_KEY


def test_control_the_scripts_run_as_the_key(tmp_path: Path) -> None:
    """Control (passes): the interpreter the `#!` line names (here the test's own) prints the AWS key."""
    for shebang in ("#!/usr/bin/env python3", "#!/usr/bin/env -S uv run --script"):
        (tmp_path / "script").write_bytes(_utf7_script(shebang))
        out = subprocess.run([sys.executable, str(tmp_path / "script")], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == AWS_KEY


def test_a_non_utf8_first_line_hides_the_coding_declaration(tmp_path: Path) -> None:
    """`# config (c) caf\\xe9 GmbH` on line 1, `# -*- coding: unicode_escape -*-` on line 2: `import settings`
    reads `'\\u0041KIA…'` as the AWS access key. tokenize.detect_encoding fails on line 1 (not UTF-8), so
    text.python_source_encoding returns None: no scan/source-encoding, the file is scanned as its bytes, no key
    is seen, and the reviewed phone commit reaches main (exit 0)."""
    server, work = _server(tmp_path)
    code, output = _phone_push(server, work, {"app/settings.py": _latin1_comment_module()})
    assert code != 0, output


def test_cr_only_line_endings_hide_the_coding_declaration(tmp_path: Path) -> None:
    """The same with CR line endings and a Latin-1 byte in a trailing comment: CPython splits lines on CR and
    honours the line-1 cookie; detect_encoding sees one line it cannot decode. Exit 0 through the hook."""
    server, work = _server(tmp_path)
    code, output = _phone_push(server, work, {"app/settings.py": _cr_only_module()})
    assert code != 0, output


# -- Python scripts without a .py suffix: the whole file is read only when the diff touches a `coding` line ------

def _utf7_script(shebang: str) -> bytes:
    return (f"{shebang}\n# -*- coding: utf-7 -*-\nAWS = '{_utf7('A')}{AWS_KEY[1:]}'\nprint(AWS)\n").encode("ascii")


def test_a_script_that_becomes_python_by_its_shebang_line_alone(tmp_path: Path) -> None:
    """Commit 1 adds `bin/deploy` as a shell script (`#!/bin/sh`) that already holds `# -*- coding: utf-7 -*-` on
    line 2 and the utf-7 key below: not Python, so nothing to report (correct). Commit 2, in the same push, only
    changes line 1 to `#!/usr/bin/env python3`. Its patch adds no line with `coding` in it
    (secrets_scanner._cookie_lines), the path has no .py suffix (_python): the file is never read whole, and
    `./bin/deploy` now prints the AWS key. Exit 0 from `gatekeeper check` and the hook."""
    server, work = _server(tmp_path)
    work.commit("deploy script" + MOBILE + "Reviewed-by: Rita Reviewer <rita@example.com>\n",
                {"bin/deploy": _utf7_script("#!/bin/sh")}, author=MO, committer=MO)
    code, output = _phone_push(server, work, {"bin/deploy": _utf7_script("#!/usr/bin/env python3")})
    assert code != 0, output
    findings = server.last_verdict()["findings"]
    assert any(f.get("path") == "bin/deploy" for f in findings), findings


def test_a_uv_script_shebang_is_python_too(tmp_path: Path) -> None:
    """`#!/usr/bin/env -S uv run --script` is how PEP 723 scripts are written (uv's docs; `pipx run`, `pypy3`
    likewise): the script runs under CPython, cookie and all. _python_source looks for `python` in the `#!`
    line, so the utf-7 key is never decoded and nothing is reported."""
    server, work = _server(tmp_path)
    code, output = _phone_push(server, work, {"tools/rotate": _utf7_script("#!/usr/bin/env -S uv run --script")})
    assert code != 0, output
    rules = [f["rule_id"] for f in server.last_verdict()["findings"]]
    assert "secrets/aws-access-key" in rules or "scan/source-encoding" in rules, rules


def test_check_on_the_uv_script(tmp_path: Path) -> None:
    """The same through `gatekeeper check` (every scanner of the mobile rule set)."""
    repo, policy, base = _repo(tmp_path, DEFAULT_POLICY_YAML)
    repo.commit("from the phone" + MOBILE + "Reviewed-by: Rita Reviewer <rita@example.com>\n",
                {"tools/rotate": _utf7_script("#!/usr/bin/env -S uv run --script")}, author=MO, committer=MO)
    code, verdict = _check(repo, policy, base)
    rules = [f["rule_id"] for f in verdict["findings"]]
    assert code == ExitCode.BLOCKED, rules
    assert "secrets/aws-access-key" in rules and "scan/source-encoding" in rules, rules


def assert_lfs_file_refused(tmp_path: Path, content: str | bytes) -> None:
    """A reviewed phone commit adds `deploy/prod.env` (routed through LFS) with `content`: a finding names the
    file and the push is refused."""
    server, work = _server(tmp_path)
    code, output = _phone_push(server, work, {
        ".gitattributes": "*.env filter=lfs diff=lfs merge=lfs -text\n",
        "deploy/prod.env": content,
    })
    assert any(f.get("path") == "deploy/prod.env" for f in server.last_verdict()["findings"]), output
    assert code != 0, output


# -- Git LFS: pointers git-lfs smudges that lfs_pointer does not recognise ----------------------------------------
#
# git-lfs (lfs/pointer.go, DecodeFrom/decodeKV, v3 main): the first 1024 bytes are `bytes.TrimSpace`d, blank lines
# are skipped, and `version` may be any of v1Aliases: "http://git-media.io/v/2", hawser, git-lfs.

GIT_MEDIA_POINTER = LFS_POINTER.replace("https://git-lfs.github.com/spec/v1", "http://git-media.io/v/2")


def test_an_lfs_pointer_with_the_git_media_version_is_reported(tmp_path: Path) -> None:
    """git-lfs accepts `version http://git-media.io/v/2` (v1Aliases, "alpha") and smudges the object on checkout;
    text._LFS_VERSION knows only git-lfs and hawser. The `oid sha256:` line makes _lfs_lines read the blob, but
    lfs_pointer says no: the phone's prod.env is in the LFS store, unscanned and unreported; exit 0."""
    assert_lfs_file_refused(tmp_path, GIT_MEDIA_POINTER)


def test_an_lfs_pointer_after_a_blank_line_is_reported(tmp_path: Path) -> None:
    """git-lfs trims whitespace around the pointer before parsing it: a leading newline (or space) still makes a
    pointer git-lfs smudges; text._LFS_VERSION is anchored at \\A. Exit 0 through the hook."""
    assert_lfs_file_refused(tmp_path, "\n" + LFS_POINTER)


def test_a_file_that_becomes_an_lfs_pointer_by_deleting_a_line_is_reported(tmp_path: Path) -> None:
    """Commit 1 adds `deploy/prod.env` as `pending upload` + the three pointer lines: not a pointer for git-lfs
    (first key `pending`) nor for lfs_pointer (correct, nothing to report). Commit 2 deletes line 1: now git-lfs
    smudges it. Commit 2's patch adds no line at all, so _lfs_lines is False and the blob is never read; both
    commits in one push, exit 0."""
    server, work = _server(tmp_path)
    work.commit("env" + MOBILE + "Reviewed-by: Rita Reviewer <rita@example.com>\n", {
        ".gitattributes": "*.env filter=lfs diff=lfs merge=lfs -text\n",
        "deploy/prod.env": "pending upload\n" + LFS_POINTER,
    }, author=MO, committer=MO)
    code, output = _phone_push(server, work, {"deploy/prod.env": LFS_POINTER})
    assert any(f.get("path") == "deploy/prod.env" for f in server.last_verdict()["findings"]), output
    assert code != 0, output


# -- the readers themselves ---------------------------------------------------------------------------------------

def test_python_source_encoding_reads_the_declaration_as_cpython_does() -> None:
    assert python_source_encoding(_latin1_comment_module()) == "unicode_escape"
    assert python_source_encoding(_cr_only_module()) == "unicode_escape"


def test_lfs_pointer_reads_what_git_lfs_reads() -> None:
    assert lfs_pointer(GIT_MEDIA_POINTER.encode())
    assert lfs_pointer(("\n" + LFS_POINTER).encode())
    assert lfs_pointer(("  " + LFS_POINTER).encode())
