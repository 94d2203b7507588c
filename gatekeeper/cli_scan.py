"""Click commands for scanning: `rules test`, `rules list` and `baseline` (registered by gatekeeper.cli).

Thin like the rest of the CLI: parse options, call one function, print, return an ExitCode; errors are
gatekeeper.errors types carrying their fix. The functions doing the work (`run_rule_tests`,
`list_rules`, `write_baseline`) are plain and testable without click.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from gatekeeper.errors import ConfigError, GitError, ToolError, UsageError
from gatekeeper.fsutil import atomic_write
from gatekeeper.models import ExitCode, Severity, Verdict
from gatekeeper.policy import baselineable

DEFAULT_BASELINE = Path(".gatekeeper") / "baseline.json"
# Findings a baseline must never absorb: a scanner that failed or a gate decision is not "accepted debt".


# -- rules test -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RuleTestReport:
    passed: tuple[str, ...]
    failed: tuple[str, ...]  # "rule-id: expected lines [...], got [...]"
    missing_tests: tuple[str, ...]
    config_errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (self.failed or self.missing_tests or self.config_errors) and bool(self.passed)


FIRST_ATTEMPT_SECONDS = 180.0  # the Python runner takes ~35 s over the shipped rules on two cores


def run_rule_tests(rules_dir: Path | None = None, executable: str | None = None,
                   timeout: float = 600.0) -> RuleTestReport:
    """`semgrep --test` over our rules (each rule's sibling file with `# ruleid:` / `# ok:` lines), offline.

    semgrep's native runner (`--experimental`) goes first: the same JSON in 0.5 s instead of ~35 s, and no
    process pool. It writes no JSON when a rule file does not parse; then the Python runner, which names
    the file and the error (`config_with_errors`), runs instead. That runner forks a multiprocessing pool
    from a parent that already runs threads, and now and then a worker hangs on a lock it inherited held
    (the parent then waits for good): its first attempt is held to FIRST_ATTEMPT_SECONDS, and a hung run is
    made again in the time left."""
    from gatekeeper.scan.common import ToolRun, run_tool, tool_env
    from gatekeeper.scan.semgrep import default_rules_dir, find_semgrep

    rules = rules_dir or default_rules_dir()
    _check_rules_dir(rules)
    semgrep = executable or find_semgrep()
    if semgrep is None:
        raise ToolError("semgrep is not installed", "pip install gatekeeper (it depends on semgrep)")
    tail = ["--json", "--metrics=off", "--disable-version-check", "--", str(rules)]
    deadline = time.monotonic() + timeout

    def attempt(argv: list[str], seconds: float) -> ToolRun:
        with tempfile.TemporaryDirectory(prefix="gatekeeper-semgrep-home-") as home:
            return run_tool(argv, cwd=Path(home), env=tool_env(Path(home)), timeout=max(seconds, 1.0))

    run = attempt([semgrep, "scan", "--test", "--experimental", *tail], min(timeout, FIRST_ATTEMPT_SECONDS))
    data = _json_object(run.stdout) if not (run.start_error or run.timed_out) else None
    if run.start_error:
        raise ToolError(f"semgrep --test did not run: {run.describe()}", "check `semgrep --version`")
    if data is None:
        for number in (1, 2):
            left = deadline - time.monotonic()
            seconds = min(left, FIRST_ATTEMPT_SECONDS) if number == 1 else left
            run = attempt([semgrep, "scan", "--test", *tail], seconds)
            if not run.timed_out:
                break
        if run.start_error or run.timed_out:
            raise ToolError(f"semgrep --test did not run: {run.describe()}", "check `semgrep --version`")
        data = _json_object(run.stdout)
        if data is None:
            raise ToolError(f"semgrep --test gave no JSON: {run.describe()}", "run `semgrep scan --test` on the "
                            "rules directory to see the problem")
    return _rule_test_report(data)


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _check_rules_dir(rules: Path) -> None:
    """Say what is wrong with the directory before semgrep does (its messages name neither it nor the fix)."""
    from gatekeeper.scan.semgrep import rule_files

    fix = ("pass the directory holding the semgrep rule files (*.yml) and their annotated tests, or omit "
           "--rules-dir to test the rules gatekeeper ships")
    if not rules.exists():
        raise UsageError(f"{rules}: no such directory", fix)
    if not rules.is_dir():
        raise UsageError(f"{rules}: not a directory", fix)
    try:
        found = rule_files(rules)
    except OSError as exc:
        raise ConfigError(f"{rules}: cannot read the rules directory: {exc.strerror or exc}",
                          "make the directory readable") from None
    if not found:
        raise ConfigError(f"no semgrep rules in {rules}",
                          "put the rule files (*.yml, each with a `rules:` list) there with their test files "
                          "beside them, or pass the directory that holds them")


def _rule_test_report(data: dict[str, Any]) -> RuleTestReport:
    passed: list[str] = []
    failed: list[str] = []
    results = data.get("results") if isinstance(data.get("results"), dict) else {}
    for _config, body in sorted((results or {}).items()):
        checks = body.get("checks") if isinstance(body, dict) else None
        for check_id, check in sorted((checks or {}).items()):
            if isinstance(check, dict) and check.get("passed") is True:
                passed.append(check_id)
                continue
            detail = []
            matches = check.get("matches") if isinstance(check, dict) else None
            for target, match in sorted((matches or {}).items()):
                if isinstance(match, dict):
                    detail.append(f"{Path(target).name}: expected {match.get('expected_lines')}, "
                                  f"reported {match.get('reported_lines')}")
            failed.append(f"{check_id}: " + ("; ".join(detail) or "failed"))
    # A rule with `fix:` is tested against its `<test>.fixed<ext>` too: semgrep exits 1 for a wrong autofix, and
    # says so only here (its checks above still pass).
    fixtests = data.get("fixtest_results") if isinstance(data.get("fixtest_results"), dict) else {}
    for target, result in sorted((fixtests or {}).items()):
        if not (isinstance(result, dict) and result.get("passed") is True):
            failed.append(f"autofix of {Path(str(target)).name}: its output differs from the .fixed file")
    missing = tuple(str(m) for m in data.get("config_missing_tests") or [])
    # A `fix:` rule with no `<test>.fixed<ext>` beside its test: its autofix is never checked (semgrep exits 0).
    missing += tuple(f"{m} (its autofix: no .fixed file)" for m in data.get("config_missing_fixtests") or [])
    errors = tuple(json.dumps(e)[:300] for e in data.get("config_with_errors") or [])
    return RuleTestReport(tuple(passed), tuple(failed), missing, errors)


# -- rules list -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    severity: str
    description: str
    cwe: str = ""
    languages: tuple[str, ...] = ()
    theme: str = ""
    owasp: str = ""
    confidence: str = ""
    kind: str = ""  # where the rule comes from: "secrets", "semgrep", "bandit" (rule data, a tool), "gate" (built in)
    docs: str = ""  # the docs/ section that explains it ("<file>.md#<anchor>")


def list_rules(semgrep_rules: Path | None = None, secrets_rules: Path | None = None) -> list[RuleInfo]:
    """Every rule a finding can name: the scanners' rules from their data, the gate's own from the catalogue."""
    from gatekeeper import catalogue
    from gatekeeper.scan.common import split_message
    from gatekeeper.scan.secrets import NAMESPACE, SecretDetector
    from gatekeeper.scan.semgrep import default_rules_dir, load_rules
    from gatekeeper.scan.themes import theme_of

    families = {f.kind: f for f in catalogue.FAMILIES if f.kind != "gate"}
    secrets_docs, semgrep_docs, bandit = families["secrets"].docs, families["semgrep"].docs, families["bandit"]
    rules = [RuleInfo(f"{NAMESPACE}/{r.id}", r.severity.label, r.description, kind="secrets", docs=secrets_docs)
             for r in SecretDetector.load(secrets_rules).rules]
    for rule in load_rules(semgrep_rules or default_rules_dir()):
        rules.append(RuleInfo(rule.id, rule.severity.label, split_message(rule.message)[0], cwe=rule.cwe.split(":")[0],
                              languages=rule.languages, theme=theme_of(rule.id) or "", owasp=rule.owasp,
                              confidence=rule.confidence.lower(), kind="semgrep", docs=semgrep_docs))
    rules.append(RuleInfo("bandit/B*", "varies", bandit.help, languages=("python",), kind="bandit", docs=bandit.docs))
    rules += [RuleInfo(r.id, r.severity.label, r.title, kind=r.kind, docs=r.docs) for r in catalogue.RULES.values()]
    rules += [RuleInfo(f.pattern, f.severity.label if f.severity is not None else "varies", f.title, kind=f.kind,
                       docs=f.docs) for f in catalogue.FAMILIES if f.kind == "gate"]
    return rules


# -- baseline ---------------------------------------------------------------------------------------

def baseline_fingerprints(verdict: Verdict) -> list[str]:
    """Fingerprints of the current findings (and of those an existing baseline already hides)."""
    failed = [f for f in verdict.findings if f.category == "tool"]
    if failed:
        raise ToolError("cannot write a baseline from an incomplete scan: " + "; ".join(f.message for f in failed),
                        "fix the scanner problem and run `gatekeeper baseline` again")
    fingerprints = {f.fingerprint for f in verdict.findings if f.fingerprint and baselineable(f)}
    fingerprints.update(s.finding.fingerprint for s in verdict.suppressed
                        if s.reason == "baseline" and s.finding.fingerprint)
    return sorted(fingerprints)


def write_baseline(path: Path, fingerprints: list[str], now: dt.datetime | None = None) -> None:
    """Atomically write the baseline file ({"version": 1, "fingerprints": [...], "generated": ...})."""
    payload = {
        "version": 1,
        "fingerprints": fingerprints,
        "generated": (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat(),
    }
    text = json.dumps(payload, indent=2) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}", "choose a writable --output path") from None


def default_baseline_path(repo: Path) -> Path:
    from gatekeeper.git import Git

    top = Git(repo).info().toplevel
    if top is None:
        raise GitError(f"{repo} is a bare repository: there is no work tree to put the baseline in",
                       "pass --output FILE")
    return top / DEFAULT_BASELINE


# -- click ------------------------------------------------------------------------------------------

@click.group("rules")
def rules() -> None:
    """List or test gatekeeper's scanning rules."""


@rules.command("test")
@click.option("--rules-dir", type=click.Path(path_type=Path, file_okay=False),
              help="semgrep rules directory (default: the rules gatekeeper ships).")
def rules_test(rules_dir: Path | None) -> ExitCode:
    """Run every semgrep rule against its annotated test file (`semgrep --test`, offline).

    Exit codes differ from `check` here: exit 1 means a rule test failed, not that anything was blocked.

    \b
    exit 0: every rule has a test and all tests pass
    exit 1: a rule test failed (or a rule has no test, or is invalid)
    exit 2: usage error, e.g. --rules-dir does not exist
    exit 3: no semgrep rules in the directory (or it cannot be read)
    exit 4: semgrep could not run
    """
    report = run_rule_tests(rules_dir)
    for line in report.failed:
        click.echo(f"FAIL {line}")
    for config in report.missing_tests:
        click.echo(f"MISSING TEST {config}")
    for error in report.config_errors:
        click.echo(f"CONFIG ERROR {error}")
    click.echo(f"rules test: {len(report.passed)} passed, {len(report.failed)} failed, "
               f"{len(report.missing_tests)} without tests, {len(report.config_errors)} invalid")
    return ExitCode.OK if report.ok else ExitCode.BLOCKED


@rules.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one rule a line; json: every field (id, severity, cwe, owasp, languages, theme, kind, "
              "docs, ...).")
def rules_list(fmt: str) -> ExitCode:
    """Rule ids with severity, CWE and languages: secrets patterns, semgrep rules, bandit, the gate's own rules."""
    order = {s.label: s.value for s in Severity}
    items = sorted(list_rules(), key=lambda r: (r.id.split("/", 1)[0], -order.get(r.severity, -1), r.id))
    if fmt == "json":
        click.echo(json.dumps([dataclasses.asdict(r) for r in items], indent=2))
        return ExitCode.OK
    width = max(len(r.id) for r in items)
    click.echo(f"{'rule id':<{width}}  {'severity':<8}  {'cwe':<8}  {'lang':<7}  description")
    for rule in items:
        langs = ",".join(dict.fromkeys({"javascript": "js", "typescript": "ts"}.get(x, x) for x in rule.languages))
        click.echo(f"{rule.id:<{width}}  {rule.severity:<8}  {rule.cwe or '-':<8}  {langs or '-':<7}  "
                   f"{rule.description}")
    return ExitCode.OK


@click.command("baseline")
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Repository to check.")
@click.option("--base", help="Oldest excluded revision (default: as for `gatekeeper check`).")
@click.option("--head", help="Newest revision (default: HEAD).")
@click.option("--policy", "policy_file", type=click.Path(path_type=Path), help="Policy file.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Baseline file to write (default: the policy's `baseline:`, else .gatekeeper/baseline.json "
              "in the work tree).")
def baseline(repo: Path, base: str | None, head: str | None, policy_file: Path | None,
             output: Path | None) -> ExitCode:
    """Accept the current findings: write their fingerprints so later runs suppress them (reason "baseline")."""
    from gatekeeper.git import Git
    from gatekeeper.modes.local import load_policy, run_check

    named = load_policy(Git(repo), policy_file).baseline
    if named is not None and not named.exists():
        # The policy already names the file (the usual first step): start from an empty one, or the
        # check below would fail on the missing file it is about to create.
        write_baseline(named, [])
    verdict = run_check(repo, base, head, policy_file)
    fingerprints = baseline_fingerprints(verdict)
    path = output or named or default_baseline_path(repo)
    write_baseline(path, fingerprints)
    click.echo(f"wrote {len(fingerprints)} fingerprint(s) to {path}")
    if named is None or named.resolve() != path.resolve():
        click.echo(f"later runs honour it once the policy names it (`baseline:` in .gatekeeper.yml, relative to "
                   f"that file): {path}")
    return ExitCode.OK
