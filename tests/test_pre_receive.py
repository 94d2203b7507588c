"""The pre-receive hook end to end: a real `git push` into a bare repository with the installed hook.

Each test asserts the exact `remote:` lines the pusher sees and whether the server's refs moved.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.hook_helpers import (
    MO,
    MOBILE,
    RITA,
    TEST_POLICY,
    ZERO,
    Server,
    git_daemon,
    make_server,
    push,
    seed,
    spush,
)
from tests.repo_builder import RepoBuilder

FIX_REVIEW = ("land them through a reviewed pull request, or have a reviewer who is not an author push them with a "
              "`Reviewed-by:` trailer naming the reviewer")


def accepted(commits: int) -> str:
    return f"gatekeeper: push accepted ({commits} new commit(s) checked)"


def missing_review(sha: str, refs: str = "refs/heads/main", count: int = 1) -> str:
    return (f"  review/missing {sha[:12]}: {count} mobile-origin commit(s) to {refs} need 1 approval(s): no review "
            f"-- fix: {FIX_REVIEW}")


@pytest.fixture
def server(tmp_path: Path) -> Server:
    return make_server(tmp_path / "srv")


@pytest.fixture
def seeded(server: Server) -> tuple[Server, RepoBuilder]:
    """A server whose main already has a desktop commit, and a clone of it."""
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    return server, work


# -- basic decisions --------------------------------------------------------------------------------

def test_desktop_push_accepted_and_ref_moves(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", watchdog=True)  # the hook exactly as installed
    assert "--no-watchdog" not in (server.path / "hooks" / "pre-receive").read_text()
    work = server.clone()
    sha = work.commit("Initial commit\n", {"README.md": "hello\n"})
    result = spush(server, work, "origin", "main")
    assert result.code == 0
    assert result.remote == [accepted(1)]
    assert server.tip() == sha


def test_mobile_push_to_protected_ref_without_review_is_rejected(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    before = server.tip()
    sha = work.commit("Quick fix from the train" + MOBILE, {"app.py": "x = 1\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "main")
    assert result.code != 0
    assert result.remote == [
        "gatekeeper: push REJECTED: 1 blocking finding(s) in 1 new commit(s)",
        missing_review(sha),
        f"  policy: {server.policy_file}",
    ]
    assert "[remote rejected] (pre-receive hook declined)" in result.output
    assert server.tip() == before


def test_mobile_push_to_unprotected_branch_is_accepted(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.branch("mobile/idea")
    sha = work.commit("Idea" + MOBILE, {"idea.py": "y = 2\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "mobile/idea")
    assert result.code == 0
    assert result.remote == [accepted(1)]
    assert server.tip("refs/heads/mobile/idea") == sha


# -- push shapes ------------------------------------------------------------------------------------

def test_new_branch_with_shared_history_judges_only_new_commits(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    for i in range(3):
        work.commit(f"desktop {i}\n", {f"f{i}.txt": f"{i}\n"})
    assert spush(server, work, "origin", "main").code == 0
    work.branch("feature")
    work.commit("feature work\n", {"feature.txt": "f\n"})
    result = spush(server, work, "origin", "feature")
    assert result.code == 0
    assert result.remote == [accepted(1)]
    verdict = server.last_verdict()
    assert [u["kind"] for u in verdict["updates"]] == ["create"]
    assert len(verdict["commits"]) == 1


def test_multi_ref_push_judges_every_ref_and_each_commit_once(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    before = server.tip()
    shared = work.commit("From the phone" + MOBILE, {"m.py": "m = 1\n"}, author=MO, committer=MO)
    work.git("branch", "release/1.0", shared)
    work.git("branch", "scratch", shared)
    result = spush(server, work, "origin", "main", "release/1.0", "scratch")
    assert result.code != 0
    # One commit under three refs: judged once, the review requirement names both protected refs.
    assert result.remote == [
        "gatekeeper: push REJECTED: 1 blocking finding(s) in 1 new commit(s)",
        missing_review(shared, "refs/heads/main, refs/heads/release/1.0"),
        f"  policy: {server.policy_file}",
    ]
    verdict = server.last_verdict()
    assert len(verdict["commits"]) == 1
    assert sorted(verdict["commits"][0]["refs"]) == ["refs/heads/main", "refs/heads/release/1.0", "refs/heads/scratch"]
    assert {u["ref"] for u in verdict["updates"]} == {"refs/heads/main", "refs/heads/release/1.0",
                                                       "refs/heads/scratch"}
    # pre-receive is all or nothing: no ref moved.
    assert server.tip() == before
    assert server.tip("refs/heads/scratch") is None


def test_force_push_to_protected_ref_rejected_elsewhere_accepted(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.commit("second\n", {"b.txt": "b\n"})
    assert spush(server, work, "origin", "main").code == 0
    tip = server.tip()
    work.git("reset", "-q", "--hard", "HEAD~1")
    rewritten = work.commit("rewritten\n", {"c.txt": "c\n"})
    result = spush(server, work, "origin", "+main")
    assert result.code != 0
    assert result.remote[0] == "gatekeeper: push REJECTED: 1 blocking finding(s) in 1 new commit(s)"
    assert result.remote[1] == ("  policy/force-push: force push to protected refs/heads/main rewrites its history "
                                "-- fix: rebase onto the current tip and push without --force")
    assert server.tip() == tip
    # The same rewrite on an unprotected branch is fine.
    result = spush(server, work, "origin", f"+{rewritten}:refs/heads/topic")
    assert result.code == 0, result.output
    work.git("reset", "-q", "--hard", tip)
    work.commit("other\n", {"d.txt": "d\n"})
    result = spush(server, work, "origin", "+HEAD:refs/heads/topic")
    assert result.code == 0
    assert server.last_verdict()["updates"][0]["kind"] == "force"


def test_deleting_protected_ref_rejected_other_deletion_accepted(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    assert spush(server, work, "origin", "main:refs/heads/old-topic").code == 0
    result = spush(server, work, "origin", ":refs/heads/old-topic")
    assert result.code == 0
    assert result.remote == [accepted(0)]
    assert server.tip("refs/heads/old-topic") is None
    # Deleting the current branch is refused by git itself unless allowed; allow it to reach the hook.
    server.git("config", "receive.denyDeleteCurrent", "ignore")
    result = spush(server, work, "origin", ":refs/heads/main")
    assert result.code != 0
    assert result.remote[1] == ("  policy/ref-deletion: deleting protected refs/heads/main -- fix: protected refs "
                                "cannot be deleted; ask an administrator")
    assert server.tip() is not None


def test_tags_lightweight_and_annotated(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.git("tag", "v1")
    work.git("tag", "-a", "-m", "release 2", "v2")
    work.git("tag", "blob-tag", "HEAD:README.md")
    result = spush(server, work, "origin", "v1", "v2", "blob-tag")
    assert result.code == 0, result.output
    assert result.remote == [accepted(0)]
    kinds = {u["ref"]: u["kind"] for u in server.last_verdict()["updates"]}
    assert kinds == {"refs/tags/v1": "tag", "refs/tags/v2": "tag", "refs/tags/blob-tag": "tag"}
    # A tag bringing a new mobile commit: the commit is judged (not protected here, so accepted).
    work.commit("tagged from phone" + MOBILE, {"t.py": "t = 1\n"}, author=MO, committer=MO)
    work.git("tag", "v3")
    result = spush(server, work, "origin", "v3")
    assert result.code == 0
    assert result.remote == [accepted(1)]
    assert server.tip("refs/tags/v3") is not None


# -- origin from push options and forge metadata ----------------------------------------------------

def test_push_option_origin_device_makes_push_mobile(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    sha = work.commit("looks like desktop\n", {"p.py": "p = 1\n"})
    result = spush(server, work, "-o", "origin-device=mobile", "origin", "main")
    assert result.code != 0
    assert result.remote[1] == missing_review(sha)
    evidence = server.last_verdict()["commits"][0]["origin"]["evidence"]
    assert {"source": "push-option", "detail": "push option origin-device: mobile", "trust": "declared"} in evidence


def test_ghes_merge_by_someone_else_approves(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.commit("mobile work" + MOBILE, {"g.py": "g = 1\n"}, author=MO, committer=MO)
    env = {"GITHUB_VIA": "pull request merge button", "GITHUB_USER_LOGIN": "rita",
           "GITHUB_PULL_REQUEST_AUTHOR_LOGIN": "mo", "GITHUB_REPO_NAME": "acme/payments"}
    result = spush(server, work, "origin", "main", env=env)
    assert result.code == 0, result.output
    assert result.remote == [accepted(1), "  review: 1 mobile-origin commit(s) approved by rita (forge)"]
    review = server.last_verdict()["commits"][0]["review"]
    assert review["status"] == "approved" and review["source"] == "forge"
    assert server.audit()[-1]["forge"]["repo"] == "acme/payments"


def test_ghes_self_merge_is_rejected(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    sha = work.commit("mobile work" + MOBILE, {"g.py": "g = 1\n"}, author=MO, committer=MO)
    env = {"GITHUB_VIA": "pull request merge api", "GITHUB_USER_LOGIN": "mo", "GITHUB_PULL_REQUEST_AUTHOR_LOGIN": "Mo"}
    result = spush(server, work, "origin", "main", env=env)
    assert result.code != 0
    assert result.remote[1] == (
        f"  review/self-approved {sha[:12]}: 1 mobile-origin commit(s) to refs/heads/main: the only review comes "
        "from an author (@mo merged their own pull request (pull request merge api)) -- fix: have someone who did "
        "not write these commits review them and push or merge them")


BOB = ("Bob Builder", "bob@example.com")
GHES_MERGE = {"GITHUB_VIA": "pull request merge button", "GITHUB_PULL_REQUEST_AUTHOR_LOGIN": "alice"}


@pytest.mark.parametrize(("author", "committer", "trailer"), [
    (BOB, BOB, ""),  # the merger wrote the commit
    (MO, BOB, ""),  # ... or committed it (a rebase or cherry-pick by the merger)
    (MO, MO, "Co-authored-by: Bob Builder <bob@example.com>\n"),
    (MO, MO, "Co-authored-by: B. <12345+bob@users.noreply.github.com>\n"),  # GitHub noreply forms
    (MO, MO, "Co-authored-by: B. <bob@users.noreply.github.com>\n"),
], ids=["author", "committer", "co-author", "co-author-noreply-id", "co-author-noreply"])
def test_ghes_merge_by_someone_who_wrote_the_commits_is_self_review(
        seeded: tuple[Server, RepoBuilder], author: tuple[str, str], committer: tuple[str, str], trailer: str) -> None:
    server, work = seeded
    before = server.tip()
    sha = work.commit("bob mobile" + MOBILE + trailer, {"g.py": "g = 1\n"}, author=author, committer=committer)
    # The pull request is alice's, but its commit is bob's: bob merging it is no review (DESIGN §5).
    result = spush(server, work, "origin", "main", env={**GHES_MERGE, "GITHUB_USER_LOGIN": "bob"})
    assert result.code != 0
    assert result.remote == [
        "gatekeeper: push REJECTED: 1 blocking finding(s) in 1 new commit(s)",
        f"  review/self-approved {sha[:12]}: 1 mobile-origin commit(s) to refs/heads/main: the only review comes "
        "from an author (@bob merged a pull request with their own commits (pull request merge button)) -- fix: "
        "have someone who did not write these commits review them and push or merge them",
        f"  policy: {server.policy_file}",
    ]
    assert server.tip() == before


def test_ghes_merge_by_someone_who_wrote_none_of_the_commits_approves(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    sha = work.commit("bob mobile" + MOBILE + "Co-authored-by: Mo Bile <mo@example.com>\n", {"g.py": "g = 1\n"},
                      author=BOB, committer=BOB)
    result = spush(server, work, "origin", "main", env={**GHES_MERGE, "GITHUB_USER_LOGIN": "rita"})
    assert result.code == 0, result.output
    assert result.remote == [accepted(1), "  review: 1 mobile-origin commit(s) approved by rita (forge)"]
    assert server.tip() == sha


def test_ghes_web_edit_is_verified_web_origin(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.commit("Update README.md\n", {"README.md": "edited in the browser\n"})
    result = spush(server, work, "origin", "main", env={"GITHUB_VIA": "blob#save", "GITHUB_USER_LOGIN": "dana"})
    assert result.code == 0
    origin = server.last_verdict()["commits"][0]["origin"]
    assert origin["device"] == "web"
    assert {"source": "forge", "detail": "github: pushed by the web editor (blob#save)", "trust": "verified"} in (
        origin["evidence"])


def test_gitlab_rejection_lines_carry_gl_hook_err(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    sha = work.commit("mobile" + MOBILE, {"l.py": "l = 1\n"}, author=MO, committer=MO)
    env = {"GL_ID": "user-42", "GL_PROTOCOL": "ssh", "GL_USERNAME": "mo", "GL_REPOSITORY": "project-7"}
    result = spush(server, work, "origin", "main", env=env)
    assert result.code != 0
    assert result.remote == [
        "GL-HOOK-ERR: gatekeeper: push REJECTED: 1 blocking finding(s) in 1 new commit(s)",
        "GL-HOOK-ERR: " + missing_review(sha),
        f"GL-HOOK-ERR:   policy: {server.policy_file}",
    ]
    assert server.audit()[-1]["pusher"] == "mo"


def test_gitlab_web_edit_origin(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.commit("Edit in Web IDE\n", {"README.md": "web\n"})
    result = spush(server, work, "origin", "main", env={"GL_ID": "user-1", "GL_PROTOCOL": "web",
                                                        "GL_USERNAME": "dana"})
    assert result.code == 0
    assert server.last_verdict()["commits"][0]["origin"]["device"] == "web"


def test_gitea_pr_merge_by_other_user_approves_and_own_is_self(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.commit("mobile" + MOBILE, {"t.py": "t = 1\n"}, author=MO, committer=MO)
    base = {"SSH_ORIGINAL_COMMAND": "gitea-internal", "GITEA_PUSH_TRIGGER": "pr-merge-to-base",
            "GITEA_REPO_USER_NAME": "acme", "GITEA_REPO_NAME": "payments"}
    own = spush(server, work, "origin", "main", env={**base, "GITEA_PUSHER_NAME": "mo",
                                                     "GITEA_PUSHER_EMAIL": "mo@example.com"})
    assert own.code != 0
    assert own.remote[1].startswith("  review/self-approved ")
    other = spush(server, work, "origin", "main", env={**base, "GITEA_PUSHER_NAME": "rita",
                                                       "GITEA_PUSHER_EMAIL": "rita@example.com"})
    assert other.code == 0, other.output
    assert other.remote[1] == "  review: 1 mobile-origin commit(s) approved by rita <rita@example.com> (forge)"


def test_gitea_internal_push_without_merge_is_web_edit(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.commit("Edit in browser\n", {"README.md": "gitea web\n"})
    result = spush(server, work, "origin", "main", env={"SSH_ORIGINAL_COMMAND": "gitea-internal",
                                                        "GITEA_PUSHER_NAME": "dana"})
    assert result.code == 0
    assert server.last_verdict()["commits"][0]["origin"]["device"] == "web"


# -- Reviewed-by trailers ---------------------------------------------------------------------------

def _mobile_then_reviewed_merge(work: RepoBuilder, reviewer: tuple[str, str]) -> tuple[str, str]:
    base = work.head()
    work.branch("fix")
    mobile = work.commit("mobile fix" + MOBILE, {"r.py": "r = 1\n"}, author=MO, committer=MO)
    work.checkout("main")
    work.git("reset", "-q", "--hard", base)
    merge = work.merge("fix", f"Merge fix\n\nReviewed-by: {reviewer[0]} <{reviewer[1]}>\n")
    return mobile, merge


def test_reviewed_by_counts_when_the_reviewer_pushes(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    _, merge = _mobile_then_reviewed_merge(work, RITA)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"})
    assert result.code == 0, result.output
    assert result.remote == [accepted(2),
                             "  review: 1 mobile-origin commit(s) approved by Rita Reviewer <rita@example.com> "
                             "(trailer)"]
    assert server.tip() == merge


def test_reviewed_by_pushed_by_someone_else_is_unverifiable(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    mobile, _ = _mobile_then_reviewed_merge(work, RITA)
    before = server.tip()
    for env, who in (({"GATEKEEPER_PUSHER": "mo"}, "pushed by mo, not the reviewer"),
                     ({}, "the pusher is unknown")):
        result = spush(server, work, "origin", "main", env=env)
        assert result.code != 0
        assert result.remote[1] == (
            f"  review/unverifiable {mobile[:12]}: 1 mobile-origin commit(s) to refs/heads/main: Reviewed-by Rita "
            f"Reviewer <rita@example.com> cannot be verified: {who}, and not signed by the reviewer -- fix: the "
            "reviewer must push the reviewed commits themselves, or land them through a reviewed pull request")
    assert server.tip() == before


def test_reviewed_by_the_author_is_self_review(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    mobile, _ = _mobile_then_reviewed_merge(work, MO)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "mo"})
    assert result.code != 0
    assert result.remote[1].startswith(f"  review/self-approved {mobile[:12]}: ")


def test_review_before_the_last_mobile_commit_is_stale(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    work.commit("first" + MOBILE, {"a.py": "a = 1\n"}, author=MO, committer=MO)
    work.commit("Reviewed\n\nReviewed-by: Rita Reviewer <rita@example.com>\n", {"b.txt": "b\n"})
    last = work.commit("after the review" + MOBILE, {"c.py": "c = 1\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"})
    assert result.code != 0
    assert result.remote[1] == (f"  review/missing {last[:12]}: 1 mobile-origin commit(s) to refs/heads/main need 1 "
                                f"approval(s): the review predates the last mobile commit -- fix: {FIX_REVIEW}")


# -- trusted policy ---------------------------------------------------------------------------------

STRICT_IN_REPO = """\
version: 1
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 1}}
  default: {scanners: [], block_at: critical}
pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}
"""


def test_push_editing_the_policy_is_judged_by_the_old_one(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    work.commit("policy\n", {".gatekeeper.yml": STRICT_IN_REPO})
    assert spush(server, work, "origin", "main").code == 0
    policy_tip = server.tip()
    lax = STRICT_IN_REPO.replace("review: {approvals: 1}", "review: {approvals: 0}")
    work.commit("relax the policy" + MOBILE, {".gatekeeper.yml": lax, "x.py": "x = 1\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "main")
    assert result.code != 0
    assert result.remote[-1] == f"  policy: refs/heads/main:.gatekeeper.yml at {policy_tip[:12]} (before this push)"
    assert any(line.startswith("  review/missing ") for line in result.remote)
    assert server.tip() == policy_tip
    # The policy change itself needs review too (tests/test_pre_receive_policy.py), also from a desktop.
    assert any(line.startswith("  policy/changed ") for line in result.remote)
    work.git("reset", "-q", "--hard", policy_tip)
    sha = work.commit("tighten\n", {".gatekeeper.yml": STRICT_IN_REPO + "on_timeout: block\n"})
    result = spush(server, work, "origin", "main")
    assert result.code != 0
    assert result.remote[1] == (
        f"  policy/changed {sha[:12]}: 1 commit(s) change the gate's policy on refs/heads/main (.gatekeeper.yml) "
        "without a verifiable review: no review -- fix: land policy changes through a reviewed merge, or have a "
        "reviewer who is not an author push them with a `Reviewed-by:` trailer naming the reviewer")
    assert server.tip() == policy_tip


def test_policy_from_ref_ignores_pushed_policy_on_first_push(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    # The very first push cannot bring its own policy: the built-in default judges it.
    work.commit("lax policy" + MOBILE, {".gatekeeper.yml": STRICT_IN_REPO.replace("approvals: 1", "approvals: 0")},
                author=MO, committer=MO)
    result = spush(server, work, "origin", "main")
    assert result.code != 0
    assert result.remote[-1] == "  policy: built-in default"


def test_broken_policy_on_the_ref_fails_closed(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    work.commit("policy\n", {".gatekeeper.yml": "version: 1\nunknown_key: 1\n"})
    # Get the broken policy onto main without the hook, as an administrator might.
    hook = server.path / "hooks" / "pre-receive"
    hook.rename(hook.with_suffix(".off"))
    assert spush(server, work, "origin", "main").code == 0
    hook.with_suffix(".off").rename(hook)
    work.commit("next\n", {"n.txt": "n\n"})
    result = spush(server, work, "origin", "main")
    assert result.code != 0
    assert result.remote[0].startswith("gatekeeper: push REJECTED: could not evaluate: refs/heads/main:.gatekeeper.yml")
    assert "unknown_key: unknown key" in result.remote[0]
    assert server.audit()[-1]["exit_code"] == 4


# -- bypass -----------------------------------------------------------------------------------------

def test_bypass_by_allowed_user_with_reason(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    sha = work.commit("hotfix" + MOBILE, {"h.py": "h = 1\n"}, author=MO, committer=MO)
    result = spush(server, work, "-o", "gatekeeper.bypass=prod down, INC-42", "origin", "main",
                   env={"GATEKEEPER_PUSHER": "captain"})
    assert result.code == 0, result.output
    assert result.remote == [
        "gatekeeper: push ACCEPTED BY BYPASS (1 new commit(s)); this is recorded",
        "  gate/bypassed: gate bypassed by captain: prod down, INC-42; overrode: review/missing -- fix: review this "
        "push after the fact; the bypass is recorded in the audit log",
        f"  warning: review/missing {sha[:12]}: 1 mobile-origin commit(s) to refs/heads/main need 1 approval(s): no "
        f"review -- fix: {FIX_REVIEW}",
    ]
    assert server.tip() == sha
    verdict = server.last_verdict()
    assert verdict["decision"] == "warn"
    assert any(f["rule_id"] == "gate/bypassed" for f in verdict["findings"])


@pytest.mark.parametrize(("option", "pusher", "problem"), [
    ("gatekeeper.bypass=prod down", "mo", "mo is not allowed to bypass the gate (bypass.allowed)"),
    ("gatekeeper.bypass", "captain", "a reason is required"),
    ("gatekeeper.bypass=x", None, "the pusher's identity is unknown here (no forge user, GATEKEEPER_PUSHER or "
                                  "REMOTE_USER)"),
])
def test_bypass_denied(seeded: tuple[Server, RepoBuilder], option: str, pusher: str | None, problem: str) -> None:
    server, work = seeded
    before = server.tip()
    work.commit("desktop change\n", {"d.txt": "d\n"})
    env = {"GATEKEEPER_PUSHER": pusher} if pusher else {}
    result = spush(server, work, "-o", option, "origin", "main", env=env)
    assert result.code != 0
    assert result.remote[1] == (
        f"  gate/bypass-denied: bypass requested with -o gatekeeper.bypass but denied: {problem} -- fix: push "
        "without -o gatekeeper.bypass, or ask one of the users in bypass.allowed (with -o "
        "gatekeeper.bypass=\"<reason>\")")
    assert server.tip() == before


# -- hostile data, audit log, errors ----------------------------------------------------------------

def test_control_characters_from_commit_data_never_reach_the_pusher(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    evil = "src/payments/\x1b[2J\x1b]0;pwned\x07evil\r.py"
    work.commit("\x1b[31mred\x1b[0m subject" + MOBILE, {evil: "x = 1\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "main")
    assert result.code != 0
    assert "\x1b" not in result.output and "\x07" not in result.output
    zone = [line for line in result.remote if "policy/zone-violation" in line]
    assert zone and "src/payments/" in zone[0] and "evil" in zone[0]


def test_audit_log_is_private_json_lines(seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    for name in ("m", "n"):  # two decisions: the log is appended to, a record a line
        work.commit("more\n", {f"{name}.txt": "m\n"})
        assert spush(server, work, "origin", "main").code == 0
    mode = stat.S_IMODE(os.stat(server.audit_log).st_mode)
    assert mode == 0o600
    records = server.audit()
    assert len(records) == 2
    assert records[-1]["event"] == "decision" and records[-1]["exit_code"] == 0
    assert records[-1]["verdict"]["mode"] == "pre-receive"
    assert records[-1]["verdict"]["decision"] == "allow"


def test_malformed_stdin_exits_4_without_traceback(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv")
    for data in (b"not a line\n", b"abc def refs/heads/main\n",
                 ZERO.encode() + b" " + b"1" * 40 + b" refs/heads/ma\x1bin\n",
                 ZERO.encode() + b" " + b"1" * 40 + b" HEAD\n"):
        proc = subprocess.run([sys.executable, "-m", "gatekeeper.cli_hook", "pre-receive"], cwd=server.path,
                              input=data, capture_output=True, check=False, timeout=60)
        assert proc.returncode == 4, proc
        out = proc.stdout.decode()
        assert out.startswith("gatekeeper: push REJECTED: could not evaluate: stdin line 1")
        assert "Traceback" not in out + proc.stderr.decode()


def test_legacy_hook_runs_first_with_the_same_input(tmp_path: Path) -> None:
    root = tmp_path / "srv"
    server = make_server(root, install_hook=False)
    hook = server.path / "hooks" / "pre-receive"
    seen = root / "legacy-saw.txt"
    hook.write_text(f"#!/bin/sh\ncat > '{seen}'\nif grep -q refs/heads/forbidden '{seen}'; then\n"
                    "  echo 'legacy: forbidden is forbidden'\n  exit 1\nfi\n")
    hook.chmod(0o755)
    from gatekeeper.modes.install import install

    install(server.path, "pre-receive", policy=server.policy_file)
    work = server.clone()
    sha = work.commit("c\n", {"c.txt": "c\n"})
    result = spush(server, work, "origin", "main")
    assert result.code == 0
    assert result.remote == [accepted(1)]
    assert seen.read_text() == f"{ZERO} {sha} refs/heads/main\n"
    result = spush(server, work, "origin", "main:refs/heads/forbidden")
    assert result.code != 0
    assert result.remote == ["legacy: forbidden is forbidden",
                             "gatekeeper: push REJECTED by pre-receive.legacy (exit 1)"]


# -- a network transport ----------------------------------------------------------------------------

def test_git_daemon_transport(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv")
    with git_daemon(server.root, env={"GATEKEEPER_AUDIT_LOG": str(server.audit_log)}) as url:
        remote = f"{url}/server.git"
        work = server.clone()
        work.git("remote", "set-url", "origin", remote)
        sha = work.commit("Initial commit\n", {"README.md": "hi\n"})
        result = push(work, "origin", "main")
        assert result.code == 0, result.output
        assert result.remote == [accepted(1)]
        assert server.tip() == sha
        mobile = work.commit("phone" + MOBILE, {"p.py": "p = 1\n"}, author=MO, committer=MO)
        result = push(work, "origin", "main")
        assert result.code != 0
        assert result.remote == [
            "gatekeeper: push REJECTED: 1 blocking finding(s) in 1 new commit(s)",
            missing_review(mobile),
            f"  policy: {server.policy_file}",
        ]
        assert server.tip() == sha
        # Push options travel over git:// too.
        work.git("reset", "-q", "--hard", sha)
        tagged = work.commit("desktop-looking\n", {"q.txt": "q\n"})
        result = push(work, "-o", "origin-device=tablet", "origin", "main")
        assert result.code != 0
        assert result.remote[1] == missing_review(tagged)
        assert server.audit()[-1]["push_options"] == ["origin-device=tablet"]


# -- concurrency ------------------------------------------------------------------------------------

def test_twenty_concurrent_pushes(seeded: tuple[Server, RepoBuilder], tmp_path: Path) -> None:
    server, _ = seeded
    base = server.tip()
    jobs: list[tuple[str, RepoBuilder, str, bool]] = []  # (name, clone, ref, expected accepted by the gate)
    for i in range(20):
        clone = server.clone(f"c{i}")
        if i < 7:  # desktop commits to their own protected release branches: accepted
            ref, mobile = f"release/r{i}", False
        elif i < 14:  # mobile commits to protected branches without review: rejected
            ref, mobile = f"release/m{i}", True
        else:  # six desktop pushes racing for main: the gate accepts all, git lets exactly one win
            ref, mobile = "main", False
        if ref != "main":
            clone.branch(ref)
        if mobile:
            clone.commit(f"mobile {i}" + MOBILE, {f"m{i}.py": f"m = {i}\n"}, author=MO, committer=MO)
        else:
            clone.commit(f"desktop {i}\n", {f"d{i}.txt": f"{i}\n"})
        jobs.append((f"c{i}", clone, ref, not mobile))
    results: dict[str, object] = {}
    barrier = threading.Barrier(len(jobs))

    def run(name: str, clone: RepoBuilder, ref: str) -> None:
        barrier.wait()
        results[name] = spush(server, clone, "origin", ref)

    threads = [threading.Thread(target=run, args=(n, c, r)) for n, c, r, _ in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    main_winners = []
    for name, clone, ref, ok in jobs:
        result = results[name]
        assert hasattr(result, "remote")
        remote = result.remote  # type: ignore[attr-defined]
        if ref == "main":
            # The gate accepts every racer; git's ref lock lets one win and tells the others why.
            assert remote[0] == accepted(1), (name, remote)
            if result.code == 0:  # type: ignore[attr-defined]
                main_winners.append(clone.head())
                assert remote == [accepted(1)]
            else:
                assert remote[1].startswith("error: cannot lock ref 'refs/heads/main'"), (name, remote)
            continue
        if ok:
            assert remote == [accepted(1)], (name, remote)
        else:
            assert remote[0] == "gatekeeper: push REJECTED: 1 blocking finding(s) in 1 new commit(s)", (name, remote)
        expected = clone.head() if ok else None
        assert server.tip(f"refs/heads/{ref}") == expected, (name, result.output)  # type: ignore[attr-defined]
    assert len(main_winners) == 1
    assert server.tip() == main_winners[0] != base
    server.git("fsck", "--no-progress")
    assert len(server.audit()) == 20  # one record per push (main was seeded without the hook)


def test_commits_already_on_another_branch_are_judged_when_they_reach_a_protected_ref(
        seeded: tuple[Server, RepoBuilder]) -> None:
    server, work = seeded
    before = server.tip()
    work.branch("topic")
    work.commit("phone change" + MOBILE, {"x.py": "x = 1\n"}, author=MO, committer=MO)
    assert spush(server, work, "origin", "topic").code == 0  # unprotected: no review needed there
    result = spush(server, work, "origin", "topic:main")
    assert result.code != 0
    assert server.tip() == before


def test_reviewed_by_verified_by_the_reviewers_signature(tmp_path: Path) -> None:
    from tests.provenance_helpers import keygen

    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    keys = tmp_path / "keys"
    keys.mkdir()
    rita, mallory = keygen(keys, "rita", "-t", "ed25519"), keygen(keys, "mallory", "-t", "ed25519")
    signers = tmp_path / "allowed_signers"
    signers.write_text(f'rita@example.com namespaces="git" {rita.line}\n'
                       f'mallory@example.com namespaces="git" {mallory.line}\n')
    policy = TEST_POLICY + f"allowed_signers: {signers}\n"
    server = make_server(tmp_path / "srv", policy=policy)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    base = work.head()
    work.branch("fix")
    mobile = work.commit("mobile fix" + MOBILE, {"r.py": "r = 1\n"}, author=MO, committer=MO)
    message = "Merge fix\n\nReviewed-by: Rita Reviewer <rita@example.com>\n"
    for key, expected in ((mallory, "review/unverifiable"), (rita, None)):
        work.checkout("main")
        work.git("reset", "-q", "--hard", base)
        who = {"GIT_AUTHOR_NAME": RITA[0], "GIT_AUTHOR_EMAIL": RITA[1], "GIT_COMMITTER_NAME": RITA[0],
               "GIT_COMMITTER_EMAIL": RITA[1]}
        work.git("-c", "gpg.format=ssh", "-c", f"user.signingKey={key.private}", "merge", "-q", "--no-ff", "-S",
                 "-m", message, "fix", env=who)
        # Pushed by the mobile author: only the signature can verify the review.
        result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "mo"})
        if expected:
            assert result.code != 0
            assert result.remote[1].startswith(f"  {expected} {mobile[:12]}: "), result.remote
        else:
            assert result.code == 0, result.output
            assert result.remote == [accepted(2), "  review: 1 mobile-origin commit(s) approved by Rita Reviewer "
                                                  "<rita@example.com> (trailer)"]
            review = server.last_verdict()["commits"][0]["review"]
            assert review["detail"] == "Reviewed-by verified by signature"
