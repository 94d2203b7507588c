"""The secrets scanner (per commit) and the bandit scanner (head, added lines) on real repositories."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from gatekeeper.models import Severity
from gatekeeper.scan.bandit import BanditScanner, map_severity
from gatekeeper.scan.cache import ResultCache
from gatekeeper.scan.common import inline_ignores
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import job, rule_ids

AWS_KEY = "AKIA" + "Z7QH4M2XKJ5RTW3P"  # split so this file does not itself look like a key
WORD = "pass" + "word"  # built at run time: this repository's own gate scans its tests
GH_TOKEN = "ghp_" + "R8x2Lq9ZtV4mN7bK1sW6yE3uH0cJ5gP2aF9d"


def test_secret_added_then_removed_in_the_same_range_is_found(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app.py": "x = 1\n"})
    added = repo.commit("oops", {"app.py": f"x = 1\nKEY = '{AWS_KEY}'\n"})
    repo.commit("remove it", {"app.py": "x = 1\n"})
    result = SecretsScanner().scan(job(repo.path, base))
    (finding,) = result.findings
    assert finding.rule_id == "secrets/aws-access-key" and finding.commit == added
    assert finding.path == "app.py" and finding.line == 2
    assert AWS_KEY not in finding.message and "AKIA" in finding.message and finding.message.endswith(" added")
    assert "history" in finding.fix
    assert result.stat.ran and result.files == 2


def test_secret_fingerprint_is_content_based(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("one", {"a.py": f"token = '{GH_TOKEN}'\n"})
    repo.commit("moved", {"b/c.js": f"\n\nconst t = '{GH_TOKEN}';\n"})
    findings = [f for f in SecretsScanner().scan(job(repo.path, base)).findings if f.rule_id.startswith("secrets/")]
    assert len(findings) == 2
    assert findings[0].fingerprint == findings[1].fingerprint
    assert (findings[0].path, findings[0].line) != (findings[1].path, findings[1].line)


def test_inline_ignore_is_passed_on_not_decided(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": f"KEY = '{AWS_KEY}'  # gatekeeper: ignore[secrets/*]\n",
                      "b.js": f"const k = '{AWS_KEY}'; // gatekeeper: ignore[secrets/aws-access-key, bandit/B105]\n"})
    found = {f.path: f.line_ignores for f in SecretsScanner().scan(job(repo.path, base)).findings}
    assert found == {"a.py": ("secrets/*",), "b.js": ("secrets/aws-access-key", "bandit/B105")}


def test_inline_ignore_parsing() -> None:
    assert inline_ignores("x = 1  # gatekeeper: ignore[semgrep/python-eval]") == ("semgrep/python-eval",)
    assert inline_ignores("/* gatekeeper:ignore[ a/b , c/* ] */") == ("a/b", "c/*")
    assert inline_ignores("# gatekeeper: ignore[]") == ()
    assert inline_ignores("# gatekeeper: ignore[$(rm -rf /)]") == ()
    assert inline_ignores("text mentioning gatekeeper only") == ()


def test_symlink_target_and_binary_text_are_scanned(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    os.symlink("/etc/passwd", repo.path / "safe")
    os.symlink(f"/run/{AWS_KEY}", repo.path / "pw")  # never followed; its target is text in history
    repo.git("add", "pw", "safe")
    noise = bytes(range(1, 32)) * 8
    repo.commit("c", {"img.bin": b"\x00\x01" + AWS_KEY.encode(), "real.bin": noise + b"\x00" + AWS_KEY.encode()})
    found = sorted((f.path, f.rule_id) for f in SecretsScanner().scan(job(repo.path, base)).findings)
    # NUL bytes no longer hide a key; a real binary's text runs are scanned and it is still reported.
    assert found == [("img.bin", "secrets/aws-access-key"), ("pw", "secrets/aws-access-key"),
                     ("real.bin", "scan/binary-skipped"), ("real.bin", "secrets/aws-access-key")]


def test_large_file_is_reported_too_large(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"dump.sql": "insert into t values (1);\n" * 200})
    result = SecretsScanner(max_file_bytes=1000).scan(job(repo.path, base))
    assert [(f.rule_id, f.severity) for f in result.findings] == [("scan/file-too-large", Severity.LOW)]


def test_missing_rules_file_is_a_tool_failure(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": "x = 1\n"})
    result = SecretsScanner(rules_path=tmp_path / "missing.yml").scan(job(repo.path, base))
    assert rule_ids(result.findings) == ["tool/secrets-failed"] and not result.stat.ran


def test_deadline_cuts_with_a_timeout_finding(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": "x = 1\n"})
    result = SecretsScanner().scan(job(repo.path, base, deadline=time.monotonic() - 1))
    assert rule_ids(result.findings) == ["tool/timeout"] and not result.stat.ran


# -- bandit -----------------------------------------------------------------------------------------

def bandit(tmp_path: Path, **options: object) -> BanditScanner:
    """bandit as an audit (every finding it makes); the gate's thresholds have their own tests."""
    options.setdefault("cache", ResultCache(tmp_path / "cache"))
    options.setdefault("min_confidence", "low")
    options.setdefault("min_severity", "low")
    return BanditScanner(**options)  # type: ignore[arg-type]


def test_bandit_reports_only_added_lines_and_ignores_nosec(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"run.py": "import subprocess\nsubprocess.call('ls', shell=True)\n"})
    repo.commit("c", {"run.py": "import subprocess\nsubprocess.call('ls', shell=True)\n"
                                "subprocess.call(cmd, shell=True)  # nosec\n",
                      "__pycache__/evil.py": "import pickle\npickle.loads(data)\n"})
    result = bandit(tmp_path).scan(job(repo.path, base))
    found = sorted((f.rule_id, f.path, f.line) for f in result.findings)
    assert found == [("bandit/B301", "__pycache__/evil.py", 2), ("bandit/B403", "__pycache__/evil.py", 1),
                     ("bandit/B602", "run.py", 3)]
    b602 = next(f for f in result.findings if f.rule_id == "bandit/B602")
    assert b602.severity is Severity.HIGH and b602.fix.startswith("see https://")


def test_a_finding_on_a_line_the_base_version_could_not_parse_is_not_pre_existing(repo: RepoBuilder,
                                                                                   tmp_path: Path) -> None:
    """red51: B602 written behind a line that does not parse, armed by a later change deleting that line — the
    B602 line is not one the later range added, yet no earlier scan could see it: reported."""
    base = repo.commit("base", {"run.py": "import subprocess\nsubprocess.call(cmd, shell=True)\ndef f(:\n"})
    repo.commit("c", {"run.py": "import subprocess\nsubprocess.call(cmd, shell=True)\n"})
    result = bandit(tmp_path).scan(job(repo.path, base))
    assert sorted((f.rule_id, f.line) for f in result.findings) == [("bandit/B404", 1), ("bandit/B602", 2)]


def test_a_finding_the_base_version_had_stays_pre_existing_and_its_scan_is_cached(repo: RepoBuilder,
                                                                                 tmp_path: Path) -> None:
    base = repo.commit("base", {"run.py": "import subprocess\nsubprocess.call(cmd, shell=True)\n"})
    repo.commit("c", {"run.py": "import subprocess\nsubprocess.call(cmd, shell=True)\nx = 1\n"})
    first = bandit(tmp_path)
    assert first.scan(job(repo.path, base)).findings == ()
    assert first.last_run.invocations == 2 and first.last_run.tool_files == 2  # the head, then the base version
    second = bandit(tmp_path)
    assert second.scan(job(repo.path, base)).findings == ()
    assert second.last_run.invocations == 0 and second.last_run.cache_hits == 2


def test_when_the_earlier_version_cannot_be_scanned_every_finding_of_the_file_counts(repo: RepoBuilder,
                                                                                     tmp_path: Path) -> None:
    """red58: the base-version run failing (here the second bandit run of the scan) is a tool failure, and the
    findings it would have judged are all reported — never the old added-lines rule again."""
    from gatekeeper.scan.common import tool_failure
    from gatekeeper.scan.head import BatchResult

    class SecondRunFails(BanditScanner):
        runs = 0

        def run_batch(self, workspace, targets, timeout):  # type: ignore[no-untyped-def]
            SecondRunFails.runs += 1
            if SecondRunFails.runs == 2:
                return BatchResult(failure=tool_failure("bandit", "made to fail"))
            return super().run_batch(workspace, targets, timeout)

    base = repo.commit("base", {"run.py": "import subprocess\nsubprocess.call(cmd, shell=True)\n"})
    repo.commit("c", {"run.py": "import subprocess\nsubprocess.call(cmd, shell=True)\nx = 1\n"})
    result = SecondRunFails(cache=None, use_cache=False, min_confidence="low", min_severity="low").scan(
        job(repo.path, base))
    assert sorted(f.rule_id for f in result.findings) == ["bandit/B404", "bandit/B602", "tool/bandit-failed"]
    assert not result.stat.ran


def test_bandit_parse_errors_are_low_findings_not_failures(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"broken.py": "def f(:\n", "latin.py": b"s = '\xff\xfe'\n", "ok.py": "x = 1\n"})
    result = bandit(tmp_path).scan(job(repo.path, base))
    assert sorted((f.rule_id, f.path) for f in result.findings) == [
        ("scan/parse-error", "broken.py"), ("scan/parse-error", "latin.py")]
    assert all(f.severity is Severity.LOW for f in result.findings) and result.stat.ran


def test_bandit_failure_is_a_tool_finding(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": "x = 1\n"})
    result = bandit(tmp_path, python=str(tmp_path / "no-python")).scan(job(repo.path, base))
    assert rule_ids(result.findings) == ["tool/bandit-failed"] and not result.stat.ran


def test_bandit_second_run_is_cached(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": "import pickle\npickle.loads(b)\n"})
    first = bandit(tmp_path)
    r1 = first.scan(job(repo.path, base))
    second = bandit(tmp_path)
    r2 = second.scan(job(repo.path, base))
    assert first.last_run.invocations == 1 and second.last_run.invocations == 0
    assert rule_ids(r1.findings) == rule_ids(r2.findings) == ["bandit/B301", "bandit/B403"]


@pytest.mark.parametrize(("severity", "confidence", "expected"), [
    ("HIGH", "HIGH", Severity.HIGH), ("HIGH", "MEDIUM", Severity.HIGH), ("HIGH", "LOW", Severity.MEDIUM),
    ("MEDIUM", "HIGH", Severity.MEDIUM), ("LOW", "LOW", Severity.INFO), ("LOW", "HIGH", Severity.LOW)])
def test_bandit_severity_mapping(severity: str, confidence: str, expected: Severity) -> None:
    assert map_severity(severity, confidence) is expected


def test_scanners_read_objects_that_exist_only_in_a_quarantine(repo: RepoBuilder, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-receive: pushed objects are visible only through GIT_OBJECT_DIRECTORY / alternates."""
    from gatekeeper.git import Git
    from gatekeeper.interfaces import ScanJob
    from gatekeeper.scan.semgrep import SemgrepScanner
    from tests.scan_helpers import write_rules

    base = repo.commit("base", {"keep": "k\n"})
    quarantine = tmp_path / "quarantine"
    quarantine.mkdir()
    env = {"GIT_OBJECT_DIRECTORY": str(quarantine),
           "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(repo.path / ".git" / "objects")}
    repo.write("a.py", f"KEY = '{AWS_KEY}'\nresult = eval(data)\n")
    repo.git("add", "a.py", env=env)
    repo.git("commit", "-q", "-m", "pushed", env=env)
    head = repo.git("rev-parse", "HEAD")
    assert not Git(repo.path).object_exists(head)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    git = Git(repo.path, inherit_git_env=True)
    commits = git.commits([head], [base])
    scan_job = ScanJob(git=git, commits=commits, changes=git.changed_files([head]), head=head)
    assert rule_ids(SecretsScanner().scan(scan_job).findings) == ["secrets/aws-access-key"]
    semgrep = SemgrepScanner(rules_dir=write_rules(tmp_path / "rules"), use_cache=False)
    assert rule_ids(semgrep.scan(scan_job).findings) == ["semgrep/test-python-eval"]


def test_bandit_messages_never_carry_the_flagged_literal(repo: RepoBuilder, tmp_path: Path) -> None:
    """bandit's B105-B107 text quotes the password it found; our findings must not."""
    base = repo.commit("base", {"README.md": "hi\n"})
    # Built at run time, so this repository's own secrets gate does not see credentials in its source.
    first, second, third = "Sup3r" + "S3cretValue!", "Another" + "S3cret9", "Third" + "S3cret77"
    word = "pass" + "word"
    repo.commit("c", {"app.py": f'{word} = "{first}"\n\ndef f({word}="{second}"):\n'
                                 f'    return {word}\n\nf({word}="{third}")\n'})
    result = bandit(tmp_path).scan(job(repo.path, base))
    hardcoded = [f for f in result.findings if f.rule_id in ("bandit/B105", "bandit/B106", "bandit/B107")]
    assert {f.rule_id for f in hardcoded} == {"bandit/B105", "bandit/B106", "bandit/B107"}
    for f in hardcoded:
        for value in (first, second, third):
            assert value not in f.message
        assert "[sha256:" in f.message


def test_bandit_gate_keeps_only_medium_confidence_and_severity_by_default(repo: RepoBuilder, tmp_path: Path) -> None:
    """A gate, not an audit: B403 (import pickle: LOW severity) and B105 (LOW) stay out unless asked for."""
    base = repo.commit("base", {"README.md": "hi\n"})
    repo.commit("c", {"a.py": f"import pickle\nimport subprocess\npickle.loads(blob)\n{WORD} = 'Xy' + 'z'\n"
                              f"db_{WORD} = 'Plain" + "Text9'\nsubprocess.call(cmd, shell=True)\n"})
    gate = BanditScanner(cache=ResultCache(tmp_path / "cache")).scan(job(repo.path, base))
    assert rule_ids(gate.findings) == ["bandit/B301", "bandit/B602"]
    audit = bandit(tmp_path).scan(job(repo.path, base))  # a cache miss: the thresholds are part of the key
    assert {"bandit/B403", "bandit/B105", "bandit/B301", "bandit/B602"} <= set(rule_ids(audit.findings))
    high_only = bandit(tmp_path, min_severity="high").scan(job(repo.path, base))
    assert rule_ids(high_only.findings) == ["bandit/B602"]


def test_bandit_policy_key_is_strict_and_reaches_the_scanner() -> None:
    from gatekeeper.config import parse_policy
    from gatekeeper.errors import ConfigError
    from gatekeeper.scan import build_scanners

    pol = parse_policy("version: 1\nbandit: {min_confidence: low, min_severity: high}\n")
    scanner = build_scanners(pol)["bandit"].scanner  # type: ignore[attr-defined]
    assert (scanner.min_confidence, scanner.min_severity) == (1, 3)
    default = build_scanners(parse_policy("version: 1\n"))["bandit"].scanner  # type: ignore[attr-defined]
    assert (default.min_confidence, default.min_severity) == (2, 2)
    for bad, where in (("bandit: {min_confidence: LOW}", "bandit.min_confidence"),
                       ("bandit: {min_severity: 2}", "bandit.min_severity"),
                       ("bandit: {confidence: low}", "bandit.confidence"), ("bandit: low", "bandit")):
        with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
            parse_policy(f"version: 1\n{bad}\n")


def test_bandit_and_our_rule_on_the_same_line_and_theme_give_one_finding(repo: RepoBuilder, tmp_path: Path) -> None:
    """shell=True with a built command: bandit B602 and semgrep/python-subprocess-shell-true agree — one
    finding (ours, with the fix). A bandit finding with no rule of ours on its line stays."""
    from gatekeeper.scan.semgrep import SemgrepScanner
    from tests.scan_helpers import evaluate_range

    base = repo.commit("base", {"README.md": "hi\n"})
    repo.commit("c", {"run.py": "import pickle\nimport subprocess\n\n\ndef go(host, blob):\n"
                                "    subprocess.call(f'ping {host}', shell=True)\n    return pickle.loads(blob)\n"})
    cache = ResultCache(tmp_path / "cache")
    verdict = evaluate_range(repo.path, base, {"semgrep": SemgrepScanner(cache=cache),  # type: ignore[dict-item]
                                               "bandit": BanditScanner(cache=cache)})
    on_line_6 = sorted(f.rule_id for f in verdict.findings if f.line == 6)
    assert on_line_6 == ["semgrep/python-subprocess-shell-true"], on_line_6
    on_line_7 = sorted(f.rule_id for f in verdict.findings if f.line == 7)
    # our pickle rule and bandit B301 share the deserialization theme: ours stays
    assert on_line_7 == ["semgrep/python-pickle-load"], on_line_7


def test_one_per_line_keeps_other_themes_lines_and_commits() -> None:
    from gatekeeper.models import Finding
    from gatekeeper.scan.themes import one_per_line, theme_of

    ours = Finding("semgrep/python-subprocess-shell-true", Severity.HIGH, "m", commit="c1", path="a.py", line=3)
    same = Finding("bandit/B602", Severity.HIGH, "m", commit="c1", path="a.py", line=3)
    other_theme = Finding("bandit/B301", Severity.MEDIUM, "m", commit="c1", path="a.py", line=3)
    other_line = Finding("bandit/B602", Severity.HIGH, "m", commit="c1", path="a.py", line=4)
    other_file = Finding("bandit/B602", Severity.HIGH, "m", commit="c1", path="b.py", line=3)
    unthemed = Finding("bandit/B999", Severity.HIGH, "m", commit="c1", path="a.py", line=3)
    kept = one_per_line([ours, same, other_theme, other_line, other_file, unthemed])
    assert kept == [ours, other_theme, other_line, other_file, unthemed]
    # B602 is superseded by our shell rules: dropped wherever semgrep scanned the commit, kept elsewhere
    elsewhere = Finding("bandit/B602", Severity.HIGH, "m", commit="c2", path="a.py", line=9)
    kept = one_per_line([ours, other_theme, other_line, elsewhere], semgrep_commits={"c1"})
    assert kept == [ours, other_theme, elsewhere]
    assert theme_of("bandit/B602") == theme_of("semgrep/js-command-injection-user-input") == "command-injection"
    # two of our rules on one line and theme: the more severe one stays
    tainted = Finding("semgrep/js-command-injection-user-input", Severity.CRITICAL, "m", commit="c1", path="w.js", line=5)
    pattern = Finding("semgrep/js-child-process-exec-interpolated", Severity.HIGH, "m", commit="c1", path="w.js", line=5)
    assert one_per_line([pattern, tainted]) == [tainted]


def test_md5_of_fresh_random_bytes_is_not_a_weak_hash_finding(repo: RepoBuilder, tmp_path: Path) -> None:
    """B324 on `hashlib.md5(os.urandom(64)).hexdigest()` — a random directory name — is no weakness: there is no
    collision to find in random input (meas145: the only B324s on six real histories). Anything the caller
    mixes into the hashed data keeps the finding."""
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"up.py": "import hashlib\nimport os\nimport uuid\n"
                               "a = hashlib.md5(os.urandom(64)).hexdigest()\n"
                               "b = hashlib.sha1(uuid.uuid4().bytes).hexdigest()\n"
                               "c = hashlib.md5(os.urandom(8) + pw.encode()).hexdigest()\n"
                               "d = hashlib.md5(pw.encode()).hexdigest()\n"
                               "e = hashlib.md5(os.urandom(8)); f = hashlib.md5(pw)\n"})
    result = BanditScanner(cache=ResultCache(tmp_path / "cache")).scan(job(repo.path, base))
    # line 8: only the call that hashes the request's data (bandit gives each call's column; red147)
    assert sorted(f.line for f in result.findings if f.rule_id == "bandit/B324") == [6, 7, 8]
