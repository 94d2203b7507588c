"""Red team red112: attacks on 38ddc05 (red111's fixes): `_code_value` / `_in_text` / `_CMDLET_PARAMETER`
(scan/secrets.py), the new and changed rules in rules/secrets.yml (yaml-env-flow-password, dotnet-setting-password,
xml-*, yaml-block-*, powershell-plaintext-password), and scan/embedded.py `_python` / `_PYTHON_CELL`.

Each finding test fails on w/red112 (= main 38ddc05) for the reason its docstring names and asserts the secure
behaviour. Secrets tests run the real SecretDetector with the shipped rules, and the HIGH one also the real
`gatekeeper check` on a real commit (SECRETS_ONLY_POLICY); notebook tests run the real `gatekeeper check` with real
semgrep and bandit (ALL_SCANNERS_POLICY). Secret-shaped values are built by concatenation at run time. "Before" =
38ddc05~1 (a detached worktree run through PYTHONPATH).

Findings:

1. HIGH (miss, regression of 38ddc05) — scan/secrets.py `_code_value`: `_CMDLET_PARAMETER` makes a Verb-Noun-shaped
   value "a cmdlet call, code" in ANY file whenever ` -x` follows it. A password of the shape the function's own
   docstring calls a password (`<Word-Word2024>`; also what Bitwarden's two-word passphrase with capitals and a
   number gives, `<Word-Word7>`) on an ordinary command line, where the next flag follows, is dropped:
   `mysql --user=root --password=<pw> -h db.internal` (.sh, a workflow's `run:`), `sqlcmd -S db -U sa -P <pw> -d
   app` (README), `docker login -u bot -p <pw> -e x registry` (.sh). Before 38ddc05 all four were reported
   (cli-password / cli-short-password); now none is, by the detector or by `gatekeeper check` (measured). The same
   line without the trailing flag is still reported, so a committer only has to order the flags. Fix: a trailing
   parameter says "cmdlet" only where the value is assigned PowerShell-style (`Name = Verb-Noun -P …`), not as the
   argument of a flag (the name preceded by `-`/`--`, or the cli-* rules).
2. MEDIUM (miss, red111 finding 3 incomplete) — scan/embedded.py `_PYTHON_CELL`: `%%file job.py` (IPython registers
   `file` as an alias of `writefile`: IPython/core/interactiveshell.py `register_alias('file', 'writefile', 'cell')`),
   `%%writefile --append job.py` (the long form of `-a`), and `%%script --bg python3` / `%%script --out log python3`
   (%%script's options come before the command, as its argparse usage says) run or write Python, but the cell is
   dropped as another language: its os.system reaches neither semgrep nor bandit. Fix: accept `file` beside
   `writefile`, `(?:-a|--append)`, and `(?:[ \\t]+--?[\\w-]+(?:[ \\t]+[^-\\s]\\S*)?)*` options before the command.
3. LOW (false positive, regression of 38ddc05) — scan/secrets.py `_code_value` checks `_in_text` BEFORE the cmdlet
   test, so a PowerShell statement inside a quoted string — the usual way a one-line PowerShell command is stored in
   JSON (`.vscode/tasks.json` "command") or a quoted YAML scalar — is text again even though the `$token = ` before
   it made it code before 38ddc05: `"command": "$token = Get-AzAccessToken -ResourceUrl …"` is a generic-secret,
   `script: "$password = Get-AzKeyVaultSecret -VaultName kv -Name db"` a HIGH generic-password (both nothing before).
   Measured on this machine's mirrors (2,340 YAML, 142 .ps1/.psm1 files): no occurrence, so LOW. Fix: run the
   `$var`/cmdlet-with-parameter test first (a cmdlet call with a parameter is code even inside a string that is
   PowerShell), or count quotes only for JS/TS.
4. LOW (false positive, regression of 38ddc05) — `_in_text` takes a line starting with `#` for a comment in every
   language, so a JS/TS private class field declaration, `#signingKey: Uint8Array;` (red108's own example with a
   `#`), is a generic-secret again. Measured: 0 of 16,900 real .ts/.tsx/.js/.mjs files on this machine change
   (157 private-field lines, none with a secret word and a mixed-case type), so LOW. Fix: in script sources a
   leading `#` followed by an identifier is a private name, not a comment.

Tried and held (no test): `_in_text` can only make a value "text" (returns False from `_code_value`), so it cannot
drop a credential by itself; real-file effect of 38ddc05 on 16,900 JS/TS + 2,340 YAML + 261 XML + 142 PowerShell
files from the mirrors' HEADs: one new finding (`"secret-token-1234"` in continue's manual-testing-sandbox, the
intended `_WORD_COUNTER` narrowing), nothing gone; hostile 100 KB / 1 MB lines for xml-password / xml-secret (value-
before-key look-ahead with 150-char attributes between, `<value>` + padded CDATA + `]` runs), yaml-env-flow-password
(unclosed quoted/unquoted values, `\\x` runs, 60-char names), dotnet-setting-password (200-char attribute runs),
yaml-block-password / -secret (quoted next-line scalars of backslash pairs), powershell-plaintext-password (`-AsPlain:`
switch values, `(` runs, the pipeline form): all linear (ratio 9.7-13.6 for 10x input), worst 215 ms/MB for the
PowerShell regex alone, at most 0.6 s/MB through the detector's keyword windows; `_python`: a kernel named for R
with R languages stays R, `myproject`+python / `conda-env-ml-py` read, `%%writefile job.pyx` (Cython) not read
(correct), `%%script python3 --bg` and `%%python3` read.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gatekeeper.scan.secrets import SecretDetector
from tests.scan_helpers import ALL_SCANNERS_POLICY, SECRETS_ONLY_POLICY, check_commit

WORD_WORD = "Summer-" + "Time2024"
PASSPHRASE = "Crane-" + "Gravity7"


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


def _rules(detector: SecretDetector, path: str, text: str) -> list[str]:
    return sorted(h.rule_id for h in detector.scan_text(text, path=path))


# -- 1. a Word-Word password on a command line followed by another flag ------------------------------------------------

COMMAND_LINES = {
    "deploy.sh": "mysql --user=root --password={} -h db.internal\n",
    ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: mysql --user=root --password={} -h 127.0.0.1\n",
    "README.md": "    sqlcmd -S db -U sa -P {} -d app\n",
    "scripts/login.sh": "docker login -u bot -p {} -e x registry.example.com\n",
}


@pytest.mark.parametrize("value", [WORD_WORD, PASSPHRASE])
@pytest.mark.parametrize("path", sorted(COMMAND_LINES))
def test_a_password_followed_by_another_flag_is_reported(detector: SecretDetector, path: str, value: str) -> None:
    """Finding 1 (regression of 38ddc05): `_CMDLET_PARAMETER` reads `<Word-Word> -h` as a cmdlet called with a
    parameter, in any file, and drops the password. Reported before 38ddc05. Secure: a finding."""
    assert _rules(detector, path, COMMAND_LINES[path].format(value)), f"{path}: password dropped as a cmdlet call"


def test_control_the_same_line_without_a_trailing_flag_is_reported(detector: SecretDetector) -> None:
    """Control for 1: with the flags ordered the other way the same password is reported."""
    assert _rules(detector, "deploy.sh", f"mysql -h db.internal --user=root --password={WORD_WORD}\n")


@pytest.fixture(scope="module")
def command_line_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = {p: t.format(WORD_WORD) for p, t in COMMAND_LINES.items()}
    _code, verdict = check_commit(tmp_path_factory.mktemp("cli"), files, SECRETS_ONLY_POLICY)
    return verdict


def test_gatekeeper_check_reports_the_command_line_passwords(command_line_verdict: dict[str, Any]) -> None:
    """Finding 1 through the front door: a commit of the four command lines; `gatekeeper check` reports none of
    them (all four before 38ddc05). Secure: a secrets finding in each file."""
    found = {f["path"] for f in command_line_verdict["findings"] if str(f["rule_id"]).startswith("secrets/")}
    assert found >= set(COMMAND_LINES), f"not reported: {sorted(set(COMMAND_LINES) - found)}"


# -- 3./4. false alarms 38ddc05 brought back ---------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "line"), [
    (".vscode/tasks.json", '      "command": "$token = Get-AzAccessToken -ResourceUrl https://vault.azure.net",\n'),
    ("azure-pipelines.yml", '  - task: PowerShell@2\n    inputs:\n      targetType: inline\n'
                            '      script: "$password = Get-AzKeyVaultSecret -VaultName kv -Name db"\n'),
])
def test_a_quoted_powershell_statement_is_code(detector: SecretDetector, path: str, line: str) -> None:
    """Finding 3 (regression of 38ddc05): `_in_text` (an odd `"` before the name) runs before the `$var` / cmdlet
    test, so a PowerShell assignment from a cmdlet call stored in a JSON or quoted YAML string is a secret finding.
    Nothing before 38ddc05. Secure: no finding."""
    assert _rules(detector, path, line) == []


def test_a_typescript_private_field_type_is_code(detector: SecretDetector) -> None:
    """Finding 4 (regression of 38ddc05): `_in_text` reads the leading `#` of a private field as a comment, so
    `#signingKey: Uint8Array;` is a generic-secret (nothing before). Secure: no finding."""
    text = "export class Signer {\n  #signingKey: Uint8Array;\n  constructor() {}\n}\n"
    assert _rules(detector, "src/signer.ts", text) == []


# -- 2. notebook cells that run or write Python ------------------------------------------------------------------------

def _notebook(first: str) -> str:
    source = [first + "\n", "import os\n", "\n", "def run(cmd):\n", "    os.system(\"tar xf \" + cmd)\n",
              "\n", "run(input())\n"]
    document = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
                           "source": source}, {"cell_type": "code", "execution_count": 2, "metadata": {},
                                               "outputs": [], "source": ["%run job.py\n"]}],
                "metadata": {"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1) + "\n"


CELLS = {
    "nb/control.ipynb": "%%writefile job.py",
    "nb/file-alias.ipynb": "%%file job.py",
    "nb/append-long.ipynb": "%%writefile --append job.py",
    "nb/script-bg.ipynb": "%%script --bg python3",
    "nb/script-out.ipynb": "%%script --out log python3",
}


@pytest.fixture(scope="module")
def cells(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = {p: _notebook(first) for p, first in CELLS.items()}
    _code, verdict = check_commit(tmp_path_factory.mktemp("cells"), files, ALL_SCANNERS_POLICY)
    return verdict


def _code_findings(verdict: dict[str, Any], path: str) -> list[str]:
    return sorted(f["rule_id"] for f in verdict["findings"]
                  if f.get("path") == path and str(f["rule_id"]).startswith(("semgrep/", "bandit/")))


def test_control_a_writefile_cell_is_read(cells: dict[str, Any]) -> None:
    """Control for 2: `%%writefile job.py` (38ddc05) is read: its os.system is reported."""
    assert _code_findings(cells, "nb/control.ipynb")


@pytest.mark.parametrize("path", ["nb/file-alias.ipynb", "nb/append-long.ipynb", "nb/script-bg.ipynb",
                                  "nb/script-out.ipynb"])
def test_a_python_cell_magic_with_another_spelling_is_read(cells: dict[str, Any], path: str) -> None:
    """Finding 2: `%%file` (IPython's alias of writefile), `--append`, and `%%script` options before `python3` do
    not match `_PYTHON_CELL`: the cell is dropped as another language, no note. Secure: os.system reported as in
    the control."""
    assert _code_findings(cells, path), f"{path}: the cell's os.system is not reported"
