"""Red team red27: past the red26 fixes (the coding declaration as `python file.py` and `python -x` read it, the
64 KiB head read, report strings redacted in the audit).

Each reproduction fails on w/lead at 673042b. Real repositories and real `git push`es into a bare repository with
the installed hook, under the built-in policy (`gatekeeper.config.DEFAULT_POLICY_YAML`: secrets block at high for
every device; `unscanned: {mobile: block, default: warn}`), pushed by Dana from her laptop: a secret the scanner
does not find is accepted (exit 0); the `scan/source-encoding` report alone is only a warning for her.
Helpers from tests/test_red24_hostile.py.

`python -x` (documented: "skip the first line of the source, allowing use of non-Unix forms of #!cmd"; the Windows
`.cmd` polyglot `@python -x "%~f0" %* & exit /b`) is accepted by the project as a way Python runs a file (red26,
text._declaration: "python -x skips the first line"). What CPython does (Modules/main.c, pymain_run_file_obj):

    while ((ch = getc(fp)) != EOF) { if (ch == '\\n') { (void)ungetc(ch, fp); break; } }

It skips the bytes up to the first LF (a CR does not end that line), pushes the LF back, and hands the rest to the
tokenizer, whose line 1 is then blank and whose line 2 (ended by CR, LF or CRLF) may hold the declaration. So:
- whatever line 1 holds is never read — a declaration there does not count (text._declaration takes it and stops);
- a CR inside the skipped line does not end it (text._declaration splits there, sees a line 2 of code and refuses
  a declaration on its "line 3");
- the tokenizer's line 2 can lie past 64 KiB while the head holds two "line ends" (CRs in the skipped line), so
  SecretsScanner._read_as does not read on, although _read_head (on the whole file) found the declaration.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gatekeeper.scan.text import python_source_encoding
from tests.hook_helpers import AWS_KEY, DANA, spush
from tests.test_red24_hostile import _server, _utf7

_BODY = f"AWS = '{_utf7('A')}{AWS_KEY[1:]}'\nprint(AWS)\n".encode("ascii")

# 1a. Line 1 declares latin-1 (ASCII-transparent: nothing to report), line 2 utf-7. `python file.py` reads latin-1;
# `python -x` never reads line 1 and honours utf-7. For cmd.exe, line 1 runs `#` (an error message) and then
# `python -x` on the file.
SKIPPED_COOKIE = (b"# -*- coding: latin-1 -*- & @python -x \"%~f0\" %* & exit /b\n"
                  b"# -*- coding: utf-7 -*-\n" + _BODY)

# 1b. A lone CR in the skipped line: declared_coding reads lines "@python … rem ", "." (code) and the declaration as
# a "line 3" after code. python -x skips to the LF; the declaration is its line 2. (cmd.exe drops CRs.)
CR_IN_SKIPPED_LINE = (b"@python -x \"%~f0\" %* & exit /b & rem \r.\n"
                      b"# -*- coding: utf-7 -*-\n" + _BODY)

# 2. Two CRs in the skipped line and the declaration at the end of a long comment line 2 (python -x's line 2).
# declared_coding on the whole file finds it (lines "@python …", "" and a comment "line 3"), so _read_head asks for
# the head; _read_as reads 64 KiB, counts two line ends in it (`\r`, `\r\n`) and does not read on: the head ends
# inside the padding, python_source_encoding(head) is None, nothing is decoded, nothing reported.
LONG_SECOND_LINE = (b"@python -x \"%~f0\" %* & exit /b\r\r\n"
                    b"# " + b"=" * (70 * 1024) + b" -*- coding: utf-7 -*-\n" + _BODY)


def _runs_as_the_key(tmp_path: Path, data: bytes) -> str:
    (tmp_path / "deploy.cmd").write_bytes(data)
    out = subprocess.run([sys.executable, "-x", str(tmp_path / "deploy.cmd")], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def test_control_python_dash_x_runs_each_file_as_the_key(tmp_path: Path) -> None:
    """Control (passes): `python -x` prints the AWS key for all three files; plain `python` cannot run them."""
    for data in (SKIPPED_COOKIE, CR_IN_SKIPPED_LINE, LONG_SECOND_LINE):
        assert _runs_as_the_key(tmp_path, data) == AWS_KEY


def test_python_source_encoding_sees_what_python_dash_x_declares() -> None:
    """Unit form of 1a/1b: the declaration `python -x` honours is not found."""
    assert python_source_encoding(SKIPPED_COOKIE) is not None  # is None: latin-1 on line 1 taken, and looking stops
    assert python_source_encoding(CR_IN_SKIPPED_LINE) is not None  # is None: "line 2" is `.`, code


def assert_key_refused(tmp_path: Path, data: bytes) -> None:
    """Dana pushes `data` from her laptop: the AWS key in it is found and the push refused."""
    code, output = _dana_pushes(tmp_path, data)
    assert code != 0, output
    assert "secrets/aws-access-key" in output


def _dana_pushes(tmp_path: Path, data: bytes) -> tuple[int, str]:
    server, work = _server(tmp_path)
    work.commit("deploy script\n", {"tools/deploy.cmd": data}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    return result.code, result.output


def test_a_cookie_on_the_line_python_dash_x_skips_hides_the_real_one(tmp_path: Path) -> None:
    """1a end to end: the key reaches main (exit 0), nothing reported."""
    assert_key_refused(tmp_path, SKIPPED_COOKIE)


def test_a_cr_in_the_line_python_dash_x_skips_hides_the_cookie(tmp_path: Path) -> None:
    """1b end to end: the key reaches main (exit 0), nothing reported."""
    assert_key_refused(tmp_path, CR_IN_SKIPPED_LINE)


def test_a_cookie_past_the_64_kib_head_is_not_read(tmp_path: Path) -> None:
    """2 end to end: _read_head (whole file) sees the declaration, _read_as's 64 KiB head does not; the key reaches
    main (exit 0) with not even scan/source-encoding reported."""
    assert python_source_encoding(LONG_SECOND_LINE) == "utf-7"  # the whole file: found (the head alone: not)
    assert_key_refused(tmp_path, LONG_SECOND_LINE)


# -- 3. `gatekeeper audit --format json`: the decision log's path is printed whole ---------------------------------
#
# red26 redacted the repository's path (render.redactor over rng.description, policy.source, repository values), but
# run_audit_command puts `store.target` into log_stats["log"], which summary_dict copies into summary.decisions.log
# and _redacted_lists never reads. The log's path is the repository's path whenever log.path is relative (the
# policy's default), or given with --log / GATEKEEPER_DECISION_LOG: the token redacted in `repository.path` is
# printed in `summary.decisions.log` of the same JSON document.

def test_a_token_in_the_decision_log_path_is_redacted_in_the_json_audit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from gatekeeper.audit.decisionlog import Entry, open_log
    from tests.leak_helpers import gk, leaked, token_maker
    from tests.repo_builder import RepoBuilder

    token = token_maker(2727)()
    repo = RepoBuilder.init(tmp_path / token / "repo")
    sha = repo.commit("init\n", {"README.md": "hello\n"})
    log = tmp_path / token / "decisions.db"
    store = open_log(str(log))
    store.append(Entry(repository="acme/app", mode="pre-receive", event="decision", decision="allow", exit_code=0,
                       commits=(sha,)))
    store.close()
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "json", "--no-progress", "--log", str(log))
    assert code == 0
    assert not leaked(token, out), [out[max(0, i - 80) : i + 40] for i in [out.find(token[4:20])] if i >= 0]
