"""Red team 51: what still lets pushed content pass the secrets, semgrep and bandit scans silently.

Every test is an attack by a pusher, made with real repositories, real pushes into a bare repository that
carries the installed pre-receive hook (or the real `gatekeeper check`), and the real scanners. Each asserts
the secure behaviour, so it fails until the hole is closed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.hook_helpers import DANA, TEST_POLICY, spush
from tests.test_red48_hostile import BANDIT_POLICY, SHELL
from tests.test_red49_hostile import _seeded

SEMGREP_POLICY = TEST_POLICY.replace(
    "mobile: {scanners: [], block_at: high, review: {approvals: 1}}", "mobile: {scanners: [semgrep], block_at: high}"
).replace("default: {scanners: [], block_at: critical}", "default: {scanners: [semgrep], block_at: high}").replace(
    "pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}",
    "pre_receive: {budget_seconds: 4.5, scanners: [semgrep], defer: []}")


# -- 1. semgrep: a file flooded past semgrep's match cap, armed by a later change nobody scans ---------------------

# The dangerous lines, then 10,001 more matches of a shipped rule: semgrep's per-file match cap (10,000) is passed
# and semgrep throws away every result of the file.
DANGER_JS = ("const cp = require('child_process');\n"
             "function run(req) { cp.exec('ls ' + req.query.dir); document.write(req.query.q); }\n")
PADDING_JS = "if (false) {\n" + "".join(f"  eval(input{n});\n" for n in range(10_001)) + "}\n"


def _checks(tmp_path: Path, policy: str, steps: list[dict[str, str]],
            before: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The real `gatekeeper check` of each commit in turn (base = the commit before it), as a CI job or the
    Action checks each push or pull-request update (the local mode: no 4.5 s hook budget, so a tool/timeout
    cannot hide what the scanner itself does)."""
    from tests.repo_builder import RepoBuilder

    repo = RepoBuilder.init(tmp_path / "repo")
    (tmp_path / "policy.yml").write_text(policy)
    base = repo.commit("base\n", before or {"README.md": "x\n"}, author=DANA, committer=DANA)
    verdicts = []
    for n, files in enumerate(steps):
        repo.commit(f"step {n}\n", files, author=DANA, committer=DANA)
        proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(tmp_path / "policy.yml"),
                               "--format", "json", "--base", base], cwd=repo.path, capture_output=True, text=True,
                              check=False, timeout=300)
        try:
            verdicts.append(dict(json.loads(proc.stdout)))
        except ValueError:
            raise AssertionError(proc.stdout + proc.stderr) from None
        base = repo.head()
    return verdicts


# Fixed: a finding on a line the range did not add counts as pre-existing only when the tool finds it in the
# file's version before the range too (scan/head.py HeadScanner._earlier).


def test_semgrep_match_cap_then_unpadding_does_not_pass_silently(tmp_path: Path) -> None:
    """Attack, in two changes. Change 1 adds `web/app.js` with command injection and an XSS sink, then 10,001
    dead `eval(input)` calls: past semgrep's per-file cap of 10,000 matches semgrep discards EVERY result of
    the file (all rules) and reports only a warn-level "Too many matches" error. gatekeeper/scan/semgrep.py
    `_convert` (l.327-331) makes that a MEDIUM `scan/incomplete` ("findings in it may be missed"), which
    follows the policy's `unscanned` (default rule set: warn): accepted with a warning. Change 2 deletes the
    padding. semgrep now reports the exec/document.write findings, but HeadScanner (gatekeeper/scan/head.py)
    keeps only findings on lines the range added, and those lines were added by change 1 — dropped as
    pre-existing. The change is accepted with no finding and no word: the dangerous lines were never
    checked by semgrep in any run that was judged.

    Severity: high — code the shipped rules block (critical eval, high exec) passes; the only signal was an
    earlier non-blocking note about a file that "may" have missed findings.

    Secure behaviour: the second change blocks (findings in a file whose earlier version the gate could not
    check fully count as introduced), or the first one does. (Fix: for a touched file whose base blob had a
    scan/incomplete or scan/parse-error — look it up in the scan cache or re-run the tool on the base blob —
    do not filter the head's findings by added lines; or make a per-file "Too many matches" block.)"""
    first, second = _checks(tmp_path, SEMGREP_POLICY, [{"web/app.js": DANGER_JS + PADDING_JS},
                                                       {"web/app.js": DANGER_JS}])
    assert "block" in (first["decision"], second["decision"]), (
        "semgrep's match cap hid the dangerous lines and removing the padding armed them silently:\n"
        + json.dumps([first["findings"], second["findings"]]))


# -- 2. bandit: code hidden behind a syntax error goes live in a later push that nobody scans -----------------------

BROKEN_TAIL = "\n\ndef unfinished(:\n"  # one line of Python no interpreter parses


def test_code_behind_a_parse_error_is_checked_when_the_file_becomes_valid(tmp_path: Path) -> None:
    """Attack, in two pushes. Push 1 adds `tools/run.py` with `subprocess.call(cmd, shell=True)` (B602, high)
    followed by one line that does not parse (`def unfinished(:`). bandit reports the file only as an error
    ("syntax error while parsing AST"), which gatekeeper/scan/bandit.py `_convert` (l.166-170) makes a LOW
    `scan/parse-error`; that rule follows the policy's `unscanned` (default rule set: warn), so the push is
    accepted with a warning that says the file "was not checked". Push 2 deletes the broken line: the file
    now parses and bandit finds B602 — but HeadScanner keeps only findings on lines the range added
    (gatekeeper/scan/head.py, module docstring and the added-lines filter), and the B602 line was added by
    push 1, so the finding is dropped as "pre-existing". The push that makes the dangerous code runnable is
    accepted with no finding and no word at all; the code was never checked by bandit in any push.
    (On a mobile rule set push 1 is blocked only on a protected ref — policy._unscanned — so both steps go
    through a feature branch and main is then fast-forwarded with no new commits.)

    Severity: high — content that should block passes; the one warning came earlier, about a file that
    could not run, and the change that arms it is silent.

    Secure behaviour: the push that makes the file parse is blocked by B602 (a finding on a line that no
    earlier accepted scan could check counts as introduced: when a file's version before the range was a
    bandit/semgrep parse error, keep all its findings), or push 1 is already blocked. (Fix: in HeadScanner,
    for each touched file whose base blob is a recorded parse error / uncheckable, do not filter by added
    lines; or make `scan/parse-error` from bandit block at the rule set's block_at.)"""
    server, work = _seeded(tmp_path, BANDIT_POLICY)
    work.commit("runner, work in progress\n", {"tools/run.py": SHELL + BROKEN_TAIL}, author=DANA, committer=DANA)
    first = spush(server, work, "origin", "main")
    work.commit("finish runner\n", {"tools/run.py": SHELL}, author=DANA, committer=DANA)
    armed = work.head()
    second = spush(server, work, "origin", "main")
    assert server.tip() != armed, (
        "B602 hidden behind a parse error in push 1 went live in push 2 without a finding:\n--- push 1\n"
        + first.output + "\n--- push 2\n" + second.output)


# -- 3. semgrep: a UTF-16 file under the size cap is over semgrep's cap once the workspace transcodes it ----------

MOBILE_SEMGREP_POLICY = SEMGREP_POLICY.replace("undeclared: desktop", "undeclared: mobile")


def test_a_transcoded_utf16_file_semgrep_skips_is_not_only_a_low_note(tmp_path: Path) -> None:
    """Attack: the pusher commits `web/app.js` as UTF-16 with a byte-order mark (a browser runs it as such):
    the command-injection / XSS lines, then a comment of 750,000 CJK characters — 1.5 MB as committed, under
    the 2 MiB scan limit (workspace.DEFAULT_MAX_FILE_BYTES), so the workspace accepts it and transcodes it to
    UTF-8 for the tools. In UTF-8 each of those characters takes 3 bytes: 2.25 MB, over semgrep's
    `--max-target-bytes` (semgrep.py:246, max_file_bytes + 1), so semgrep skips the explicitly named file.
    `_convert` (semgrep.py:345) reports that as a LOW `scan/file-skipped` — on the belief that an explicit
    skip is "one past its size limit (said, LOW)" — and `scan/file-skipped` is not in models.UNSCANNED_RULES,
    so even the mobile rule set's `unscanned: block` on a protected ref does not apply: a mobile push to main
    passes with a warning and the code is never checked.

    Severity: medium — partial coverage told only as a non-blocking note, where the policy says unscanned
    content from a mobile device blocks.

    Secure behaviour: the range is blocked (mobile, protected ref, content no code scanner read). (Fix: size
    `--max-target-bytes` to the workspace file actually written (or drop it: the workspace already caps
    blobs), and add `scan/file-skipped` to UNSCANNED_RULES so policy `unscanned` governs it.)"""
    text = DANGER_JS + "// " + "\u4e2d" * 750_000 + "\n"
    data = text.encode("utf-16")
    assert len(data) < 2 * 1024 * 1024 < len(text.encode("utf-8"))
    (verdict,) = _checks(tmp_path, MOBILE_SEMGREP_POLICY, [{"web/app.js": data}])  # type: ignore[dict-item]
    assert verdict["commits"][0]["mobile"] and "refs/heads/main" in verdict["commits"][0]["refs"], verdict["commits"]
    assert verdict["decision"] == "block", json.dumps(verdict["findings"])


# -- control ---------------------------------------------------------------------------------------------------

def test_control_the_secrets_scanner_checks_a_file_that_was_too_large_before(tmp_path: Path) -> None:
    """Control (holds today): the same two-step against the secrets scanner. Push 1 adds a 3 MB file whose
    first line is an AWS key (over the 2 MiB cap: `scan/file-too-large`, a warning); push 2 cuts the file down
    to that line. The secrets scanner treats content it could not read before as introduced, so push 2 is
    blocked by `secrets/aws-access-key` — what the head scanners (tests 1 and 2) do not do."""
    from tests.hook_helpers import KEY_LINE, SECRETS_POLICY

    server, work = _seeded(tmp_path, SECRETS_POLICY)
    pad = "".join(f"row {n} " + "z" * 60 + "\n" for n in range(45_000))
    work.commit("data\n", {"conf/settings.ini": KEY_LINE + pad}, author=DANA, committer=DANA)
    first = spush(server, work, "origin", "main")
    assert "scan/file-too-large" in first.output, first.output
    work.commit("trim\n", {"conf/settings.ini": KEY_LINE}, author=DANA, committer=DANA)
    armed = work.head()
    second = spush(server, work, "origin", "main")
    assert server.tip() != armed and "secrets/aws-access-key" in second.output, second.output
