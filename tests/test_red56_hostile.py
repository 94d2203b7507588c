"""Red team red56: what still passes the head scanners (semgrep, bandit) after the red51 fix, where a finding on a
line the range did not add is dropped as "pre-existing" only when the file's version at the range's boundary has
the same rule on the same whitespace-normalised code (scan/head.py HeadScanner._earlier / _findings / _material).

Each test but the control FAILS on the code at the time of writing, for the reason its docstring names, and asserts
the secure behaviour (it passes once fixed). Real repositories, the real `gatekeeper check` (the CI / Action path:
semgrep runs in the pre-receive hook only under its 5 s budget, which it cannot meet, so the default policy defers
it to CI — as tests/test_red51_hostile.py does for the same reason), the real semgrep with the shipped rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.test_red51_hostile import SEMGREP_POLICY
from tests.test_red51_hostile import _checks as red51_checks


def _checks(tmp_path: Path, policy: str, before: dict[str, str], steps: list[dict[str, str]]) -> list[dict[str, Any]]:
    """`before` is the repository the gate is adopted on (never judged); then the real `gatekeeper check` of each
    step in turn with the previous step as its base, as CI checks each push to main (red51's runner)."""
    return red51_checks(tmp_path, policy, steps, before)


def _rules(verdict: dict[str, Any]) -> list[tuple[str, int | None, bool]]:
    return [(f["rule_id"], f.get("line"), bool(f.get("blocking"))) for f in verdict["findings"]]


# -- 1. the red51 two-step still works when the file already has one finding with the same code -----------------------

# A legacy route handler that predates the gate (pre-existing findings are exactly what the added-lines rule is for).
LEGACY_JS = ("const cp = require('child_process');\n"
             "\n"
             "function legacyReport(req, res) {\n"
             "  cp.exec('ls ' + req.query.dir);\n"
             "}\n")
# The new handler, the same line of code; semgrep's error recovery drops everything after `{{{{{{{{`.
NEW_HANDLER_JS = ("\n"
                  "function browse(req, res) {\n"
                  "  cp.exec('ls ' + req.query.dir);\n"
                  "}\n")
BREAKAGE_JS = "\nconst pending = {{{{{{{{\n"


def test_code_hidden_behind_a_partial_parse_is_not_dropped_because_the_file_has_the_same_line_elsewhere(
        tmp_path: Path) -> None:
    """Attack, in two changes, on a file that already holds one pre-existing finding (`legacyReport`, line 4:
    `cp.exec('ls ' + req.query.dir)`, which predates the gate). Change 1 appends `const pending = {{{{{{{{` and then
    a new handler `browse` whose body is the SAME line of code. semgrep's tree-sitter error recovery keeps the part
    before the breakage (line 4 is still found: dropped as pre-existing, correctly) and silently loses everything
    after it; semgrep reports a `PartialParsing` warning, which semgrep.py `_convert` makes a LOW
    `scan/parse-error` (the policy's `unscanned`, default rule set: warn). Change 1 is accepted with a warning.
    Change 2 deletes the breakage line: semgrep now reports the two command-injection rules on `browse`'s line,
    which change 2 did not add. HeadScanner._earlier (gatekeeper/scan/head.py) scans the version before the range
    (change 1's head) to see whether it "had" the finding — and it does, as the set of (rule, whitespace-normalised
    code) pairs `_material` builds, because line 4 of `legacyReport` is the same text. `_findings` drops the new
    finding as pre-existing: change 2 is accepted with no finding at all, and the new injectable handler was never
    checked in any judged run. (This is exactly the red51 attack the fix was for; partial parsing is even easier
    than the match cap, and it works for any file that already has one finding whose code the attacker copies.)

    Severity: medium-high — critical/high shipped rules bypassed; it needs one pre-existing finding in the file
    (common right after adoption, and the code to copy is the attacker's choice), and the only signal is a LOW
    parse-error warning on an earlier change.

    Secure behaviour: the second change blocks (or the first). (Fix: compare a finding with the base by position,
    not only by text — map the head line to its base line through the diff (the line is not added, so git maps
    it) and require the base finding on THAT line; or count occurrences per (rule, material) and drop at most as
    many head findings as the base had; and treat a base version with a `scan/parse-error` / `scan/incomplete` as
    having no findings after the error's start.)"""
    first, second = _checks(tmp_path, SEMGREP_POLICY, {"web/report.js": LEGACY_JS},
                            [{"web/report.js": LEGACY_JS + BREAKAGE_JS + NEW_HANDLER_JS},
                             {"web/report.js": LEGACY_JS + NEW_HANDLER_JS}])
    # The attack's premise: change 1 hid the handler (only the parse-error note), nothing blocked it.
    assert first["decision"] != "block" and "scan/parse-error" in json.dumps(first["findings"]), _rules(first)
    assert "block" in (first["decision"], second["decision"]), (
        "the handler hidden behind a partial parse went live with no finding, dropped as 'pre-existing' because the "
        f"legacy handler has the same line of code:\n{_rules(first)}\n{_rules(second)}")


def test_control_the_same_two_step_without_a_legacy_twin_is_blocked(tmp_path: Path) -> None:
    """Control (holds today): the same two changes on a file whose pre-existing code has no finding with the same
    text (the legacy handler runs a fixed command). The base scan does not have the finding, so change 2 is blocked
    — the red51 fix works; only the text collision of test 1 defeats it."""
    legacy = LEGACY_JS.replace("cp.exec('ls ' + req.query.dir);", "cp.execFile('ls', ['-l']);")
    first, second = _checks(tmp_path, SEMGREP_POLICY, {"web/report.js": legacy},
                            [{"web/report.js": legacy + BREAKAGE_JS + NEW_HANDLER_JS},
                             {"web/report.js": legacy + NEW_HANDLER_JS}])
    assert first["decision"] != "block", _rules(first)
    assert second["decision"] == "block", _rules(second)
