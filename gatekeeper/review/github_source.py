"""The Action's ReviewSource: review evidence from GitHub for pull_request, merge_group and push events.

- Pull request (`pull_request`, `pull_request_review`): the PR's reviews and commits from the REST
  API; each mobile commit is approved when DESIGN §5's rules hold for an approval whose `commit_id`
  is that commit or a descendant of it inside the range being merged (`base..head`): an approval of a
  commit since force-pushed away covers nothing, even when that commit descends from the one judged.
  The range is collected once, by the engine: the API's commit list is reconciled with it once per
  run (`review/commits-mismatch` when they disagree), and ancestry inside the range is walked over the
  parents the engine already read (exact for merges inside the PR); only when the engine's range is not
  the event's does git answer (`rev-list <head> ^<base>`, once). For `opened` / `synchronize` /
  `reopened` events the payload's `sender` (who pushed, or who opened a PR whose commits they may have
  pushed) may not approve any commit of the PR in that run (github_event.py says why the whole PR).
  One `review/missing` finding names the newest unapproved mobile commit — an approval after it covers
  the earlier ones too.
- Push to a protected branch: each new mobile commit must have arrived through a merged PR into that
  branch (`commits/{sha}/pulls`) that was approved. A commit that is one of the PR's commits must be
  covered by an approval of it or a descendant that is an ancestor of (or is) the PR's final head
  (`head.sha`), as base..head bounds it for a pull request event; only when that head is not in the
  clone (the PR's branch may be gone) does any descendant known here count, and the detail says so. A commit
  that is not must be one GitHub made when merging — committed by GitHub's web-flow identity with a good
  web-flow signature (a squash or rebase commit), or a merge that adds nothing of its own (its tree is
  `git merge-tree --write-tree` of its parents) — and is then covered by an approval of the PR's final
  head; anything else (a merge pushed by hand with changes of its own, an unsigned "GitHub" commit)
  needs an approval of its own. Otherwise `review/bypassed`, one per commit. The commits of a PR
  already fetched are matched without another request.
- Merge queue (`merge_group`): as for a push, but the PRs are still open, and an open PR judges a commit only
  when the group merges its head (it is in the group and holds the commit); commits the queue itself
  made fall back to the PR named in the queue branch (`…/pr-<n>-<sha>`), whose head is that `<sha>` (never
  inferred from the order of the PR's commits, which GitHub sorts by author date); else `review/missing`. An
  earlier entry's squash or merge is its own PR's only where what GitHub made shows it (the PR's head as the
  merge's second parent, the squash's tree as that head merged onto its parent), never by its words; the named
  PR's squash and rebased copies are tied by the same content where git can show it, else by their place.

Who may approve: a reviewer with write access, as GitHub's branch protection counts. An `author_association`
of OWNER shows it; for anyone else — MEMBER and COLLABORATOR too, which GitHub also shows for read-only
collaborators and organization members (red96), and CONTRIBUTOR or NONE, which is how a private member with
write access through a team shows — the source asks `collaborators/{login}/permission`, once per login per
run and only for an approval that would count otherwise, and counts the reviewer when the permission is
write, maintain or admin. A question GitHub does not answer counts as no approval, `tool/github-failed`, and the
review `unknown` (`review/unverifiable`) when the change is not approved without it.

Any API failure fails closed: `tool/github-failed` (policy `on_tool_error` decides whether it
blocks) and review status `unknown` for every commit needing review — never approved.

It also gives the Action's judgement of `policy/changed` (`policy_review`, used by
checks/policy_change.py): a change to the gate's own configuration needs an approval by a policy
owner — CODEOWNERS at the base for those paths when it names any, else any approving human who is
not an author.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gatekeeper import catalogue
from gatekeeper.checks.policy_change import PolicyReview, PolicyReviewer
from gatekeeper.config import Policy, ReviewRule
from gatekeeper.errors import GitError
from gatekeeper.git import Git, is_zero
from gatekeeper.identity import People, commits_people, signer_identity
from gatekeeper.interfaces import ReviewResult
from gatekeeper.models import (
    Commit,
    CommitReport,
    Finding,
    RefKind,
    RefUpdate,
    ReviewInfo,
    ReviewStatus,
    SignatureStatus,
    is_sha,
)
from gatekeeper.origin.heuristics import classify_forge_commit, forgeable_merge_claim, is_github_web_flow
from gatekeeper.review.github import GitHubClient, GitHubError
from gatekeeper.review.github_event import GitHubEvent
from gatekeeper.review.semantics import (
    Assessment,
    CodeOwners,
    OwnerRequirement,
    PullCommit,
    PullRequest,
    Review,
    WriteAccess,
    assess,
    is_owner,
    owner_requirements,
    pull_identities,
)

if TYPE_CHECKING:
    from gatekeeper.checks import CheckContext

MAX_COMMIT_LOOKUPS = 200  # commits/{sha}/pulls requests per run; more commits are reported, not looked up
PR_COMMITS_LIMIT = 250  # GitHub's pulls/{n}/commits lists at most this many, silently
MAX_PERMISSION_LOOKUPS = 50  # collaborators/{login}/permission requests per run (anyone can submit a review)
WRITE_ROLES = frozenset({"admin", "maintain", "write"})


@dataclass(frozen=True, slots=True)
class _Pull:
    pr: PullRequest
    reviews: tuple[Review, ...]
    commits: tuple[PullCommit, ...]

    @property
    def shas(self) -> frozenset[str]:
        return frozenset(c.sha for c in self.commits)


def commit_identities(reports: Sequence[CommitReport]) -> People:
    """Authors, committers, co-authors and signers as git recorded them (identity.commit_people)."""
    return commits_people([r.commit for r in reports], [r.signature for r in reports])


ClientFactory = Callable[[str, str], GitHubClient]  # (token, api_url) -> client


def unlinked_signer(report: CommitReport, listed: Sequence[PullCommit]) -> str | None:
    """The address of the person whose good signature is on the commit, when GitHub ties that address to no account
    in the PR's commit list (None otherwise). A reviewer is told apart from a commit's people by GitHub login, and
    the signer is an address: `jdoe`, who removed john.doe@example.com from his account, approving the commit his
    phone signed as john.doe@example.com shares no spelling with it (red150). A forge's key names no person."""
    signer = signer_identity(report.signature)
    address = signer.email.strip().casefold() if signer is not None else ""
    if not address or report.signature.logins:  # the device registry names the signer's logins
        return None
    for entry in listed:
        if entry.sha != report.commit.sha:
            continue
        for login, email in ((entry.author_login, entry.author_email), (entry.committer_login, entry.committer_email)):
            if login and (email or "").strip().casefold() == address:
                return None
    return address


def without_unlinked_signer(result: Assessment, report: CommitReport, listed: Sequence[PullCommit]) -> Assessment:
    """`result` with its approvals withdrawn (status unknown) when the commit's signer is an address GitHub ties to
    no account (`unlinked_signer`): none of them can be told from the signer."""
    if result.status is not ReviewStatus.APPROVED:
        return result
    address = unlinked_signer(report, listed)
    if address is None:
        return result
    return dataclasses.replace(result, status=ReviewStatus.UNKNOWN, approvers=(),
                               unlinked=tuple(f"{a} (signed by {address})" for a in result.approvers))


class GitHubReviewSource:
    """ReviewSource over the GitHub REST API for the Action."""

    id = "github"

    def __init__(self, client: GitHubClient | None, event: GitHubEvent, git: Git, *,
                 unavailable: str | None = None, any_base: bool = False) -> None:
        """`unavailable` (e.g. no token) makes every answer `tool/github-failed` without a request. `any_base`
        (BeyondBaseReview): a landed commit may have been reviewed in a merged pull request into any branch (a
        release branch cut from develop holds develop's reviewed commits), not only into the event's."""
        self.client = client
        self.event = event
        self.any_base = any_base
        self.git = git
        self.unavailable = unavailable if client is not None else (unavailable or "no GitHub client")
        self._pulls: dict[int, _Pull] = {}
        self._by_commit: dict[str, list[PullRequest]] = {}
        self._titles: dict[int, str] = {}  # PR number -> its title, as GitHub holds it (_queue_made_for)
        self._copies: frozenset[str] | None = None  # the named PR's rebased copies in the merge group (_copies_of)
        self._unproven: dict[str, str] = {}  # commit -> why it is not the squash of the PR it names (_squash_of)
        self._lookups = 0
        self._ancestors: dict[str, frozenset[str] | None] = {}
        self._teams: dict[tuple[str, str], bool | None] = {}
        self._clean_merges: dict[str, bool] = {}
        self._access: dict[str, WriteAccess] = {}
        self._access_failures: list[str] = []  # why a permission could not be read, until reported
        # The range the engine collected, as {commit: parents}, when it starts where the event's range does.
        self._range: dict[str, tuple[str, ...]] = {}
        self._reconciled: dict[tuple[int, tuple[str, ...]], tuple[PullCommit, ...] | str] = {}

    @classmethod
    def for_token(cls, token: str, api_url: str, event: GitHubEvent, git: Git,
                  client_factory: ClientFactory | None = None) -> GitHubReviewSource:
        """The source for the job's token; without a token, or a client that cannot be made, every answer
        is a recorded failure (fail closed), never a silent pass."""
        if not token:
            return cls(None, event, git, unavailable="no GitHub token: set the action's `token` input "
                                                     "(default ${{ github.token }}) or GITHUB_TOKEN")
        try:
            client = (client_factory or _default_client)(token, api_url)
        except GitHubError as exc:
            return cls(None, event, git, unavailable=f"{exc.message} ({exc.fix})")
        return cls(client, event, git)

    # -- merge claims (engine.Services.merge_claims) --------------------------------------------
    def unconfirmed_merges(self, commits: Sequence[Commit]) -> frozenset[str]:
        """Of these one-parent web-flow commits whose message claims a pull-request merge, the ones GitHub knows no
        merged pull request for (`commits/{sha}/pulls`: the PR the message names, merged; for a claim without a
        number, any merged PR) whose merge is the commit. The browser editor signs with the same key and lets its
        user write the message (red109). Fail closed: a claim GitHub could not be asked about is not confirmed.
        A merge queue's run is not asked: its branch is GitHub's own, and `commits/{sha}/pulls` knows none of its
        commits yet (the run that follows the merge asks)."""
        if self.event.name == "merge_group":
            return frozenset()
        unconfirmed: set[str] = set()
        for commit in commits:
            made = forgeable_merge_claim(commit)
            if made is None:
                continue
            if self.client is None or self.unavailable:
                unconfirmed.add(commit.sha)
                continue
            try:
                if commit.sha not in self._by_commit:
                    self._lookups += 1
                    if self._lookups > MAX_COMMIT_LOOKUPS:
                        raise GitHubError(f"more than {MAX_COMMIT_LOOKUPS} commits to look up", "")
                    self._by_commit[commit.sha] = self.client.commit_pulls(self.event.repository, commit.sha)
            except GitHubError:
                unconfirmed.add(commit.sha)
                continue
            # The commit must BE the merge GitHub made (a squash, or a rebase merge's last commit), of the PR it names:
            # GitHub lists, for a commit on the default branch, the merged PR that introduced it, so a browser edit
            # on a PR's own branch, titled `… (#12)` by its author, is listed with #12 (red115).
            pulls = self._by_commit[commit.sha]
            if not any(p.merged and p.merge_commit_sha == commit.sha and (made.pr is None or p.number == made.pr)
                       for p in pulls):
                unconfirmed.add(commit.sha)
        return frozenset(unconfirmed)

    # -- ReviewSource ---------------------------------------------------------------------------
    def review(self, commits: Sequence[CommitReport], needing: Sequence[CommitReport], updates: Sequence[RefUpdate],
               policy: Policy, approvals: int, rules: Mapping[str, ReviewRule] | None = None, *,
               listed_whole: bool = False) -> ReviewResult:
        """`listed_whole` (BeyondBaseReview): `commits` are only some of the pull request's, so GitHub's list of its
        commits is taken as it is, for who their authors are, and not reconciled with them — complete only under
        GitHub's 250-commit limit, else the review is not verifiable (fail closed)."""
        wanted = [rules[r.commit.sha] if rules is not None and r.commit.sha in rules
                  else policy.ruleset(r.ruleset).review for r in needing]
        exclude_authors = any(r.exclude_authors for r in wanted if r is not None) or not any(wanted)
        require_cover = any(r.after_last_mobile_commit for r in wanted if r is not None) or not any(wanted)
        if self.unavailable:
            return self._failed(needing, self.unavailable)
        self._learn_range(commits, updates)
        try:
            if self.event.is_pull:
                result = self._review_pull(commits, needing, approvals, exclude_authors, require_cover,
                                           listed_whole=listed_whole)
            else:
                result = self._review_landed(needing, approvals, exclude_authors, require_cover)
        except GitHubError as exc:
            return self._failed(needing, f"{exc.message} (fix: {exc.fix})" if exc.fix else exc.message)
        return ReviewResult(result.reviews, (*result.findings, *self._access_findings()))

    def _write_access(self, login: str) -> WriteAccess:
        """Whether `login` has write access, as GitHub's collaborator permission says; once per login per run."""
        key = login.lower()
        if key not in self._access:
            if len(self._access) >= MAX_PERMISSION_LOOKUPS:
                why = f"more than {MAX_PERMISSION_LOOKUPS} reviewers' permissions to look up"
                self._access_failures.append(why)
                return WriteAccess(None, why)  # not cached: the cap, not GitHub, said no
            assert self.client is not None
            try:
                answer = self.client.collaborator_permission(self.event.repository, login)
            except GitHubError as exc:
                why = f"repository permission could not be read: {exc.message}"
                self._access_failures.append(f"{why} (fix: {exc.fix})" if exc.fix else why)
                self._access[key] = WriteAccess(None, why)
            else:
                if answer is None:
                    self._access[key] = WriteAccess(False, "none (404)")
                else:
                    permission, role = answer
                    granted = permission in WRITE_ROLES or role in WRITE_ROLES
                    shown = permission if not role or role == permission else f"{permission}, role {role}"
                    self._access[key] = WriteAccess(granted, shown or "none")
        return self._access[key]

    def _access_findings(self) -> tuple[Finding, ...]:
        """`tool/github-failed` for permission questions GitHub did not answer since the last report."""
        if not self._access_failures:
            return ()
        why = "; ".join(dict.fromkeys(self._access_failures))
        self._access_failures.clear()
        return (failure_finding(why),)

    def pull_range(self) -> frozenset[str] | None:
        """The pull request's commits as git has them (`head ^base`); None when git cannot say."""
        return self._ancestors_of(self.event.head)

    def failed(self, needing: Sequence[CommitReport], why: str) -> ReviewResult:
        return self._failed(needing, why)

    def pull_commits(self) -> tuple[PullCommit, ...]:
        """The commits GitHub lists for the event's pull request (GitHubError when it does not answer)."""
        number = self.event.pr_number
        if number is None:
            raise GitHubError("the event names no pull request number", "this is a bug in gatekeeper; report it")
        return self._pull(number).commits

    def _failed(self, needing: Sequence[CommitReport], why: str) -> ReviewResult:
        """The API could not answer: `tool/github-failed` (on_tool_error decides whether that blocks) AND
        an enforced `review/unverifiable` — a review that could not be verified is never an approval,
        and a PR author can make the API fail (e.g. thousands of comment reviews exceed the page cap)."""
        detail = f"GitHub review evidence unavailable: {why}"
        reviews = {r.commit.sha: ReviewInfo(ReviewStatus.UNKNOWN, (), "github", detail) for r in needing}
        findings: list[Finding] = [failure_finding(why)]
        if needing:
            last = needing[-1].commit.sha
            findings.append(catalogue.rule("review/unverifiable").finding(
                f"{len(needing)} mobile-origin commit(s) need review, which could not be verified: {detail}",
                commit=last, enforced=True,
                fix="fix the GitHub access problem and re-run; until then the change counts as unreviewed",
            ).with_fingerprint("github-unverified", last))
        return ReviewResult(reviews, tuple(findings))

    def _learn_range(self, commits: Sequence[CommitReport], updates: Sequence[RefUpdate]) -> None:
        """Keep the engine's range (`old..new` of the one update) when it excludes what the event's range
        does (`^base`): then `rev-list X ^base` for X inside it is exactly X's ancestors inside it."""
        live = [u for u in updates if u.kind is not RefKind.DELETE and not is_zero(u.new)]
        old, base = (live[0].old, self.event.base) if len(live) == 1 else (None, None)
        if old is not None and base is not None and (old == base or (is_zero(old) and is_zero(base))):
            self._range = {r.commit.sha: r.commit.parents for r in commits}

    # -- pull requests --------------------------------------------------------------------------
    def _pull(self, number: int, pr: PullRequest | None = None) -> _Pull:
        cached = self._pulls.get(number)
        if cached is not None:
            return cached
        assert self.client is not None
        reviews = tuple(self.client.pull_reviews(self.event.repository, number))
        pcommits = tuple(self.client.pull_commits(self.event.repository, number))
        if len(pcommits) >= PR_COMMITS_LIMIT and not self.event.is_pull:
            # For a pull request event git holds the range and the rest is looked up; for a PR found
            # through a pushed commit there is no range to compare with: fail closed.
            raise GitHubError(f"PR #{number} has at least {PR_COMMITS_LIMIT} commits, the most GitHub lists; its "
                              "authors cannot all be known", "land large changes in smaller pull requests")
        if pr is None:
            # The PR the event names: a pull request event's own, or the one a merge queue branch names
            # (`…/pr-<n>-<head sha>`), whose head is the sha in that name. Never the last of the commits
            # listed: GitHub orders them by author date, which the author writes. No sha, no head: an
            # approval then covers only the very commit judged.
            head = self.event.head if self.event.is_pull else (self.event.queue_head or "")
            pr = PullRequest(number, "open", False, self.event.branch, head, self.event.pr_author)
        pull = _Pull(pr, reviews, pcommits)
        self._pulls[number] = pull
        return pull

    def _review_pull(self, commits: Sequence[CommitReport], needing: Sequence[CommitReport], approvals: int,
                     exclude_authors: bool, require_cover: bool, *, listed_whole: bool = False) -> ReviewResult:
        number = self.event.pr_number
        if number is None:
            raise GitHubError("the event names no pull request number", "this is a bug in gatekeeper; report it")
        pull = self._pull(number)
        listed: tuple[PullCommit, ...] | str = (self._range_commits(pull, commits) if not listed_whole else
                                               pull.commits if len(pull.commits) < PR_COMMITS_LIMIT else
                                               f"GitHub lists only the first {PR_COMMITS_LIMIT} commits of the pull "
                                               "request: who wrote the others is not known")
        if isinstance(listed, str):
            return self._mismatch(needing, number, listed)
        authors = pull_identities(listed, self.event.pr_author).merged(commit_identities(commits))
        reviews: dict[str, ReviewInfo] = {}
        unapproved: list[tuple[CommitReport, Assessment]] = []
        for report in needing:
            result = assess(pull.reviews, authors, approvals, self._covers(report.commit.sha, self.event.head),
                            exclude_authors=exclude_authors, require_cover=require_cover, pushers=self._pushers,
                            write_access=self._write_access)
            if exclude_authors:
                result = without_unlinked_signer(result, report, listed)
            reviews[report.commit.sha] = ReviewInfo(result.status, result.approvers, "github",
                                                    f"PR #{number}: {result.describe()}")
            if result.status is not ReviewStatus.APPROVED:
                unapproved.append((report, result))
        findings: list[Finding] = []
        if unapproved:
            report, result = unapproved[-1]
            sha = report.commit.sha
            unknown = result.status is ReviewStatus.UNKNOWN
            findings.append(catalogue.rule("review/unverifiable" if unknown else "review/missing").finding(
                f"{len(unapproved)} mobile-origin commit(s) of PR #{number} lack {approvals} qualifying approval(s) "
                f"({result.status.value}): {result.describe()}",
                commit=sha, enforced=True,
                fix=UNLINKED_FIX if unknown and result.unlinked else UNVERIFIED_FIX if unknown else
                f"ask a reviewer who is not an author, committer or co-author to approve the pull request "
                f"after {sha[:12]}",
            ).with_fingerprint("pr", str(number), sha))
        return ReviewResult(reviews, tuple(findings))

    def _range_commits(self, pull: _Pull, commits: Sequence[CommitReport]) -> tuple[PullCommit, ...] | str:
        """The PR's commits with GitHub's logins, for exactly the range git holds (base..head).

        The range comes from git; the API only adds who GitHub says the people are. GitHub lists at most
        250 commits: when it stopped there, the commits it left out are looked up one by one (capped).
        Any other disagreement — a commit the API lists that git's range lacks, or one it leaves out
        without having hit the limit — is returned as the reason to fail closed. Reconciled once per run
        (the review and the policy-owner review ask for the same range).
        """
        key = (pull.pr.number, tuple(r.commit.sha for r in commits))
        if key not in self._reconciled:
            self._reconciled[key] = self._reconcile(pull, commits)
        return self._reconciled[key]

    def _reconcile(self, pull: _Pull, commits: Sequence[CommitReport]) -> tuple[PullCommit, ...] | str:
        in_git = {r.commit.sha for r in commits}
        extra = [c.sha for c in pull.commits if c.sha not in in_git]
        if extra:
            return (f"GitHub lists {len(extra)} commit(s) of the pull request that are not in {self.event.base[:12]}.."
                    f"{self.event.head[:12]} (first {extra[0][:12]}); the pull request may have changed while the gate "
                    "ran")
        listed = {c.sha for c in pull.commits}
        missing = [r.commit.sha for r in commits if r.commit.sha not in listed]
        if not missing:
            return pull.commits
        if len(pull.commits) < PR_COMMITS_LIMIT:
            return (f"GitHub lists {len(pull.commits)} commit(s) of the pull request but git's range has "
                    f"{len(in_git)} (first missing {missing[0][:12]})")
        assert self.client is not None
        self._lookups += len(missing)
        if self._lookups > MAX_COMMIT_LOOKUPS:
            return (f"the pull request has {len(in_git)} commits; GitHub lists only {PR_COMMITS_LIMIT} and more than "
                    f"{MAX_COMMIT_LOOKUPS} would have to be looked up one by one")
        return (*pull.commits, *(self.client.commit(self.event.repository, sha) for sha in missing))

    def _mismatch(self, needing: Sequence[CommitReport], number: int, why: str) -> ReviewResult:
        detail = f"PR #{number}: the commits GitHub lists and the range in git disagree: {why}"
        reviews = {r.commit.sha: ReviewInfo(ReviewStatus.UNKNOWN, (), "github", detail) for r in needing}
        last = needing[-1].commit.sha if needing else self.event.head
        return ReviewResult(reviews, (catalogue.rule("review/commits-mismatch").finding(
            f"review not verifiable: {detail}", commit=last,
            enforced=True, fix="re-run the job once the pull request is stable; split pull requests of more than "
                               f"{PR_COMMITS_LIMIT} commits").with_fingerprint("commits-mismatch", str(number), last),))

    def _covers(self, target: str, within: str | None = None) -> Callable[[str | None], bool]:
        """covers(commit_id): the reviewed commit is `target` or a descendant of it — and, with `within`
        (the head being judged), itself in the range `base..within`.

        Without that second condition an approval of a descendant survives a force push back to an
        ancestor: the reviewer saw C (whose net change may take T's payload out again), the branch now
        ends at T, and C — still in the clone — counts as covering T. What is being merged is
        `base..within`; an approval of anything outside it reviewed something else.
        """
        def covers(commit_id: str | None) -> bool:
            if commit_id is None or not is_sha(commit_id):
                return False
            if commit_id == target:
                return True
            if within is not None:
                merged = self._ancestors_of(within)
                if merged is None or commit_id not in merged:
                    return False
            ancestors = self._ancestors_of(commit_id)
            return ancestors is not None and target in ancestors
        return covers

    def _ancestors_of(self, commit_id: str) -> frozenset[str] | None:
        """Commits reachable from `commit_id` and not from the range's base; None when unknown here."""
        if commit_id not in self._ancestors:
            if commit_id in self._range:
                # Every commit on a path from a commit of the range down to one not reachable from the
                # base is itself in the range: walking the parents inside it is `rev-list X ^base`.
                seen: set[str] = set()
                stack = [commit_id]
                while stack:
                    sha = stack.pop()
                    if sha not in seen:
                        seen.add(sha)
                        stack.extend(p for p in self._range[sha] if p in self._range)
                self._ancestors[commit_id] = frozenset(seen)
            else:
                self._ancestors[commit_id] = self._git_ancestors(commit_id)
        return self._ancestors[commit_id]

    def _git_ancestors(self, commit_id: str) -> frozenset[str] | None:
        base = self.event.base
        try:
            if self.git.object_type(commit_id) != "commit":
                return None
            bases = [base] if is_sha(base) and set(base) != {"0"} else []
            return frozenset(self.git.rev_list([commit_id], bases))
        except GitError:
            return None

    @property
    def _pushers(self) -> tuple[str, ...]:
        """Who pushed the PR's head, when the event says (github_event.py): may not approve in this run."""
        return (self.event.pusher,) if self.event.pusher else ()

    # -- push and merge queue -------------------------------------------------------------------
    def _associated(self, report: CommitReport) -> _Pull | None:
        """The PR that brought the commit to the branch: merged into it (push) or queued for it (merge_group). The
        queue names the PR it merges (`…/pr-N-<sha>`): one of its commits is judged by that PR, not by another
        open PR that lists the commit too (red40). A merged PR brought it only when its merge holds it: a
        squash- or rebase-merged PR never put its own commits on the branch, and its approvals do not cover
        one of them landed by hand later (red40). A commit the queue made for another PR of the group (its
        squash or merge names `#N`) is judged by that PR, not by the one the queue branch names (red106). An open
        PR brought a commit into the group only when its head is in the group and holds the commit (red126: not
        the first open PR GitHub lists for it, which may be an approved one never queued that also reverts it)."""
        sha = report.commit.sha
        queued = self.event.name == "merge_group"
        if queued and self.event.queue_pr is not None:
            named = self._pull(self.event.queue_pr)
            if sha in named.shas or sha == named.pr.merge_commit_sha:
                return named
        for pull in self._pulls.values():
            if ((sha in pull.shas or sha == pull.pr.merge_commit_sha)
                    and (self._queue_holds(pull.pr, sha) if queued else self._merge_holds(pull, sha))):
                return pull
        assert self.client is not None
        if sha not in self._by_commit:
            self._lookups += 1
            if self._lookups > MAX_COMMIT_LOOKUPS:
                raise GitHubError(f"more than {MAX_COMMIT_LOOKUPS} commits to look up",
                                  "land large changes through pull requests (the gate checks those per PR)")
            self._by_commit[sha] = self.client.commit_pulls(self.event.repository, sha)
        for pr in self._by_commit[sha]:
            if pr.base_ref != self.event.branch and not self.any_base:
                continue
            if queued and pr.state == "open" and self._queue_holds(pr, sha):
                return self._pull(pr.number, pr)
            if not queued and pr.merged:
                pull = self._pull(pr.number, pr)
                if self._merge_holds(pull, sha):
                    return pull
        if queued and self.event.queue_pr is not None:
            named = self._pull(self.event.queue_pr)
            before = self._queued_before(report, named)
            if before is not None:
                return before
            # A commit GitHub made when building the group is the named PR's only when it is that PR's squash,
            # merge or rebased copy: a rebase-method queue re-creates EVERY entry's commits, and the named PR's
            # approval of its head covers what merging it made, not an earlier entry's commits (red115). Those
            # have no PR here: review/missing. (Another commit is covered only by an approval of itself.)
            if self._made_when_merging(report) and not self._queue_made_for(report, named, named=True):
                return None
            return named
        return None

    def _queued_before(self, report: CommitReport, named: _Pull) -> _Pull | None:
        """The PR of an earlier entry of the merge group whose squash or merge GitHub made (`… (#5)`, `Merge pull
        request #5 …`, web-flow and signed by GitHub; its tree #5's head merged onto its parent, or #5's head its
        second parent), when that is not the PR the queue branch names (red106: #5's
        unreviewed squash was judged by #7's approval). Only a PR GitHub says is open into this branch (red109: a
        PR of the author's into a scratch branch), and never for a copy of one of the named PR's own commits — a
        rebase-method queue keeps their messages, which the author writes (red109: `… (#3)` on a commit of #9)."""
        made = classify_forge_commit(report.commit)
        if (made is None or made.kind != "pr-merge" or made.pr is None or made.pr == self.event.queue_pr
                or not self._made_when_merging(report)):
            return None
        commit = report.commit
        if any(c.message.strip() == commit.message.strip() for c in named.commits):
            return None
        assert self.client is not None
        pr = self.client.pull(self.event.repository, made.pr)
        if pr.state != "open" or pr.merged or pr.base_ref != self.event.branch:
            return None
        # Only on what the commit's author cannot write: its merge's parents (#5's head) or its squash's tree (#5's
        # head merged onto its parent). A rebase-method queue re-creates an earlier entry's commits with their
        # authors' own messages and identities, so words alone (`phone: tidy the login (#5)`, red115; `<#5's title>
        # (#5)` authored as #5's author, red118) would judge a commit by an unrelated open PR's approval.
        pull = self._pull(made.pr, pr)
        return pull if self._queue_made_for(report, pull, named=False) else None

    def _copies_of(self, pull: _Pull) -> frozenset[str]:
        """The named PR's rebased copies in the merge group: its topmost commits, from the head down, each with the
        message of a DIFFERENT commit of the PR that is not a merge (a rebase writes no copy of a merge: the
        Update-branch button's `Merge branch 'main' into …` would widen the window into the earlier entry, red118),
        the first commit with no such message left ending them (below it are the earlier entries' commits, whose
        messages their authors write, red117) — and of that run, the longest top part that applies the PR's change:
        the group head's tree is the PR's head merged onto the parent of its lowest commit, as a squash's is
        (_squash_of). Messages do not place a copy: a rebase drops a commit whose change the group already has, the
        window then reaches into the earlier entry, and its copy under the dropped commit's message (the author's to
        write) is not what the PR's reviewers saw (red126). Without the PR's head in the clone only the group's head
        is the PR's, by its place (as its squash is); the others are not shown (review/missing, why in the detail).
        Once per run."""
        if self._copies is None:
            left = Counter(c.message.strip() for c in pull.commits if not c.is_merge)
            head = self.event.head
            line = self.git.first_parent_line(head, sum(left.values())) if head else []
            try:
                read = {c.sha: c for c in self.git.iter_log(line, no_walk=True)} if line else {}
            except GitError:
                read = {}  # not read: no copy is shown (review/missing)
            run: list[Commit] = []
            for sha in line:
                commit = read.get(sha)
                if commit is None or len(commit.parents) != 1 or not left[commit.message.strip()]:
                    break
                left[commit.message.strip()] -= 1
                run.append(commit)
            self._copies = self._applying(run, pull)
        return self._copies

    def _applying(self, run: Sequence[Commit], pull: _Pull) -> frozenset[str]:
        """Of the message-matched `run` (group head first), the longest top part whose commits together apply the
        PR's head onto the parent of their lowest one (_copies_of). When that cannot be shown either way (the head is
        not in the clone, or git's merge of it conflicts where the rebase went through), the group's head alone, by
        its place. Why each other one is not a copy is kept for its review's detail."""
        if not run:
            return frozenset()
        target = self.git.tree_id(run[0].sha)
        unknown = False
        for count in range(len(run), 0, -1):
            shown = self._applies(run[count - 1].parents[0], pull, target)
            if shown:
                return frozenset(c.sha for c in run[:count])
            unknown = unknown or shown is None
        number, head = pull.pr.number, pull.pr.head_sha
        if not self._head_here(pull):
            why = (f"its head {head[:12]} is not in the clone (fetch-depth: 0 fetches the PR's branch when it is in "
                   "this repository), so only the group's head is its copy" if is_sha(head) else
                   "its head is not known, so only the group's head is its copy")
        elif unknown:
            why = (f"git's merge of its head {head[:12]} onto the commits below conflicts, so only the group's head "
                   "is its copy (rebase the PR's branch onto its base)")
        else:
            why = f"the commits from it to the group's head do not apply the PR's head {head[:12]} onto its parent"
        copies = 1 if unknown else 0
        for commit in run[copies:]:
            self._unproven[commit.sha] = f"PR #{number}: not shown to be a rebased copy of its commits: {why}"
        return frozenset(c.sha for c in run[:copies])

    def _applies(self, parent: str, pull: _Pull, tree: str | None) -> bool | None:
        """Whether `tree` is the PR's head merged onto `parent` (`merged_tree`): what its reviewers approved, applied
        where the queue applied it. None when git cannot show it either way: the head is not in the clone, or git's
        merge of it conflicts (a rebase applies commit by commit, and goes through where the merge of the whole
        does not)."""
        if not self._head_here(pull):
            return None
        merged = self.git.merged_tree(parent, pull.pr.head_sha)
        return None if merged is None else merged == tree

    def _queue_made_for(self, report: CommitReport, pull: _Pull, *, named: bool) -> bool:
        """Whether a commit the merge queue made is this PR's: its merge (the PR's head is the second parent), its
        squash (subjected `<title> (#N)`, or `<its one commit's subject> (#N)`, as GitHub writes them), or — for the
        PR the queue branch names — a rebased copy of one of its commits. The queue builds the named PR's entry on
        top of the group: its merge or squash is the group's head, its rebased copies the topmost commits, one per
        commit of the PR (_copies_of). A copy is tied by that place and its message (its author's to write: an
        earlier entry's commit given the message of one of the named PR's is below them, red117), and where git can
        show it by content: the run of copies applies the PR's head, the squash's tree is that head merged onto its
        parent (red126: a rebase drops a commit whose change the group has, and the place then holds an earlier
        entry's commit). An earlier entry's place is not known here: only what GitHub made ties it — its merge's
        second parent, its squash's tree (_squash_of); the squash's title only selects the PR to compare with."""
        commit = report.commit
        head = self.event.head if named else None
        copies = self._copies_of(pull) if named else frozenset()
        if named and commit.sha != head and commit.sha not in copies:
            return False
        if len(commit.parents) == 2:
            return commit.parents[1] == pull.pr.head_sha
        if len(commit.parents) != 1:
            return False  # neither a squash nor a copy
        number = pull.pr.number
        subject = commit.subject.strip()
        if commit.sha in copies:
            return True
        if not subject.endswith(f" (#{number})") or (named and commit.sha != head):
            return False
        title = pull.pr.title
        if not title.strip():
            # The PR a queue branch names comes with no title (the event has none): GitHub's, asked once.
            if number not in self._titles:
                assert self.client is not None
                self._titles[number] = self.client.pull(self.event.repository, number).title
            title = self._titles[number]
        titles = (title, *(c.message.strip().split("\n", 1)[0] for c in pull.commits))
        if not any(t.strip() and subject == f"{t.strip()} (#{number})" for t in titles):
            return False
        if not named:
            return self._squash_of(commit, pull)
        # The named PR's squash is the group's head, by its place — and by its tree where git can show it: in a
        # rebase-method queue the group's head is an earlier entry's copy when the rebase emptied the named PR, and
        # its author can subject it `<title> (#N)` (red126).
        if self._applies(commit.parents[0], pull, self.git.tree_id(commit.sha)) is False:
            self._unproven[commit.sha] = (f"PR #{number}: not shown to be GitHub's squash of it: its tree is not the "
                                          f"PR's head {pull.pr.head_sha[:12]} merged onto its parent")
            return False
        return True

    def _head_here(self, pull: _Pull) -> bool:
        """Whether the PR's head is a commit in the clone (what GitHub made from it can be compared with it)."""
        head = pull.pr.head_sha
        return is_sha(head) and self.git.resolve_commit(head) == head

    def _squash_of(self, commit: Commit, pull: _Pull) -> bool:
        """Whether the one-parent `commit` is GitHub's squash of another PR of the group: its tree is the PR's head
        merged onto the commit's parent — the change the PR's reviewers approved, applied where the queue applied
        it. Its subject, author, co-author lines and squash layout cannot show it: a rebase-method queue copies an
        earlier entry's commits with everything their author wrote (`<#5's title> (#5)`, #5's author, GitHub's
        `---------` ending), and #5's title, author and commits are public (red118). Without the PR's head in the
        clone it cannot be shown (fail closed: no PR, review/missing); why is kept for the review's detail."""
        head = pull.pr.head_sha
        if self.git.squashes(commit.sha, head):
            return True
        if not is_sha(head) or self.git.resolve_commit(head) != head:
            why = (f"its head {head[:12]} is not in the clone (fetch-depth: 0 fetches the PR's branch when it is in "
                   "this repository)" if is_sha(head) else "its head is not known")
        else:
            why = f"its tree is not the PR's head {head[:12]} merged onto its parent"
        self._unproven[commit.sha] = f"PR #{pull.pr.number}: not shown to be GitHub's squash of it: {why}"
        return False

    def _queue_holds(self, pr: PullRequest, sha: str) -> bool:
        """Whether the open PR `pr` brought `sha` into the merge group: its head is in the group's history (the
        queue merged it: a merge-method entry's head is its merge's second parent) and is or descends from `sha`.
        GitHub lists every open PR that has the commit, in an order its author sets by when she opens them: one
        never queued (X plus its revert, approved; red126) or a follow-up built on the entry's branch (not reviewed
        yet) holds it too, but the group merges neither's head, so neither's review is of what the group merges.
        (A squash- or rebase-method entry's head is not in the group; its commits are not either.)"""
        head = pr.head_sha
        group = self._ancestors_of(self.event.head)
        if not is_sha(head) or group is None or head not in group:
            return False
        if sha == head:
            return True
        ancestors = self._ancestors_of(head)
        return ancestors is not None and sha in ancestors

    def _merge_holds(self, pull: _Pull, sha: str) -> bool:
        """Whether the merge of a merged PR holds `sha` (is it, or has it in its history) in this clone. With
        `any_base`, that merge — what the reviewers approved the result of — must also be in the history of the head
        being judged (red96: a PR into a throwaway branch held the phone commit and, after it, a commit that undid
        its payload; the approval of that PR covered the phone commit in a head that holds it without the undo)."""
        merged = pull.pr.merge_commit_sha
        if merged is None or not is_sha(merged):
            return False
        if self.any_base:
            judged = self._ancestors_of(self.event.head)
            if judged is None or merged not in judged:
                return False
        if sha == merged:
            return True
        ancestors = self._ancestors_of(merged)
        return ancestors is not None and sha in ancestors

    def _judge_landed(self, report: CommitReport, pull: _Pull, approvals: int, exclude_authors: bool,
                      require_cover: bool, eligible: Callable[[str], bool] | None = None) -> Assessment:
        commit = report.commit
        authors = pull_identities(pull.commits, pull.pr.author_login).merged(commit_identities([report]))
        # The PR's final head bounds what an approval may come from, as base..head does for a pull request
        # event: an approval of a later commit since force-pushed away (C on top of T, the PR pushed back to
        # T and merged) reviewed something else. Only when that head is not in the clone does an approval
        # of any descendant known here count (the detail says so: `_unbounded_note`).
        bound = self._local_head(pull)
        if commit.sha in pull.shas or not self._made_when_merging(report):
            # One of the PR's commits — or one that is not (GitHub reports a hand-pushed merge as the merge
            # commit of the PR it merges, and the merge queue's fallback names a PR for any commit it
            # cannot place) and that GitHub did not demonstrably make: covered only by an approval of it.
            covers = self._covers(commit.sha, bound)
        else:
            # GitHub made this commit when merging (merge, squash or rebase): only an approval of the
            # PR's final head reviewed everything it contains.
            # A PR whose head is not known (a queue branch without it) has nothing that shows what was reviewed.
            head = pull.pr.head_sha
            head_covers = self._covers(head, bound)
            covers = lambda cid: is_sha(head) and (cid == head or head_covers(cid))  # noqa: E731
        result = assess(pull.reviews, authors, approvals, covers, exclude_authors=exclude_authors,
                        require_cover=require_cover, eligible=eligible, write_access=self._write_access)
        return without_unlinked_signer(result, report, pull.commits) if exclude_authors else result

    def _local_head(self, pull: _Pull) -> str | None:
        """The PR's final head when it is a commit in the local clone, else None."""
        head = pull.pr.head_sha
        return head if is_sha(head) and self._ancestors_of(head) is not None else None

    def _unbounded_note(self, pull: _Pull) -> str:
        """What the detail says when the PR's final head could not bound the approvals (`_judge_landed`)."""
        if self._local_head(pull) is not None:
            return ""
        head = pull.pr.head_sha
        where = f"its head {head[:12]} is not in the clone" if is_sha(head) else "its head is not known"
        return (f"; {where}, so an approval of any later commit known here counts, also one since "
                "force-pushed away (fetch-depth: 0 fetches the PR's branch when it is in this repository)")

    def _made_when_merging(self, report: CommitReport) -> bool:
        """A commit outside the PR's list that merging made, adding nothing a reviewer of the head did not see:
        committed by GitHub's web-flow identity AND signed with a good GitHub web-flow signature (the
        merge button's merge, squash and rebase commits; the name alone is anyone's to write), or a merge
        whose tree is git's own merge of its parents (whoever made it). Anything else — a merge pushed by
        hand with a change of its own ("evil merge"), an unsigned commit claiming to be GitHub — is not."""
        commit, signature = report.commit, report.signature
        if (is_github_web_flow(commit) and signature.status is SignatureStatus.GOOD
                and signature.forge == "github"):
            return True
        if len(commit.parents) != 2:
            return False
        if commit.sha not in self._clean_merges:
            try:
                self._clean_merges[commit.sha] = self.git.merge_adds_nothing(commit.sha)
            except GitError:
                self._clean_merges[commit.sha] = False
        return self._clean_merges[commit.sha]

    def _review_landed(self, needing: Sequence[CommitReport], approvals: int, exclude_authors: bool,
                       require_cover: bool) -> ReviewResult:
        queued = self.event.name == "merge_group"
        rule = "review/missing" if queued else "review/bypassed"
        reviews: dict[str, ReviewInfo] = {}
        findings: list[Finding] = []
        for report in reversed(needing):  # newest first: a merge commit's PR then covers its commits
            sha = report.commit.sha
            pull = self._associated(report)
            if pull is None:
                unproven = self._unproven.get(sha)
                reviews[sha] = ReviewInfo(ReviewStatus.MISSING, (), "github",
                                          f"{unproven + '; ' if unproven else ''}no "
                                          f"{'queued' if queued else 'merged'} pull request into "
                                          f"{self.event.branch} contains this commit")
                findings.append(_landed_finding(rule, report.commit, self.event.branch, None, queued))
                continue
            result = self._judge_landed(report, pull, approvals, exclude_authors, require_cover)
            reviews[sha] = ReviewInfo(result.status, result.approvers, "github",
                                      f"PR #{pull.pr.number}: {result.describe()}{self._unbounded_note(pull)}")
            if result.status is not ReviewStatus.APPROVED:
                findings.append(_landed_finding("review/unverifiable" if result.status is ReviewStatus.UNKNOWN
                                                else rule, report.commit, self.event.branch,
                                                (pull.pr.number, result), queued))
        return ReviewResult(reviews, tuple(reversed(findings)))

    # -- policy/changed -------------------------------------------------------------------------
    def team_member(self, team: str, login: str) -> bool | None:
        key = (team.lower(), login.lower())
        if key not in self._teams:
            assert self.client is not None
            self._teams[key] = self.client.team_membership(team, login)
        return self._teams[key]

    def policy_review(self, owners: CodeOwners | None) -> PolicyReviewer:
        """The Action's judgement of a configuration change (checks/policy_change.py): approved by a policy
        owner — CODEOWNERS at the base for those paths when it names any, else any approving human who is
        not an author — covering the last commit that made the change."""

        def judge(ctx: CheckContext, changers: Sequence[CommitReport], paths: Sequence[str]) -> PolicyReview:
            requirements = owner_requirements(paths, owners)
            who = "; ".join(f"{', '.join(g.paths[:3])}: {g.label()}" for g in requirements.groups)
            fix = f"ask a policy owner ({who}) who is not an author to approve after {changers[-1].commit.sha[:12]}"
            if self.unavailable:
                return PolicyReview(False, f"approvals could not be checked: {self.unavailable}", fix)
            self._learn_range(ctx.commits, ctx.updates)
            try:
                approved, notes = self._owners_approved(changers, ctx.commits, requirements.groups)
            except GitHubError as exc:
                return PolicyReview(False, f"approvals could not be checked: {exc.message}", fix,
                                    (failure_finding(f"{exc.message} (fix: {exc.fix})" if exc.fix else exc.message),
                                     *self._access_findings()))
            if approved:
                return PolicyReview(True, "approved by policy owner(s) " + ", ".join("@" + a for a in approved),
                                    findings=self._access_findings())
            return PolicyReview(False, "; ".join(notes) or "no approval by a policy owner", fix,
                                self._access_findings())

        return judge

    def _owners_approved(self, changing: Sequence[CommitReport], everyone: Sequence[CommitReport],
                         groups: Sequence[OwnerRequirement]) -> tuple[list[str], list[str]]:
        approved: set[str] = set()
        notes: list[str] = []
        pulls: list[tuple[CommitReport, _Pull]] = []
        authors: People | None = None
        signed_by_whom: Sequence[PullCommit] = ()
        if self.event.is_pull:
            assert self.event.pr_number is not None
            pull = self._pull(self.event.pr_number)
            listed = self._range_commits(pull, everyone)
            if isinstance(listed, str):
                return [], [f"the commits GitHub lists and the range in git disagree: {listed}"]
            authors = pull_identities(listed, self.event.pr_author).merged(commit_identities(everyone))
            pulls.append((changing[-1], pull))
            signed_by_whom = listed  # the changers' signers, each tied to a login by GitHub or no approval counts
        else:
            for report in changing:
                found = self._associated(report)
                if found is None:
                    notes.append(f"{report.commit.sha[:12]} came through no pull request")
                    return [], notes
                pulls.append((report, found))
        for group in groups:
            unknown: list[str] = []

            def eligible(login: str, group: OwnerRequirement = group, unknown: list[str] = unknown) -> bool:
                answer = is_owner(group, login, self.team_member)
                if answer is None:
                    unknown.append(login)
                return answer is True

            for landed, pull in pulls:
                commit = landed.commit
                if authors is not None:
                    result = assess(pull.reviews, authors, 1, self._covers(commit.sha, self.event.head),
                                    eligible=eligible, pushers=self._pushers, write_access=self._write_access)
                    for changer in changing:
                        result = without_unlinked_signer(result, changer, signed_by_whom)
                    note = ""
                else:
                    result = self._judge_landed(landed, pull, 1, True, True, eligible=eligible)
                    note = self._unbounded_note(pull)
                if result.status is not ReviewStatus.APPROVED:
                    notes.append(f"no approval by {group.label()} covering {commit.sha[:12]}: "
                                 f"{result.describe()}{note}")
                    if unknown:
                        notes.append("team membership could not be read with this token (needs `members: read`): "
                                     + ", ".join("@" + u for u in sorted(set(unknown))))
                    return [], notes
                approved.update(result.approvers)
        return sorted(approved), notes


UNVERIFIED_FIX = "fix the GitHub access problem and re-run; until then the change counts as unreviewed"
UNLINKED_FIX = ("the commit's signer adds the address their device is enrolled to to their GitHub account (verified), "
                "then re-run; until then no approval of it counts")


class BeyondBaseReview:
    """The review of the default branch's judgement of a run for a branch that neither its policy nor GitHub protects
    (modes/action.py): the range is every commit the head holds that the default branch does not, and each mobile
    commit there that the default branch's policy wants reviewed must be — whatever the base branch's own policy
    says, which whoever pushed to it last wrote (red66), and whether or not this pull request brought the commit
    (red68 moved the base branch onto it):

    - one of this pull request's commits (in git's `base..head` and in GitHub's list of them): by this pull
      request's approvals, as its own judgement reads them (GitHub's list names their authors, not reconciled with
      the range: the range here is not the pull request's);
    - any other (already on the base branch, or for a push run on the branch): by a merged pull request whose merge
      holds it and is in the judged head's history (red96: not a merge on a throwaway branch that also undid it)
      (`commits/{sha}/pulls`), as a push run judges a protected branch's new commits, but into any branch
      (a release branch cut from develop holds develop's reviewed commits: red95), its ancestry read from the
      default branch's tip. A commit pushed there without one is `review/bypassed`, and so is one only an open
      pull request holds (a stacked pull request waits for the one below it to merge).

    Commits an earlier reviewed pull request landed on a release branch pass (red70); main's own later commits are
    not in the range."""

    id = "github"

    def __init__(self, source: GitHubReviewSource, root: str) -> None:
        self.source = source
        self.root = root  # the default branch's tip: where the range starts
        event = source.event
        # The landed commits' questions are a push run's of the base branch, from the default branch's tip: a
        # pull request's own list of 250 commits or more then fails closed (_pull), as it does for a push.
        self.landed = GitHubReviewSource(source.client, dataclasses.replace(event, name="push", base=root),
                                         source.git, unavailable=source.unavailable, any_base=True)

    @property
    def client(self) -> GitHubClient | None:
        return self.source.client

    def review(self, commits: Sequence[CommitReport], needing: Sequence[CommitReport], updates: Sequence[RefUpdate],
               policy: Policy, approvals: int, rules: Mapping[str, ReviewRule] | None = None) -> ReviewResult:
        source = self.source
        if source.unavailable or not source.event.is_pull:
            return (source if source.unavailable else self.landed).review(commits, needing, updates, policy,
                                                                          approvals, rules)
        own = source.pull_range()
        if own is None:
            return source.failed(needing, f"the pull request's commits ({source.event.base[:12]}.."
                                          f"{source.event.head[:12]}) could not be read from git")
        # This pull request's commits as GitHub lists them now, too: the event's base.sha is refreshed only by a push
        # to the pull request, and a base branch moved onto a commit since (red95: a phone commit pushed onto develop
        # under the PR's docs commit) takes it out of the pull request, which an approval of the docs commit then
        # did not review. Past GitHub's 250, the list says nothing, and the approvals are not verifiable.
        try:
            listed = source.pull_commits()
        except GitHubError as exc:
            return source.failed(needing, f"{exc.message} (fix: {exc.fix})" if exc.fix else exc.message)
        if len(listed) < PR_COMMITS_LIMIT:
            own = own & {c.sha for c in listed}
        mine = [r for r in needing if r.commit.sha in own]
        landed = [r for r in needing if r.commit.sha not in own]
        results = []
        if mine:
            results.append(source.review([r for r in commits if r.commit.sha in own], mine, updates, policy,
                                         approvals, rules, listed_whole=True))
        if landed:
            results.append(self.landed.review(commits, landed, updates, policy, approvals, rules))
        reviews: dict[str, ReviewInfo] = {}
        findings: list[Finding] = []
        for result in results:
            reviews.update(result.reviews)
            findings.extend(result.findings)
        return ReviewResult(reviews, tuple(findings))


def github_protects(token: str, api_url: str, event: GitHubEvent, git: Git,
                    factory: ClientFactory | None = None) -> bool | None:
    """Whether GitHub protects the event's branch (a branch protection rule or a ruleset); None when it cannot
    say (no token, an error, no such branch): the caller keeps the policy's word then."""
    source = GitHubReviewSource.for_token(token, api_url, event, git, factory)
    if source.client is None:
        return None
    try:
        return source.client.branch_protected(event.repository, event.branch)
    except GitHubError:
        return None
    finally:
        source.client.close()


def _default_client(token: str, api_url: str) -> GitHubClient:
    return GitHubClient(token, api_url=api_url)


def failure_finding(why: str) -> Finding:
    return catalogue.rule("tool/github-failed").finding(
        f"review status unknown, treated as not approved: {why}",
        fix="grant the job `pull-requests: read` and `contents: read`, check GITHUB_API_URL, and re-run",
    ).with_fingerprint("github-failed")


def _landed_finding(rule: str, commit: Commit, branch: str, via: tuple[int, Assessment] | None,
                    queued: bool) -> Finding:
    sha = commit.sha
    if via is None:
        what = (f"mobile-origin commit {sha[:12]} is in the merge queue for {branch} without a pull request"
                if queued else f"mobile-origin commit {sha[:12]} reached {branch} without a merged pull request that "
                               "holds it")
    else:
        number, result = via
        what = (f"mobile-origin commit {sha[:12]} reached {branch} through PR #{number}, which lacks qualifying "
                f"approval ({result.status.value}): {result.describe()}")
        if queued:
            what = what.replace("reached", "is queued for", 1)
    fix = ("revert it and land the change through a pull request approved by someone who is not an author"
           if not queued else "remove it from the queue until a reviewer who is not an author approves the PR")
    return catalogue.rule(rule).finding(what, commit=sha, enforced=True, fix=fix).with_fingerprint(rule, sha)

