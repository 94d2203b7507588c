"""Review evidence from the history (Gerrit, forge PR merges, Reviewed-by/Acked-by) in the JSON verdict.

Evidence carries a trust level and never approves: the review status keeps DESIGN §5's semantics.
Commit shapes follow golang/net (Gerrit's Reviewed-on + Reviewed-by), runc / github-mcp-server
(GitHub merges) — see bench/bench_forge_real.py for the count over the real histories.
"""

from __future__ import annotations

from typing import Any

from tests.provenance_helpers import check_json
from tests.repo_builder import RepoBuilder

GERRIT = ("http2: initialize Transport on NewClientConn\n\nAdd a missing init call.\n\n"
          "Change-Id: Ib6465b863bb0be3cd3d02d9c1bb349526a6a6964\n"
          "Reviewed-on: https://go-review.googlesource.com/c/net/+/795600\n"
          "Reviewed-by: Nicholas Husin <nsh@golang.org>\n"
          "Auto-Submit: Damien Neil <dneil@google.com>\n"
          "Reviewed-by: Nicholas Husin <husin@google.com>\n")
MOBILE_REVIEW_POLICY = """version: 1
protected_refs: ["refs/heads/*"]
rules:
  mobile:
    scanners: []
    review: {approvals: 1}
"""


def _commit(data: dict[str, Any], sha: str) -> dict[str, Any]:
    return next(c for c in data["commits"] if c["sha"] == sha)


def test_gerrit_review_is_evidence_with_its_change_url(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"README.md": "hi\n"})
    sha = repo.commit(GERRIT, {"a.go": "package a\n"}, author=("Damien Neil", "dneil@google.com"))

    code, data = check_json(repo, "--base", base)

    commit = _commit(data, sha)
    assert code == 0
    assert commit["review"]["status"] == "not-required"  # evidence is not an approval
    evidence = commit["review"]["evidence"]
    assert evidence[0] == {"source": "gerrit", "trust": "declared",
                           "detail": "Gerrit change https://go-review.googlesource.com/c/net/+/795600 "
                                     "(Change-Id Ib6465b863bb0be3cd3d02d9c1bb349526a6a6964)",
                           "url": "https://go-review.googlesource.com/c/net/+/795600"}
    assert [(e["source"], e["reviewer"], e["trust"]) for e in evidence[1:]] == [
        ("trailer/reviewed-by", "Nicholas Husin <nsh@golang.org>", "declared"),
        ("trailer/reviewed-by", "Nicholas Husin <husin@google.com>", "declared")]
    assert commit["trailers"] == {
        "change_id": ["Ib6465b863bb0be3cd3d02d9c1bb349526a6a6964"],
        "reviewed_on": ["https://go-review.googlesource.com/c/net/+/795600"],
        "reviewed_by": ["Nicholas Husin <nsh@golang.org>", "Nicholas Husin <husin@google.com>"]}


def test_pr_merge_names_the_pull_request(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"README.md": "hi\n"})
    sha = repo.commit("Add get_me tool (#301)\n\nSigned-off-by: Sam <sam@example.com>\n", {"a.go": "package a\n"},
                      committer=("GitHub", "noreply@github.com"))

    _code, data = check_json(repo, "--base", base)

    commit = _commit(data, sha)
    (evidence,) = commit["review"]["evidence"]
    assert (evidence["source"], evidence["pr"], evidence["trust"]) == ("forge/pr-merge", 301, "heuristic")
    assert commit["trailers"] == {"signed_off_by": ["Sam <sam@example.com>"]}
    assert commit["origin"]["device"] == "unknown"
    (origin_evidence,) = commit["origin"]["evidence"]
    assert (origin_evidence["source"], origin_evidence["pr"]) == ("forge/pr-merge", 301)


def test_self_review_is_marked_and_plain_commits_carry_nothing(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"README.md": "hi\n"})
    selfish = repo.commit("fix\n\nReviewed-by: Dev Eloper <dev@example.com>\nAcked-by: Max <max@example.com>\n",
                          {"a.py": "x = 1\n"}, author=("Dev Eloper", "dev@example.com"))
    plain = repo.commit("plain", {"b.py": "y = 1\n"})

    _code, data = check_json(repo, "--base", base)

    details = [e["detail"] for e in _commit(data, selfish)["review"]["evidence"]]
    assert details == ["Reviewed-by: Dev Eloper <dev@example.com> — an author or committer of the commit",
                       "Acked-by: Max <max@example.com>"]
    assert "evidence" not in _commit(data, plain)["review"] and "trailers" not in _commit(data, plain)


def test_a_reviewed_by_trailer_does_not_approve_a_mobile_commit(repo: RepoBuilder) -> None:
    repo.commit("policy", {".gatekeeper.yml": MOBILE_REVIEW_POLICY})
    base = repo.head()
    sha = repo.commit("feat\n\nOrigin-Device: mobile\nReviewed-by: Reviewer <rev@example.com>\n", {"a.py": "x = 1\n"})

    _code, data = check_json(repo, "--base", base)

    review = _commit(data, sha)["review"]
    assert review["status"] != "approved"
    assert review["evidence"] == [{"source": "trailer/reviewed-by", "detail": "Reviewed-by: Reviewer <rev@example.com>",
                                   "trust": "declared", "reviewer": "Reviewer <rev@example.com>"}]
