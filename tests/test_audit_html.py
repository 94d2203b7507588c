"""The HTML audit report loaded in a real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright without its own browser download): no console errors, no network, the charts and the tables
behind them carry the report's numbers, links go to the forge, it fits a phone. Screenshots are saved
under test-artifacts/ (git-ignored) for a person to look at.

Skips, saying why, when chromium or playwright is missing; CI installs both (.ci/run).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.audit.decisionlog import Entry, open_log
from gatekeeper.cli import run
from tests.repo_builder import RepoBuilder
from tests.test_audit import history, keys  # noqa: F401  (fixtures)

CHROMIUM = os.environ.get("GATEKEEPER_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Any:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"playwright is not installed (pip install -e '.[test]'): {exc}")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield instance
        finally:
            instance.close()


def _report(repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, Any]]:
    repo.git("remote", "add", "origin", "https://x-token:s3cret@github.com/acme/app.git")
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    head = repo.head()
    for decision, rules in (("block", ("review/missing", "secrets/aws-access-key")), ("block", ("review/missing",)),
                            ("allow", ())):
        store.append(Entry(repository="github:acme/app", mode="pre-receive", event="decision", decision=decision,
                           exit_code=1 if decision == "block" else 0, commits=(head,), blocking_rules=rules))
    store.close()
    page = tmp_path / "audit.html"
    assert run(["audit", "--repo", str(repo.path), "--format", "html", "--output", str(page), "--log", str(log)]) == 0
    assert run(["audit", "--repo", str(repo.path), "--format", "json", "--log", str(log)]) == 0
    data = json.loads(capsys.readouterr().out)
    return page, data


def test_report_in_chromium(history: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
                            browser: Any) -> None:
    page_file, data = _report(history, tmp_path, capsys)
    summary = data["summary"]
    text = page_file.read_text()
    assert "s3cret" not in text and "x-token" not in text
    assert "<script" not in text and "http://" not in text

    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    assert problems == []
    assert requests == [page_file.as_uri()]  # self-contained: nothing else is fetched

    # The class chart: one bar per (month, class); its values add up to the commits, as does its table.
    values = page.eval_on_selector_all("#chart-classes rect.bar", "els => els.map(e => +e.dataset.value)")
    assert sum(values) == summary["commits"]
    totals = page.eval_on_selector_all("#chart-classes-table tbody tr td:last-child",
                                       "els => els.map(e => +e.textContent)")
    assert sum(totals) == summary["commits"]
    series = set(page.eval_on_selector_all("#chart-classes rect.bar", "els => els.map(e => e.dataset.series)"))
    assert series == set(summary["classes"])

    # Decisions over time and the top blocking rules come from the log.
    decisions = page.eval_on_selector_all("#chart-decisions rect.bar",
                                          "els => els.map(e => [e.dataset.series, +e.dataset.value])")
    assert sorted(decisions) == [["allow", 1], ["block", 2]]
    rules = dict(page.eval_on_selector_all("#chart-rules-table tbody tr",
                                           "els => els.map(e => [e.cells[0].textContent, +e.cells[1].textContent])"))
    assert rules == {"review/missing": 2, "secrets/aws-access-key": 1}

    # The unreviewed mobile/AI commits, linked to the forge (credentials gone from the URL).
    rows = page.eval_on_selector_all("#unreviewed-table tbody tr", "els => els.map(e => e.cells[3].textContent)")
    assert sorted(rows) == sorted(i["subject"] for i in summary["unreviewed_mobile_ai_on_protected"]["items"])
    links = page.eval_on_selector_all("#unreviewed-table a", "els => els.map(e => e.href)")
    shas = {i["sha"] for i in summary["unreviewed_mobile_ai_on_protected"]["items"]}
    assert sorted(links) == sorted(f"https://github.com/acme/app/commit/{sha}" for sha in shas)
    cards = dict(page.eval_on_selector_all(".card", "els => els.map(e => [e.dataset.card, e.querySelector('b')"
                                                    ".textContent])"))
    assert cards["commits"] == str(summary["commits"])
    assert cards["unreviewed mobile/AI on protected"] == str(summary["unreviewed_mobile_ai_on_protected"]["total"])
    # The agent's commit came in through a merge that only looks like GitHub's: listed with that merge, linked.
    unverified = summary["unverified_review_mobile_ai_on_protected"]
    assert cards["mobile/AI on unverified review"] == str(unverified["total"]) == "1"
    rows = page.eval_on_selector_all("#unverified-table tbody tr",
                                     "els => els.map(e => [e.cells[3].textContent, e.cells[5].textContent])")
    (item,) = unverified["items"]
    assert rows == [[item["subject"], f"desktop / AI assisted: forge-pr-merge via merge {item['via'][:12]}, heuristic"]]
    assert page.query_selector(f'#unverified-table a[href="https://github.com/acme/app/commit/{item["via"]}"]')
    # Every chart has its table (accessibility): each svg.chart has a <title>, and a table follows it.
    charts = page.eval_on_selector_all("svg.chart", "els => els.map(e => e.id)")
    for chart in charts:
        assert page.query_selector(f"#{chart}-table") is not None, chart
        assert page.query_selector(f"#{chart} title") is not None, chart

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit-desktop.png"), full_page=True)
    (tmp_path / "audit-desktop.png").write_bytes((ARTIFACTS / "audit-desktop.png").read_bytes())

    # A phone: nothing wider than the screen, the text still the body size.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "audit-phone.png"), full_page=False)
    assert (ARTIFACTS / "audit-phone.png").stat().st_size > 10_000
    context.close()
