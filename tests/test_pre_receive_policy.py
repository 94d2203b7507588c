"""pre-receive: a push must not weaken the gate unreviewed (DESIGN §4, `policy/changed`).

The policy is read from `main` as it was before the push, so a push cannot change the rules that
judge *it*; these tests are about the next push. A change to the policy, the device registry, the
allowed signers or any file the trusted policy names blocks on a protected ref unless the push
carries verifiable review of the commits that made it. Real `git push` into a bare repository with
the installed hook; exact `remote:` lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hook_helpers import MO, MOBILE, RITA, PushResult, Server, make_server, seed, spush
from tests.repo_builder import RepoBuilder

IN_REPO = """\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
protected_refs: ["refs/heads/main", "refs/heads/release/*"]
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 1}}
  default: {scanners: [], block_at: critical}
devices: .gatekeeper/devices.yml
allowed_signers: security/allowed_signers
pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}
"""
REGISTRY = "version: 1\ndevices: []\n"
SIGNERS = "# no signers yet\n"
# Every undeclared commit is treated as mobile: the policy a later push must not sneak in unreviewed.
STRICTER = IN_REPO.replace("undeclared: desktop", "undeclared: mobile")
LAXER = IN_REPO.replace("review: {approvals: 1}", "review: {approvals: 0}")

FIX = ("land policy changes through a reviewed merge, or have a reviewer who is not an author push them with a "
       "`Reviewed-by:` trailer naming the reviewer")
DANA = ("Dana Developer", "dana@example.com")
GITHUB = ("GitHub", "noreply@github.com")


def unreviewed(sha: str, paths: str, why: str = "no review", refs: str = "refs/heads/main", count: int = 1) -> str:
    return (f"  policy/changed {sha[:12]}: {count} commit(s) change the gate's policy on {refs} ({paths}) without a "
            f"verifiable review: {why} -- fix: {FIX}")


@pytest.fixture
def repo_policy(tmp_path: Path) -> tuple[Server, RepoBuilder]:
    """A server reading `.gatekeeper.yml` from main (no server-side policy), seeded with the policy files."""
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    work.commit("Add the gatekeeper policy\n", {".gatekeeper.yml": IN_REPO, ".gatekeeper/devices.yml": REGISTRY,
                                                "security/allowed_signers": SIGNERS}, author=DANA, committer=DANA)
    # The very first push has no policy before it to be judged by (nor to weaken).
    assert spush(server, work, "origin", "main").code == 0
    return server, work


def policy_line(server: Server) -> str:
    tip = server.tip()
    assert tip is not None
    return f"  policy: refs/heads/main:.gatekeeper.yml at {tip[:12]} (before this push)"


def test_desktop_push_changing_the_policy_on_main_is_rejected(repo_policy: tuple[Server, RepoBuilder]) -> None:
    server, work = repo_policy
    before = server.tip()
    sha = work.commit("Relax review\n", {".gatekeeper.yml": LAXER}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "dana"})
    assert result.code != 0
    assert result.remote == [
        "gatekeeper: push REJECTED: 1 blocking finding(s) in 1 new commit(s)",
        unreviewed(sha, ".gatekeeper.yml"),
        policy_line(server),
    ]
    assert server.tip() == before
    finding = next(f for f in server.last_verdict()["findings"] if f["rule_id"] == "policy/changed")
    assert (finding["severity"], finding["blocking"]) == ("high", True)


def test_self_review_and_unverifiable_review_of_a_policy_change_are_rejected(
        repo_policy: tuple[Server, RepoBuilder]) -> None:
    server, work = repo_policy
    before = server.tip()
    own = work.commit("Relax review\n\nReviewed-by: Dana Developer <dana@example.com>\n", {".gatekeeper.yml": LAXER},
                      author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "dana"})
    assert result.code != 0
    assert result.remote[1] == unreviewed(
        own, ".gatekeeper.yml", "the only review comes from an author (Reviewed-by Dana Developer "
        "<dana@example.com> is an author or committer of the commit)")
    # Naming someone else is a claim the hook cannot check when that someone did not push it.
    work.git("reset", "-q", "--hard", before)
    claimed = work.commit("Relax review\n\nReviewed-by: Rita Reviewer <rita@example.com>\n",
                          {".gatekeeper.yml": LAXER}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "dana"})
    assert result.code != 0
    assert result.remote[1] == unreviewed(
        claimed, ".gatekeeper.yml", "Reviewed-by Rita Reviewer <rita@example.com> cannot be verified: pushed by "
        "dana, not the reviewer, and not signed by the reviewer")
    assert server.tip() == before


def test_reviewer_pushing_a_reviewed_policy_change_is_accepted_and_it_takes_effect(
        repo_policy: tuple[Server, RepoBuilder]) -> None:
    server, work = repo_policy
    base = work.head()
    work.branch("tighten")
    change = work.commit("Treat undeclared commits as mobile\n", {".gatekeeper.yml": STRICTER}, author=DANA,
                         committer=DANA)
    work.checkout("main")
    merge = work.merge("tighten", "Merge tighten\n\nReviewed-by: Rita Reviewer <rita@example.com>\n")
    assert work.git("rev-parse", "HEAD^1") == base
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"})
    assert result.code == 0, result.output
    assert result.remote == [
        "gatekeeper: push accepted (2 new commit(s) checked)",
        f"  note: policy/changed {change[:12]}: 1 commit(s) change the gate's policy on refs/heads/main "
        "(.gatekeeper.yml); reviewed by Rita Reviewer <rita@example.com> (trailer); later pushes are judged by the "
        "new policy",
    ]
    assert server.tip() == merge
    finding = next(f for f in server.last_verdict()["findings"] if f["rule_id"] == "policy/changed")
    assert (finding["severity"], finding["blocking"]) == ("info", False)
    # The next push is judged by the new policy: an undeclared commit now needs review as mobile.
    undeclared = work.commit("Small fix\n", {"fix.py": "x = 1\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "dana"})
    assert result.code != 0
    assert result.remote[1].startswith(f"  review/missing {undeclared[:12]}: 1 mobile-origin commit(s) to "
                                       "refs/heads/main need 1 approval(s)")
    assert result.remote[-1] == f"  policy: refs/heads/main:.gatekeeper.yml at {merge[:12]} (before this push)"


def test_ghes_merge_button_by_a_non_author_is_review_and_by_an_author_is_not(
        repo_policy: tuple[Server, RepoBuilder]) -> None:
    server, work = repo_policy
    base = work.head()
    work.branch("relax")
    change = work.commit("Relax review\n", {".gatekeeper.yml": LAXER}, author=DANA, committer=DANA)
    work.checkout("main")
    ghes = {"GITHUB_VIA": "pull request merge button", "GITHUB_PULL_REQUEST_AUTHOR_LOGIN": "alice"}

    def merged_by(login: str, who: tuple[str, str]) -> PushResult:
        work.git("reset", "-q", "--hard", base)
        # As GHES writes it: the merger is the merge's author, GitHub its committer.
        work.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from acme/relax", "relax",
                 env={"GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1], "GIT_COMMITTER_NAME": GITHUB[0],
                      "GIT_COMMITTER_EMAIL": GITHUB[1]})
        return spush(server, work, "origin", "main", env={**ghes, "GITHUB_USER_LOGIN": login})

    # Dana wrote the change; merging alice's pull request that carries it is no review.
    result = merged_by("dana", DANA)
    assert result.code != 0
    assert result.remote[1] == unreviewed(change, ".gatekeeper.yml", "the only review comes from an author (@dana "
                                          "merged a pull request with their own commits (pull request merge button))")
    assert server.tip() == base
    result = merged_by("rita", RITA)
    assert result.code == 0, result.output
    assert result.remote == [
        "gatekeeper: push accepted (2 new commit(s) checked)",
        f"  note: policy/changed {change[:12]}: 1 commit(s) change the gate's policy on refs/heads/main "
        "(.gatekeeper.yml); reviewed by rita (forge); later pushes are judged by the new policy",
    ]
    assert server.tip() == work.head()


def test_policy_change_on_an_unprotected_branch_is_a_warning_until_it_reaches_main(
        repo_policy: tuple[Server, RepoBuilder]) -> None:
    server, work = repo_policy
    before = server.tip()
    work.branch("topic")
    sha = work.commit("Relax review\n", {".gatekeeper.yml": LAXER}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "topic", env={"GATEKEEPER_PUSHER": "dana"})
    assert result.code == 0, result.output
    assert result.remote == [
        "gatekeeper: push accepted with warnings (1 new commit(s) checked)",
        f"  warning: policy/changed {sha[:12]}: 1 commit(s) change the gate's policy (.gatekeeper.yml) on "
        f"refs/heads/topic; landing them on a protected ref needs review -- fix: {FIX}",
    ]
    assert server.tip("refs/heads/topic") == sha
    # Already on the server, the same commit fast-forwarded to main is judged there.
    result = spush(server, work, "origin", "topic:main", env={"GATEKEEPER_PUSHER": "dana"})
    assert result.code != 0
    assert result.remote[1] == unreviewed(sha, ".gatekeeper.yml")
    assert server.tip() == before


def test_enrolling_a_signing_key_on_main_is_rejected(repo_policy: tuple[Server, RepoBuilder]) -> None:
    server, work = repo_policy
    before = server.tip()
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBXkE8lZsS1xDGsKtGj4EkB2c5cPdvpTtu0Sdw6dAZUX mallory@phone"
    registry = (f"version: 1\ndevices:\n  - id: mallory-phone\n    owner: mo@example.com\n    class: desktop\n"
                f"    managed: true\n    keys: [\"{key}\"]\n    enrolled: 2026-01-01\n")
    sha = work.commit("Enrol my phone\n", {".gatekeeper/devices.yml": registry,
                                           "security/allowed_signers": f'mo@example.com namespaces="git" {key}\n'},
                      author=MO, committer=MO)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "mo"})
    assert result.code != 0
    assert result.remote == [
        "gatekeeper: push REJECTED: 1 blocking finding(s) in 1 new commit(s)",
        unreviewed(sha, ".gatekeeper/devices.yml, security/allowed_signers"),
        policy_line(server),
    ]
    assert server.tip() == before


def test_merge_resolved_to_an_older_policy_is_a_policy_change(repo_policy: tuple[Server, RepoBuilder]) -> None:
    """No pushed commit changes the policy on its own: the merge picks the old version from its second parent."""
    server, work = repo_policy
    old = work.head()
    work.branch("old-topic")
    work.commit("Unrelated work\n", {"notes.txt": "n\n"}, author=DANA, committer=DANA)
    work.checkout("main")
    work.branch("tighten")
    work.commit("Tighten\n", {".gatekeeper.yml": STRICTER}, author=DANA, committer=DANA)
    work.checkout("main")
    work.merge("tighten", "Merge tighten\n\nReviewed-by: Rita Reviewer <rita@example.com>\n")
    assert spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"}).code == 0
    before = server.tip()
    work.git("merge", "-q", "--no-ff", "--no-commit", "old-topic")
    work.git("checkout", old, "--", ".gatekeeper.yml")
    work.git("commit", "-q", "--no-edit")
    merge = work.head()
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "dana"})
    assert result.code != 0
    assert result.remote[1] == unreviewed(merge, ".gatekeeper.yml")
    assert server.tip() == before


def test_server_side_policy_ignores_the_repositorys_policy_files(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv")
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    work.commit("An in-repository policy the server does not read\n", {".gatekeeper.yml": LAXER})
    result = spush(server, work, "origin", "main")
    assert result.code == 0, result.output
    assert result.remote == ["gatekeeper: push accepted (1 new commit(s) checked)"]


def test_mobile_commit_changing_the_policy_needs_both_reviews(repo_policy: tuple[Server, RepoBuilder]) -> None:
    server, work = repo_policy
    sha = work.commit("Relax from the phone" + MOBILE, {".gatekeeper.yml": LAXER}, author=MO, committer=MO)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "mo"})
    assert result.code != 0
    assert result.remote[0] == "gatekeeper: push REJECTED: 2 blocking finding(s) in 1 new commit(s)"
    assert unreviewed(sha, ".gatekeeper.yml") in result.remote
    # Rita reviews and pushes it: both requirements are met by the same verified review.
    work.git("commit", "-q", "--amend", "-m", "Relax from the phone" + MOBILE + "Reviewed-by: Rita Reviewer "
             "<rita@example.com>\n", env={"GIT_COMMITTER_NAME": MO[0], "GIT_COMMITTER_EMAIL": MO[1]})
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"})
    assert result.code == 0, result.output
    assert result.remote[0] == "gatekeeper: push accepted (1 new commit(s) checked)"
