"""How far the audit's review evidence can be trusted, and the mobile/AI commits that rest on evidence nobody verified.

A pull-request merge is recognised from its committer (`GitHub <noreply@github.com>`) and its subject; both
are whatever the person making the commit writes. So a merge or a squash made to look like GitHub's brings
mobile and AI commits onto a protected branch looking reviewed. The audit keeps counting it as review
evidence (real histories hold years of unsigned web-flow merges from before GitHub signed them), but says
how much of it is only heuristic or declared, and lists the mobile/AI commits on protected branches that
rest on such evidence: `summary.review_trust` and `summary.unverified_review_mobile_ai_on_protected`. A merge
the forge signed with its own key is verified, whether it is the commit itself or the merge it came in by.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gatekeeper.audit.history import AuditRequest, resolve_range, run_audit
from gatekeeper.audit.render import summary_dict
from gatekeeper.cli import run
from gatekeeper.config import parse_policy
from gatekeeper.git import Git
from gatekeeper.provenance.openpgp import ForgeKeys
from gatekeeper.provenance.source import filesystem_reader
from tests.provenance_helpers import forge_gpg_key
from tests.repo_builder import RepoBuilder

SCHEMA = json.loads((Path(__file__).parents[1] / "gatekeeper" / "schema" / "audit.schema.json").read_text())
WEB_FLOW = {"GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com"}
POLICY = "version: 1\nprotected_refs: [refs/heads/main]\n"


def audit(capsys: pytest.CaptureFixture[str], repo: Path, fmt: str = "json", *args: str) -> str:
    code = run(["audit", "--repo", str(repo), "--format", fmt, "--no-progress", *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def listed(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["subject"]: i for i in summary["unverified_review_mobile_ai_on_protected"]["items"]}


def unreviewed(summary: dict[str, Any]) -> set[str]:
    return {i["subject"] for i in summary["unreviewed_mobile_ai_on_protected"]["items"]}


@pytest.fixture
def look_alikes(repo: RepoBuilder) -> dict[str, str]:
    """main: a phone commit brought in by a merge made to look like GitHub's merge button, an agent's commit
    made to look like a GitHub squash merge, a phone commit with Gerrit's trailers, and a phone commit
    pushed as it is."""
    made = {"root": repo.commit("policy", {".gatekeeper.yml": POLICY})}
    repo.branch("feature")
    made["phone"] = repo.commit("phone work\n\nOrigin-Device: mobile\n", {"a.txt": "1\n"})
    repo.checkout("main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #9 from someone/feature", "feature", env=WEB_FLOW)
    made["merge"] = repo.head()
    made["squash"] = repo.commit("agent change (#12)\n\nAssisted-by: claude-code\n", {"b.txt": "1\n"},
                                 committer=("GitHub", "noreply@github.com"))
    made["gerrit"] = repo.commit("phone change via gerrit\n\nOrigin-Device: mobile\nChange-Id: I0123456789abcdef\n"
                                 "Reviewed-on: https://review.example.org/c/app/+/7\n"
                                 "Reviewed-by: Rita Reviewer <rita@example.com>\n", {"c.txt": "1\n"})
    made["direct"] = repo.commit("phone push\n\nOrigin-Device: mobile\n", {"d.txt": "1\n"})
    return made


def test_look_alike_forge_merges_are_listed_as_unverified(look_alikes: dict[str, str], repo: RepoBuilder,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(audit(capsys, repo.path))
    jsonschema.validate(data, SCHEMA)
    s = data["summary"]
    # Still review evidence (not in the "no review evidence" list) ...
    assert unreviewed(s) == {"phone push"}
    # ... but each says what it rests on.
    found = listed(s)
    assert set(found) == {"phone work", "agent change (#12)", "phone change via gerrit"}
    assert (found["phone work"]["review"], found["phone work"]["trust"], found["phone work"]["via"]) == (
        "forge-pr-merge", "heuristic", look_alikes["merge"])
    assert found["phone work"]["sha"] == look_alikes["phone"] and found["phone work"]["class"] == "mobile"
    assert (found["agent change (#12)"]["review"], found["agent change (#12)"]["trust"],
            found["agent change (#12)"]["via"]) == ("forge-pr-merge", "heuristic", None)
    assert found["agent change (#12)"]["ai"] == "assisted" and found["agent change (#12)"]["pr"] == 12
    assert (found["phone change via gerrit"]["review"], found["phone change via gerrit"]["trust"]) == (
        "gerrit", "declared")
    assert s["unverified_review_mobile_ai_on_protected"]["total"] == 3
    # The counts by trust add up to the counts by kind.
    assert s["review_trust"] == {"forge-pr-merge": {"heuristic": 2}, "forge-pr-merge (via merge)": {"heuristic": 1},
                                 "gerrit": {"declared": 1}}
    for kind, by in s["review_trust"].items():
        assert sum(by.values()) == s["reviews"][kind]["count"]


def test_text_and_html_name_the_unverified_evidence(look_alikes: dict[str, str], repo: RepoBuilder,
                                                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = audit(capsys, repo.path, "text")
    assert "review trust:    forge-pr-merge: heuristic 2; forge-pr-merge (via merge): heuristic 1; gerrit: declared 1" \
        in text
    block = text.split("reviewed only on unverified evidence: 3\n", 1)[1].split("\n\n", 1)[0]
    assert f"{look_alikes['phone'][:12]} " in block
    assert f"[mobile/none; forge-pr-merge via merge {look_alikes['merge'][:12]}, heuristic]" in block
    assert "[desktop/assisted; forge-pr-merge, heuristic]" in block
    assert "[mobile/none; gerrit, declared]" in block

    out = tmp_path / "audit.html"
    audit(capsys, repo.path, "html", "--output", str(out))
    page = out.read_text()
    table = re.search(r'<table id="unverified-table">(.*?)</table>', page, re.S)
    assert table is not None
    rows = re.findall(r"<tr><td>(.*?)</tr>", table.group(1), re.S)
    assert len(rows) == 3
    assert any(look_alikes["merge"][:12] in row and "heuristic" in row for row in rows)
    assert '<th scope="row">review trust</th><td>gerrit: declared</td><td class="n">1</td>' in page


# -- the forge's own signature makes it verified -------------------------------------------------------------

@pytest.fixture
def forge_key(tmp_path: Path) -> Iterator[tuple[dict[str, str], ForgeKeys, str]]:
    """A key standing in for GitHub's web-flow key: (git env to sign with it as GitHub, ForgeKeys, fingerprint)."""
    with forge_gpg_key(tmp_path / "gnupg", "GitHub <noreply@github.com>") as (gpg, keys, fpr):
        yield {"GNUPGHOME": gpg[2], **WEB_FLOW}, keys, fpr


def _summary(repo: Path, forge_keys: ForgeKeys | None) -> dict[str, Any]:
    git = Git(repo)
    policy = parse_policy(POLICY, ".gatekeeper.yml")
    request = AuditRequest(git, policy, filesystem_reader, resolve_range(git, None, None, False),
                           dt.datetime.now(dt.UTC), forge_keys=forge_keys)
    return summary_dict(run_audit(request, lambda _audit: None))


def test_merges_the_forge_signed_are_verified(repo: RepoBuilder,
                                              forge_key: tuple[dict[str, str], ForgeKeys, str]) -> None:
    env, keys, fpr = forge_key
    repo.commit("policy", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    phone = repo.commit("phone work\n\nOrigin-Device: mobile\n", {"a.txt": "1\n"})
    repo.checkout("main")
    repo.git("-c", f"user.signingkey={fpr}", "merge", "-q", "--no-ff", "-S", "-m",
             "Merge pull request #9 from someone/feature", "feature", env=env)
    merge = repo.head()
    repo.git("-c", f"user.signingkey={fpr}", "commit", "-q", "--allow-empty", "-S", "-F", "-",
             input="agent change (#12)\n\nAssisted-by: claude-code\n", env=env)

    signed = _summary(repo.path, keys)
    assert signed["unverified_review_mobile_ai_on_protected"] == {"total": 0, "truncated": False, "items": []}
    assert signed["unreviewed_mobile_ai_on_protected"]["total"] == 0
    assert signed["review_trust"] == {"forge-pr-merge": {"verified": 2}, "forge-pr-merge (via merge)": {"verified": 1}}

    # The same objects against the keys gatekeeper ships: signed, but not by GitHub, so only heuristic.
    shipped = _summary(repo.path, None)
    found = listed(shipped)
    assert set(found) == {"phone work", "agent change (#12)"}
    assert (found["phone work"]["sha"], found["phone work"]["via"]) == (phone, merge)
    assert shipped["review_trust"] == {"forge-pr-merge": {"heuristic": 2},
                                       "forge-pr-merge (via merge)": {"heuristic": 1}}


def test_one_unverified_way_in_is_the_one_named(repo: RepoBuilder,
                                                forge_key: tuple[dict[str, str], ForgeKeys, str]) -> None:
    """A phone commit that reached two protected branches, through a merge GitHub signed on one and a
    look-alike on the other: reviewed on both, verified on one only, so it is listed with the look-alike."""
    env, keys, fpr = forge_key
    policy = "version: 1\nprotected_refs: [refs/heads/main, refs/heads/release/*]\n"
    repo.commit("policy", {".gatekeeper.yml": policy})
    repo.branch("release/1")
    repo.branch("feature", "main")
    repo.commit("phone work\n\nOrigin-Device: mobile\n", {"a.txt": "1\n"})
    repo.checkout("main")
    repo.git("-c", f"user.signingkey={fpr}", "merge", "-q", "--no-ff", "-S", "-m",
             "Merge pull request #9 from someone/feature", "feature", env=env)
    repo.checkout("release/1")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #10 from someone/feature", "feature", env=WEB_FLOW)
    look_alike = repo.head()
    repo.checkout("main")

    git = Git(repo.path)
    request = AuditRequest(git, parse_policy(policy, ".gatekeeper.yml"), filesystem_reader,
                           resolve_range(git, None, None, True), dt.datetime.now(dt.UTC), forge_keys=keys)
    s = summary_dict(run_audit(request, lambda _audit: None))
    assert s["unreviewed_mobile_ai_on_protected"]["total"] == 0
    (item,) = s["unverified_review_mobile_ai_on_protected"]["items"]
    assert (item["subject"], item["via"], item["trust"]) == ("phone work", look_alike, "heuristic")
