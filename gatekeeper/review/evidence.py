"""Review evidence read from the history itself: Gerrit changes, forge pull-request merges, review trailers.

On real histories review leaves marks in the commits: Gerrit's submit writes `Reviewed-on: <change URL>`
and one `Reviewed-by:` per approver (golang/net: 1,813 of 2,408 commits); GitHub's merge button and
squash merges name the pull request ("Merge pull request #N", "(#N)"); kernel-style projects carry
`Reviewed-by:` / `Acked-by:`. `history_evidence` turns those into `ReviewEvidence`, each with a trust
level:

- `verified`: a pull-request merge the forge itself signed (provenance checked GitHub's key);
- `declared`: anything written in the message — Gerrit's trailers, Reviewed-by/Acked-by — since anyone
  can write them; a Gerrit change URL can be followed up, which is why it is recorded;
- `heuristic`: a pull-request merge recognised from its committer and subject only.

This never approves anything: the review status keeps DESIGN §5's semantics (a self-asserted trailer
counts only when the pusher is the reviewer or the reviewer's key signed it). Evidence is what the JSON
shows and an audit reads.
"""

from __future__ import annotations

from gatekeeper.identity import commit_people, parse_identity
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Commit, Origin, ReviewEvidence, Trust
from gatekeeper.sanitize import safe

MAX_EVIDENCE = 20  # per commit; a message can hold any number of lines
_GERRIT_URL = lazy(r"^https?://[\w.\-]+(?::\d+)?/\S*$")
_REVIEW_TRAILERS = (("reviewed-by", "trailer/reviewed-by", "Reviewed-by"), ("acked-by", "trailer/acked-by", "Acked-by"))
_WANTED = frozenset({"reviewed-on", "change-id", "reviewed-by", "acked-by"})


def history_evidence(commit: Commit, origin: Origin) -> tuple[ReviewEvidence, ...]:
    """The review evidence one commit carries (oldest signals first, at most MAX_EVIDENCE)."""
    found: list[ReviewEvidence] = []
    for e in origin.evidence:
        if e.source == "forge/pr-merge":
            number = f" #{e.pr}" if e.pr else ""
            trust = Trust.VERIFIED if e.trust is Trust.VERIFIED else Trust.HEURISTIC
            found.append(ReviewEvidence("forge/pr-merge", f"merged through pull request{number}: {e.detail}", trust,
                                        pr=e.pr))
            break
    if not commit.trailers:
        return tuple(found)
    # One pass over the trailers (this runs for every commit of an audit).
    values: dict[str, list[str]] = {}
    for trailer in commit.trailers:
        if trailer.name in _WANTED:
            values.setdefault(trailer.name, []).append(trailer.value)
    reviewed_on = values.get("reviewed-on")
    if reviewed_on:
        url = safe(reviewed_on[-1], limit=300).strip()
        change = values.get("change-id")
        change_text = f" (Change-Id {safe(change[-1], limit=60).strip()})" if change else ""
        found.append(ReviewEvidence("gerrit", f"Gerrit change {url}{change_text}", Trust.DECLARED,
                                    url=url if _GERRIT_URL.match(url) else None))
    people: set[str] | None = None
    for key, source, label in _REVIEW_TRAILERS:
        seen: set[str] = set()
        for value in values.get(key, ()):
            reviewer = safe(value, limit=300).strip()
            if not reviewer or reviewer.casefold() in seen:
                continue
            seen.add(reviewer.casefold())
            if people is None:  # the one identity rule (identity.same_person), computed once
                people = set().union(*(p.keys() for p in commit_people(commit)))
            note = " — an author or committer of the commit" if parse_identity(reviewer).keys() & people else ""
            found.append(ReviewEvidence(source, f"{label}: {reviewer}{note}", Trust.DECLARED, reviewer=reviewer))
            if len(found) >= MAX_EVIDENCE:
                return tuple(found)
    return tuple(found)
