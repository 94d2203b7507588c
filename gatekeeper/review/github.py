"""The GitHub REST client the Action's review source uses: requests + urllib3 Retry, read-only.

What it guarantees:
- base URL from GITHUB_API_URL (GHES: `https://HOST/api/v3`); https only (plain http only for a
  loopback test server); pagination follows `Link: rel="next"` on the same origin, capped;
- retries with urllib3's Retry on 429/500/502/503/504 for GET, exponential backoff, `Retry-After`
  honoured and capped; a 429 without `Retry-After` waits for `X-RateLimit-Reset` (capped too). A 403
  with `X-RateLimit-Remaining: 0` (GitHub's primary rate limit) cannot be told apart from a
  permission error by Retry, so it gets exactly one explicit wait-and-retry when the reset is within
  the cap, else a clear error. Sleeps go through an injectable function so tests stay fast;
- timeouts on connect and read; clear errors on 401/403/404 naming the permission needed; a body
  that is not the JSON shape expected is an error, never an empty answer;
- the token is never printed: not in repr, not in errors (every message is redacted), not sent to
  another host (pagination links and redirects to another origin are refused / stripped).
Every failure is a GitHubError; the review source turns it into `tool/github-failed`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

import gatekeeper
from gatekeeper.errors import ToolError
from gatekeeper.identity import valid_login
from gatekeeper.models import is_sha
from gatekeeper.review.semantics import (
    REVIEW_STATES,
    UNKNOWN_STATE,
    PullCommit,
    PullRequest,
    Review,
)

DEFAULT_API_URL = "https://api.github.com"
RETRY_STATUSES = (429, 500, 502, 503, 504)
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")
PERM_PULLS = "`pull-requests: read`"
PERM_CONTENTS = "`contents: read`"
PERM_METADATA = "`metadata: read`"

Sleep = Callable[[float], None]
Clock = Callable[[], float]


class GitHubError(ToolError):
    """The GitHub API could not answer; the message names what to fix and never holds the token."""


def _rate_limit_wait(headers: Any, clock: Clock) -> float | None:
    """Seconds until X-RateLimit-Reset when X-RateLimit-Remaining is 0, else None."""
    if str(headers.get("X-RateLimit-Remaining", "")).strip() != "0":
        return None
    reset = str(headers.get("X-RateLimit-Reset", "")).strip()
    if not reset.isdigit():
        return None
    return max(0.0, int(reset) - clock()) + 1.0


class _GitHubRetry(Retry):
    """urllib3 Retry whose sleeps are injectable and which also waits for X-RateLimit-Reset on 429."""

    def __init__(self, *args: Any, sleep: Sleep = time.sleep, clock: Clock = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sleep_fn = sleep
        self._clock_fn = clock

    def new(self, **kw: Any) -> _GitHubRetry:
        fresh = super().new(**kw)
        fresh._sleep_fn = self._sleep_fn
        fresh._clock_fn = self._clock_fn
        return fresh

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        value = super().get_retry_after(response)
        if value is None and response.status == 429:
            wait = _rate_limit_wait(response.headers, self._clock_fn)
            if wait is not None:
                value = min(wait, float(self.retry_after_max))
        return value

    def sleep_for_retry(self, response: BaseHTTPResponse) -> bool:
        retry_after = self.get_retry_after(response)
        if retry_after:
            self._sleep_fn(retry_after)
            return True
        return False

    def _sleep_backoff(self) -> None:
        backoff = self.get_backoff_time()
        if backoff > 0:
            self._sleep_fn(backoff)


class _BearerAuth(requests.auth.AuthBase):
    """Adds the token per request; as `auth` it also keeps requests from consulting ~/.netrc."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._token:
            request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "_BearerAuth(***)"


class GitHubClient:
    """Read-only access to the few endpoints review enforcement needs."""

    def __init__(self, token: str, *, api_url: str = DEFAULT_API_URL, timeout: tuple[float, float] = (10.0, 30.0),
                 retries: int = 4, backoff_factor: float = 1.0, max_wait: float = 60.0, max_pages: int = 20,
                 sleep: Sleep = time.sleep, clock: Clock = time.time) -> None:
        self._token = token or ""
        self.api_url = _check_api_url(api_url or DEFAULT_API_URL)
        self.timeout = timeout
        self.max_pages = max_pages
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        retry = _GitHubRetry(
            total=retries, connect=retries, read=retries, status=retries, redirect=3,
            backoff_factor=backoff_factor, backoff_max=max_wait,
            status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True, retry_after_max=int(max_wait), raise_on_status=False,
            sleep=sleep, clock=clock,
        )
        self._session = requests.Session()
        self._session.auth = _BearerAuth(self._token)
        self._session.headers.update({
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"gatekeeper/{gatekeeper.__version__}",
        })
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def __repr__(self) -> str:
        return f"GitHubClient(api_url={self.api_url!r}, token={'***' if self._token else 'none'})"

    def close(self) -> None:
        self._session.close()

    # -- endpoints ------------------------------------------------------------------------------
    def pull_reviews(self, repo: str, number: int) -> list[Review]:
        path = f"/repos/{_repo_path(repo)}/pulls/{int(number)}/reviews"
        return [r for r in (_review(item) for item in self._paginate(path, PERM_PULLS)) if r is not None]

    def pull_commits(self, repo: str, number: int) -> list[PullCommit]:
        path = f"/repos/{_repo_path(repo)}/pulls/{int(number)}/commits"
        return [c for c in (_pull_commit(item) for item in self._paginate(path, PERM_PULLS)) if c is not None]

    def commit(self, repo: str, sha: str) -> PullCommit:
        """One commit with the logins GitHub resolved for its author and committer (`commits/{sha}`)."""
        if not is_sha(sha):
            raise GitHubError(f"invalid commit id {sha[:80]!r}", "this is a bug in gatekeeper; please report it")
        url = f"{self.api_url}/repos/{_repo_path(repo)}/commits/{sha}"
        data = self._json(self._get(url, PERM_CONTENTS), url, PERM_CONTENTS)
        found = _pull_commit(data)
        if found is None or found.sha != sha:
            raise GitHubError(f"GET {_redact_url(url)}: the answer is not commit {sha[:12]}", "check GITHUB_API_URL")
        return found

    def pull(self, repo: str, number: int) -> PullRequest:
        """One pull request (`pulls/{number}`): its state, base, head and author as GitHub holds them now."""
        url = f"{self.api_url}/repos/{_repo_path(repo)}/pulls/{int(number)}"
        found = pull_request(self._json(self._get(url, PERM_PULLS), url, PERM_PULLS))
        if found is None or found.number != int(number):
            raise GitHubError(f"GET {_redact_url(url)}: the answer is not pull request #{int(number)}",
                              "check GITHUB_API_URL points at the GitHub REST API (GHES: https://HOST/api/v3)")
        return found

    def commit_pulls(self, repo: str, sha: str) -> list[PullRequest]:
        if not is_sha(sha):
            raise GitHubError(f"invalid commit id {sha[:80]!r}", "this is a bug in gatekeeper; please report it")
        path = f"/repos/{_repo_path(repo)}/commits/{sha}/pulls"
        perms = f"{PERM_CONTENTS} and {PERM_PULLS}"
        return [p for p in (pull_request(item) for item in self._paginate(path, perms)) if p is not None]

    def branch_protected(self, repo: str, branch: str) -> bool | None:
        """Whether GitHub protects `branch` (`branches/{branch}`: its `protected`, by a branch protection rule or a
        ruleset); None on 404 (no such branch, or not visible). Anything else that is not an answer is a
        GitHubError."""
        if not branch or len(branch) > 255 or any(ord(c) < 33 for c in branch):
            raise GitHubError(f"invalid branch name {branch[:80]!r}", "this is a bug in gatekeeper; please report it")
        url = f"{self.api_url}/repos/{_repo_path(repo)}/branches/{quote(branch, safe='')}"
        response = self._get(url, PERM_CONTENTS)
        if response.status_code == 404:
            return None
        data = self._json(response, url, PERM_CONTENTS)
        protected = data.get("protected") if isinstance(data, dict) else None
        if not isinstance(protected, bool) or data.get("name") != branch:
            raise GitHubError(f"GET {_redact_url(url)}: the answer is not branch {branch[:80]!r} with its protection",
                              "check GITHUB_API_URL points at the GitHub REST API (GHES: https://HOST/api/v3)")
        return protected

    def collaborator_permission(self, repo: str, login: str) -> tuple[str, str] | None:
        """`(permission, role_name)` of `login` on `repo`, lower case (`collaborators/{login}/permission`):
        permission is GitHub's base role (admin, write, read or none; maintain shows as write, triage as
        read), role_name the role itself (maintain, triage, or a custom role's name). None on 404 (GitHub
        knows no access for that login). Anything else that is not an answer is a GitHubError."""
        if not valid_login(login):
            raise GitHubError(f"invalid login {login[:80]!r}", "this is a bug in gatekeeper; please report it")
        path = f"/repos/{_repo_path(repo)}/collaborators/{quote(login, safe='')}/permission"
        url = self.api_url + path
        response = self._get(url, PERM_METADATA)
        if response.status_code == 404:
            return None
        data = self._json(response, url, PERM_METADATA)
        if not isinstance(data, dict):
            raise GitHubError(f"GET {_redact_url(url)}: expected a JSON object, got {type(data).__name__}",
                              "check GITHUB_API_URL points at the GitHub REST API (GHES: https://HOST/api/v3)")
        user = _dict(data.get("user"))
        answered = _str(user.get("login"))
        if answered is not None and answered.lower() != login.lower():
            raise GitHubError(f"GET {_redact_url(url)}: the answer is about another account",
                              "check GITHUB_API_URL")
        permission, role = (_str(data.get(k)) or "" for k in ("permission", "role_name"))
        if not permission and not role:
            raise GitHubError(f"GET {_redact_url(url)}: the answer names no permission",
                              "check GITHUB_API_URL points at the GitHub REST API (GHES: https://HOST/api/v3)")
        return _word(permission), _word(role)

    def team_membership(self, org_team: str, login: str) -> bool | None:
        """Active member of `org/team`? None when the token may not read team membership."""
        org, _, team = org_team.partition("/")
        if not (valid_login(org) and team and valid_login(login)):
            return False
        path = f"/orgs/{quote(org, safe='')}/teams/{quote(team, safe='')}/memberships/{quote(login, safe='')}"
        url = self.api_url + path
        response = self._get(url, "`members: read` (organization)")
        if response.status_code == 404:
            return False
        if response.status_code in (401, 403):
            return None
        data = self._json(response, url, "`members: read` (organization)")
        return isinstance(data, dict) and data.get("state") == "active"

    # -- transport ------------------------------------------------------------------------------
    def _paginate(self, path: str, permission: str) -> Iterator[Any]:
        url: str | None = f"{self.api_url}{path}?per_page=100"
        pages = 0
        while url is not None:
            pages += 1
            if pages > self.max_pages:
                raise GitHubError(f"{_redact_url(path)}: more than {self.max_pages} pages of results",
                                  "the pull request is unusually large; review it in smaller pull requests")
            response = self._get(url, permission)
            self._raise_for_status(response, url, permission)
            data = self._json(response, url, permission)
            if not isinstance(data, list):
                raise GitHubError(f"GET {_redact_url(url)}: expected a JSON list, got {type(data).__name__}",
                                  "check GITHUB_API_URL points at the GitHub REST API (GHES: https://HOST/api/v3)")
            yield from data
            url = self._next_link(response)

    def _next_link(self, response: requests.Response) -> str | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        base, nxt = urlsplit(self.api_url), urlsplit(str(link))
        if (nxt.scheme, nxt.netloc) != (base.scheme, base.netloc):
            raise GitHubError(f"pagination link to another host ({nxt.netloc[:100]!r}) refused",
                              "check GITHUB_API_URL; the token is only ever sent to that host")
        return str(link)

    def _get(self, url: str, permission: str) -> requests.Response:
        try:
            response = self._session.get(url, timeout=self.timeout)
        except requests.exceptions.RetryError as exc:
            raise GitHubError(f"GET {_redact_url(url)}: still failing after retries: {self._redact(str(exc))}",
                              "GitHub is unavailable or rate-limited; re-run the job later") from None
        except requests.exceptions.Timeout:
            raise GitHubError(f"GET {_redact_url(url)}: timed out after retries (timeouts {self.timeout[0]:g}s "
                              f"connect, {self.timeout[1]:g}s read)", "GitHub is slow or unreachable; re-run "
                              "the job later") from None
        except requests.exceptions.RequestException as exc:
            raise GitHubError(f"GET {_redact_url(url)}: {type(exc).__name__}: {self._redact(str(exc))[:300]}",
                              "check GITHUB_API_URL and the runner's network access to it") from None
        if response.status_code in (403, 429):
            wait = _rate_limit_wait(response.headers, self._clock)
            if wait is not None:
                if wait > self.max_wait:
                    raise GitHubError(
                        f"GitHub API rate limit exhausted; it resets in {int(wait)}s (more than the "
                        f"{int(self.max_wait)}s gatekeeper waits)",
                        "re-run the job after the reset, or use a token with a higher rate limit")
                self._sleep(wait)
                try:
                    response = self._session.get(url, timeout=self.timeout)
                except requests.exceptions.RequestException as exc:
                    raise GitHubError(f"GET {_redact_url(url)}: {type(exc).__name__} after waiting for the rate "
                                      "limit", "re-run the job later") from None
        return response

    def _raise_for_status(self, response: requests.Response, url: str, permission: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        where = f"GET {_redact_url(url)}"
        if status == 401:
            raise GitHubError(f"{where}: 401 the token was rejected (missing, expired or revoked)",
                              "pass a valid token: the action's `token` input (default ${{ github.token }}) or "
                              "GITHUB_TOKEN")
        if status == 403:
            if _rate_limit_wait(response.headers, self._clock) is not None:
                raise GitHubError(f"{where}: 403 rate limit still exhausted after waiting",
                                  "re-run the job later, or use a token with a higher rate limit")
            raise GitHubError(f"{where}: 403 forbidden: the token lacks {permission}",
                              f"grant the job `permissions:` {permission}")
        if status == 404:
            raise GitHubError(f"{where}: 404 not found (or not visible to this token)",
                              f"check the repository and number; a private repository needs {permission}")
        if status in RETRY_STATUSES:
            raise GitHubError(f"{where}: {status} from GitHub after retries",
                              "GitHub is unavailable or rate-limited; re-run the job later")
        raise GitHubError(f"{where}: unexpected HTTP {status}", "re-run the job; report it if it persists")

    def _json(self, response: requests.Response, url: str, permission: str) -> Any:
        self._raise_for_status(response, url, permission)
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise GitHubError(f"GET {_redact_url(url)}: the response is not valid JSON",
                              "check GITHUB_API_URL points at the GitHub REST API (GHES: https://HOST/api/v3)"
                              ) from None

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text


def _check_api_url(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc:
        return url
    if parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK:
        return url  # a local test server; the token never leaves the machine
    raise GitHubError(f"GITHUB_API_URL {url[:200]!r} is not an https URL",
                      "use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server")


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    return parts.path[:200]


def _repo_path(repo: str) -> str:
    owner, sep, name = repo.partition("/")
    if not sep or not owner or not name or "/" in name or any(c in repo for c in "?#%\\ \t\n") or ".." in repo:
        raise GitHubError(f"invalid repository name {repo[:100]!r}", "GITHUB_REPOSITORY must be OWNER/NAME")
    return f"{quote(owner, safe='')}/{quote(name, safe='')}"


# -- parsing hostile JSON into typed values ----------------------------------------------------------

def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _word(value: str) -> str:
    """A short printable word from an answer (a permission or role name), lower case."""
    return "".join(c for c in value.strip().lower()[:40] if c.isalnum() or c in "-_ ")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _user(value: Any) -> tuple[str, str]:
    if not isinstance(value, dict):
        return "", ""
    login = _str(value.get("login")) or ""
    return (login if valid_login(login) else ""), (_str(value.get("type")) or "")


def _review(item: Any) -> Review | None:
    if not isinstance(item, dict):
        raise GitHubError("a review in the response is not an object", "check GITHUB_API_URL")
    login, user_type = _user(item.get("user"))
    if not login:
        return None  # a deleted account ("ghost" has user null) never approves
    # States are compared case-insensitively; one we do not know is kept as UNKNOWN, which withdraws an
    # earlier approval by the same reviewer (fail closed) and never approves.
    state = (_str(item.get("state")) or "").strip().upper()
    if state not in REVIEW_STATES:
        state = UNKNOWN_STATE
    rid = item.get("id")
    commit_id = _str(item.get("commit_id"))
    # GitHub always sends author_association on a review; kept upper case, anything unexpected (or its
    # absence) is kept as is and never counts (semantics.MEMBER_ASSOCIATIONS).
    association = (_str(item.get("author_association")) or "").strip().upper()[:40]
    return Review(
        id=rid if isinstance(rid, int) and not isinstance(rid, bool) else 0,
        login=login,
        user_type=user_type,
        state=state,
        commit_id=commit_id if is_sha(commit_id) else None,
        submitted_at=_str(item.get("submitted_at")) or "",
        association=association if association.replace("_", "").isalpha() else "",
    )


def _pull_commit(item: Any) -> PullCommit | None:
    if not isinstance(item, dict):
        raise GitHubError("a commit in the response is not an object", "check GITHUB_API_URL")
    sha = _str(item.get("sha"))
    if not is_sha(sha):
        return None
    data = _dict(item.get("commit"))
    author = _dict(data.get("author"))
    committer = _dict(data.get("committer"))
    parents = item.get("parents")
    return PullCommit(
        sha=str(sha),
        author_login=_user(item.get("author"))[0] or None,
        committer_login=_user(item.get("committer"))[0] or None,
        author_email=_str(author.get("email")),
        committer_email=_str(committer.get("email")),
        message=(_str(data.get("message")) or "")[:65536],
        parents=len(parents) if isinstance(parents, list) else 1,
    )


def pull_request(item: Any) -> PullRequest | None:
    """A pull request object (REST or webhook form); None when it lacks what the rules need."""
    if not isinstance(item, dict):
        return None
    number = item.get("number")
    base = _dict(item.get("base"))
    head = _dict(item.get("head"))
    head_sha = _str(head.get("sha"))
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0 or not is_sha(head_sha):
        return None
    merge_sha = _str(item.get("merge_commit_sha"))
    return PullRequest(
        number=number,
        state=_str(item.get("state")) or "",
        merged=bool(item.get("merged_at")) or item.get("merged") is True,
        base_ref=_str(base.get("ref")) or "",
        head_sha=str(head_sha),
        author_login=_user(item.get("user"))[0] or None,
        merge_commit_sha=merge_sha if is_sha(merge_sha) else None,
        title=(_str(item.get("title")) or "")[:1024],
    )
