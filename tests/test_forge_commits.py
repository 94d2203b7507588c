"""Forge-made commits told apart: pull-request merges (no device class, PR number as evidence) vs web edits.

The commit objects are built the way GitHub and GitLab write them (committer, subject, parents, the
"See merge request" line), shapes taken from real histories (runc, github-mcp-server, aider; see
bench/bench_forge_real.py for the count over those histories).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gatekeeper import origin
from gatekeeper.git import Git
from gatekeeper.models import DeviceClass, SignatureInfo, SignatureStatus, Trust
from gatekeeper.origin.base import ForgeInfo, OriginContext
from gatekeeper.origin.heuristics import classify_forge_commit
from tests.repo_builder import RepoBuilder

WEB_FLOW = ("GitHub", "noreply@github.com")
GITLAB = ("GitLab", "noreply@gitlab.com")
MOBILE_AND_WEB = (DeviceClass.MOBILE, DeviceClass.TABLET, DeviceClass.WEB)


@dataclass
class Case:
    message: str
    kind: str | None  # "pr-merge", "web-edit" or None (not forge-made)
    merge: bool = False
    committer: tuple[str, str] = WEB_FLOW
    author: tuple[str, str] = ("Jane Doe", "jane@example.com")
    pr: int | None = None


CASES = {
    "merge button": Case("Merge pull request #4821 from jdoe/fix-cgroups\n\nfix cgroup v2 detection\n", "pr-merge",
                         merge=True, pr=4821),
    "squash merge": Case("Add get_me tool (#301)\n\n* first\n* second\n\nCo-authored-by: A <a@example.com>\n",
                         "pr-merge", pr=301),
    "rebase merge keeps (#N)": Case("docs: fix typo (#12)\n", "pr-merge", pr=12),
    "merge button with an edited title": Case("Release 1.2 (#77)\n", "pr-merge", merge=True, pr=77),
    "security advisory merge": Case("Merge pull request from GHSA-xr7r-f8xq-vfvv\n\n[1.1] fix\n", "pr-merge",
                                    merge=True),
    "advisory merge from fork": Case("Merge commit from fork\n\nfix\n", "pr-merge", merge=True),
    "browser edit": Case("Update README.md\n", "web-edit"),
    "dependabot API write": Case("build(deps): bump golang.org/x/net from 0.56.0 to 0.57.0\n", "web-edit",
                                 author=("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")),
    "update branch button": Case("Merge branch 'main' into fix/shlex\n", "web-edit", merge=True),
    # A squash whose title kept the merge button's words (anthropics/claude-code 80ddbcd9: red105).
    "merge-button subject without a second parent": Case("Merge pull request #5 from a/b\n", "pr-merge", pr=5),
    "squash with an edited title, GitHub's squash ending": Case(
        "feat: scaffold the module\n\n* feat: scaffold\n\n* test: cover it\n\n---------\n\n"
        "Co-authored-by: Sam Second <sam@example.org>\n", "pr-merge"),
    "web edit whose message has a dash line but more after it": Case(
        "Update README.md\n\n---------\n\nCo-authored-by: Sam <sam@example.org>\nand some words\n", "web-edit"),
    "web edit with only a dash line": Case("Update README.md\n\n---------\n", "web-edit"),
    "(#0) is no PR": Case("fix (#0)\n", "web-edit"),
    "gitlab merge request": Case("Merge branch 'feature' into 'main'\n\nAdd login\n\nSee merge request acme/web!42\n",
                                 "pr-merge", merge=True, committer=("Jane Doe", "jane@example.com"), pr=42),
    "gitlab < 9 merge request": Case("Merge branch 'fix' into 'master'\n\nSee merge request !415\n", "pr-merge",
                                     merge=True, committer=("Jane Doe", "jane@example.com"), pr=415),
    "gitlab merge request with url": Case(
        "Merge branch 'fix' into 'master'\n\nSee merge request !7  https://gitlab.com/g/p/merge_requests/7\n",
        "pr-merge", merge=True, committer=("Jane Doe", "jane@example.com"), pr=7),
    "gitlab web edit": Case("Update file app.py\n", "web-edit", committer=GITLAB),
    "plain commit": Case("fix: thing (#3)\n", None, committer=("Jane Doe", "jane@example.com")),
    "plain merge naming a PR": Case("Merge pull request #9 from x/y\n", None, merge=True,
                                    committer=("Jane Doe", "jane@example.com")),
}


def build(repo: RepoBuilder, case: Case) -> str:
    base = repo.commit("base", allow_empty=True)
    parents = ["-p", base]
    if case.merge:
        repo.branch(f"side-{repo.clock}")
        side = repo.commit("side", allow_empty=True)
        parents += ["-p", side]
    env = {"GIT_AUTHOR_NAME": case.author[0], "GIT_AUTHOR_EMAIL": case.author[1],
           "GIT_COMMITTER_NAME": case.committer[0], "GIT_COMMITTER_EMAIL": case.committer[1]}
    return repo.git("commit-tree", f"{base}^{{tree}}", *parents, input=case.message, env=env)


@pytest.mark.parametrize("name", sorted(CASES))
def test_forge_commit_kind(name: str, repo: RepoBuilder) -> None:
    case = CASES[name]
    sha = build(repo, case)
    (commit,) = Git(repo.path).iter_log([sha], no_walk=True)

    made = classify_forge_commit(commit)
    result, findings = origin.detect(commit, OriginContext(), MOBILE_AND_WEB)

    assert (made.kind if made else None) == case.kind
    assert findings == []
    sources = {e.source for e in result.evidence}
    if case.kind == "pr-merge":
        assert made is not None and made.pr == case.pr
        (evidence,) = [e for e in result.evidence if e.source == "forge/pr-merge"]
        assert evidence.pr == case.pr and evidence.trust is Trust.HEURISTIC and evidence.device is None
        # A PR merge is not a web edit: with `web` among the mobile classes it still is not mobile.
        assert result.device is DeviceClass.UNKNOWN
    elif case.kind == "web-edit":
        assert sources == {"forge/web-edit"}
        assert result.device is DeviceClass.WEB
    else:
        assert not any(s.startswith("forge/") for s in sources)


def test_forge_signed_pr_merge_is_verified(repo: RepoBuilder) -> None:
    sha = build(repo, CASES["squash merge"])
    (commit,) = Git(repo.path).iter_log([sha], no_walk=True)
    signed = SignatureInfo(SignatureStatus.GOOD, "openpgp", signer="GitHub web-flow", forge="github")
    result, _ = origin.detect(commit, OriginContext(signatures={sha: signed}), MOBILE_AND_WEB)
    (evidence,) = result.evidence
    assert (evidence.source, evidence.trust, evidence.pr) == ("forge/pr-merge", Trust.VERIFIED, 301)
    assert "signed by github's own key" in evidence.detail


def test_signed_web_edit_stays_heuristic_and_cannot_make_a_declaration_spoofed(repo: RepoBuilder) -> None:
    sha = build(repo, Case("Update app.py\n\nOrigin-Device: mobile\n", "web-edit"))
    (commit,) = Git(repo.path).iter_log([sha], no_walk=True)
    signed = SignatureInfo(SignatureStatus.GOOD, "openpgp", signer="GitHub web-flow", forge="github")
    result, findings = origin.detect(commit, OriginContext(signatures={sha: signed}), MOBILE_AND_WEB)
    assert result.device is DeviceClass.MOBILE
    assert [f.rule_id for f in findings] == ["origin/conflict"]


def test_ghes_merge_button_push_is_verified_pr_merge(repo: RepoBuilder) -> None:
    sha = build(repo, CASES["merge button"])
    (commit,) = Git(repo.path).iter_log([sha], no_walk=True)
    forge = ForgeInfo("github", user="lead", via="pull request merge button", pr_merge=True)
    result, _ = origin.detect(commit, OriginContext(forge=forge), MOBILE_AND_WEB)
    verified = [e for e in result.evidence if e.trust is Trust.VERIFIED]
    assert [(e.source, e.pr) for e in verified] == [("forge/pr-merge", 4821)]
    assert result.device is DeviceClass.UNKNOWN
