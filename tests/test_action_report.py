"""The GitHub Actions renderers: annotations, the guarded log, the step summary and GITHUB_OUTPUT."""

from __future__ import annotations

import pytest

from gatekeeper.models import Finding, Severity
from gatekeeper.report.github import (
    annotation,
    annotation_level,
    escape_data,
    escape_property,
    guarded,
    output_values,
    render_annotations,
    render_github,
    render_outputs,
    render_summary,
)
from tests.github_helpers import sample_verdict


def test_escaping_follows_githubs_rules() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotation_with_file_line_and_fix() -> None:
    f = Finding("secrets/aws-access-key", Severity.CRITICAL, "key in file", commit="c" * 40,
                path="src/a:b,c.py", line=3, blocking=True, fix="rotate it")
    line = annotation(f)
    assert line.startswith("::error file=src/a%3Ab%2Cc.py,line=3,title=gatekeeper secrets/aws-access-key "
                           "(blocking)::")
    assert line.endswith("key in file [commit cccccccccccc] Fix: rotate it")
    assert "\n" not in line


def test_hostile_text_cannot_start_a_new_command() -> None:
    f = Finding("semgrep/x", Severity.HIGH, "bad\n::set-env name=X::1\x1b[31m", path="x\ny.py", line=1)
    line = annotation(f)
    assert "\n" not in line and "\x1b" not in line
    # One line: text after the command's `::` separator is data, whatever it contains.
    assert line.startswith("::warning file=x y.py,line=1,title=")
    assert len(line.splitlines()) == 1


@pytest.mark.parametrize(("blocking", "severity", "level"), [
    (True, Severity.LOW, "error"), (False, Severity.CRITICAL, "warning"), (False, Severity.MEDIUM, "warning"),
    (False, Severity.LOW, "notice"), (False, Severity.INFO, "notice")])
def test_one_annotation_level_mapping(blocking: bool, severity: Severity, level: str) -> None:
    assert annotation_level(Finding("x/y", severity, "m", blocking=blocking)) == level


def test_log_output_guards_commit_text() -> None:
    out = render_github(sample_verdict())
    first, rest = out.split("\n", 1)
    assert first.startswith("::stop-commands::gatekeeper-")
    token = first.split("::")[2]
    # The commit subject "::error::pwned" only appears inside the guarded block.
    guarded_part, annotations = rest.split(f"::{token}::\n", 1)
    assert "pwned" in guarded_part or "pwned" not in out
    assert "pwned" not in annotations
    assert annotations.startswith("::error ")
    assert guarded("x") == guarded("x")  # deterministic


def test_annotations_order_and_cap() -> None:
    lines = render_annotations(sample_verdict()).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::error", "::warning", "::notice"]


def test_summary_has_decision_commits_findings_and_review_needed() -> None:
    summary = render_summary(sample_verdict())
    assert summary.startswith("## gatekeeper: ❌ **blocked**")
    assert "### Mobile, web and AI-assisted commits" in summary
    assert "`c0ffee000000`" in summary
    assert "### Blocking findings" in summary and "fix: rotate the key" in summary
    assert "### Review still needed" in summary and "status **stale**" in summary
    # Every suppression is listed with its reason (an inline comment is the change author's own word).
    assert "1 finding(s) suppressed (inline comments, ignore entries, the baseline)" in summary
    assert "ignore: fixtures (until 2027-06-30)" in summary


def test_summary_neutralises_markdown_and_html_from_commits() -> None:
    summary = render_summary(sample_verdict())
    assert "[click](https" not in summary and r"\[click\](https" in summary
    assert "<script>" not in summary
    assert "\x1b" not in summary


def test_outputs_use_heredoc_with_delimiter() -> None:
    delim = "ghadelimiter_0123456789abcdef"
    text = render_outputs(output_values(sample_verdict(), sarif_path="out/g.sarif"), delim)
    assert text == (f"decision<<{delim}\nblock\n{delim}\nblocking<<{delim}\n2\n{delim}\n"
                    f"findings<<{delim}\n4\n{delim}\nsarif<<{delim}\nout/g.sarif\n{delim}\n")
    with pytest.raises(ValueError, match="delimiter"):
        render_outputs({"sarif": f"x{delim}"}, delim)
    with pytest.raises(ValueError, match="delimiter"):
        render_outputs({"decision": "x"}, "short")
