"""Red team red26: past the red25 fixes (coding declarations found as CPython finds them, LFS pointers).

Each reproduction fails on w/lead at b86d1e8. Real repositories, `gatekeeper check` in-process and real `git push`es
into a bare repository with the installed hook, under the built-in policy (`gatekeeper.config.DEFAULT_POLICY_YAML`:
the default rule set scans secrets and blocks at high, "a live credential blocks whatever device it came from";
`unscanned: {mobile: block, default: warn}`). Helpers from tests/test_red24_hostile.py.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from gatekeeper.scan.text import decode_python_source, python_source_encoding
from tests.hook_helpers import AWS_KEY, DANA, spush
from tests.test_red24_hostile import _phone_push, _server, _utf7

# -- 1. `python script.py` decodes only what follows the cookie line; the scanner decodes the whole file ---------
#
# CPython's file reader (Parser/tokenizer.c, tok_underflow_file + fp_setreadl), used by `python script.py` and by
# every `#!` script, reads lines 1-2 raw, and once it finds the cookie reopens the file *after the cookie line*
# with the declared codec. text.decode_python_source decodes the whole file, cookie line included, with
# errors="replace". With `unicode_escape`, a `\N{` left open on the cookie line is a "malformed \N character
# escape" whose error range runs to the next `}` (or to the end of the file): "replace" turns all of it into ONE
# U+FFFD. Python never decodes that line and runs the rest; the scanner's "declared" reading has nothing left,
# and its other reading (the bytes) holds only `'\x41KIA…'`.

SWALLOWING_SCRIPT = (b"#!/usr/bin/env python3\n"
                     b"# -*- coding: unicode_escape -*- \\N{\n"
                     b"AWS = '\\x41" + AWS_KEY[1:].encode() + b"'\n"
                     b"print(AWS)\n")
PLAIN_ESCAPE_SCRIPT = SWALLOWING_SCRIPT.replace(b" \\N{\n", b"\n")


def test_control_python_runs_the_script_as_the_key(tmp_path: Path) -> None:
    """Control (passes): `python3 deploy.py` (and `./deploy.py` through its `#!` line) prints the AWS key."""
    script = tmp_path / "deploy.py"
    script.write_bytes(SWALLOWING_SCRIPT)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == AWS_KEY


def test_control_the_escaped_key_without_the_open_escape_is_refused(tmp_path: Path) -> None:
    """Control (passes): Dana's desktop push of the same script without the `\\N{` is refused: the key is found
    in the declared (unicode_escape) reading."""
    server, work = _server(tmp_path)
    work.commit("deploy script\n", {"bin/deploy.py": PLAIN_ESCAPE_SCRIPT}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert "secrets/aws-access-key" in result.output


def test_an_open_named_escape_on_the_cookie_line_swallows_the_rest_of_the_file(tmp_path: Path) -> None:
    """The same desktop push with ` \\N{` at the end of the cookie line: decode_python_source's unicode_escape
    reading is `#!… \\n# -*- coding: unicode_escape -*- \\ufffd` and nothing else, the bytes reading shows
    `'\\x41KIA…'`: no key is found, only `scan/source-encoding` (a warning for desktop commits, whose message
    says "secrets were looked for in both readings"), and the live key reaches main (exit 0)."""
    server, work = _server(tmp_path)
    work.commit("deploy script\n", {"bin/deploy.py": SWALLOWING_SCRIPT}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert "secrets/aws-access-key" in result.output


def test_decode_python_source_reads_what_the_interpreter_runs() -> None:
    """Unit form: the declared reading must hold the key Python runs (e.g. decode what follows the cookie line
    separately, as tok_underflow_file does, or strictly and report a decoding error as not scanned)."""
    encoding = python_source_encoding(SWALLOWING_SCRIPT)
    assert encoding == "unicode_escape"
    decoded = decode_python_source(SWALLOWING_SCRIPT, encoding)
    assert AWS_KEY in decoded.text or AWS_KEY in (decoded.alternate or ""), decoded


# -- 2. `python -x`: the first line is skipped, so the cookie may sit on line 2 below a line of code --------------
#
# `python -x script` ("skip the first line of the source, allowing use of non-Unix forms of #!cmd": the documented
# Windows .cmd/.bat polyglot, `@python -x "%~f0" %* & exit /b`) hands the tokenizer the file from the first
# newline on: its line 1 is empty and the file's line 2 is the tokenizer's line 2, where a cookie counts.
# text.declared_coding sees a line 1 of code and stops looking.

CMD_POLYGLOT = (f"@python -x \"%~f0\" %* & exit /b\n# -*- coding: utf-7 -*-\n"
                f"AWS = '{_utf7('A')}{AWS_KEY[1:]}'\nprint(AWS)\n").encode("ascii")


def test_control_python_dash_x_runs_the_polyglot_as_the_key(tmp_path: Path) -> None:
    (tmp_path / "deploy.cmd").write_bytes(CMD_POLYGLOT)
    out = subprocess.run([sys.executable, "-x", str(tmp_path / "deploy.cmd")], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == AWS_KEY


def test_a_cmd_polyglot_run_with_python_dash_x_hides_its_cookie(tmp_path: Path) -> None:
    """A reviewed phone commit adds `tools/deploy.cmd`: `cmd.exe` runs line 1, which runs `python -x` on the
    file; Python honours the line-2 utf-7 cookie and `AWS` is the key. declared_coding finds no cookie (line 1 is
    code), so there is no scan/source-encoding, the bytes hold `+AEE-KIA…`, and the push reaches main (exit 0)."""
    server, work = _server(tmp_path)
    code, output = _phone_push(server, work, {"tools/deploy.cmd": CMD_POLYGLOT})
    assert code != 0, output


# -- 3. `# coding: punycode`: a quadratic decode of up to max_file_bytes, with no deadline inside it -------------
#
# python_source_encoding names punycode (not ASCII-transparent, a text codec), so _binary_content hands the whole
# blob (up to 2 MiB) to decode_python_source, whose `data.decode("punycode", "replace")` is pure Python and
# quadratic: a run of `9` after a `-` is one generalised integer that never ends (bigint growth), a run of `a`
# one insertion per digit into an ever longer string. Measured here: 256 KiB 8 s, 512 KiB 32 s, 1 MiB 128 s,
# so 2 MiB ~8.5 min per blob, and the deadline is only checked between files. The hook's watchdog ends it
# (fail closed: a refused push), but `gatekeeper check` and the GitHub Action run with no deadline at all: a
# pull request with a handful of such files holds the runner for hours. Python itself refuses such a file
# (it is no Python source), so nothing needs decoding: e.g. bound the declared decode by the time budget, or
# refuse (report unscanned) codecs no Python source can use (punycode, idna).

PUNYCODE_BLOB = b"# coding: punycode\n-" + b"9" * (256 * 1024)


def test_a_punycode_declaration_does_not_cost_seconds_per_quarter_megabyte() -> None:
    encoding = python_source_encoding(PUNYCODE_BLOB)
    started = time.monotonic()
    if encoding is not None:
        decode_python_source(PUNYCODE_BLOB, encoding)
    assert time.monotonic() - started < 2.0, f"{encoding}: {time.monotonic() - started:.1f}s for 256 KiB"


# -- 4. `gatekeeper audit`: a protected branch's name is printed as is ----------------------------------------------
#
# README: "A secret in a commit's subject, identities or trailer values, in a ref's name or in a push option is
# redacted in everything the gate prints or keeps (every report format …)". history.run_audit keeps the protected
# tips' ref names in Summary.protected_refs; render.summary_dict copies them into the summary's `protected_refs`
# and render_text into its first line, but _redacted_lists reads only the _LISTS (subjects, authors, paths…).
# A branch `release/<token>` (a protected glob of the built-in policy) comes out whole in the text report and the
# JSON summary; `--rev-range release/<token>` puts it into the JSON header's `range` too.

def test_a_token_in_a_protected_branch_name_is_redacted_in_the_audit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.leak_helpers import audit_all, gk, leaked, token_maker
    from tests.repo_builder import RepoBuilder

    token = token_maker(2626)()
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    repo.git("branch", f"release/{token}")
    shown = audit_all(capsys, repo)
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "json", "--no-progress",
                   "--rev-range", f"release/{token}")
    shown["json --rev-range (header)"] = (code, json.dumps({k: v for k, v in json.loads(out).items() if k != "commits"}))
    assert {fmt: code for fmt, (code, _) in shown.items()} == dict.fromkeys(shown, 0)
    assert not [fmt for fmt, (_, text) in shown.items() if leaked(token, text)]


# -- 5. The decision log's commit index is outside the chain: `log verify` passes, `audit` reports the edit --------
#
# docs/audit.md: `log verify` "names any record that was edited … deleted … reordered"; `audit --log` adds "to each
# commit the records that judged it" — "which decision admitted this commit". The join (sqlite_store.admissions)
# reads the `decision_commits` table, a plain (sha, repository, seq) index written beside the records and covered
# by no hash; admission_from_body takes the decision from the record's body but never checks that the body (or
# its digest-checked verdict) names the commit. decisionlog.verify never reads the index. One INSERT makes a
# refused push's commit read as admitted by an `allow` decision (and one DELETE hides which decision let a commit
# in), and `log verify` exits 0.

def test_an_edited_commit_index_is_named_by_log_verify_and_not_joined_by_audit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import json
    import sqlite3

    from gatekeeper.audit.decisionlog import Entry, open_log
    from tests.leak_helpers import gk
    from tests.repo_builder import RepoBuilder

    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    refused = repo.commit("from the phone, unreviewed\n", {"app.py": "x = 1\n"})
    other = "f" * 40
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    store.append(Entry(repository="acme/app", mode="pre-receive", event="decision", decision="block", exit_code=1,
                       commits=(refused,), blocking_rules=("review/missing",)))
    store.append(Entry(repository="acme/app", mode="pre-receive", event="decision", decision="allow", exit_code=0,
                       commits=(other,)))
    store.close()
    db = sqlite3.connect(log)
    db.execute("DELETE FROM decision_commits WHERE sha = ?", (refused,))
    db.execute("INSERT INTO decision_commits (sha, repository, seq) VALUES (?, 'acme/app', 2)", (refused,))
    db.commit()
    db.close()

    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "json", "--no-progress", "--log", str(log))
    assert code == 0
    joined = {c["sha"]: c["decisions"] for c in json.loads(out)["commits"]}[refused]
    verify_code, verify_out = gk(capsys, "log", "verify", "--log", str(log))
    # Either the edit is named, or the report does not state it: record #2 (allow) never judged this commit.
    assert verify_code != 0 or [(d["seq"], d["decision"]) for d in joined] != [(2, "allow")], (verify_out, joined)


def _index_log(tmp_path: Path) -> tuple[Path, str, str]:
    from gatekeeper.audit.decisionlog import Entry, open_log

    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    first, second = "a" * 40, "b" * 40
    store.append(Entry(repository="acme/app", mode="pre-receive", event="decision", decision="block", exit_code=1,
                       commits=(first,)))
    store.append(Entry(repository="acme/app", mode="pre-receive", event="decision", decision="allow", exit_code=0,
                       commits=(second,)))
    store.close()
    return log, first, second


def _verify_problems(log: Path) -> list[str]:
    from gatekeeper.audit.decisionlog import open_log, verify

    store = open_log(str(log))
    try:
        return [p.message for p in verify(store, "acme/app").problems]
    finally:
        store.close()


def test_log_verify_names_each_kind_of_index_edit(tmp_path: Path) -> None:
    """A row moved to another record, a row deleted, a row naming a record that never was: each is named."""
    import sqlite3

    log, first, second = _index_log(tmp_path)
    assert _verify_problems(log) == []
    db = sqlite3.connect(log)
    db.execute("UPDATE decision_commits SET seq = 2 WHERE sha = ?", (first,))
    db.execute("DELETE FROM decision_commits WHERE sha = ?", (second,))
    db.execute("INSERT INTO decision_commits (sha, repository, seq) VALUES (?, 'acme/app', 9)", ("c" * 40,))
    db.commit()
    db.close()
    found = _verify_problems(log)
    assert any("does not list" in p for p in found), found  # record 2 does not list `first`
    assert any("no row in the commit index" in p for p in found), found  # record 1's and 2's commits lost rows
    assert any("names a record that does not exist" in p for p in found), found
