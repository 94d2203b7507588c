"""Red team red98: code the head scanners (semgrep, bandit) are run on and yet never judge — with no word to anyone.

Each finding test fails on w/red98 at 411d12c for the reason its docstring names, and asserts the secure behaviour
(it passes once fixed). Real repositories (tests/repo_builder.py), the real `gatekeeper check` as CI runs it (the
local mode: semgrep and bandit are deferred from the pre-receive hook to CI by the built-in policy), the real semgrep
with the shipped rules and the real bandit. The policy scans every commit with `[semgrep, bandit]` and blocks at
high, so nothing but the scanners decides.

Findings:

1. HIGH — scan/themes.py `one_per_line`: a bandit finding of a "superseded" test (B602, B605, B307, B102, B202,
   B308, B608, B703) is dropped for EVERY commit semgrep scanned, whether or not one of our rules flagged that line.
   Our rules do not cover everything bandit does: `subprocess.Popen("ls " + arg, shell=1)` is command injection
   that bandit reports HIGH/HIGH (B602) and `python-subprocess-shell-true` misses (it wants `shell=True`); the
   finding is thrown away and the commit is allowed with no finding at all.
2. MEDIUM — scan/workspace.py `Workspace._shebang` / scan/head.py `HeadScanner._scan`: an executable script is
   read by its `#!` line only when its name has NO extension and the line names exactly `python…` or `node`.
   `deploy.sh` starting `#!/usr/bin/env python3`, an extensionless uv script (`#!/usr/bin/env -S uv run
   --script`, the form uv's docs give), or a bun / deno script are dropped from the code scanners silently: no
   finding, no `scan/*` note that they were not read ("nothing goes unscanned without the pusher being told").

Tried and held (no test): CR-only (classic Mac) line ends in a .py file — semgrep parses partially but says so
(`scan/parse-error`, which the `unscanned` policy governs); CRLF; `#!/usr/bin/python3` and `#!/usr/bin/env node`
on extensionless files; `shell=<name bound to True>` (semgrep's constant propagation finds it); `os.popen`,
`subprocess.getoutput`/`getstatusoutput` (python-os-system-non-literal); `tarfile.extractall` in every form.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.hook_helpers import TEST_POLICY
from tests.scan_helpers import check_commit

# Every commit (desktop or mobile) is scanned by semgrep and bandit and blocks at high; no review, no zone decides.
CODE_POLICY = TEST_POLICY.replace(
    "mobile: {scanners: [], block_at: high, review: {approvals: 1}}",
    "mobile: {scanners: [semgrep, bandit], block_at: high}",
).replace("default: {scanners: [], block_at: critical}", "default: {scanners: [semgrep, bandit], block_at: high}")

PY_PAYLOAD = ("import subprocess\nimport sys\n\n"
              "subprocess.call('ls ' + sys.argv[1], shell=True)\n"
              "eval(sys.argv[2])\n")
JS_PAYLOAD = ("const cp = require('child_process');\n"
              "function run(req) { cp.exec('ls ' + req.query.dir); }\n"
              "module.exports = run;\n")


def _check(tmp_path: Path, files: dict[str, str], executable: bool = False) -> tuple[int, dict[str, Any]]:
    """Dana's one commit of `files` on top of a README, judged by the real `gatekeeper check --format json`."""
    code, verdict = check_commit(tmp_path, files, CODE_POLICY, executable=executable)
    if executable:
        modes = git_ls_tree(tmp_path / "repo")
        for rel in files:
            assert any(line.startswith("100755") and line.endswith("\t" + rel) for line in modes.splitlines()), modes
    return code, verdict


def git_ls_tree(repo: Path) -> str:
    return subprocess.run(["git", "ls-tree", "-r", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout


def _rules(verdict: dict[str, Any]) -> list[tuple[str, str | None, int | None, bool]]:
    return [(f["rule_id"], f.get("path"), f.get("line"), bool(f.get("blocking"))) for f in verdict["findings"]]


# -- 1. a bandit finding thrown away because semgrep "covers" the test — on a line semgrep did not flag ---------------

SHELL_ONE = ("import subprocess\nimport sys\n\n"
             "def listing(directory):\n"
             "    return subprocess.Popen('ls ' + directory, shell=1, stdout=subprocess.PIPE).communicate()[0]\n\n"
             "print(listing(sys.argv[1]))\n")


def test_control_the_same_injection_with_shell_true_is_blocked(tmp_path: Path) -> None:
    """Control (passes): `shell=True` instead of `shell=1` — semgrep's own rule fires and blocks."""
    code, verdict = _check(tmp_path, {"tools/listing.py": SHELL_ONE.replace("shell=1", "shell=True")})
    assert verdict["decision"] == "block" and code == 1, _rules(verdict)
    assert any(r[0] == "semgrep/python-subprocess-shell-true" and r[2] == 5 for r in _rules(verdict)), _rules(verdict)


def test_bandits_b602_on_a_line_semgrep_missed_is_not_dropped_as_superseded(tmp_path: Path) -> None:
    """Attack: the commit adds `subprocess.Popen('ls ' + directory, shell=1, ...)` — command injection of the
    caller's argument through a shell; `1` is as true as `True` to subprocess. bandit, which the policy runs, reports
    B602 (subprocess_popen_with_shell_equals_true) at HIGH severity / HIGH confidence on line 5 (premise asserted
    below with bandit itself). Our semgrep rule `python-subprocess-shell-true` matches only `shell=True`, so semgrep
    reports nothing. scan/themes.py `one_per_line` drops every finding of a SUPERSEDED_BANDIT test (B602 is one) for
    any commit semgrep scanned — not only where one of our rules stands on the line — so the verdict is `allow`
    with NO finding: the injection passes two scanners that were both run, and nobody is told.

    Severity: high — a HIGH/HIGH finding of a scanner the policy requires is discarded; the gate is weaker with
    semgrep AND bandit than with bandit alone.

    Secure behaviour: blocked (bandit/B602 on line 5). Fix idea: drop a superseded bandit finding only where one of
    our rules reported that commit/file/line (the `key in best` branch), or only for lines semgrep parsed AND whose
    construct our rule models; never commit-wide."""
    workspace = tmp_path / "premise"
    workspace.mkdir()
    (workspace / "listing.py").write_text(SHELL_ONE)
    raw = subprocess.run([sys.executable, "-I", "-m", "bandit", "-f", "json", "-q", "listing.py"], cwd=workspace,
                         capture_output=True, text=True, check=False, timeout=120)
    found = [(r["test_id"], r["issue_severity"], r["issue_confidence"], r["line_number"])
             for r in json.loads(raw.stdout)["results"]]
    assert ("B602", "HIGH", "HIGH", 5) in found, found

    code, verdict = _check(tmp_path, {"tools/listing.py": SHELL_ONE})
    assert verdict["stats"]["scanners"]["bandit"]["ran"] and verdict["stats"]["scanners"]["semgrep"]["ran"]
    assert verdict["decision"] == "block", f"command injection bandit rates HIGH/HIGH passed: {_rules(verdict)}"
    assert code == 1
    assert any(r[0] in ("bandit/B602", "semgrep/python-subprocess-shell-true") and r[2] == 5 and r[3]
               for r in _rules(verdict)), _rules(verdict)


# -- 2. executable scripts named by their #! line, which the code scanners never read ---------------------------------


def test_control_an_extensionless_python_script_is_scanned(tmp_path: Path) -> None:
    """Control (passes): `bin/tool` starting `#!/usr/bin/env python3` is handed to semgrep as Python."""
    code, verdict = _check(tmp_path, {"bin/tool": "#!/usr/bin/env python3\n" + PY_PAYLOAD}, executable=True)
    assert verdict["decision"] == "block" and code == 1, _rules(verdict)


SCRIPTS = {
    # A shell-named file that is a Python program: `./scripts/deploy.sh` runs python3 (the kernel reads the #! line).
    "python-in-a-dot-sh": ("scripts/deploy.sh", "#!/usr/bin/env python3\n" + PY_PAYLOAD),
    # uv's documented way to make a self-contained executable Python script (PEP 723 inline metadata).
    "uv-run-script": ("scripts/release",
                      "#!/usr/bin/env -S uv run --script\n# /// script\n# dependencies = []\n# ///\n" + PY_PAYLOAD),
    # The same JavaScript the `#!/usr/bin/env node` control would block, run by bun / deno.
    "bun": ("bin/serve", "#!/usr/bin/env bun\n" + JS_PAYLOAD),
    "deno": ("bin/serve", "#!/usr/bin/env -S deno run --allow-all\n" + JS_PAYLOAD),
}


@pytest.mark.parametrize("kind", sorted(SCRIPTS))
def test_an_executable_script_is_scanned_in_the_language_its_interpreter_line_names_or_reported(
        tmp_path: Path, kind: str) -> None:
    """Attack: the commit adds an executable (mode 100755) script whose `#!` line runs Python or JavaScript — the
    same payload the controls block (`subprocess.call('ls ' + argv, shell=True)` + `eval(argv)`, or
    `cp.exec('ls ' + req.query.dir)`). scan/head.py `HeadScanner._scan` hands the code scanners only files whose
    extension they want, plus extensionless ones; scan/workspace.py `Workspace._shebang` then keeps an extensionless
    file only when its `#!` line has a word `python[digits.]` or `node` preceded by `/` or a space. So a `.sh` file
    that is Python, `#!/usr/bin/env -S uv run --script`, `#!/usr/bin/env bun` and `#!/usr/bin/env -S deno run`
    scripts are dropped: the verdict is `allow` with no finding and no note that a program was not scanned.

    Severity: medium — executable code of a language the rules cover reaches a protected branch unread by the code
    scanners, silently (DESIGN §7 / §10: "nothing goes unscanned without the pusher being told").

    Secure behaviour: the script is scanned as the language its interpreter runs (blocked here), or at least a
    `scan/*` finding names it as not scanned."""
    path, text = SCRIPTS[kind]
    code, verdict = _check(tmp_path, {path: text}, executable=True)
    named = [r for r in _rules(verdict) if r[1] == path]
    assert named, f"{path} ({kind}) is neither scanned nor reported as unscanned: {_rules(verdict)}"
    assert verdict["decision"] == "block" or any(r[0].startswith("scan/") for r in named), _rules(verdict)
