"""Renderers: pure functions of a Verdict, one module per output format.

`render()` dispatches on every OutputFormat member (a test checks none is left out); the GitHub
format's step summary and GITHUB_OUTPUT values are extra functions in `report.github` that the
Action's command (cli_action.py) writes to the files GitHub names.
"""

from __future__ import annotations

import enum

from gatekeeper.models import Verdict


class OutputFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


AVAILABLE = (OutputFormat.TEXT, OutputFormat.JSON, OutputFormat.SARIF, OutputFormat.GITHUB)


def render(verdict: Verdict, fmt: OutputFormat, *, color: bool = False) -> str:
    if fmt is OutputFormat.TEXT:
        from gatekeeper.report.text import render_text

        return render_text(verdict, color=color)
    if fmt is OutputFormat.JSON:
        from gatekeeper.report.json import render_json

        return render_json(verdict)
    if fmt is OutputFormat.SARIF:
        from gatekeeper.report.sarif import render_sarif

        return render_sarif(verdict)
    if fmt is OutputFormat.GITHUB:
        from gatekeeper.report.github import render_github

        return render_github(verdict)
    raise ValueError(f"output format {fmt.value} is not available yet")
