"""Red team 49: what else in the scanning path lets pushed content steer a scanner or go unscanned silently.

Every test is an attack by a pusher, made with real repositories, real pushes into a bare repository that
carries the installed pre-receive hook, and the real bandit / semgrep. Each asserts the secure behaviour,
so it fails until the hole is closed.
"""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import DANA, make_server, seed, spush
from tests.test_red48_hostile import BANDIT_POLICY, SHELL

# A file name that is a gate-chosen option value of bandit (`-x`, see gatekeeper/scan/bandit.py
# _EXCLUDE_NOTHING) when it is a substring of the pushed path.
EXCLUDED_PATH = "vendor/dev/null/gatekeeper-excludes-nothing/app.py"


def _seeded(tmp_path: Path, policy: str):  # type: ignore[no-untyped-def]
    server = make_server(tmp_path / "srv", policy=policy)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    seed(server, work)
    return server, work


# -- 1. bandit's "exclude nothing" pattern is a substring match on the pushed path ---------------------------------

def test_a_path_holding_the_exclude_pattern_is_not_skipped_by_bandit(tmp_path: Path) -> None:
    """Attack: gatekeeper/scan/bandit.py (BanditScanner.argv, l.99; _EXCLUDE_NOTHING, l.42) replaces
    bandit's default excludes with `-x /dev/null/gatekeeper-excludes-nothing`, on the belief that "this
    pattern matches no workspace path". But bandit (core/manager.py `_is_file_included`) excludes a file
    when the pattern matches it as a glob OR is a *substring* of the path — and the workspace writes the
    pushed path as it is (workspace.unsafe_reason has nothing against `dev/null/...` components). The pusher
    commits `subprocess.call(cmd, shell=True)` (B602, high) as
    `vendor/dev/null/gatekeeper-excludes-nothing/app.py`: bandit silently leaves the file out (it is not in
    `results`, `errors` or `metrics`; the gate does not check what bandit actually scanned), caches it as
    clean, and the push is accepted with no finding and no word to the pusher. The name is in the public
    source, so any pusher can use it, for any number of files (`.../gatekeeper-excludes-nothing.py`,
    `.../gatekeeper-excludes-nothingness/x.py` all work).

    Severity: high — content that should block passes silently (the design's "nothing goes unscanned without
    the pusher being told"), at will, in explicit and directory mode alike; the clean result is also cached.

    Secure behaviour: the pushed file is scanned and B602 blocks the push. (Fix: do not use `-x` with a
    string a workspace path can contain — e.g. a path under RESERVED_DIR that unsafe_reason makes impossible,
    or a component the workspace refuses — and check that every target bandit was handed appears in its
    `metrics`, else `scan/file-skipped` / fail closed.)"""
    server, work = _seeded(tmp_path, BANDIT_POLICY)
    base = work.head()
    work.commit("vendored helper\n", {EXCLUDED_PATH: SHELL}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and server.tip() == base, (
        "bandit skipped the pushed file whose path holds the exclude pattern; the push was accepted:\n"
        + result.output)
    assert "B602" in result.output, result.output


# -- 2. directory mode: what the tool leaves out of a directory walk is never noticed ------------------------------

def _filler(count: int) -> dict[str, str]:
    """`count` harmless Python files with ~1000-byte paths: together over head.MAX_ARGV_BYTES (512 KiB) of
    names, so the scanners are handed the workspace directory instead of one argument per file."""
    deep = "/".join(c * 190 for c in "abcde")
    return {f"{deep}/f{n:04d}.py": f"VALUE_{n} = {n}\n" for n in range(count)}


def test_directory_mode_does_not_skip_a_python_file_silently(tmp_path: Path) -> None:
    """Attack: the pusher adds ~560 harmless Python files with long (legal, <1024-byte) paths — 540 KB of
    names, over gatekeeper/scan/head.py MAX_ARGV_BYTES — so BanditScanner.run_batch (bandit.py:104) runs
    `bandit -r .` over the workspace instead of naming each file. Among them is `TOOLS.PY` with
    `subprocess.call(cmd, shell=True)` (B602). The gate wants it (`safe_extension` lowercases, so `.PY` is
    Python to BanditScanner.wants) and the workspace writes it as `TOOLS.PY`; but bandit's directory walk
    only takes files matching its `*.py`/`*.pyw` globs, case-sensitively (fnmatch on POSIX), so it is never
    opened. Nothing checks which files bandit scanned in this mode (bandit.py `_convert` only reads
    `results`/`errors`); the file is cached as clean and the push is accepted without a word. semgrep's
    directory mode has the same gap: semgrep.py:_convert cross-checks `paths.scanned` only `if explicit`.

    Severity: high — a file the gate chose to scan goes unscanned silently, at the pusher's choice (a push of
    many files is ordinary: a vendored package, generated code).

    Secure behaviour: TOOLS.PY is scanned and B602 blocks the push. (Fix: never rely on a tool's own walk —
    write targets under names the tools accept (lower-case extension / alias), pass a file list (bandit and
    semgrep both accept `--target-list`-style input or several batches under ARG_MAX), and in every mode
    check that each target appears among the scanned files (bandit `metrics`, semgrep `paths.scanned`),
    reporting `scan/file-skipped` or failing closed.)"""
    server, work = _seeded(tmp_path, BANDIT_POLICY)
    base = work.head()
    files = _filler(560)
    files["TOOLS.PY"] = SHELL
    work.commit("vendor a package\n", files, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and server.tip() == base, (
        "TOOLS.PY was not scanned by bandit's directory walk and the push was accepted:\n" + result.output[-2000:])
    assert "B602" in result.output or "TOOLS.PY" in result.output, result.output[-2000:]


# -- 3. a symlink to a pushed file: the code Python runs is scanned by nobody --------------------------------------

def test_a_python_symlink_to_a_pushed_text_file_is_scanned(tmp_path: Path) -> None:
    """Attack: the pusher commits the B602 code as `data/payload.txt` (not a Python file: bandit and semgrep
    do not want it, so it is never materialised) and a symlink blob `tools/run.py -> ../data/payload.txt`
    (mode 120000). Checked out, `python tools/run.py` / `import run` executes the payload. The workspace
    (gatekeeper/scan/workspace.py:materialise, l.218) records every symlink as `scan/symlink-skipped`, which
    is INFO (catalogue.py:166) and never blocks; the target's content is scanned by no head scanner at all.
    The push is accepted; the pusher's terminal says only "push accepted" (the INFO finding is in the audit
    log alone).

    Severity: medium — a scanner is steered to a wrong (clean) result; the pusher gets a finding of some
    kind, but one no policy blocks on, for code that would otherwise block.

    Secure behaviour: the push is blocked — a link whose target is a blob in the same pushed tree is
    resolved in the object store (never on the file system) and that blob is scanned under the link's name
    (so B602 blocks), or a symlink with a scanned extension is itself a blocking finding.
    (Fix: in HeadScanner/_scan, for a 120000 entry with a wanted name, resolve the link text against the
    head tree with `git cat-file`/`ls-tree` and add the target blob as an Entry under the link's path;
    otherwise raise `scan/symlink-skipped` to at least the policy's block_at.)"""
    import os

    server, work = _seeded(tmp_path, BANDIT_POLICY)
    base = work.head()
    work.write("data/payload.txt", SHELL)
    (work.path / "tools").mkdir()
    os.symlink("../data/payload.txt", work.path / "tools" / "run.py")
    work.git("add", "-A")
    work.git("commit", "-q", "-m", "runner\n", env={"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1],
                                                   "GIT_COMMITTER_NAME": DANA[0], "GIT_COMMITTER_EMAIL": DANA[1]})
    assert "120000" in work.git("ls-tree", "-r", "HEAD", "tools/")
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and server.tip() == base, (
        "the Python symlink's target was scanned by nobody and the push was accepted:\n" + result.output)


# -- controls: attacks that held -----------------------------------------------------------------------------------

def test_control_a_pushed_bandit_ini_does_not_switch_off_a_test(tmp_path: Path) -> None:
    """Control (holds today): bandit reads a project `.bandit` ini it finds by walking its targets
    (cli/main.py `_get_options_from_ini`), which could `skips: B602` or `exclude:` the code. The workspace
    renames `.bandit` (workspace.TOOL_CONTROL_FILES) — and an extensionless file is only written when its
    `#!` line names python, under a generated `.py` name — so the pushed ini is never seen as one; B602
    still blocks. (Also checked by hand: semgrep scans `.git/x.py`, `sub/.git/y.py`, `node_modules/`,
    `tests/` targets in both modes; a UTF-8 BOM or latin-1 bytes do not hide a semgrep finding.)"""
    server, work = _seeded(tmp_path, BANDIT_POLICY)
    base = work.head()
    ini = "#!/usr/bin/env python\n[bandit]\nskips: B602,B404\nexclude: ./app.py\n"
    work.commit("settings\n", {".bandit": ini, "sub/.bandit": ini, "app.py": SHELL}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and server.tip() == base, result.output
    assert "B602" in result.output, result.output
