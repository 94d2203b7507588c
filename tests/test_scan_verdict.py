"""Scanner findings through the engine and policy: inline ignores, policy ignores, expiry, baseline, CLI."""

from __future__ import annotations

import datetime as dt
import json
import random
import string
import time
from pathlib import Path

import click
import pytest

from gatekeeper.cli_scan import baseline, list_rules, rules
from gatekeeper.errors import ToolError
from gatekeeper.models import Decision, Severity
from gatekeeper.modes.local import run_check
from gatekeeper.scan import SCANNER_NAMES, build_scanners
from gatekeeper.scan.cache import ResultCache
from gatekeeper.scan.secrets_scanner import SecretsScanner
from gatekeeper.scan.semgrep import SemgrepScanner
from gatekeeper.scan.workspace import interpreter_language
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import evaluate_range, policy, write_rules

AWS_KEY = "AKIA" + "Z7QH4M2XKJ5RTW3P"


def _group() -> click.Group:
    group = click.Group("gatekeeper")
    group.add_command(rules)
    group.add_command(baseline)
    return group


def invoke(*args: str) -> object:
    return _group().main(args=list(args), prog_name="gatekeeper", standalone_mode=False)


def test_registry_is_complete_and_matches_the_policy_names() -> None:
    from gatekeeper.config import SCANNERS

    scanners = build_scanners(policy())
    assert tuple(scanners) == SCANNER_NAMES == SCANNERS
    assert all(s.name == name for name, s in scanners.items())


def test_inline_ignore_is_suppressed_in_the_verdict(repo: RepoBuilder, tmp_path: Path) -> None:
    """With `inline_ignore: {refuse: []}` the change's own comments may hide content findings."""
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": f"KEY = '{AWS_KEY}'  # gatekeeper: ignore[secrets/*]\n",
                      "b.py": "eval(x)  # gatekeeper: ignore[semgrep/test-python-eval]\n"})
    scanners = {"secrets": SecretsScanner(),
                "semgrep": SemgrepScanner(rules_dir=write_rules(tmp_path / "rules"),
                                          cache=ResultCache(tmp_path / "cache"))}
    pol = policy("inline_ignore: {refuse: []}\n", scanners="secrets, semgrep")
    verdict = evaluate_range(repo.path, base, scanners, pol)
    assert [f.rule_id for f in verdict.findings if f.rule_id.startswith(("secrets/", "semgrep/"))] == []
    reasons = {s.finding.rule_id: s.reason for s in verdict.suppressed}
    assert reasons == {"secrets/aws-access-key": "inline: gatekeeper: ignore[secrets/*]",
                       "semgrep/test-python-eval": "inline: gatekeeper: ignore[semgrep/test-python-eval]"}
    assert verdict.decision is not Decision.BLOCK


@pytest.mark.parametrize("comment", ["ignore[*]", "ignore[secrets/*]", "ignore[secrets/aws-access-key]",
                                     "ignore[ * , semgrep/x ]"])
def test_default_policy_refuses_inline_ignores_of_secrets(repo: RepoBuilder, comment: str) -> None:
    """Issue #9 item 20: the pusher's own comment does not silence a live key; the finding says why."""
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": f"KEY = '{AWS_KEY}'  # gatekeeper: {comment}\n"})
    verdict = evaluate_range(repo.path, base, {"secrets": SecretsScanner()})
    assert verdict.decision is Decision.BLOCK and not verdict.suppressed
    (finding,) = [f for f in verdict.findings if f.rule_id == "secrets/aws-access-key"]
    assert finding.blocking
    assert "not honoured: policy inline_ignore.refuse names 'secrets'" in finding.message


def test_inline_refusal_by_rule_glob(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"b.py": "eval(x)  # gatekeeper: ignore[*]\n"})
    scanners = {"semgrep": SemgrepScanner(rules_dir=write_rules(tmp_path / "rules"),
                                          cache=ResultCache(tmp_path / "cache"))}
    pol = policy("inline_ignore: {refuse: [semgrep/test-*]}\n", scanners="semgrep")
    verdict = evaluate_range(repo.path, base, scanners, pol)
    assert not verdict.suppressed
    assert any(f.rule_id == "semgrep/test-python-eval" and "semgrep/test-*" in f.message for f in verdict.findings)


def test_inline_ignore_for_another_rule_does_not_suppress(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": f"KEY = '{AWS_KEY}'  # gatekeeper: ignore[semgrep/*]\n"})
    verdict = evaluate_range(repo.path, base, {"secrets": SecretsScanner()})
    assert verdict.decision is Decision.BLOCK and not verdict.suppressed


IGNORE = """\
ignore:
  - {rule: "secrets/aws-*", paths: ["fixtures/**"], reason: "documented test fixtures", expires: %s}
"""


def test_policy_ignore_with_reason(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"fixtures/keys.py": f"KEY = '{AWS_KEY}'\n", "app.py": f"KEY = '{AWS_KEY}'\n"})
    verdict = evaluate_range(repo.path, base, {"secrets": SecretsScanner()}, policy(IGNORE % "2099-01-01", scanners="secrets"),
                             today=dt.date(2026, 6, 1))
    (suppressed,) = verdict.suppressed
    assert suppressed.finding.path == "fixtures/keys.py"
    assert suppressed.reason == "ignore: documented test fixtures (until 2099-01-01)"
    assert [(f.rule_id, f.path) for f in verdict.blocking] == [("secrets/aws-access-key", "app.py")]


def test_expired_policy_ignore_stops_applying(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"fixtures/keys.py": f"KEY = '{AWS_KEY}'\n"})
    verdict = evaluate_range(repo.path, base, {"secrets": SecretsScanner()}, policy(IGNORE % "2026-01-31", scanners="secrets"),
                             today=dt.date(2026, 6, 1))
    assert not verdict.suppressed and verdict.decision is Decision.BLOCK
    assert {"secrets/aws-access-key", "policy/ignore-expired"} <= {f.rule_id for f in verdict.findings}


POLICY_WITH_BASELINE = """\
version: 1
origins: {undeclared: mobile}
protected_refs: []
rules:
  mobile: {scanners: [secrets, semgrep, bandit], block_at: high}
  default: {scanners: [secrets], block_at: critical}
baseline: .gatekeeper/baseline.json
"""


@pytest.mark.slow
def test_baseline_round_trip_through_the_cli(repo: RepoBuilder) -> None:
    base = repo.commit("base", {".gatekeeper.yml": POLICY_WITH_BASELINE})
    repo.commit("debt", {"legacy.py": f"import sys\nKEY = '{AWS_KEY}'\nresult = eval(sys.argv[1])\n"})
    # The policy already names the baseline file, which does not exist yet: the command creates it.
    assert invoke("baseline", "--repo", str(repo.path), "--base", base) == 0
    data = json.loads((repo.path / ".gatekeeper" / "baseline.json").read_text())
    assert data["version"] == 1 and data["fingerprints"] and "T" in data["generated"]
    accepted = run_check(repo.path, base, None, None)
    assert accepted.decision is not Decision.BLOCK
    assert {s.reason for s in accepted.suppressed} == {"baseline"}
    # eval(): bandit B307 and our rule flag the same line and theme — one finding, ours
    assert {"secrets/aws-access-key", "semgrep/python-eval-exec-non-literal"} <= {s.finding.rule_id for s in accepted.suppressed}
    # A new finding is not covered by the baseline...
    repo.commit("new", {"fresh.py": "import os\nos.system('rm -rf ' + os.environ['X'])\n"})
    fresh = run_check(repo.path, base, None, None)
    assert fresh.decision is Decision.BLOCK
    assert {f.path for f in fresh.blocking} == {"fresh.py"}
    # ...and regenerating keeps what the old baseline already accepted.
    assert invoke("baseline", "--repo", str(repo.path), "--base", base) == 0
    assert set(data["fingerprints"]) < set(json.loads(
        (repo.path / ".gatekeeper" / "baseline.json").read_text())["fingerprints"])


def test_baseline_refuses_an_incomplete_scan() -> None:
    from gatekeeper.cli_scan import baseline_fingerprints
    from gatekeeper.errors import ToolError
    from gatekeeper.models import Finding, Severity, Stats, Verdict

    ok = Finding("semgrep/x", Severity.HIGH, "m").with_fingerprint("a")
    failed = Finding("tool/semgrep-failed", Severity.HIGH, "semgrep failed: killed").with_fingerprint("semgrep")
    verdict = Verdict(Decision.BLOCK, (), (), (ok,), (), Stats())
    assert baseline_fingerprints(verdict) == [ok.fingerprint]
    with pytest.raises(ToolError, match="incomplete scan"):
        baseline_fingerprints(Verdict(Decision.BLOCK, (), (), (ok, failed), (), Stats()))


def test_rules_list_names_every_scanner(capsys: pytest.CaptureFixture[str]) -> None:
    ids = {r.id for r in list_rules()}
    assert "secrets/aws-access-key" in ids and "bandit/B*" in ids
    assert len([i for i in ids if i.startswith("semgrep/")]) >= 30
    assert invoke("rules", "list") == 0
    out = capsys.readouterr().out
    assert "secrets/aws-access-key" in out and "semgrep/" in out
    line = next(x for x in out.splitlines() if x.startswith("semgrep/js-command-injection-user-input "))
    assert line.split()[1:4] == ["critical", "CWE-78", "js,ts"], line
    assert invoke("rules", "list", "--format", "json") == 0
    rules_json = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    rule = rules_json["semgrep/python-asyncio-subprocess-shell"]
    assert rule["cwe"] == "CWE-78" and rule["languages"] == ["python"] and rule["theme"] == "command-injection"
    assert rule["owasp"].startswith("A03:2021")


@pytest.mark.slow
def test_rules_test_passes_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_rules(tmp_path / "good")
    (good / "test-rules.py").write_text("# ruleid: test-python-eval\neval(x)\n# ok: test-python-eval\neval('1')\n")
    (good / "test-rules.js").write_text("// ruleid: test-js-eval\neval(x);\n")
    assert invoke("rules", "test", "--rules-dir", str(good)) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out
    (good / "test-rules.py").write_text("# ok: test-python-eval\neval(x)\n")
    assert invoke("rules", "test", "--rules-dir", str(good)) == 1
    assert "FAIL test-python-eval" in capsys.readouterr().out


def test_rules_test_bad_rules_dir_is_a_usage_or_config_error(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from gatekeeper.cli import run
    from gatekeeper.cli_scan import run_rule_tests
    from gatekeeper.errors import ConfigError, UsageError

    missing = tmp_path / "nonexistent"
    assert run(["rules", "test", "--rules-dir", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"{missing}: no such directory" in err
    assert "fix: pass the directory holding the semgrep rule files" in err
    assert "semgrep --test" not in err and "--config is required" not in err  # ours, not semgrep's

    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "notes.txt").write_text("not a rule\n")
    (empty / "x.test.yml").write_text("rules: []\n")  # a test file is not a rule file
    assert run(["rules", "test", "--rules-dir", str(empty)]) == 3
    err = capsys.readouterr().err
    assert f"config error: no semgrep rules in {empty}" in err and "fix: " in err

    # the plain function says the same, whatever semgrep is (never run: executable is a dummy)
    with pytest.raises(UsageError, match="no such directory"):
        run_rule_tests(missing, executable="/nonexistent/semgrep")
    with pytest.raises(UsageError, match="not a directory"):
        run_rule_tests(empty / "sub" / "notes.txt", executable="/nonexistent/semgrep")
    with pytest.raises(ConfigError, match="no semgrep rules in"):
        run_rule_tests(empty, executable="/nonexistent/semgrep")


def test_rules_test_help_documents_its_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    from gatekeeper.cli import run

    assert run(["rules", "test", "--help"]) == 0
    out = capsys.readouterr().out
    assert "exit 1: a rule test failed" in out
    assert "exit 2: usage error" in out and "exit 3: no semgrep rules" in out


def test_extensionless_scripts_are_scanned_by_their_shebang(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"README": "hi\n"})
    repo.commit("tools", {
        # os.system: one finding (ours and bandit's agree on the line); md5 of data: bandit's alone
        "bin/deploy": "#!/usr/bin/env python3\nimport hashlib\nimport os\n\ndef run(x):\n    os.system('ls ' + x)\n"
                      "    return hashlib.md5(x.encode()).hexdigest()\n",
        "bin/build": "#!/bin/sh\necho hi\n",
        "NOTICE": "plain text, no shebang\n",
    })
    scanners = build_scanners(policy(), cache_dir=tmp_path / "cache")
    verdict = evaluate_range(repo.path, base, {k: scanners[k] for k in ("semgrep", "bandit")})
    found = {(f.rule_id.split("/")[0], f.path) for f in verdict.findings}
    assert ("semgrep", "bin/deploy") in found and ("bandit", "bin/deploy") in found
    assert not {p for _, p in found if p in ("bin/build", "NOTICE")}  # not for these tools, and no skip noise


def test_executable_scripts_are_scanned_in_the_language_their_interpreter_line_runs(repo: RepoBuilder,
                                                                                     tmp_path: Path) -> None:
    """red98: an executable's `#!` line decides its language whatever its name; a shell script stays the secrets
    scanner's alone (no parse-error noise from the code scanners), and a non-executable `.sh` is read by its name."""
    base = repo.commit("base", {"README": "hi\n"})
    python = ("#!/usr/bin/env -S uv run --script\nimport hashlib\nimport os\n\ndef run(x):\n    os.system('ls ' + x)\n"
              "    return hashlib.md5(x.encode()).hexdigest()\n")  # (md5: bandit's alone, as above)
    for rel, text in {"scripts/deploy.sh": python, "scripts/build.sh": "#!/bin/sh\nls $1 | wc -l\n",
                      "scripts/plain.sh": python, "tools/serve.cgi": "#!/usr/bin/env -S deno run -A\n"
                      "import { exec } from 'node:child_process';\nexport function h(req) {\n"
                      "  exec('ls ' + req.query.dir);\n}\n"}.items():
        repo.write(rel, text)
        if rel != "scripts/plain.sh":
            (repo.path / rel).chmod(0o755)
        repo.git("add", "--", rel)
    repo.commit("tools")
    scanners = build_scanners(policy(), cache_dir=tmp_path / "cache")
    verdict = evaluate_range(repo.path, base, {k: scanners[k] for k in ("semgrep", "bandit")})
    found = {(f.rule_id.split("/")[0], f.path) for f in verdict.findings}
    assert ("semgrep", "scripts/deploy.sh") in found and ("bandit", "scripts/deploy.sh") in found, found
    assert ("semgrep", "tools/serve.cgi") in found, found
    assert not {p for _, p in found if p in ("scripts/build.sh", "scripts/plain.sh")}, found


def test_an_executable_runs_what_its_interpreter_line_names_over_its_name(repo: RepoBuilder, tmp_path: Path) -> None:
    """Review of red98's fix: an executable `helper.py` whose `#!` line runs node is JavaScript (read as Python it
    was a low parse error and its injection passed), and forty `-i` options before `python3` (env runs it) do not
    hide the interpreter (a cap on the words read did)."""
    base = repo.commit("base", {"README": "hi\n"})
    files = {"tools/helper.py": "#!/usr/bin/env node\nconst cp = require('child_process');\n"
                                "function h(req) { cp.exec('ls ' + req.query.dir); }\nmodule.exports = h;\n",
             "bin/tool": "#!/usr/bin/env -S " + "-i " * 40 + "python3\nimport os\nimport sys\n\n"
                         "os.system('ls ' + sys.argv[1])\n"}
    for rel, text in files.items():
        repo.write(rel, text)
        (repo.path / rel).chmod(0o755)
        repo.git("add", "--", rel)
    repo.commit("tools")
    scanners = build_scanners(policy(), cache_dir=tmp_path / "cache")
    verdict = evaluate_range(repo.path, base, {k: scanners[k] for k in ("semgrep", "bandit")})
    found = {(f.rule_id, f.path) for f in verdict.findings}
    assert ("semgrep/js-child-process-exec-interpolated", "tools/helper.py") in found, found
    assert ("semgrep/python-os-system-non-literal", "bin/tool") in found, found
    assert not any(rule.startswith("scan/") for rule, _ in found), found  # neither read as the wrong language


def test_making_a_script_executable_is_judged_in_the_language_it_now_runs(repo: RepoBuilder, tmp_path: Path) -> None:
    """Review: `helper.py` holding JavaScript under a node `#!` line, pushed plain (read as Python: a parse error),
    then only `chmod +x` in a second push. The kernel now runs node; its injection is no pre-existing finding of
    a version nothing could read as JavaScript."""
    repo.commit("base", {"README": "hi\n"})
    first = repo.commit("helper", {"tools/helper.py": "#!/usr/bin/env node\nconst cp = require('child_process');\n"
                                                      "function h(req) { cp.exec('ls ' + req.query.dir); }\n"
                                                      "module.exports = h;\n"})
    (repo.path / "tools/helper.py").chmod(0o755)
    repo.git("add", "tools/helper.py")
    repo.commit("make it executable")
    scanners = build_scanners(policy(), cache_dir=tmp_path / "cache")
    verdict = evaluate_range(repo.path, first, {k: scanners[k] for k in ("semgrep", "bandit")})
    assert "semgrep/js-child-process-exec-interpolated" in {f.rule_id for f in verdict.findings}, verdict.findings


@pytest.mark.parametrize(("line", "language"), [
    ("#!/usr/bin/env python3", "python"), ("#!/usr/bin/python3.12 -u", "python"), ("#! /usr/bin/env pypy3", "python"),
    ("#!/usr/bin/env -S uv run --script", "python"), ("#!/usr/bin/env -S pipx run", "python"),
    ("#!/usr/bin/env -i PATH=/opt/bin python3", "python"), ("#!/usr/bin/env -u HOME node", "javascript"),
    ("#!/usr/bin/env nodejs", "javascript"), ("#!/usr/bin/env bun", "typescript"),
    ("#!/usr/bin/env -S deno run --allow-all", "typescript"), ("#!/usr/bin/env -S npx tsx", "typescript"),
    ("#!/usr/bin/env -S pnpm dlx ts-node", "typescript"), ("#!/usr/bin/env python3\r", "python"),
    ("#!/usr/bin/env -Spython3", "python"), ("#!/usr/bin/env --split-string=python3", "python"),
    ("#!/usr/bin/env -S --default-signal python3", "python"), ("#!/usr/bin/python3.13t", "python"),
    ("#!/usr/bin/env -S conda run -n tools python", "python"), ("#!/usr/bin/env -S hatch -e dev run python", "python"),
    ("#!/usr/bin/env -S uv --project /srv/app run --script", "python"), ("#!/usr/bin/env -S pyenv exec python3", "python"),
    ("#!/usr/bin/env -S volta run node", "javascript"), ("#!/usr/bin/env -S npm exec --yes -- tsx", "typescript"),
    ("#!/usr/bin/env graalpy", "python"), ("#!/usr/bin/perl -w", None),
    ("#!/bin/sh", None), ("#!/usr/bin/env bash", None), ("#!/usr/bin/env ruby", None), ("#!/usr/bin/env uvx ruff", None),
    ("#!/usr/bin/env", None), ("#!", None), ("# not a shebang python", None),
])
def test_interpreter_language_reads_the_line_as_env_does(line: str, language: str | None) -> None:
    assert interpreter_language(line.encode()) == language


def test_a_literal_key_in_a_ci_definition_blocks(repo: RepoBuilder, tmp_path: Path) -> None:
    """red99: a provider key written into a workflow's `env:` was a medium generic-secret finding, below every
    default threshold; in a CI definition a literal credential is everyone's to read. Elsewhere it stays medium."""
    rng = random.Random(7)
    key = "con-" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(64))
    base = repo.commit("base", {"README": "hi\n"})
    repo.commit("ci", {".github/workflows/pr.yml": f"jobs:\n  d:\n    env:\n      CONTINUE_API_KEY: {key}\n",
                       "config/app.yml": f"continue_api_key: {key[::-1]}\n"})
    scanners = build_scanners(policy(), cache_dir=tmp_path / "cache")
    verdict = evaluate_range(repo.path, base, {"secrets": scanners["secrets"]})
    found = {(f.path, f.rule_id, f.severity) for f in verdict.findings}
    assert (".github/workflows/pr.yml", "secrets/generic-secret", Severity.HIGH) in found, found
    assert ("config/app.yml", "secrets/generic-secret", Severity.MEDIUM) in found, found


def test_baseline_cannot_hide_a_gate_finding(repo: RepoBuilder) -> None:
    """Issue #9 item 21: `tool/*` findings have the same fingerprint in every repository; a hand-added
    baseline entry must not turn a scanner that could not run into an allow."""
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": "x = 1\n"})
    first = evaluate_range(repo.path, base, {}, policy(scanners="secrets"))
    (failed,) = [f for f in first.findings if f.category == "tool"]
    assert failed.blocking
    again = evaluate_range(repo.path, base, {}, policy(scanners="secrets"), baseline=frozenset({failed.fingerprint}))
    assert again.decision is Decision.BLOCK and not again.suppressed
    assert [f.fingerprint for f in again.findings if f.category == "tool"] == [failed.fingerprint]


def test_rules_test_takes_the_native_runner_and_runs_a_hung_python_one_again(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """`semgrep scan --test --experimental` answers first; when it writes no JSON (a rule file it cannot
    parse), the Python runner runs, whose process pool now and then hangs for good: its first attempt is
    held to FIRST_ATTEMPT_SECONDS and a hung run is made again. The stand-in semgrep logs each call."""
    import gatekeeper.cli_scan as cli_scan

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "r.yml").write_text("rules:\n  - id: r\n    pattern: eval(...)\n    message: m\n    languages: [python]\n"
                                 "    severity: ERROR\n")
    calls = tmp_path / "calls"
    answer = json.dumps({"results": {"r.yml": {"checks": {"r": {"passed": True, "matches": {}}}}},
                         "config_missing_tests": [], "config_with_errors": []})
    fake = tmp_path / "semgrep"

    def stand_in(native: str, python: str) -> None:
        fake.write_text(f"#!/bin/sh\necho \"$*\" >> '{calls}'\n"
                        f"case \"$*\" in *--experimental*) {native} ;; *) {python} ;; esac\n")
        fake.chmod(0o755)
        calls.unlink(missing_ok=True)

    monkeypatch.setattr(cli_scan, "FIRST_ATTEMPT_SECONDS", 1.0)
    # The native runner answers: nothing else runs.
    stand_in(f"printf '%s' '{answer}'", "exit 99")
    assert cli_scan.run_rule_tests(rules, executable=str(fake), timeout=30).passed == ("r",)
    assert len(calls.read_text().splitlines()) == 1
    # No JSON from it; the Python runner hangs once (its second call answers).
    marker = tmp_path / "hung-once"
    stand_in("echo 'invalid configuration' >&2; exit 7",
             f"if [ ! -e '{marker}' ]; then : > '{marker}'; exec sleep 60; fi; printf '%s' '{answer}'")
    started = time.monotonic()
    report = cli_scan.run_rule_tests(rules, executable=str(fake), timeout=30)
    assert report.passed == ("r",) and report.ok
    assert len(calls.read_text().splitlines()) == 3 and time.monotonic() - started < 20
    # Hung every time: a clear error once the whole timeout is spent, never a wait beyond it.
    stand_in("exit 7", "exec sleep 60")
    started = time.monotonic()
    with pytest.raises(ToolError, match="semgrep --test did not run"):
        cli_scan.run_rule_tests(rules, executable=str(fake), timeout=3)
    assert time.monotonic() - started < 15


def test_rules_test_fails_on_a_wrong_autofix(tmp_path: Path) -> None:
    """semgrep --test also compares a `fix:` rule's output with `<test>.fixed<ext>`; a mismatch is reported only
    under `fixtest_results` (the rule's own check passes) and exits 1. It was read as a pass."""
    from gatekeeper.cli_scan import run_rule_tests
    from gatekeeper.scan.semgrep import find_semgrep

    if find_semgrep() is None:
        pytest.skip("semgrep is not installed")
    (tmp_path / "r.yml").write_text("rules:\n- id: no-eval\n  pattern: eval($X)\n  fix: safe_eval($X)\n"
                                    "  message: no eval\n  languages: [python]\n  severity: ERROR\n")
    (tmp_path / "r.py").write_text("# ruleid: no-eval\neval(x)\n")
    (tmp_path / "r.fixed.py").write_text("# ruleid: no-eval\nsafe_eval(x)\n")
    good = run_rule_tests(tmp_path, timeout=120)
    assert good.ok and good.passed == ("no-eval",), good
    (tmp_path / "r.fixed.py").write_text("# ruleid: no-eval\nsomething_else(x)\n")
    bad = run_rule_tests(tmp_path, timeout=120)
    assert not bad.ok
    assert bad.failed == ("autofix of r.py: its output differs from the .fixed file",), bad
    # With no .fixed file at all the autofix is untested: said as a missing test, and not a pass.
    (tmp_path / "r.fixed.py").unlink()
    untested = run_rule_tests(tmp_path, timeout=120)
    assert not untested.ok and untested.failed == ()
    assert untested.missing_tests == (f"{tmp_path / 'r.yml'} (its autofix: no .fixed file)",), untested
