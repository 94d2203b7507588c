"""The review rules of DESIGN §5, pure: GitHub reviews and the change's identities in, a status out.

An approval counts when it comes from a human (`user.type == "User"`, no bot spelling in the login)
who is none of the change's authors, committers or co-authors, when it covers the last mobile commit
(the reviewed `commit_id` is that commit or a descendant — the caller decides ancestry with git and
passes it in as `covers`), and when it is the reviewer's latest state: a later CHANGES_REQUESTED,
DISMISSED or unknown state withdraws it, a later COMMENTED changes nothing, PENDING reviews are drafts
and never count. States compare case-insensitively. Only a reviewer with write access counts, as in
GitHub's own branch protection: on a public repository anyone can submit an APPROVED review. The reviews
API does not say who has write access; `author_association` OWNER (the repository's owner, an organization's
owners) does. Any other reviewer counts only when the caller can ask GitHub for the reviewer's repository
permission (`write_access`) and it is write, maintain or admin: MEMBER and COLLABORATOR say a relationship,
not write access (GitHub shows a read-only outside collaborator as COLLABORATOR and a public organization
member who can only read as MEMBER: red96), and GitHub says MEMBER only for *public* members, so a private
member with write access through a team shows as CONTRIBUTOR or NONE. The question is asked only for an
approval that would count otherwise, and only while the approvals already counted are too few. An answer
that could not be had never counts, and makes the assessment `unknown` when the change is not approved
without it.

Who wrote the change is gatekeeper/identity.py's one rule (`People`): the logins GitHub resolved for the
PR's commits (`author.login`, `committer.login`), the PR's author, and every spelling of the commits'
authors, committers and `Co-authored-by:` people (name, address, its local part, the login a GitHub
noreply address encodes). A reviewer's login matching any of them is a self-approval: loose on purpose,
the stricter answer. Bots (`identity.is_human`) never count.

CODEOWNERS (for "approved by a policy owner") is parsed here too: last matching pattern wins,
gitignore-style patterns, owners are `@user`, `@org/team` or e-mail addresses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from gatekeeper import globs
from gatekeeper.identity import Identity, People, is_human, people, valid_login
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import ReviewStatus

APPROVED = "APPROVED"
CHANGES_REQUESTED = "CHANGES_REQUESTED"
COMMENTED = "COMMENTED"
DISMISSED = "DISMISSED"
PENDING = "PENDING"
REVIEW_STATES = (APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING)
UNKNOWN_STATE = "UNKNOWN"  # a state GitHub sent that we do not know: withdraws, never approves
# The `author_association` values of a reviewer with a standing relationship to the repository, asked about
# first; the rest (NONE, CONTRIBUTOR, FIRST_TIMER, ...) are outsiders until GitHub says otherwise. Only OWNER
# shows write access by itself (WRITE_ASSOCIATIONS): GitHub's branch protection counts only approvals by people
# with write access.
MEMBER_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
WRITE_ASSOCIATIONS = frozenset({"OWNER"})


@dataclass(frozen=True, slots=True)
class WriteAccess:
    """What GitHub says about a reviewer's access to the repository (collaborators/{login}/permission)."""

    granted: bool | None  # True: write, maintain or admin; False: less; None: the question could not be answered
    detail: str  # the permission GitHub reported ("read"), or why it could not be asked


@dataclass(frozen=True, slots=True)
class Review:
    """One review of a pull request as GitHub lists it (validated, hostile text already dropped)."""

    id: int
    login: str
    user_type: str
    state: str  # one of REVIEW_STATES (upper case) or UNKNOWN_STATE
    commit_id: str | None  # the head the reviewer saw; None when GitHub did not say
    submitted_at: str = ""  # ISO 8601 UTC; empty for PENDING reviews
    association: str = ""  # `author_association`, upper case; empty when GitHub did not say (never counts)

    @property
    def human(self) -> bool:
        return is_human(self.login, self.user_type)

    @property
    def has_access(self) -> bool:
        """Write access shown by the review itself (OWNER); anyone else's is asked (`assess`'s write_access)."""
        return self.association in WRITE_ASSOCIATIONS


@dataclass(frozen=True, slots=True)
class PullCommit:
    """One commit of a pull request as the PR commits API lists it."""

    sha: str
    author_login: str | None = None
    committer_login: str | None = None
    author_email: str | None = None
    committer_email: str | None = None
    message: str = ""
    parents: int = 1  # how many the API lists: a merge (the Update-branch button's) has two

    @property
    def is_merge(self) -> bool:
        return self.parents > 1


@dataclass(frozen=True, slots=True)
class PullRequest:
    """The fields of a pull request (full or "simple" form) the review rules need."""

    number: int
    state: str  # "open" | "closed"
    merged: bool  # merged_at is set
    base_ref: str  # branch name without refs/heads/
    head_sha: str
    author_login: str | None = None
    merge_commit_sha: str | None = None
    title: str = ""


def pull_identities(commits: Sequence[PullCommit], pr_author: str | None = None) -> People:
    """The people of a pull request as GitHub lists it: logins, addresses and Co-authored-by lines."""
    return people(
        logins=[pr_author, *(c.author_login for c in commits), *(c.committer_login for c in commits)],
        emails=[*(c.author_email for c in commits), *(c.committer_email for c in commits)],
        messages=[c.message for c in commits],
    )


def latest_decisive(reviews: Iterable[Review]) -> dict[str, Review]:
    """Each reviewer's latest decisive review, keyed by lower-cased login.

    COMMENTED leaves the previous state as it was; PENDING reviews are unsubmitted drafts. Every other
    state — APPROVED, CHANGES_REQUESTED, DISMISSED and any state we do not know, in any letter case —
    replaces it, so an unknown later state withdraws an approval (fail closed).
    """
    ordered = sorted((r for r in reviews if r.state.upper() != PENDING), key=lambda r: (r.submitted_at, r.id))
    latest: dict[str, Review] = {}
    for review in ordered:
        if review.state.upper() != COMMENTED:
            latest[review.login.lower()] = review
    return latest


@dataclass(frozen=True, slots=True)
class Assessment:
    """The outcome of the rules for one change: status, who qualifies and why others do not."""

    status: ReviewStatus
    required: int
    approvers: tuple[str, ...] = ()  # qualifying approvals
    stale: tuple[str, ...] = ()  # approved, but not the last mobile commit (a later push)
    self_approved: tuple[str, ...] = ()  # approved, but an author, committer or co-author
    bots: tuple[str, ...] = ()  # approvals by bots or non-User accounts
    withdrawn: tuple[str, ...] = ()  # approved earlier, then requested changes or was dismissed
    not_owner: tuple[str, ...] = ()  # approved, but not among the required owners
    no_access: tuple[str, ...] = ()  # approved, but without write access, or not asked ("login (ASSOCIATION; …)")
    pushed: tuple[str, ...] = ()  # approved, but pushed the commits under review (the event's sender)
    unverified: tuple[str, ...] = ()  # approved, but whether they have write access could not be asked
    unlinked: tuple[str, ...] = ()  # approved, but the commit's signer is an address GitHub ties to no account (red150)

    def describe(self) -> str:
        parts = [f"{len(self.approvers)} of {self.required} qualifying approval(s)"]
        if self.approvers:
            parts.append("approved by " + ", ".join(f"@{a}" for a in self.approvers))
        for label, group in (("stale (approved before the last mobile commit)", self.stale),
                             ("not counted (an author, committer or co-author)", self.self_approved),
                             ("not counted (bot)", self.bots),
                             ("withdrawn (changes requested or dismissed later)", self.withdrawn),
                             ("not counted (not an owner)", self.not_owner),
                             ("not counted (no write access to the repository)", self.no_access),
                             ("not counted (pushed the commits under review)", self.pushed),
                             ("not counted (write access could not be checked)", self.unverified),
                             ("not counted (the commit is signed under an address GitHub ties to no account: whether "
                              "the approver is its signer cannot be told)", self.unlinked)):
            if group:
                parts.append(f"{label}: " + ", ".join(f"@{a}" for a in group))
        return "; ".join(parts)


def assess(reviews: Iterable[Review], authors: People, required: int, covers: Callable[[str | None], bool],
           *, exclude_authors: bool = True, require_cover: bool = True,
           eligible: Callable[[str], bool] | None = None, pushers: Iterable[str] = (),
           write_access: Callable[[str], WriteAccess] | None = None) -> Assessment:
    """Apply DESIGN §5 to the reviews of one change.

    `covers(commit_id)` says whether a reviewed commit is the last mobile commit or a descendant inside
    the range judged (False for ids unknown locally); `eligible(login)` narrows who may approve (policy
    owners); `pushers` are logins known to have pushed the change, who may not approve it either (with
    `exclude_authors`, like its authors). `write_access(login)` asks GitHub whether a reviewer whose
    `author_association` shows no relationship has write access after all; without it such a reviewer never
    counts. It is asked only for approvals that count otherwise, and only until enough approvals are found.
    """
    if required <= 0:
        return Assessment(ReviewStatus.NOT_REQUIRED, required)
    reviews = list(reviews)
    latest = latest_decisive(reviews)
    ever_approved = {r.login.lower() for r in reviews if r.state.upper() == APPROVED}
    approvers: list[str] = []
    stale: list[str] = []
    self_approved: list[str] = []
    bots: list[str] = []
    withdrawn: list[str] = []
    not_owner: list[str] = []
    no_access: list[str] = []
    pushed: list[str] = []
    unverified: list[str] = []
    pending: list[tuple[str, Review]] = []  # would count, if GitHub says they have write access
    pusher_keys = {p.lower() for p in pushers}
    for key in sorted(latest):
        review = latest[key]
        login = review.login if valid_login(review.login) else "(invalid login)"
        if review.state.upper() != APPROVED:
            if key in ever_approved:
                withdrawn.append(login)
            continue
        if not review.human:
            bots.append(login)
        elif exclude_authors and authors.includes(Identity(login=review.login)):
            self_approved.append(login)
        elif exclude_authors and key in pusher_keys:
            pushed.append(login)
        elif (not review.has_access and review.association not in MEMBER_ASSOCIATIONS
              and (write_access is None or (eligible is not None and not eligible(review.login))
                   or (require_cover and not covers(review.commit_id)))):
            no_access.append(f"{login} ({review.association or 'association not given'})")
        elif eligible is not None and not eligible(review.login):
            not_owner.append(login)
        elif require_cover and not covers(review.commit_id):
            stale.append(login)
        elif not review.has_access and write_access is None:
            no_access.append(f"{login} ({review.association}; write access not known here)")
        elif not review.has_access:
            pending.append((login, review))
        else:
            approvers.append(login)
    # Asked in an order a drive-by cannot jump: MEMBER and COLLABORATOR first, then a CONTRIBUTOR (what a private
    # org member with commits is shown as), then NONE, FIRST_TIMER and the rest, so fifty strangers' approvals
    # cannot use up the lookups (github_source caps them) before a real reviewer is asked. Within each, by
    # login (a stranger can pick a name asked first: past the cap the run fails closed, red97).
    pending.sort(key=lambda item: 0 if item[1].association in MEMBER_ASSOCIATIONS
                 else 1 if item[1].association == "CONTRIBUTOR" else 2)
    for login, review in pending:
        association = review.association or "association not given"
        if len(approvers) >= required or write_access is None:
            no_access.append(f"{login} ({association}; write access not asked: enough approvals without it)")
            continue
        answer = write_access(review.login)
        if answer.granted is True:
            approvers.append(login)
        elif answer.granted is False:
            no_access.append(f"{login} ({association}; repository permission {answer.detail or 'none'})")
        else:
            unverified.append(f"{login} ({association}; {answer.detail})")
    if len(approvers) >= required:
        status = ReviewStatus.APPROVED
    elif unverified:
        status = ReviewStatus.UNKNOWN
    elif stale:
        status = ReviewStatus.STALE
    elif self_approved or pushed:
        status = ReviewStatus.SELF
    else:
        status = ReviewStatus.MISSING
    return Assessment(status, required, tuple(approvers), tuple(stale), tuple(self_approved), tuple(bots),
                      tuple(withdrawn), tuple(not_owner), tuple(no_access), tuple(pushed), tuple(unverified))


# -- CODEOWNERS (where GitHub looks for the file: review.CODEOWNERS_PATHS) ---------------------------------

@dataclass(frozen=True, slots=True)
class OwnerRule:
    pattern: str
    regex: re.Pattern[str]
    owners: tuple[str, ...]  # "@user", "@org/team" or "name@example.com"; empty = explicitly unowned


@dataclass(frozen=True, slots=True)
class CodeOwners:
    rules: tuple[OwnerRule, ...] = ()
    source: str = ""

    def owners_for(self, path: str) -> tuple[str, ...] | None:
        """Owners of a repository path: the last matching rule wins; None when no rule matches."""
        for rule in reversed(self.rules):
            if rule.regex.match(path):
                return rule.owners
        return None


def _codeowners_regex(pattern: str) -> re.Pattern[str]:
    directory = pattern.endswith("/")
    body = pattern.rstrip("/")
    anchored = body.startswith("/") or "/" in body
    body = body.lstrip("/")
    prefix = "" if anchored else "(?:.*/)?"
    # A pattern names a file or a directory; a directory owns everything beneath it — except a path pattern whose
    # last segment is `*` alone: GitHub's `docs/*` owns `docs/getting-started.md`, not
    # `docs/build-app/troubleshooting.md` (unlike gitignore; red106: `.github/*` owned the workflows). Any other
    # wildcard keeps gitignore's reading: `/.git*` owns `.github/workflows/…` (red109).
    last = body.rsplit("/", 1)[-1]
    one_level = anchored and not directory and last == "*"
    suffix = "/.*" if directory else "" if one_level else "(?:/.*)?"
    return re.compile(prefix + globs.translate(body) + suffix + r"\Z", re.DOTALL)


# A CODEOWNERS owner as GitHub reads one: `@login`, `@org/team-slug`, or an e-mail address.
# (A login may hold `_`: an Enterprise Managed User's is `handle_SHORTCODE`, red117.)
_OWNER = lazy(r"@[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)?|[^@\s]+@[^@\s]+")


def parse_codeowners(text: str, source: str = "CODEOWNERS") -> CodeOwners:
    rules: list[OwnerRule] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        # Inline comments start at an unescaped " #".
        line = re.split(r"\s+#", line, maxsplit=1)[0]
        tokens = line.split()
        if not tokens:
            continue
        pattern = tokens[0].replace("\\#", "#")
        if pattern.startswith("!") or "[" in pattern:
            continue  # negation and character ranges are not supported by GitHub's CODEOWNERS either
        owners = tuple(tokens[1:])
        if not all(_OWNER.fullmatch(t) for t in owners):
            # GitHub skips a line with invalid syntax whole (an owner that is no `@login`, `@org/team` or e-mail
            # address: `ci-team`, `TODO`), so the earlier rule's owners apply; keeping the rest of the line made a
            # path unowned, or owned by whoever else the line named (red115).
            continue
        rules.append(OwnerRule(pattern, _codeowners_regex(pattern), owners))
    return CodeOwners(tuple(rules), source)


@dataclass(frozen=True, slots=True)
class OwnerRequirement:
    """Who must approve a change to some paths: users and teams, or (owners empty) any reviewer."""

    paths: tuple[str, ...]
    users: frozenset[str] = frozenset()  # lower-cased logins
    teams: tuple[str, ...] = ()  # "org/team"
    emails: tuple[str, ...] = ()
    any_reviewer: bool = False  # no CODEOWNERS rule names owners for these paths

    def label(self) -> str:
        if self.any_reviewer:
            return "any reviewer who is not an author (no CODEOWNERS rule covers these paths)"
        named = [f"@{u}" for u in sorted(self.users)] + [f"@{t}" for t in self.teams] + list(self.emails)
        return ", ".join(named)


@dataclass(frozen=True, slots=True)
class OwnerRequirements:
    groups: tuple[OwnerRequirement, ...] = field(default_factory=tuple)


def owner_requirements(paths: Sequence[str], owners: CodeOwners | None) -> OwnerRequirements:
    """Group changed paths by the owners CODEOWNERS gives them (unowned paths: any reviewer)."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for path in paths:
        found = owners.owners_for(path) if owners is not None else None
        key = tuple(sorted(found)) if found else ()
        grouped.setdefault(key, []).append(path)
    groups: list[OwnerRequirement] = []
    for key, members in sorted(grouped.items()):
        if not key:
            groups.append(OwnerRequirement(tuple(members), any_reviewer=True))
            continue
        users = frozenset(o[1:].lower() for o in key if o.startswith("@") and "/" not in o)
        teams = tuple(o[1:] for o in key if o.startswith("@") and "/" in o)
        emails = tuple(o for o in key if not o.startswith("@"))
        groups.append(OwnerRequirement(tuple(members), users, teams, emails))
    return OwnerRequirements(tuple(groups))


def is_owner(requirement: OwnerRequirement, login: str,
             team_member: Callable[[str, str], bool | None]) -> bool | None:
    """Whether `login` may approve for `requirement`; None when only an unverifiable team could say."""
    if requirement.any_reviewer or login.lower() in requirement.users:
        return True
    unknown = False
    for team in requirement.teams:
        answer = team_member(team, login)
        if answer:
            return True
        if answer is None:
            unknown = True
    return None if unknown else False
