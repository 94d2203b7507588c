"""Red team red122: Python files re-encoded by their coding cookie (scan/text.py `python_source`, `without_cookie`,
scan/workspace.py `_source`), after 5c816ad (red120 7). Every test runs the real `gatekeeper check` with real
semgrep and bandit (tests/scan_helpers.py `check_commit`); each file's behaviour under CPython 3.11 was run by hand.

Findings:

1. HIGH (silent miss) — lone "\\r" line endings (old Mac; CPython ends a line at a lone CR as at LF):
   a. scan/themes.py `one_per_line` drops bandit's B605/B602/B102/B307/B608/B703 for every commit semgrep scanned
      (SUPERSEDED_BANDIT), trusting our semgrep rule to have seen the same code. semgrep's Python parser ends a
      `#` comment only at "\\n": in a CR-only file whose first line is a comment (a licence header, `# notes`, a
      cookie, a `#!` line) the whole file is one comment to semgrep — no finding, no parse error. bandit reads it
      as Python does and reports `os.system(input())` at line 3; one_per_line then drops it. Measured: a 3-line
      CR-only module `# notes / import os / os.system(input())` — bandit raw [B605 @3], semgrep raw [], output
      0 findings. Fix: supersede a bandit finding only where our rule found the same line, or not in a file
      semgrep read otherwise (a CR-only file), or hand semgrep the text with Python's newlines.
   b. text.py `without_cookie` and `python_source` split lines on "\\n" only. A CR-only module with an ordinary
      cookie (`# -*- coding: cp1252 -*-`, one UTF-8 `é` in a comment so that cp1252 reads it otherwise) is "line
      1" of `text.split("\\n", 2)` whole, starts with the cookie-shaped comment and is blanked: bandit (and
      semgrep) get an EMPTY file. cp1252 is ASCII-transparent: no scan/source-encoding either. And
      `tokenize.detect_encoding` reads "line 1" up to the first "\\n", so a cookie on line 4 of a CR-only file,
      which CPython ignores (it runs the file as UTF-8), makes python_source decode it as UTF-7 (`1 +ACM- os.
      system(...)`, a call to Python, is `1 # ...`) and blank it whole. Shown with bandit alone (no semgrep, so
      nothing supersedes it): a CR-only module without a cookie is found, these two are not. Fix: split lines as
      Python does (`\\r\\n`, `\\r`, `\\n`) in without_cookie, the head check and the `aligned` comparison, and
      look for the cookie on Python's lines 1-2 only.
2. MEDIUM (miss, mitigated by scan/source-encoding) — `python_source` decodes the whole file (`import`'s reading)
   but `python file.py` reads the lines up to the cookie as bytes and decodes only what follows (the secrets
   scanner's `decode_python_source` knows both readings, red26/red28; the code scanners get one):
   a. `# coding: unicode_escape \\` + newline: the import reading joins line 2 into the cookie comment (`\\<LF>` is
      an escape for nothing), so `import os; os.system(input())` on line 2 is a comment in the text written for
      the tools — and `without_cookie` then blanks that line: the tools get an empty file. `python escape.py` runs
      the call.
   b. `# coding: utf-7 +AG` (a shift sequence left open on the cookie line): the import reading fails, so
      `python_source` returns None and the bytes go to the tools, where `# +AAo-os.system(input())` is a comment;
      `python half.py` decodes only line 2 on, where `+AAo-` is a newline and the call runs.
   Both are reported as scan/source-encoding (medium, follows `unscanned`: blocks only a mobile commit on a
   protected ref; warns on a pull request's branch and under the default rule set) — never as the critical
   os.system they hold. Fix: hand the tools each reading python_source can make (as decode_python_source does),
   or the script reading when the two differ.
3. MEDIUM (crash; fail-open under `on_tool_error: warn`) — `python_source` catches UnicodeDecodeError only; a codec
   that raises plain UnicodeError (`# coding: undefined` on any content, `# coding: punycode` on most) escapes
   from `Workspace.materialise`, and semgrep AND bandit both fail for the whole range (tool/semgrep-failed,
   tool/bandit-failed: "UnicodeError: decoding with 'undefined' codec failed"). With the default `on_tool_error:
   block` that is a blocked push for one file Python would refuse to run; with `warn`, one three-line file blinds
   both code scanners to every other file of the push (measured: `os.system(input())` in a sibling module is
   then not reported). Fix: catch UnicodeError (and any codec error) as "Python refuses the file".

Tried and held: a UTF-7 module with the cookie on line 1 (`+AAo-` splitting a line: read, found — guard below);
a cookie on line 2 after a `#!` line in an executable file without an extension (guard below); the `aligned`
check (strict line-by-line equality: utf-7 `+AAo-`, unicode_escape `\\<LF>`, hz `~<LF>` all give False, so every
line counts as added, never a shifted line map); a notebook cell whose source holds lone "\\r" (the cell text is
normalised to "\\n" before `without_cookie`: only the cookie line is blank); `rot13`/`base64` cookies (LookupError,
Python refuses too); a cookie Python refuses (unknown name) — the file is read as its bytes, as Python would not run
it; the secrets scanner's view (measured through `check`): a GitHub token written `+AGc-hp_…` in a UTF-7 module,
`\\x67hp_…` after a unicode_escape cookie ending in `\\`, and a plain one in a CR-only file with a late cookie are
each reported critical (it reads every declared reading and the bytes).

Merge-queue squash ties (part 2 of the brief), no test: `merged_tree` runs `merge-tree --write-tree` through
`_process`, whose `out.read()` has no timeout (`child.wait(timeout)` comes after the read). Measured: 3,000 files
each modified on one side and renamed with ~55 % similarity on the other cost 9.5 s of merge-tree (rename detection
is quadratic up to git's rename limit, then skipped; ~1 min expected at the limit), and the conflict makes
`squashes` False (fail closed): slow, not a hang, not an open gate. A commit tied by tree is content-equal to the
approved PR merged onto its parent; a PR whose head is already in the parent ties only an empty commit (no content,
nothing to scan or review).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

OS_SYSTEM = ("semgrep/python-os-system-non-literal", "bandit/B605", "bandit/B602", "bandit/B607")
BANDIT_ONLY_POLICY = ALL_SCANNERS_POLICY.replace("[secrets, semgrep, bandit]", "[secrets, bandit]")

# CR-only modules (1): Python ends each line at the lone CR and runs os.system(input()) on line 3.
CR_FILES: dict[str, str] = {
    # 1a: no cookie at all; the first line is a comment.
    "cr/plain.py": "# notes\rimport os\ros.system(input())\r",
    "cr/eval.py": "#!/usr/bin/env python3\rimport sys\reval(sys.argv[1])\r",
    # 1b: an ordinary cp1252 cookie, a UTF-8 é that cp1252 reads otherwise.
    "cr/cp1252.py": "# -*- coding: cp1252 -*-\rimport os\ros.system(input())  # caf\u00e9\r",
    # 1b: the cookie on line 4: CPython reads UTF-8 and runs os.system; UTF-7 would read `+ACM-` as `#`.
    "cr/late_cookie.py": "# notes\rimport os\rACM = 0\r# coding: utf-7\rx = 1 +ACM- os.system(input())\r",
}

FILES: dict[str, str] = {
    **CR_FILES,
    # 2a: unicode_escape, a backslash ending the cookie line.
    "script/escape.py": "# coding: unicode_escape \\\nimport os; os.system(input())\n",
    # 2b: UTF-7, a shift sequence left open on the cookie line.
    "script/half.py": "# coding: utf-7 +AG\nimport os\nx = 1  # +AAo-os.system(input())\n",
    # Guards (held): a UTF-7 module, a `#!` script without an extension whose cookie is on line 2, a CRLF module.
    "ok/utf7.py": "# coding: utf-7\nimport os\nx = 1  # +AAo-os.system(input())\n",
    "bin/tool": "#!/usr/bin/env python3\n# coding: utf-7\nimport os\nx = 1  # +AAo-os.system(input())\n",
    "ok/crlf.py": "# -*- coding: cp1252 -*-\r\nimport os\r\nos.system(input())  # caf\u00e9\r\n",
}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return check_commit(tmp_path_factory.mktemp("red122"), FILES, ALL_SCANNERS_POLICY, executable=["bin/tool"])


@pytest.fixture(scope="module")
def bandit_verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return check_commit(tmp_path_factory.mktemp("red122b"), CR_FILES, BANDIT_ONLY_POLICY)


def _found(result: dict[str, Any], path: str) -> list[tuple[str, int | None]]:
    return sorted((f["rule_id"], f["line"]) for f in result["findings"] if f["path"] == path)


def _runs_os_system(result: dict[str, Any], path: str) -> bool:
    return any(rule in OS_SYSTEM for rule, _ in _found(result, path))


# -- 1: lone "\r" line endings ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["cr/plain.py", "cr/eval.py"])
def test_a_cr_only_module_after_a_comment_line_is_checked(verdict: tuple[int, dict[str, Any]], path: str) -> None:
    """HIGH (1a). Python runs line 3 of the CR-only module; semgrep reads the whole file as the first line's
    comment and finds nothing, and bandit's B605/B307 at line 3 is dropped by one_per_line as superseded by a
    semgrep rule that ran (SUPERSEDED_BANDIT): no finding at all."""
    _, result = verdict
    assert [f for f in _found(result, path) if f[0].startswith(("semgrep/", "bandit/"))], _found(result, path)


@pytest.mark.parametrize(("path", "rule"), [("cr/plain.py", "bandit/B605"), ("cr/eval.py", "bandit/B307")])
def test_held_bandit_alone_reads_a_cr_only_module(bandit_verdict: tuple[int, dict[str, Any]], path: str,
                                                  rule: str) -> None:
    """(Guard, holds.) Without semgrep nothing supersedes bandit, which reads CR-only Python as Python does (line
    3): what 1a loses is bandit's own finding, and the misses of 1b are the gate's text, not bandit's."""
    _, result = bandit_verdict
    assert (rule, 3) in _found(result, path), _found(result, path)


def test_a_cr_only_module_with_a_cookie_is_not_blanked_whole(bandit_verdict: tuple[int, dict[str, Any]]) -> None:
    """HIGH (1b). `python cp1252.py` runs `os.system(input())` on line 3. without_cookie splits on "\\n" only: the
    whole file is one cookie-shaped line and is blanked, so bandit reads an empty file; cp1252 is
    ASCII-transparent, so not even scan/source-encoding says so."""
    _, result = bandit_verdict
    assert _runs_os_system(result, "cr/cp1252.py"), _found(result, "cr/cp1252.py")


def test_a_cookie_python_ignores_past_line_two_does_not_decode_the_file(
        bandit_verdict: tuple[int, dict[str, Any]]) -> None:
    """HIGH (1b). The cookie is on line 4 of a CR-only file: CPython ignores it and runs `1 + ACM - os.system(...)`
    as UTF-8. tokenize.detect_encoding sees one "line" holding `coding:`, python_source decodes the file as UTF-7
    (`+ACM-` is `#`) and without_cookie blanks it whole: no finding, no note."""
    _, result = bandit_verdict
    assert _runs_os_system(result, "cr/late_cookie.py"), _found(result, "cr/late_cookie.py")


# -- 2: `python file.py` decodes only after the cookie line ----------------------------------------------------------

def test_a_cookie_line_ending_in_an_escape_hides_no_code(verdict: tuple[int, dict[str, Any]]) -> None:
    """MEDIUM. `python escape.py` runs line 2 (`import os; os.system(input())`): it decodes only after the cookie
    line. python_source decodes the whole file, where `\\<LF>` joins line 2 into the cookie's comment, and blanks
    it: the tools read an empty file; only scan/source-encoding (medium) is reported."""
    _, result = verdict
    assert _runs_os_system(result, "script/escape.py"), _found(result, "script/escape.py")


def test_a_shift_left_open_on_the_cookie_line_hides_no_code(verdict: tuple[int, dict[str, Any]]) -> None:
    """MEDIUM. `python half.py` decodes line 2 on as UTF-7 and runs `os.system(input())` after `+AAo-`. The whole
    file does not decode (`+AG` on the cookie line), python_source returns None, and the tools read the bytes,
    where the call is a comment: only scan/source-encoding (medium) and a parse error are reported."""
    _, result = verdict
    assert _runs_os_system(result, "script/half.py"), _found(result, "script/half.py")


# -- held -------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["ok/utf7.py", "bin/tool", "ok/crlf.py"])
def test_held_a_utf7_module_and_a_shebang_script_are_read_as_python_reads_them(
        verdict: tuple[int, dict[str, Any]], path: str) -> None:
    """(Guard, holds.) The cookie on line 1, on line 2 after `#!` in a file without an extension, CRLF lines."""
    _, result = verdict
    assert _runs_os_system(result, path), _found(result, path)


# -- 3: a codec that raises UnicodeError -----------------------------------------------------------------------------

@pytest.mark.parametrize("codec", ["undefined", "punycode"])
def test_a_codec_error_does_not_stop_the_code_scanners(tmp_path: Path, codec: str) -> None:
    """MEDIUM. python_source catches UnicodeDecodeError, not the plain UnicodeError `undefined` and `punycode`
    raise: semgrep and bandit both fail for the whole range. Under `on_tool_error: warn` one such file (which
    Python refuses to run) leaves `os.system(input())` in a sibling module unreported."""
    policy = ALL_SCANNERS_POLICY + "on_tool_error: warn\n"
    files = {f"junk/{codec}.py": f"# coding: {codec}\nimport os\n",
             "app/run.py": "import os\nos.system(input())\n"}
    _, result = check_commit(tmp_path, files, policy)
    tool_errors = [f["rule_id"] for f in result["findings"] if f["rule_id"].startswith("tool/")]
    assert not tool_errors and _runs_os_system(result, "app/run.py"), (tool_errors, _found(result, "app/run.py"))
