"""DESIGN §5 review rules on hand-made reviews (the HTTP and git sides are tested elsewhere)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gatekeeper.identity import Identity, is_human, people
from gatekeeper.models import ReviewStatus
from gatekeeper.review import semantics as s

HEAD = "b" * 40
OLD = "a" * 40


def review(login: str, state: str, commit: str | None = HEAD, *, rid: int, at: str = "",
           user_type: str = "User", association: str = "OWNER") -> s.Review:
    # GitHub sends author_association on every review. OWNER is the one that shows write access by itself, so
    # the rules below are tested apart from the write-access question, which has tests of its own (from
    # test_an_approval_without_access_to_the_repository_does_not_count on).
    return s.Review(rid, login, user_type, state, commit, at or f"2026-01-01T00:00:{rid:02d}Z", association)


def covers_head(commit_id: str | None) -> bool:
    return commit_id == HEAD


AUTHORS = people(logins=["alice"], emails=["alice@example.com"])


def test_approval_by_another_human_on_the_head_counts() -> None:
    result = s.assess([review("bob", s.APPROVED, rid=1)], AUTHORS, 1, covers_head)
    assert result.status is ReviewStatus.APPROVED
    assert result.approvers == ("bob",)


def test_author_approval_does_not_count_and_is_reported_as_self() -> None:
    result = s.assess([review("Alice", s.APPROVED, rid=1)], AUTHORS, 1, covers_head)
    assert result.status is ReviewStatus.SELF
    assert result.self_approved == ("Alice",)


def test_exclude_authors_false_lets_an_author_approve() -> None:
    result = s.assess([review("alice", s.APPROVED, rid=1)], AUTHORS, 1, covers_head, exclude_authors=False)
    assert result.status is ReviewStatus.APPROVED


def test_coauthor_noreply_address_excludes_that_login() -> None:
    who = people(messages=["fix\n\nCo-authored-by: Carol <123+carol@users.noreply.github.com>"])
    result = s.assess([review("CAROL", s.APPROVED, rid=1)], who, 1, covers_head)
    assert result.status is ReviewStatus.SELF


def test_approval_before_the_last_mobile_commit_is_stale() -> None:
    result = s.assess([review("bob", s.APPROVED, OLD, rid=1)], AUTHORS, 1, covers_head)
    assert result.status is ReviewStatus.STALE
    assert result.stale == ("bob",)
    assert "stale" in result.describe()


def test_after_last_mobile_commit_false_accepts_an_old_approval() -> None:
    result = s.assess([review("bob", s.APPROVED, OLD, rid=1)], AUTHORS, 1, covers_head, require_cover=False)
    assert result.status is ReviewStatus.APPROVED


@pytest.mark.parametrize("later", [s.CHANGES_REQUESTED, s.DISMISSED])
def test_a_later_changes_requested_or_dismissal_withdraws(later: str) -> None:
    reviews = [review("bob", s.APPROVED, rid=1), review("bob", later, rid=2)]
    result = s.assess(reviews, AUTHORS, 1, covers_head)
    assert result.status is ReviewStatus.MISSING
    assert result.withdrawn == ("bob",)


def test_dismissed_approval_itself_shows_as_dismissed() -> None:
    # GitHub rewrites a dismissed review's state; there is no APPROVED entry left.
    result = s.assess([review("bob", s.DISMISSED, rid=1)], AUTHORS, 1, covers_head)
    assert result.status is ReviewStatus.MISSING


def test_a_later_comment_keeps_the_approval() -> None:
    reviews = [review("bob", s.APPROVED, rid=1), review("bob", s.COMMENTED, rid=2)]
    assert s.assess(reviews, AUTHORS, 1, covers_head).status is ReviewStatus.APPROVED


def test_approval_after_changes_requested_counts() -> None:
    reviews = [review("bob", s.CHANGES_REQUESTED, rid=1), review("bob", s.APPROVED, rid=2)]
    assert s.assess(reviews, AUTHORS, 1, covers_head).status is ReviewStatus.APPROVED


def test_order_is_by_submission_time_not_list_order() -> None:
    reviews = [review("bob", s.CHANGES_REQUESTED, rid=2, at="2026-01-02T00:00:00Z"),
               review("bob", s.APPROVED, rid=1, at="2026-01-01T00:00:00Z")]
    assert s.assess(reviews, AUTHORS, 1, covers_head).status is ReviewStatus.MISSING


def test_pending_reviews_never_count() -> None:
    result = s.assess([s.Review(1, "bob", "User", s.PENDING, HEAD, "")], AUTHORS, 1, covers_head)
    assert result.status is ReviewStatus.MISSING


@pytest.mark.parametrize(("login", "user_type"), [("dependabot[bot]", "Bot"), ("renovate[bot]", "User"),
                                                   ("octo-org", "Organization")])
def test_bots_and_non_users_do_not_count(login: str, user_type: str) -> None:
    result = s.assess([review(login, s.APPROVED, rid=1, user_type=user_type)], AUTHORS, 1, covers_head)
    assert result.status is ReviewStatus.MISSING
    assert result.bots == (login,)


@pytest.mark.parametrize("association", ["NONE", "CONTRIBUTOR", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR",
                                         "MANNEQUIN", ""])
def test_an_approval_without_access_to_the_repository_does_not_count(association: str) -> None:
    result = s.assess([review("stranger", s.APPROVED, rid=1, association=association)], AUTHORS, 1, covers_head)
    assert result.status is ReviewStatus.MISSING and result.approvers == ()
    assert result.no_access == (f"stranger ({association or 'association not given'})",)
    assert "not counted (no write access to the repository)" in result.describe()


def test_write_access_is_asked_only_for_an_approval_that_would_count_and_only_while_too_few() -> None:
    asked: list[str] = []

    def access(answers: dict[str, s.WriteAccess]) -> Callable[[str], s.WriteAccess]:
        def ask(login: str) -> s.WriteAccess:
            asked.append(login)
            return answers[login]
        return ask

    outsiders = [review("carol", s.APPROVED, rid=1, association="CONTRIBUTOR"),
                 review("erin", s.APPROVED, OLD, rid=2, association="NONE")]  # stale: never asked
    granted = s.assess(outsiders, AUTHORS, 1, covers_head,
                       write_access=access({"carol": s.WriteAccess(True, "write")}))
    assert granted.status is ReviewStatus.APPROVED and granted.approvers == ("carol",) and asked == ["carol"]
    asked.clear()
    read = s.assess(outsiders, AUTHORS, 1, covers_head,
                    write_access=access({"carol": s.WriteAccess(False, "read")}))
    assert read.status is ReviewStatus.MISSING and sorted(read.no_access) == [
        "carol (CONTRIBUTOR; repository permission read)", "erin (NONE)"]
    failed = s.assess(outsiders, AUTHORS, 1, covers_head,
                      write_access=access({"carol": s.WriteAccess(None, "timed out")}))
    assert failed.status is ReviewStatus.UNKNOWN and failed.unverified == ("carol (CONTRIBUTOR; timed out)",)
    assert "not counted (write access could not be checked): @carol (CONTRIBUTOR; timed out)" in failed.describe()
    asked.clear()
    enough = s.assess([*outsiders, review("bob", s.APPROVED, rid=3)], AUTHORS, 1, covers_head,
                      write_access=access({}))
    assert enough.approvers == ("bob",) and asked == []
    assert s.assess(outsiders, AUTHORS, 1, covers_head).no_access == ("carol (CONTRIBUTOR)", "erin (NONE)")


def test_an_owner_counts_without_a_question() -> None:
    def never(login: str) -> s.WriteAccess:
        raise AssertionError(f"asked about {login}")

    result = s.assess([review("bob", s.APPROVED, rid=1)], AUTHORS, 1, covers_head, write_access=never)
    assert result.approvers == ("bob",)


@pytest.mark.parametrize("association", ["MEMBER", "COLLABORATOR"])
def test_members_and_collaborators_count_only_with_write_access(association: str) -> None:
    """GitHub shows a read-only outside collaborator as COLLABORATOR and a public organization member who can only
    read as MEMBER; its branch protection counts only write access, and so does the gate (red96)."""
    bob = [review("bob", s.APPROVED, rid=1, association=association)]
    for granted, status in ((True, ReviewStatus.APPROVED), (False, ReviewStatus.MISSING),
                            (None, ReviewStatus.UNKNOWN)):
        answer = s.WriteAccess(granted, {True: "write", False: "read", None: "timed out"}[granted])
        result = s.assess(bob, AUTHORS, 1, covers_head, write_access=lambda _login, a=answer: a)
        assert result.status is status, (granted, result.describe())
    assert s.assess(bob, AUTHORS, 1, covers_head, write_access=lambda _login: s.WriteAccess(False, "read")
                    ).no_access == (f"bob ({association}; repository permission read)",)
    # Without a way to ask (a caller that cannot), never counted; stale or not an owner, never asked.
    assert s.assess(bob, AUTHORS, 1, covers_head).no_access == (f"bob ({association}; write access not known here)",)
    stale = [review("bob", s.APPROVED, OLD, rid=1, association=association)]
    assert s.assess(stale, AUTHORS, 1, covers_head).status is ReviewStatus.STALE


def test_members_are_asked_before_contributors_and_strangers() -> None:
    asked: list[str] = []

    def ask(login: str) -> s.WriteAccess:
        asked.append(login)
        return s.WriteAccess(True, "write")

    reviews = [review("erin", s.APPROVED, rid=1, association="NONE"),
               review("carol", s.APPROVED, rid=2, association="CONTRIBUTOR"),
               review("dave", s.APPROVED, rid=3, association="COLLABORATOR")]
    assert s.assess(reviews, AUTHORS, 1, covers_head, write_access=ask).approvers == ("dave",) and asked == ["dave"]


def test_a_pusher_may_not_approve_what_they_pushed() -> None:
    reviews = [review("Mallory", s.APPROVED, rid=1)]
    result = s.assess(reviews, AUTHORS, 1, covers_head, pushers=["mallory"])
    assert result.status is ReviewStatus.SELF and result.pushed == ("Mallory",)
    assert "not counted (pushed the commits under review): @Mallory" in result.describe()
    assert s.assess(reviews, AUTHORS, 1, covers_head, pushers=["mallory"], exclude_authors=False).approvers == (
        "Mallory",)


def test_required_count_from_policy() -> None:
    reviews = [review("bob", s.APPROVED, rid=1), review("carol", s.APPROVED, rid=2)]
    assert s.assess(reviews[:1], AUTHORS, 2, covers_head).status is ReviewStatus.MISSING
    assert s.assess(reviews, AUTHORS, 2, covers_head).status is ReviewStatus.APPROVED


def test_same_reviewer_twice_counts_once() -> None:
    reviews = [review("bob", s.APPROVED, rid=1), review("BOB", s.APPROVED, rid=2)]
    assert s.assess(reviews, AUTHORS, 2, covers_head).status is ReviewStatus.MISSING


def test_unknown_commit_id_is_not_covering() -> None:
    result = s.assess([review("bob", s.APPROVED, None, rid=1)], AUTHORS, 1, covers_head)
    assert result.status is ReviewStatus.STALE


def test_hostile_login_is_never_human() -> None:
    assert not is_human("bob\x1b[31m", "User")
    assert not is_human("", "User")
    assert is_human("bob-smith", "User")


def test_identities_from_pull_commits() -> None:
    commits = [s.PullCommit("c" * 40, author_login="Alice", committer_login="web-flow",
                            author_email="alice@example.com", committer_email="noreply@github.com",
                            message="x\n\nCo-authored-by: D <dave@users.noreply.github.com>")]
    who = s.pull_identities(commits, pr_author="erin")
    assert {"alice", "web-flow", "dave", "erin"} <= who.spellings
    assert who.includes(Identity(login="ALICE"))
    assert who.includes(Identity(login="zed", email="Alice@Example.com"))


CODEOWNERS = """\
# policy owners
*                       @everyone
/.gatekeeper.yml        @sec-lead @acme/security
.gatekeeper/            @acme/security
docs/*.md               docs@example.com
/unowned.txt
"""


def test_codeowners_last_match_wins() -> None:
    owners = s.parse_codeowners(CODEOWNERS)
    assert owners.owners_for(".gatekeeper.yml") == ("@sec-lead", "@acme/security")
    assert owners.owners_for(".gatekeeper/devices.yml") == ("@acme/security",)
    assert owners.owners_for("sub/.gatekeeper/x") == ("@acme/security",)  # unanchored directory
    assert owners.owners_for("sub/.gatekeeper.yml") == ("@everyone",)  # anchored file
    assert owners.owners_for("docs/a.md") == ("docs@example.com",)
    assert owners.owners_for("docs/x/a.md") == ("@everyone",)
    assert owners.owners_for("unowned.txt") == ()


def test_owner_requirements_and_membership() -> None:
    owners = s.parse_codeowners(CODEOWNERS)
    reqs = s.owner_requirements([".gatekeeper.yml", ".gatekeeper/devices.yml"], owners)
    assert len(reqs.groups) == 2
    by_paths = {g.paths: g for g in reqs.groups}
    top = by_paths[(".gatekeeper.yml",)]
    assert top.users == frozenset({"sec-lead"})
    assert top.teams == ("acme/security",)
    assert s.is_owner(top, "Sec-Lead", lambda team, login: False) is True
    assert s.is_owner(top, "mallory", lambda team, login: False) is False
    assert s.is_owner(top, "mallory", lambda team, login: None) is None
    assert s.is_owner(top, "tina", lambda team, login: login == "tina") is True
    none = s.owner_requirements(["x"], None).groups[0]
    assert none.any_reviewer and s.is_owner(none, "anyone", lambda t, u: False)


def test_eligible_restricts_approvers() -> None:
    reviews = [review("bob", s.APPROVED, rid=1), review("sec-lead", s.APPROVED, rid=2)]
    result = s.assess(reviews, AUTHORS, 1, covers_head, eligible=lambda login: login == "sec-lead")
    assert result.approvers == ("sec-lead",)
    assert result.not_owner == ("bob",)


def test_author_spellings_exclude_a_reviewer_as_on_the_push_path() -> None:
    """One identity rule (gatekeeper/identity.py): before it, a login only matched logins and noreply
    addresses here, so an author known as alice@corp.example could approve as @alice."""
    by_address = people(emails=["alice@corp.example"])
    assert s.assess([review("alice", s.APPROVED, rid=1)], by_address, 1, covers_head).status is ReviewStatus.SELF
    coauthor = people(messages=["fix\n\nCo-authored-by: dave <dave@corp.example>"])  # was: the address only
    assert s.assess([review("Dave", s.APPROVED, rid=1)], coauthor, 1, covers_head).status is ReviewStatus.SELF
    assert s.assess([review("bob", s.APPROVED, rid=1)], by_address, 1, covers_head).status is ReviewStatus.APPROVED


def test_a_bot_spelled_login_is_not_a_human_reviewer_even_as_a_user_account() -> None:
    result = s.assess([review("release-bot", s.APPROVED, rid=1)], AUTHORS, 1, covers_head)
    assert result.status is ReviewStatus.MISSING and result.bots == ("release-bot",)
