"""Who a person is: the one identity rule of the gate (DESIGN §5), used by every review path and the audit.

"Is the reviewer one of the change's people?" gets one answer everywhere — Reviewed-by trailers and
forge merges at push time (review/reviewed_by.py, review/forge.py), GitHub reviews in the Action
(review/semantics.py, review/github_source.py), and the audit's review evidence (review/evidence.py,
audit/history.py):

- **Spellings.** A person is known by a name, an e-mail address, a login; `Identity.keys` lists every
  spelling (case-folded): the name, the login, the address, its local part, and the login a GitHub
  noreply address encodes (`12345+login@users.noreply.github.com`). Two identities are the same person
  when they share any spelling (`same_person`). Loose on purpose: a loose match for "is the reviewer an
  author?" can only exclude more reviewers, never fewer — fail closed. The reviewer side is anchored on
  something the server vouches for (the authenticated pusher, a verified signature, a GitHub login).
- **A commit's people** (`commit_people`): author, committer, every `Co-authored-by:` (git's trailers
  and any such line elsewhere in the message: stricter than git's trailer rules), and the signer the
  signature names — a good signature proves the signer made the commit object, whatever name the author
  field claims, so a signer is never the independent reviewer of what she signed. A signer named by a
  signature that is not good (revoked, expired, bad) counts too: it only ever excludes more reviewers.
  Verifying a reviewer by signature (`signer_identity`) takes good signatures only, and never a forge's own key.
- **Bots** (`Identity.is_bot`, `is_human`): a spelling containing `[bot]` or ending in `-bot`, GitHub's
  web-flow address or any `noreply@…` address (a forge's or an instance's own key), or (for GitHub accounts)
  any account type but `User`. A bot never counts as a reviewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Commit, SignatureInfo, SignatureStatus
from gatekeeper.sanitize import safe

_ANGLE = lazy(r"^(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+)>\s*$")
# GitHub logins: alphanumerics and hyphens, at most 39 characters. Enterprise Managed Users add their
# enterprise's shortcode after an underscore (`bob_octo`); apps end in "[bot]".
_LOGIN = lazy(r"[A-Za-z0-9][A-Za-z0-9-]*(?:_[A-Za-z0-9]{3,8})?")
_MAX_LOGIN = 39
_BOT_SUFFIX = "[bot]"
_WEB_FLOW = "noreply@github.com"  # the committer of commits GitHub makes itself
# The address of a forge's or a server's own commits and keys (github.com's web-flow, gitlab.com's web commits, a
# GHES or self-managed GitLab instance key an administrator lists): no person reads mail there (red150).
_NO_REPLY = frozenset({"noreply", "no-reply", "donotreply", "do-not-reply"})
COAUTHOR_KEY = "co-authored-by"
# Every trailer that names a co-author: GitHub's, and the Linux kernel's `Co-developed-by:` (which its July 2025
# AI-assistance proposal had agents credit themselves with).
COAUTHOR_KEYS = (COAUTHOR_KEY, "co-developed-by")
MAX_COAUTHORS = 100  # per commit; a message can hold any number of lines


@dataclass(frozen=True, slots=True)
class Identity:
    """A person as a trailer, a commit header, a signature or the server names them (any part may be empty)."""

    name: str = ""
    email: str = ""
    login: str = ""

    def __str__(self) -> str:
        label = self.name or self.login
        if self.email:
            return f"{label} <{self.email}>" if label else f"<{self.email}>"
        return label or "(unknown)"

    def keys(self) -> set[str]:
        """Every spelling this identity may be known by, case-folded."""
        found: set[str] = set()
        for value in (self.name, self.login):
            if value.strip():
                found.add(value.strip().casefold())
        if self.email.strip():
            email = self.email.strip().casefold()
            found.add(email)
            local = email.split("@", 1)[0]
            found.add(local)
            if "+" in local:  # GitHub noreply: 12345+login@users.noreply.github.com
                found.update(part for part in local.split("+", 1) if part and not part.isdigit())
        return {k for k in found if k}

    @property
    def is_bot(self) -> bool:
        """An app or automation account: never a reviewer."""
        email = self.email.strip().casefold()
        local = email.split("@", 1)[0]
        spellings = [self.name.strip().casefold(), self.login.strip().casefold(), email, local]
        return (email == _WEB_FLOW or (bool(email) and local in _NO_REPLY)
                or any("[bot]" in s or s.endswith("-bot") for s in spellings if s))


def parse_identity(value: str) -> Identity:
    """`Name <email>`, `<email>`, a bare e-mail, or a bare name/login."""
    text = safe(value, limit=300).strip()
    match = _ANGLE.match(text)
    if match:
        return Identity(name=match.group("name").strip().strip('"'), email=match.group("email"))
    if "@" in text and " " not in text:
        return Identity(email=text)
    return Identity(name=text)


def same_person(a: Identity, b: Identity) -> bool:
    """Any shared spelling (see `Identity.keys`), case-insensitive: a login matches a name, an e-mail, an
    e-mail's local part or GitHub's `[id+]login@users.noreply.github.com`."""
    return bool(a.keys() & b.keys())


def valid_login(login: str) -> bool:
    """A well-formed GitHub login (hostile text from an API answer is never one): at most 39 alphanumerics
    and hyphens, starting with an alphanumeric, then optionally an Enterprise Managed User's `_<shortcode>`
    (3 to 8 alphanumerics) within those 39; or an app's such login with `[bot]` after it."""
    name = login[:-len(_BOT_SUFFIX)] if login.endswith(_BOT_SUFFIX) else login
    return len(name) <= _MAX_LOGIN and _LOGIN.fullmatch(name) is not None


def is_human(login: str, user_type: str) -> bool:
    """A GitHub account that may review: type User, a valid login, and no bot spelling."""
    return user_type == "User" and valid_login(login) and not Identity(login=login).is_bot


def coauthors(message: str, trailer_values: Iterable[str] = ()) -> list[Identity]:
    """The co-authors of a message (`Co-authored-by:`, `Co-developed-by:`): git's trailers (`trailer_values`) and
    any such line anywhere in the message (more than git's trailer rules accept: stricter for "who wrote it")."""
    values = list(trailer_values)
    for line in message.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in COAUTHOR_KEYS:
            values.append(value)
    found: list[Identity] = []
    for value in dict.fromkeys(v.strip() for v in values):
        person = parse_identity(value)
        if person.keys():
            found.append(person)
        if len(found) >= MAX_COAUTHORS:
            break
    return found


def signer_identity(signature: SignatureInfo | None) -> Identity | None:
    """Who a good signature proves made the commit object (the allowed-signers principal or the key's
    user id): what a reviewer is verified against. None when unsigned or not verified good."""
    if signature is None or signature.status is not SignatureStatus.GOOD or not signature.signer:
        return None
    if signature.forge is not None:
        # A forge's own key (GitHub web-flow, GitLab web commits) signs what the forge made for whoever clicked:
        # it names no person. Anyone can have github.com sign a merge whose message says `Reviewed-by: GitHub
        # web-flow` in a repository of their own, then push it anywhere (red150).
        return None
    signer = parse_identity(signature.signer)
    # The device registry may name the owner's login: the signer is then known by it too (red150).
    return Identity(signer.name, signer.email, signature.logins[0]) if signature.logins else signer


def commit_people(commit: Commit, *, committer: bool = True, signature: SignatureInfo | None = None) -> list[Identity]:
    """Author, committer, co-authors and signer of a commit: who must not review it.

    `committer=False` leaves the committer out, for forges whose own merges make the merger the committer
    of the commits they merge (Gitea's rebase merge). `signature` adds the signer (see the module doc).
    """
    people = [Identity(commit.author.name, commit.author.email)]
    if committer:
        people.append(Identity(commit.committer.name, commit.committer.email))
    people.extend(coauthors(commit.message, commit.trailer_values(*COAUTHOR_KEYS)))
    if signature is not None and signature.signer:
        people.append(parse_identity(signature.signer))
    if signature is not None:
        people.extend(Identity(login=login) for login in signature.logins)
    return people


def wrote(person: Identity, commit: Commit, *, committer: bool = True, signature: SignatureInfo | None = None) -> bool:
    """Whether `person` is one of the commit's people (same_person against commit_people)."""
    return any(same_person(person, p) for p in commit_people(commit, committer=committer, signature=signature))


@dataclass(frozen=True, slots=True)
class People:
    """The people of a change (authors, committers, co-authors, signers, a pull request's author): the
    set a reviewer must not belong to. Membership is `same_person` against any of them."""

    members: tuple[Identity, ...] = ()
    _keys: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keys", frozenset().union(*(member.keys() for member in self.members)))

    def includes(self, person: Identity) -> bool:
        return bool(self._keys & person.keys())

    def merged(self, other: People) -> People:
        return People(self.members + other.members)

    @property
    def spellings(self) -> frozenset[str]:
        """Every spelling of every member (case-folded)."""
        return self._keys


def people(*, logins: Iterable[str | None] = (), emails: Iterable[str | None] = (),
           messages: Iterable[str] = (), identities: Iterable[Identity] = ()) -> People:
    """People from GitHub logins, e-mail addresses, commit messages (their Co-authored-by lines) and
    identities already known."""
    members = [*identities]
    members.extend(Identity(login=login) for login in logins if login and login.strip())
    members.extend(Identity(email=email) for email in emails if email and email.strip())
    for message in messages:
        members.extend(coauthors(message))
    return People(tuple(members))


def commits_people(commits: Iterable[Commit], signatures: Iterable[SignatureInfo | None] = ()) -> People:
    """The people of several commits as git recorded them (with their signers when given, in order)."""
    listed = list(commits)
    sigs = list(signatures) or [None] * len(listed)
    return People(tuple(p for c, s in zip(listed, sigs, strict=True) for p in commit_people(c, signature=s)))
