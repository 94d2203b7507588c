"""Renderers: pure functions of a Verdict, one module per output format."""

from __future__ import annotations

import enum

from gatekeeper.models import Verdict


class OutputFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


AVAILABLE = (OutputFormat.TEXT, OutputFormat.JSON)


def render(verdict: Verdict, fmt: OutputFormat, *, color: bool = False) -> str:
    if fmt is OutputFormat.TEXT:
        from gatekeeper.report.text import render_text

        return render_text(verdict, color=color)
    if fmt is OutputFormat.JSON:
        from gatekeeper.report.json import render_json

        return render_json(verdict)
    raise ValueError(f"output format {fmt.value} is not available yet")
