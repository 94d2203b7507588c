"""Forge-made commits told apart (pull-request merge vs web edit), and the forge's own push metadata.

A commit whose committer is `GitHub <noreply@github.com>` (web-flow) was made by GitHub, but on real
histories 90-98 % of those are pull-request merges (merge button, squash, rebase), not browser edits.
`classify_forge_commit` says which, from what GitHub and GitLab write into the objects they make:

- `pr-merge`: GitHub's merge button ("Merge pull request #N from owner/branch", two parents, or one when a
  squash kept that title), squash and rebase merges (subject ending "(#N)", or a squash whose edited title lost
  it but whose message ends as GitHub writes squashes: a `---------` line, then only `Co-authored-by:` and
  `Signed-off-by:` lines), security-advisory merges ("Merge pull request from GHSA-…", "Merge commit from fork"; two
  parents, or one when GitHub squashed the private fork's pull request); GitLab's merge commits ("See merge request
  group/proj!N"). The
  PR number is the evidence a reviewer (or the Action, through the API) can follow. A PR merge says
  nothing about the device the merged code was written on: it gives no device class.
- `web-edit`: any other web-flow commit — the browser editor, the API's contents endpoint, the
  "Update branch" button — or a `GitLab <noreply@gitlab.com>` commit: device class `web`.

All of it is a heuristic (`forge/pr-merge`, `forge/web-edit`): anyone can write that committer and
that subject. Forging it on a commit made elsewhere gains nothing: a pr-merge has no device class (the policy's
`undeclared` rule applies, as to any untagged commit) and its review evidence is evidence, never an approval. But a
browser edit is web-flow's and signed by GitHub too, and its user writes the message: one that reads as a squash
(`… (#4)`, `Merge pull request #4 from …`, GitHub's squash ending) would leave the web rules (red109). Where web
edits get the mobile rules, the Action asks GitHub (`commits/{sha}/pulls`) about every such one-parent claim and
reads one GitHub does not confirm as the web edit it is (`OriginContext.unconfirmed_merges`); offline readers (the
audit, `check`) keep the heuristic. When the
forge's own key signed the commit (provenance verified it), GitHub made the object: the pr-merge
evidence is then `verified`. Forge metadata from the pre-receive environment is set by the server,
not the pusher: trust `verified`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Commit, DeviceClass, Evidence, SignatureStatus, Trust
from gatekeeper.origin.base import ForgeInfo, OriginContext

GITHUB_WEB_FLOW = ("github", "noreply@github.com")
GITLAB_COMMITTER = "noreply@gitlab.com"
PR_MERGE = "forge/pr-merge"
WEB_EDIT = "forge/web-edit"

_MERGE_BUTTON = lazy(r"^Merge pull request #([1-9]\d{0,8}) from \S")
_SQUASH = lazy(r"\(#([1-9]\d{0,8})\)$")
_ADVISORY = lazy(r"^Merge (?:pull request from (GHSA(?:-[0-9a-z]{4}){3})|commit from fork)$")
# "See merge request group/project!N"; GitLab before 9.0 wrote "See merge request !N" (sometimes + URL).
_GITLAB_MR = lazy(r"^See merge request ([\w.\-/]{1,255})?!([1-9]\d{0,8})(?:\s+https?://\S+)?\s*$", re.MULTILINE)
# The end GitHub writes into a squash merge's message: a line of nine dashes, then only the co-author and sign-off
# trailers it gathered from the squashed commits (red105: squashes whose title the merger edited lose the "(#N)";
# red127: a squash of signed-off commits ends in their `Signed-off-by:` lines, astral-sh/uv da659fee48).
_SQUASH_LAYOUT = lazy(r"\n-{9}\n\n(?:(?:co-authored-by|signed-off-by): [^\n]*\n?)+\Z", re.IGNORECASE)
_UPDATE_BRANCH = lazy(r"^Merge branch '[^'\n]+'(?: of \S+)? into \S")


@dataclass(frozen=True, slots=True)
class ForgeCommit:
    """What a forge-made commit is, read from the object the forge wrote."""

    forge: str  # "github" | "gitlab"
    kind: str  # "pr-merge" | "web-edit"
    how: str  # human words: "merge button", "squash or rebase merge", ...
    pr: int | None = None
    project: str | None = None  # GitLab "group/project" of the merge request

    @property
    def source(self) -> str:
        return PR_MERGE if self.kind == "pr-merge" else WEB_EDIT


def is_github_web_flow(commit: Commit) -> bool:
    return (commit.committer.name.strip().lower(), commit.committer.email.strip().lower()) == GITHUB_WEB_FLOW


def forgeable_merge_claim(commit: Commit) -> ForgeCommit | None:
    """A GitHub pull-request merge read from words a browser editor could have written: a one-parent web-flow
    commit (a squash or rebase, or a web edit whose message looks like one). A two-parent merge button commit is
    not: no editor makes a merge. The Action asks GitHub about these (unconfirmed_merges)."""
    made = classify_forge_commit(commit)
    if made is None or made.forge != "github" or made.kind != "pr-merge" or commit.is_merge:
        return None
    return made


def _title(commit: Commit) -> str:
    """The commit's title as git's `%s` and GitHub show it: the first paragraph, its lines joined by a space (a squash
    title wrapped before its "(#N)": astral-sh/uv a70ee58ae167, red131). At most its first 4 KiB."""
    message = commit.message.lstrip(" \t\r\n")[:4096]
    end = _PARAGRAPH_END.search(message)
    return " ".join(line.strip() for line in (message[:end.start()] if end else message).split("\n"))


_PARAGRAPH_END = lazy(r"\n[ \t\r]*(?:\n|\Z)")


def classify_forge_commit(commit: Commit) -> ForgeCommit | None:
    """pr-merge or web-edit for a commit GitHub or GitLab made; None for any other commit."""
    subject = commit.subject
    if is_github_web_flow(commit):
        match = _MERGE_BUTTON.match(subject)
        if match:
            # (One parent: a squash whose title kept the merge button's words — red105.)
            how = "merge button" if commit.is_merge else "squash merge (the merge button's title)"
            return ForgeCommit("github", "pr-merge", how, int(match.group(1)))
        match = _SQUASH.search(subject) or _SQUASH.search(_title(commit))
        if match:
            how = "merge button (edited title)" if commit.is_merge else "squash or rebase merge"
            return ForgeCommit("github", "pr-merge", how, int(match.group(1)))
        match = _ADVISORY.match(subject)
        if match:
            # (One parent: GitHub squash-merged the advisory's private-fork pull request under the same title —
            # red127, astral-sh/uv da659fee48. Like any one-parent claim, the Action asks GitHub about it.)
            how = "security advisory merge" if commit.is_merge else "security advisory squash merge"
            return ForgeCommit("github", "pr-merge", f"{how} ({match.group(1) or 'private fork'})")
        if not commit.is_merge and _SQUASH_LAYOUT.search(commit.message):
            return ForgeCommit("github", "pr-merge", "squash merge (edited title: no pull request number)")
        if commit.is_merge:
            what = "Update branch button" if _UPDATE_BRANCH.match(subject) else "merge made on GitHub"
            return ForgeCommit("github", "web-edit", f"{what} (a merge into a branch, not a pull-request merge)")
        bot = "[bot]" in commit.author.name.lower() or "[bot]" in commit.author.email.lower()
        return ForgeCommit("github", "web-edit", "API contents write by a bot" if bot else "web editor or API")
    # The pattern needs its literal words at a line start: a substring test spares most messages the scan.
    match = _GITLAB_MR.search(commit.message) if "See merge request" in commit.message else None
    if match and commit.is_merge:
        return ForgeCommit("gitlab", "pr-merge", "merge request merge", int(match.group(2)), match.group(1) or None)
    if commit.committer.email.strip().lower() == GITLAB_COMMITTER:
        return ForgeCommit("gitlab", "web-edit", "web editor, Web IDE or API")
    return None


def forge_signed(commit: Commit, ctx: OriginContext) -> str | None:
    """The forge whose own key signed the commit (verified by provenance), if any."""
    info = ctx.signatures.get(commit.sha)
    if info is None or info.forge is None or info.status is not SignatureStatus.GOOD:
        return None
    return info.forge


class ForgeCommitDetector:
    id = "forge/commit"
    description = ("commits GitHub (web-flow) or GitLab made: pull-request merges (forge/pr-merge, with the PR "
                   "number) apart from web edits (forge/web-edit)")

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        made = classify_forge_commit(commit)
        if made is None:
            return []
        signed = forge_signed(commit, ctx) == made.forge
        suffix = f"; signed by {made.forge}'s own key" if signed else ""
        if made.kind == "pr-merge" and commit.sha in ctx.unconfirmed_merges:
            claimed = f" #{made.pr}" if made.pr else ""
            return [Evidence(WEB_EDIT, f"{made.forge} web edit (its message claims a pull-request merge{claimed}, "
                             f"which {made.forge} knows no merged pull request for){suffix}", Trust.HEURISTIC,
                             device=DeviceClass.WEB, client=f"{made.forge}-web")]
        if made.kind == "pr-merge":
            ref = f"#{made.pr}" if made.forge == "github" and made.pr else (
                f"{made.project or ''}!{made.pr}" if made.pr else "")
            detail = f"{made.forge} pull-request merge{' ' + ref if ref else ''} ({made.how}){suffix}"
            trust = Trust.VERIFIED if signed else Trust.HEURISTIC
            return [Evidence(PR_MERGE, detail, trust, client=f"{made.forge}-merge", pr=made.pr)]
        detail = f"{made.forge} web edit ({made.how}){suffix}"
        # A web edit stays heuristic even when signed: the forge made the object, but "in a browser"
        # is our reading of it, and a heuristic cannot overrule what the author declared.
        return [Evidence(WEB_EDIT, detail, Trust.HEURISTIC, device=DeviceClass.WEB, client=f"{made.forge}-web")]


class ForgeDetector:
    id = "forge"
    description = "server-side push metadata: GHES GITHUB_VIA, GitLab GL_PROTOCOL, Gitea internal pushes"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        forge = ctx.forge
        if forge is None:
            return []
        if forge.pr_merge and not forge.web_edit:
            # The server says this push is a pull-request merge; the PR number, when the forge wrote it
            # into the commit, comes from the message.
            made = classify_forge_commit(commit)
            number = made.pr if made is not None and made.kind == "pr-merge" else None
            shown = f" #{number}" if number else ""
            return [Evidence(PR_MERGE, f"{forge.forge}: pushed by a pull-request merge{shown} ({forge.via or 'merge'})",
                             Trust.VERIFIED, client=f"{forge.forge}-merge", pr=number)]
        return forge_web_evidence(forge)


def forge_web_evidence(forge: ForgeInfo | None) -> list[Evidence]:
    """What the server's push metadata says of every commit of a push made in the forge's web UI (the same for
    each: pre-receive records it before the commits are judged, origin/recorded.py)."""
    if forge is None or not forge.web_edit:
        return []
    # GHES's GITHUB_VIA names the web editor itself; GitLab's GL_PROTOCOL=web also covers merges and
    # rebases done in the UI, which carry commits made elsewhere: only a heuristic there.
    if forge.forge in ("github", "gitea"):
        trust, what = Trust.VERIFIED, "pushed by the web editor"
    else:
        trust, what = Trust.HEURISTIC, "pushed through the web UI (edit, merge or rebase)"
    return [Evidence(ForgeDetector.id, f"{forge.forge}: {what} ({forge.via or 'web'})", trust,
                     device=DeviceClass.WEB, client=f"{forge.forge}-web")]
