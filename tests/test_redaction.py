"""No scanned literal reaches any output: bandit's quoted passwords and semgrep's `$X` interpolation.

The property test generates literals a hostile or careless author could write — quotes of every kind,
backslashes, non-ASCII text, newlines, 1 KB tokens, PEM blocks — puts them where bandit quotes them
(B105 assignment and comparison, B106 keyword argument, B107 default argument, the B103 chmod file
name) and where a semgrep rule with an interpolating message matches, runs the real scanners through
the engine, and checks every renderer (text, JSON, SARIF, GitHub annotations and step summary, the
hook's message, the audit record) and every file of the scan cache. Each literal carries two random
markers, so a partial leak (the part after an inner quote, a line of a PEM block) is caught too.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatekeeper.audit import audit_record
from gatekeeper.models import Verdict
from gatekeeper.report.github import render_github, render_summary
from gatekeeper.report.hook import render_hook
from gatekeeper.report.json import render_json
from gatekeeper.report.sarif import render_sarif
from gatekeeper.report.text import render_text
from gatekeeper.scan.bandit import BanditScanner, flagged_literals, redact_message, source_literals
from gatekeeper.scan.cache import ResultCache
from gatekeeper.scan.semgrep import SemgrepScanner, redact_metavariables
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import evaluate_range

WORD = "pass" + "word"  # built at run time: this repository's own gate scans its tests
# A rule whose message interpolates the matched literal: what semgrep would echo into every report.
ECHO_RULES = """\
rules:
  - id: test-echo-literal
    message: Hard-coded credential $VALUE in $NAME. Read it from the environment.
    languages: [python]
    severity: ERROR
    pattern: $NAME = "$VALUE"
  - id: test-echo-js
    message: Hard-coded credential $VALUE. Read it from the environment.
    languages: [javascript]
    severity: ERROR
    pattern: const $NAME = "$VALUE";
"""

MARK = st.text(alphabet="0123456789abcdef", min_size=12, max_size=12).map(lambda s: "Zq" + s)
FILLER = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=24)
AWKWARD = st.sampled_from(["'", '"', "\\", "\\'", "'''", '"""', "\n", " ' ", "é", "日本", "\u202e", "%0A", "::",
                           "$X", "`", "\t"])
BASE64 = string.ascii_letters + string.digits + "+/"


@st.composite
def literals(draw: st.DrawFn) -> str:
    """A literal with two markers separated by awkward text; sometimes a 1 KB+ token or a PEM block."""
    first, second = draw(MARK), draw(MARK)
    shape = draw(st.sampled_from(["plain", "long", "pem"]))
    middle = draw(st.lists(st.one_of(AWKWARD, FILLER), max_size=4).map("".join))
    if shape == "long":  # a JWT-sized token: the old redaction stopped at 500 characters
        body = draw(st.text(alphabet=BASE64, min_size=1100, max_size=1400))
        return f"eyJ{first}{middle}{body}.{second}"
    if shape == "pem":
        lines = [draw(st.text(alphabet=BASE64, min_size=64, max_size=64)) for _ in range(draw(st.integers(2, 6)))]
        return ("-----BEGIN RSA PRIVATE KEY-----\n" + first + "\n" + "\n".join(lines) + middle + "\n" + second
                + "\n-----END RSA PRIVATE KEY-----\n")
    return draw(FILLER) + first + middle + second + draw(FILLER)


def python_source(values: list[str]) -> str:
    a, b, c, d = (repr(v) for v in values)
    return (f"import os\n{WORD} = {a}\n\n\ndef login(user, {WORD}={b}):\n    return user\n\n\n"
            f"login('u', {WORD}={c})\nif {WORD} == {d}:\n    os.chmod({a}, 0o777)\n")


def js_source(values: list[str]) -> str:
    return "".join(f"const token{i} = {json.dumps(v)};\n" for i, v in enumerate(values))


def every_output(verdict: Verdict) -> dict[str, str]:
    return {
        "text": render_text(verdict, color=False),
        "json": render_json(verdict),
        "sarif": render_sarif(verdict),
        "github": render_github(verdict),
        "summary": render_summary(verdict),
        "hook": render_hook(verdict),
        "audit": json.dumps(audit_record(event="decision", exit_code=1, verdict=verdict), ensure_ascii=False),
    }


def assert_nowhere(values: list[str], outputs: dict[str, str]) -> None:
    for name, text in outputs.items():
        for value in values:
            assert value not in text, f"{name} output holds a literal"
            # Markers: ASCII hex, so JSON escaping cannot hide a partial leak of the literal.
            for mark in re.findall(r"Zq[0-9a-f]{12}", value):
                assert mark not in text, f"{name} output holds part of a literal: {mark}"


@pytest.mark.slow
@settings(max_examples=6, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(values=st.lists(literals(), min_size=4, max_size=4))
def test_no_output_and_no_cache_file_holds_a_flagged_literal(values: list[str], tmp_path_factory: pytest.TempPathFactory,
                                                              ) -> None:
    root = tmp_path_factory.mktemp("redaction")
    repo = RepoBuilder.init(root / "work")
    base = repo.commit("base", {"README.md": "hi\n"})
    repo.commit("add code", {"app.py": python_source(values), "web.js": js_source(values)})
    rules = root / "rules"
    rules.mkdir()
    (rules / "echo.yml").write_text(ECHO_RULES)
    cache = ResultCache(root / "cache")
    scanners = {"bandit": BanditScanner(cache=cache, min_confidence="low", min_severity="low"),
                "semgrep": SemgrepScanner(rules_dir=rules, cache=cache)}
    verdict = evaluate_range(repo.path, base, scanners)  # type: ignore[arg-type]
    ids = {f.rule_id for f in verdict.findings}
    # The literals were seen: bandit's password tests and the echoing rule fired (else the test proves nothing).
    assert {"bandit/B105", "bandit/B106", "bandit/B107", "semgrep/test-echo-literal"} <= ids, ids
    assert "semgrep/test-echo-js" in ids, ids
    assert all("[sha256:" in f.message for f in verdict.findings if f.rule_id in ("bandit/B105", "bandit/B106"))
    assert_nowhere(values, every_output(verdict))
    cached = {str(p): p.read_text(encoding="utf-8") for p in (root / "cache").rglob("*.json")}
    assert cached, "nothing was cached"
    assert_nowhere(values, cached)


@given(value=literals())
@settings(max_examples=60, deadline=None)
def test_redaction_by_position_hides_any_literal(value: str) -> None:
    """Unit level, many more literals: what bandit would print, redacted from the parsed source."""
    source = f"{WORD} = {value!r}\nos.chmod({value!r}, 0o777)\n".encode()
    found = source_literals(source)
    assert found is not None
    for template, line in ((f"Possible hardcoded {WORD}: '{value}'", 1),
                           (f"Chmod setting a permissive mask 0o777 on file ({value}).", 2)):
        text = redact_message(template, flagged_literals(found, line, line))
        assert value not in text and "\n" not in text
        assert_nowhere([value], {"message": text})


def test_template_redaction_needs_no_parse() -> None:
    """A file Python cannot parse still gets bandit's password text redacted (the template's tail)."""
    value = "it's a 'secret'\nwith lines"
    text = redact_message(f"Possible hardcoded {WORD}: '{value}'", [])
    assert text.startswith(f"Possible hardcoded {WORD}: '") and value.split()[0] not in text
    assert "'secret'" not in text and "lines" not in text


def test_semgrep_fallback_redacts_metavariable_bindings() -> None:
    """A result whose rule is not ours: the text semgrep bound to each metavariable is redacted."""
    metavars = {"$VALUE": {"abstract_content": "hunter2'x\"y"}, "$NAME": {"abstract_content": "db_pw"}}
    text = redact_metavariables("Credential hunter2'x\"y assigned to db_pw.", metavars)
    assert "hunter2" not in text and "db_pw" not in text and text.count("[sha256:") == 2


def test_semgrep_message_is_the_rules_own_text(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"README.md": "hi\n"})
    secret = "Sup3r" + "S3cret'Value"
    repo.commit("c", {"app.py": f"db_{WORD} = {secret!r}\n"})
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "echo.yml").write_text(ECHO_RULES)
    from tests.scan_helpers import job

    result = SemgrepScanner(rules_dir=rules, use_cache=False).scan(job(repo.path, base))
    (finding,) = result.findings
    assert finding.message == "Hard-coded credential $VALUE in $NAME."
    assert finding.fix == "Read it from the environment."


def test_bandits_own_words_survive_a_literal_that_spells_one() -> None:
    """red99: a literal `"usage"` on a B108 line turned "Probable insecure usage of temp file/directory." into
    "Probable insecure …[sha256:…] of temp file/directory."; a word the message sets off is still hidden."""
    source = b'stats = {"usage": 1, "path": "/tmp/cache"}\nos.chmod("secrets", 0o777)\n'
    found = source_literals(source)
    assert found is not None
    text = redact_message("Probable insecure usage of temp file/directory.", flagged_literals(found, 1, 1))
    assert text == "Probable insecure usage of temp file/directory."
    text = redact_message("Chmod setting a permissive mask 0o777 on file (secrets).", flagged_literals(found, 2, 2))
    assert "(secrets)" not in text and "[sha256:" in text
