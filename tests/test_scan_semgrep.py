"""The semgrep scanner with real semgrep: added lines only, one batched run, cache, fail-closed paths."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from gatekeeper.models import Decision
from gatekeeper.scan import build_scanners
from gatekeeper.scan.cache import ResultCache
from gatekeeper.scan.semgrep import SemgrepScanner
from gatekeeper.scan.workspace import Target
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import (
    REAL_SEMGREP,
    calls,
    counting_semgrep,
    evaluate_range,
    job,
    policy,
    rule_ids,
    script,
    write_rules,
)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    return write_rules(tmp_path / "rules")


def scanner(rules: Path, tmp_path: Path, **options: object) -> SemgrepScanner:
    options.setdefault("cache", ResultCache(tmp_path / "cache"))
    return SemgrepScanner(rules_dir=rules, **options)  # type: ignore[arg-type]


def test_only_lines_the_range_added_are_reported(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    base = repo.commit("base", {"app.py": "def old(x):\n    return eval(x)\n"})
    repo.commit("change", {"app.py": "def old(x):\n    return eval(x)\n\n\ndef new(y):\n    return eval(y)\n",
                           "web.js": "eval(location.hash)\n", "notes.txt": "eval(x)\n"})
    sc = scanner(rules, tmp_path)
    result = sc.scan(job(repo.path, base))
    found = [(f.rule_id, f.path, f.line) for f in result.findings]
    assert sorted(found) == [("semgrep/test-js-eval", "web.js", 1), ("semgrep/test-python-eval", "app.py", 6)]
    py = next(f for f in result.findings if f.path == "app.py")
    assert py.severity.label == "critical"  # metadata.gatekeeper-severity
    assert py.message.startswith("eval() runs code") and py.fix.startswith("Use ast.literal_eval()")
    js = next(f for f in result.findings if f.path == "web.js")
    assert js.severity.label == "medium"  # WARNING without gatekeeper-severity
    # Two runs: the head, then app.py's version before the range — it has a finding on a line the range did not
    # add, which is pre-existing only if that version has it too (red51).
    assert result.stat.ran and sc.last_run.invocations == 2 and sc.last_run.mode == "experimental"


def test_fingerprint_follows_the_code_not_the_line(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("one", {"a.py": "eval(x)\n"})
    first = scanner(rules, tmp_path, use_cache=False).scan(job(repo.path, base)).findings
    repo.commit("moved", {"a.py": "import os\n\n\neval(x)\n"})
    second = scanner(rules, tmp_path, use_cache=False).scan(job(repo.path, base)).findings
    assert first[0].line == 1 and second[0].line == 4
    assert first[0].fingerprint == second[0].fingerprint


def test_second_run_uses_the_cache_and_does_not_run_semgrep(repo: RepoBuilder, rules: Path,
                                                            tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": "eval(a)\n", "b.py": "eval(b)\n"})
    wrapper, log = counting_semgrep(tmp_path)
    first = scanner(rules, tmp_path, executable=wrapper, version="1.182.0")
    r1 = first.scan(job(repo.path, base))
    assert calls(log) == 1 and first.last_run.tool_files == 2 and first.last_run.cache_hits == 0
    second = scanner(rules, tmp_path, executable=wrapper, version="1.182.0")
    r2 = second.scan(job(repo.path, base))
    assert calls(log) == 1, "semgrep ran again although every blob was cached"
    assert second.last_run.cache_hits == 2 and second.last_run.tool_files == 0
    assert [(f.rule_id, f.path, f.line, f.fingerprint) for f in r1.findings] == \
           [(f.rule_id, f.path, f.line, f.fingerprint) for f in r2.findings]
    # One blob changes: only that one goes to semgrep.
    repo.commit("c2", {"b.py": "eval(b)\neval(c)\n"})
    third = scanner(rules, tmp_path, executable=wrapper, version="1.182.0")
    r3 = third.scan(job(repo.path, base))
    assert calls(log) == 2 and third.last_run.cache_hits == 1 and third.last_run.tool_files == 1
    assert sorted((f.path, f.line) for f in r3.findings) == [("a.py", 1), ("b.py", 1), ("b.py", 2)]


def test_an_unwritable_cache_runs_uncached_and_says_so(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": "eval(a)\n"})
    sc = scanner(rules, tmp_path, cache=ResultCache(blocker / "cache"))
    result = sc.scan(job(repo.path, base))
    assert rule_ids(result.findings) == ["semgrep/test-python-eval"]
    assert result.stat.ran and not result.stat.error and result.stat.detail and "ran uncached" in result.stat.detail


def test_cache_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "gk"))
    assert ResultCache().directory.parent == tmp_path / "gk"
    monkeypatch.delenv("GATEKEEPER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ResultCache().directory.parent == tmp_path / "xdg" / "gatekeeper"


def test_corrupt_cache_entries_are_misses(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    key = cache.key("semgrep", "1", "r", "b" * 40, "a.py")
    cache.put("semgrep", key, [])
    assert cache.get("semgrep", key) == []
    path = next(cache.directory.rglob(f"{key}.json"))
    path.write_text(json.dumps({"format": 1, "key": key, "findings": [{"rule_id": 1}]}))
    assert cache.get("semgrep", key) is None
    path.write_text("not json")
    assert cache.get("semgrep", key) is None


def test_hostile_names_are_scanned_and_reported_under_the_original_path(repo: RepoBuilder, rules: Path,
                                                                        tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("odd", {"-rf.py": "eval(a)\n", "new\nline.py": "eval(b)\n", "tests/t.py": "eval(c)\n",
                        ".semgrepignore": "*\n", "nosem.py": "eval(d)  # nosemgrep\n"})
    result = scanner(rules, tmp_path).scan(job(repo.path, base))
    assert sorted(f.path or "" for f in result.findings if f.rule_id.startswith("semgrep/")) == \
           sorted(["-rf.py", "new\nline.py", "tests/t.py", "nosem.py"])


def test_symlink_to_etc_passwd_is_reported_not_read(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    os.symlink("/etc/passwd", repo.path / "passwd.py")
    repo.git("add", "passwd.py")
    repo.commit("link")
    result = scanner(rules, tmp_path).scan(job(repo.path, base))
    assert [(f.rule_id, f.path) for f in result.findings] == [("scan/symlink-skipped", "passwd.py")]


def test_invalid_utf8_and_unparsable_python_do_not_break_the_scan(repo: RepoBuilder, rules: Path,
                                                                  tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("bad", {"latin.py": b"# \xff\xfe caf\xe9\neval(q)\n", "broken.py": "def f(:\n    eval(z)\n",
                        "fine.py": "eval(ok)\n"})
    result = scanner(rules, tmp_path).scan(job(repo.path, base))
    assert result.stat.ran
    assert ("semgrep/test-python-eval", "fine.py") in [(f.rule_id, f.path) for f in result.findings]
    assert not [f for f in result.findings if f.rule_id.startswith("tool/")]


def test_file_over_the_cap_is_reported(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("big", {"big.py": "x = 1\n" * 100 + "eval(x)\n", "small.py": "eval(y)\n"})
    result = scanner(rules, tmp_path, max_file_bytes=200).scan(job(repo.path, base))
    assert sorted((f.rule_id, f.path) for f in result.findings) == [
        ("scan/file-too-large", "big.py"), ("semgrep/test-python-eval", "small.py")]


@pytest.mark.slow
def test_thousands_of_files_one_semgrep_invocation(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    """3,000 files named on one command line (about 45 KB of names, within MAX_ARGV_BYTES): one semgrep run."""
    base = repo.commit("base", {"keep": "k\n"})
    for i in range(3_000):
        repo.write(f"pkg{i % 100}/m{i}.py", f"def f{i}(x):\n    return x + {i}\n")
    repo.write("pkg7/evil.py", "eval(payload)\n")
    repo.git("add", "-A")
    repo.commit("many")
    wrapper, log = counting_semgrep(tmp_path)
    sc = scanner(rules, tmp_path, executable=wrapper, use_cache=False)
    result = sc.scan(job(repo.path, base))
    assert calls(log) == 1
    assert result.files == 3_001
    assert [(f.rule_id, f.path) for f in result.findings] == [("semgrep/test-python-eval", "pkg7/evil.py")]


def test_directory_mode_when_names_overflow_the_argument_list(repo: RepoBuilder, rules: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import gatekeeper.scan.semgrep as semgrep_module

    monkeypatch.setattr(semgrep_module, "MAX_ARGV_BYTES", 10)
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"tests/a.py": "eval(a)\n", "node_modules/b.py": "eval(b)\n", "sub/.semgrepignore": "*\n",
                      "sub/c.py": "eval(c)\n"})
    wrapper, log = counting_semgrep(tmp_path)
    result = scanner(rules, tmp_path, executable=wrapper, use_cache=False).scan(job(repo.path, base))
    assert " -- ." in log.read_text()
    assert sorted(f.path or "" for f in result.findings) == ["node_modules/b.py", "sub/c.py", "tests/a.py"]


# -- fail closed ------------------------------------------------------------------------------------

def _one_python_change(repo: RepoBuilder) -> str:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"a.py": "eval(a)\n"})
    return base


def test_missing_semgrep_is_a_blocking_tool_finding(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    base = _one_python_change(repo)
    sc = scanner(rules, tmp_path, executable=str(tmp_path / "no-such-semgrep"))
    result = sc.scan(job(repo.path, base))
    assert rule_ids(result.findings) == ["tool/semgrep-failed"]
    assert not result.stat.ran and result.stat.error and "no-such-semgrep" in result.stat.error
    scanners = build_scanners(policy(), semgrep_executable=str(tmp_path / "no-such-semgrep"),
                              semgrep_rules=rules, cache_dir=tmp_path / "cache")
    verdict = evaluate_range(repo.path, base, scanners)
    assert verdict.decision is Decision.BLOCK
    assert [f.rule_id for f in verdict.blocking] == ["tool/semgrep-failed"]
    assert ("bandit/B307", "a.py") in [(f.rule_id, f.path) for f in verdict.findings]


def test_semgrep_killed_by_sigkill_blocks(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    base = _one_python_change(repo)
    fake = script(tmp_path / "semgrep", "kill -9 $$\n")
    verdict = evaluate_range(repo.path, base, {"semgrep": scanner(rules, tmp_path, executable=fake)})
    assert verdict.decision is Decision.BLOCK
    (failed,) = [f for f in verdict.findings if f.rule_id == "tool/semgrep-failed"]
    assert failed.blocking and "SIGKILL" in failed.message


def test_on_tool_error_warn_does_not_block(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    base = _one_python_change(repo)
    fake = script(tmp_path / "semgrep", "kill -9 $$\n")
    pol = dataclasses.replace(policy(scanners="semgrep"), on_tool_error="warn")
    verdict = evaluate_range(repo.path, base, {"semgrep": scanner(rules, tmp_path, executable=fake)}, pol)
    assert verdict.decision is Decision.WARN


def test_non_json_output_is_a_failure_not_a_pass(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    base = _one_python_change(repo)
    fake = script(tmp_path / "semgrep", "echo 'Traceback (most recent call last): boom'\nexit 0\n")
    result = scanner(rules, tmp_path, executable=fake).scan(job(repo.path, base))
    assert rule_ids(result.findings) == ["tool/semgrep-failed"]
    assert "not JSON" in result.findings[0].message


def test_timeout_kills_the_process_group(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    base = _one_python_change(repo)
    marker = tmp_path / "child-survived"
    fake = script(tmp_path / "semgrep", f'(sleep 3; touch "{marker}") &\nsleep 30\n')
    started = time.monotonic()
    result = scanner(rules, tmp_path, executable=fake, timeout=1.0, version="fake").scan(job(repo.path, base))
    assert time.monotonic() - started < 10
    assert rule_ids(result.findings) == ["tool/timeout"]
    time.sleep(3.5)
    assert not marker.exists(), "a child of the timed-out tool kept running"


def test_deadline_already_passed_is_a_timeout(repo: RepoBuilder, rules: Path, tmp_path: Path) -> None:
    base = _one_python_change(repo)
    result = scanner(rules, tmp_path).scan(job(repo.path, base, deadline=time.monotonic() - 1))
    assert rule_ids(result.findings) == ["tool/timeout"]


def test_experimental_failure_falls_back_to_the_normal_engine(repo: RepoBuilder, rules: Path,
                                                              tmp_path: Path) -> None:
    base = _one_python_change(repo)
    fake = script(tmp_path / "semgrep", 'case " $* " in *" --experimental "*) echo crash >&2; exit 2;; esac\n'
                  f'exec "{REAL_SEMGREP}" "$@"\n')
    sc = scanner(rules, tmp_path, executable=fake)
    result = sc.scan(job(repo.path, base))
    assert rule_ids(result.findings) == ["semgrep/test-python-eval"]
    assert sc.last_run.mode == "normal" and sc.last_run.invocations == 2
    assert result.stat.detail and "--experimental failed" in result.stat.detail


def test_invalid_rules_are_a_tool_failure(repo: RepoBuilder, tmp_path: Path) -> None:
    base = _one_python_change(repo)
    bad = write_rules(tmp_path / "bad-rules", "rules:\n  - id: x\n    message: m: n\n    oops: [\n")
    result = SemgrepScanner(rules_dir=bad, use_cache=False).scan(job(repo.path, base))
    assert rule_ids(result.findings) == ["tool/semgrep-failed"]


def test_shipped_rules_run(repo: RepoBuilder, tmp_path: Path) -> None:
    """Our real rule set (rules/semgrep) loads and finds an eval the range added."""
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"app.py": "import sys\n\nresult = eval(sys.argv[1])\n"})
    result = SemgrepScanner(cache=ResultCache(tmp_path / "cache")).scan(job(repo.path, base))
    assert not [f for f in result.findings if f.rule_id.startswith("tool/")], result.findings
    assert any(f.rule_id.startswith("semgrep/") and f.line == 3 for f in result.findings)


def test_a_secret_below_ten_thousand_padding_statements_is_still_found(repo: RepoBuilder, tmp_path: Path) -> None:
    """The attack on a rule whose cost grows with the square of a file's expressions: pad the file until the rule
    times out, and semgrep reports nothing of it there — a `scan/incomplete` note (warn by default) where the
    hard-coded password should block. js-hardcoded-secret was such a rule until this session."""
    base = repo.commit("base", {"keep": "k\n"})
    padding = "".join(f"  process(input{n});\n" for n in range(10_000))
    repo.commit("c", {"web/app.js": "if (false) {\n" + padding + "}\n"
                      "export const mailer = { smtpPassword: 'kq_Zr.bmtv.Qh' };\n"})
    result = SemgrepScanner(use_cache=False).scan(job(repo.path, base))
    assert [(f.rule_id, f.line) for f in result.findings] == [("semgrep/js-hardcoded-secret", 10_003)], result.findings


def test_a_rules_paths_apply_with_either_engine(repo: RepoBuilder, tmp_path: Path) -> None:
    """A rule's `paths: exclude:` holds for explicitly named files under --experimental too, which ignores it
    (semgrep 1.182): the same test fixture was a blocking finding or none depending on the engine (meas145)."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "r.yml").write_text(
        "rules:\n"
        "  - id: test-no-eval\n    message: eval. Do not.\n    languages: [python]\n    severity: ERROR\n"
        "    paths:\n      exclude: ['**/tests/**', '**/test_*.py']\n      include: ['*.py']\n"
        "    pattern: eval(...)\n")
    base = repo.commit("base", {"keep": "k\n"})
    code = "import sys\nresult = eval(sys.argv[1])\n"
    repo.commit("c", {"app/run.py": code, "tests/run.py": code, "app/test_run.py": code, "pkg/tests/deep/x.py": code,
                      "contests/run.py": code})
    for experimental in (True, False):
        result = SemgrepScanner(rules_dir=rules, use_cache=False, experimental=experimental).scan(job(repo.path, base))
        # (a file no rule applies to is one semgrep did not scan: scan/file-skipped, low, as before)
        found = sorted(f.path for f in result.findings if f.rule_id.startswith("semgrep/"))
        assert found == ["app/run.py", "contests/run.py"], experimental


@pytest.mark.parametrize(("glob", "path", "selected"), [
    ("**/test/**", "test/api/login.e2e-spec.ts", True), ("**/test/**", "src/test/x.ts", True),
    ("**/test/**", "src/latest/x.ts", False), ("**/*.spec.*", "a/b.spec.ts", True), ("**/*.spec.*", "a/b-spec.ts", False),
    ("*settings*.py", "proj/my_settings.py", True), ("*settings*.py", "proj/views.py", False),
    ("**/settings/*.py", "proj/settings/dev.py", True), ("**/settings/*.py", "proj/settings/x/dev.py", False),
    ("tests", "pkg/tests/x.py", True), ("src/*.py", "src/a.py", True), ("src/*.py", "lib/src/a.py", False),
])
def test_paths_globs_read_as_semgrep_reads_them(glob: str, path: str, selected: bool) -> None:
    from gatekeeper.scan.semgrep import _glob
    assert bool(_glob(glob).search(path)) is selected


def test_extensions_semgrep_does_not_know_are_scanned_under_an_alias(repo: RepoBuilder, rules: Path,
                                                                     tmp_path: Path) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    repo.commit("c", {"gui.pyw": "eval(a)\n"})
    result = scanner(rules, tmp_path).scan(job(repo.path, base))
    assert [(f.rule_id, f.path, f.line) for f in result.findings] == [("semgrep/test-python-eval", "gui.pyw", 1)]


class _WholeDirectory(SemgrepScanner):
    """The scanner as it was: every rule file, whatever the targets."""

    def configs(self, targets: Sequence[Target]) -> list[str]:
        return [str(self._rules_dir())]


def test_semgrep_is_given_the_rules_that_may_read_the_change_and_finds_what_all_of_them_find(
        repo: RepoBuilder, tmp_path: Path) -> None:
    """Our shipped rules and their own annotated test files: a change of one language's files runs that language's
    rule files only (semgrep parses every rule it is given), a change of several the rules of each — and finds
    exactly what the whole rule directory finds in the same files."""
    shipped = Path(__file__).resolve().parents[1] / "rules" / "semgrep"
    fixtures = {f"src/{p.relative_to(shipped)}": p.read_bytes() for p in sorted(shipped.rglob("*"))
                if p.suffix in (".py", ".js", ".jsx", ".ts", ".svelte", ".vue")}
    groups = {"python": (".py",), "javascript": (".js", ".jsx"), "typescript": (".ts",), "svelte": (".svelte",),
              "vue": (".vue",)}
    base = repo.commit("base", {"keep": "k\n"})
    wrapper, log = counting_semgrep(tmp_path)
    found: list[tuple[str, str, int | None]] = []
    for name, suffixes in groups.items():
        start = repo.head()
        repo.commit(name, {k: v for k, v in fixtures.items() if k.endswith(suffixes)})
        before = calls(log)
        result = SemgrepScanner(executable=wrapper, version="1.182.0", use_cache=False).scan(job(repo.path, start))
        assert calls(log) > before
        assert not [f for f in result.findings if f.rule_id.startswith(("tool/", "scan/"))], result.findings
        found += [(f.rule_id, f.path, f.line) for f in result.findings]
    whole = _WholeDirectory(use_cache=False).scan(job(repo.path, base))
    assert sorted(found) == sorted((f.rule_id, f.path, f.line) for f in whole.findings)
    assert len(found) > 100
    runs = log.read_text().splitlines()
    python_run = next(line for line in runs if "src/python/" in line)
    assert "/python/" in python_run and "/javascript/" not in python_run  # only the Python rule files
    js_run = next(line for line in runs if "src/javascript/" in line and ".ts" not in line.split(" -- ", 1)[1])
    assert "/javascript/" in js_run and "/python/" not in js_run
    assert "angular-bypass-security-trust.yml" not in js_run  # its one language is TypeScript
    assert "svelte-raw-html.yml" not in js_run and "vue-v-html.yml" not in js_run  # regex rules over .svelte/.vue
    svelte_run = next(line for line in runs if ".svelte" in line.split(" -- ", 1)[1])
    assert "svelte-raw-html.yml" in svelte_run and "vue-v-html.yml" not in svelte_run
