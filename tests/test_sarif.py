"""SARIF output: valid against the OASIS 2.1.0 schema, code-scanning shaped, no secret values."""

from __future__ import annotations

import json

import pytest

from gatekeeper.models import Severity
from gatekeeper.report import AVAILABLE, OutputFormat, render
from gatekeeper.report.sarif import FINGERPRINT_KEY, render_sarif, sarif_level
from tests.github_helpers import sample_verdict, sarif_validator


def test_every_output_format_renders() -> None:
    verdict = sample_verdict()
    assert set(AVAILABLE) == set(OutputFormat)
    for fmt in OutputFormat:
        assert render(verdict, fmt).strip(), fmt


def test_sarif_validates_against_the_schema() -> None:
    log = json.loads(render_sarif(sample_verdict()))
    errors = sorted(sarif_validator().iter_errors(log), key=str)
    assert not errors, [e.message for e in errors[:5]]


def test_sarif_structure_for_code_scanning() -> None:
    log = json.loads(render(sample_verdict(), OutputFormat.SARIF))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        float(rule["properties"]["security-severity"])
    by_rule = {r["ruleId"]: r for r in run["results"]}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"], "code scanning rejects results without a location"
        assert result["partialFingerprints"][FINGERPRINT_KEY]
    secret = by_rule["secrets/aws-access-key"]
    loc = secret["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "src/a%3Ab%2Cc%25.py"
    assert loc["region"]["startLine"] == 3
    assert secret["level"] == "error"
    assert secret["properties"]["commit"].startswith("c0ffee")
    review = by_rule["review/missing"]
    assert review["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".gatekeeper.yml"
    assert "anchored" in review["properties"]["location"]
    assert "Fix: ask a reviewer" in review["message"]["text"]
    # A path escaping the repository is never emitted as a location.
    traversal = by_rule["semgrep/python-eval"]
    assert traversal["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".gatekeeper.yml"
    suppressed = by_rule["semgrep/python-exec"]
    assert suppressed["suppressions"][0]["kind"] == "external"


def test_fingerprints_are_the_findings_content_fingerprints() -> None:
    verdict = sample_verdict()
    log = json.loads(render_sarif(verdict))
    got = {r["ruleId"]: r["partialFingerprints"][FINGERPRINT_KEY] for r in log["runs"][0]["results"]}
    for f in verdict.findings:
        assert got[f.rule_id] == f.fingerprint


@pytest.mark.parametrize(("severity", "level"), [(Severity.CRITICAL, "error"), (Severity.HIGH, "error"),
                                                 (Severity.MEDIUM, "warning"), (Severity.LOW, "note"),
                                                 (Severity.INFO, "note")])
def test_one_level_mapping(severity: Severity, level: str) -> None:
    assert sarif_level(severity) == level


def test_no_control_characters_or_raw_commit_text() -> None:
    text = render_sarif(sample_verdict())
    assert "\x1b" not in text
    assert "::error::pwned" not in text  # commit subjects are not part of SARIF results
