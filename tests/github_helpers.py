"""Helpers for the GitHub-facing tests: the vendored GitHub corpus, REST examples and synthetic variants.

The corpus (octokit webhooks examples and REST examples from GitHub's OpenAPI description, both MIT,
licence notices beside them) is vendored under `tests/data/github`, so a clone anywhere runs every test.
Anything derived from it by editing fields is *synthetic* and named so (`synthetic_*`).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "data" / "github"
TOKEN = "ghs_TESTTOKEN0123456789abcdefABCDEF0123"  # a fake token; tests assert it never leaks


def corpus() -> Path:
    if not (CORPUS / "README.md").is_file():
        raise AssertionError(f"vendored GitHub corpus missing at {CORPUS}: restore tests/data/github from git")
    return CORPUS


def rest_example(name: str) -> Any:
    """A REST response example, e.g. rest_example("pulls__list-reviews") (GitHub-authored data)."""
    return json.loads((corpus() / "rest" / f"{name}.default.200.json").read_text(encoding="utf-8"))


def webhook_example(relpath: str) -> Any:
    return json.loads((corpus() / "webhooks" / "examples" / relpath).read_text(encoding="utf-8"))


def synthetic_review(login: str, state: str, commit_id: str, *, rid: int, user_type: str = "User",
                     submitted_at: str | None = None) -> dict[str, Any]:
    """SYNTHETIC: the corpus review example with login, state, commit and id replaced."""
    base = copy.deepcopy(rest_example("pulls__list-reviews")[0])
    base["id"] = rid
    base["user"]["login"] = login
    base["user"]["type"] = user_type
    base["state"] = state
    base["commit_id"] = commit_id
    base["submitted_at"] = submitted_at or f"2026-01-01T00:{rid // 60 % 60:02d}:{rid % 60:02d}Z"
    return base


def serve_write_access(server: HTTPServer, reviews: list[dict[str, Any]], repo: str = "octo-org/octo-repo",
                       permission: str = "write") -> None:
    """SYNTHETIC: `GET /repos/{repo}/collaborators/{login}/permission` answering `permission` for each reviewer
    GitHub relates to the repository as MEMBER or COLLABORATOR (the corpus review says COLLABORATOR): the gate asks
    for their write access (GitHub's branch protection counts only write access; red96)."""
    logins = dict.fromkeys(r["user"]["login"] for r in reviews
                           if isinstance(r, dict) and isinstance(r.get("user"), dict)
                           and isinstance(r["user"].get("login"), str)
                           and str(r.get("author_association", "")).upper() in ("MEMBER", "COLLABORATOR"))
    for login in logins:
        serve_permission(server, login, permission, repo=repo)


def serve_permission(server: HTTPServer, login: str, permission: str, role: str | None = None,
                     repo: str = "octo-org/octo-repo") -> None:
    """SYNTHETIC: GET /repos/{repo}/collaborators/{login}/permission, shaped as GitHub answers it."""
    server.expect_request(f"/repos/{repo}/collaborators/{login}/permission").respond_with_json(
        {"permission": permission, "role_name": role or permission, "user": {"login": login, "type": "User"}})


def serve_reviews(server: HTTPServer, number: int, reviews: list[dict[str, Any]],
                  repo: str = "octo-org/octo-repo") -> None:
    """GET /repos/{repo}/pulls/{number}/reviews answering `reviews`, and write access for its MEMBER and
    COLLABORATOR reviewers (serve_write_access): a served reviewer is one who may approve unless a test says
    otherwise (a NONE, CONTRIBUTOR or read-only reviewer, with its own permission answer)."""
    server.expect_request(f"/repos/{repo}/pulls/{number}/reviews").respond_with_json(reviews)
    serve_write_access(server, reviews, repo)


def synthetic_pull_commit(sha: str, *, login: str | None, email: str, message: str = "change",
                          committer_login: str | None = None, committer_email: str | None = None
                          ) -> dict[str, Any]:
    """SYNTHETIC: the corpus PR-commit example with sha, identities and message replaced."""
    base = copy.deepcopy(rest_example("pulls__list-commits")[0])
    base["sha"] = sha
    base["commit"]["message"] = message
    base["commit"]["author"]["email"] = email
    base["commit"]["committer"]["email"] = committer_email or email
    if login is None:
        base["author"] = None
    else:
        base["author"]["login"] = login
    if committer_login is None and login is None:
        base["committer"] = None
    else:
        base["committer"]["login"] = committer_login or login
    return base


def serve_pull_commits(server: HTTPServer, repo: str, number: int, commits: list[dict[str, Any]]) -> None:
    """Serve a pull request's commit list as GitHub pages it: 100 a page, `Link: rel="next"` on all but the last."""
    url = server.url_for(f"/repos/{repo}/pulls/{number}/commits")
    pages = [commits[i:i + 100] for i in range(0, len(commits), 100)]
    for index, page in enumerate(pages, start=1):
        headers = {"Link": f'<{url}?per_page=100&page={index + 1}>; rel="next"'} if index < len(pages) else {}
        query = "per_page=100" if index == 1 else f"per_page=100&page={index}"
        server.expect_request(f"/repos/{repo}/pulls/{number}/commits", query_string=query).respond_with_json(
            page, headers=headers)


def synthetic_associated_pull(number: int, *, base_ref: str, head_sha: str, merged: bool,
                              merge_commit_sha: str | None = None, author: str = "octocat",
                              title: str | None = None) -> dict[str, Any]:
    """SYNTHETIC: the corpus commit->pulls example with number, base, head, merge state (and title) replaced."""
    base = copy.deepcopy(rest_example("repos__list-pull-requests-associated-with-commit")[0])
    base["number"] = number
    base["base"]["ref"] = base_ref
    base["head"]["sha"] = head_sha
    base["merged_at"] = "2026-01-02T00:00:00Z" if merged else None
    base["state"] = "closed" if merged else "open"
    base["merge_commit_sha"] = merge_commit_sha
    base["user"]["login"] = author
    if title is not None:
        base["title"] = title
    return base


def synthetic_pr_event(*, number: int, base_sha: str, head_sha: str, base_ref: str = "main",
                       action: str = "synchronize", author: str = "octocat",
                       repo: str = "octo-org/octo-repo", default_branch: str = "main") -> dict[str, Any]:
    """SYNTHETIC: the corpus pull_request/synchronize payload pointed at a test repository (whose default branch is
    `default_branch`, as the test repositories' `main`)."""
    payload = copy.deepcopy(webhook_example("api.github.com/pull_request/synchronize.payload.json"))
    payload["action"] = action
    payload["number"] = number
    pr = payload["pull_request"]
    pr["number"] = number
    pr["base"]["sha"] = base_sha
    pr["base"]["ref"] = base_ref
    pr["head"]["sha"] = head_sha
    pr["user"]["login"] = author
    payload["repository"]["full_name"] = repo
    payload["repository"]["default_branch"] = default_branch
    pr["base"]["repo"]["default_branch"] = default_branch
    return payload


def sample_verdict() -> Any:
    """A hand-made blocked Verdict with hostile commit data, for the renderers' tests."""
    from gatekeeper.models import (
        Commit,
        CommitReport,
        Decision,
        DeviceClass,
        Finding,
        Origin,
        Person,
        RefKind,
        RefUpdate,
        ReviewInfo,
        ReviewStatus,
        Severity,
        Stats,
        Suppressed,
        Verdict,
    )

    sha = "c0ffee" + "0" * 34
    commit = Commit(sha=sha, parents=("a" * 40,), author=Person("Eve <script>", "eve@example.com"),
                    committer=Person("Eve", "eve@example.com"), author_time=0, commit_time=0,
                    message="::error::pwned %0A [click](https://evil.example) \x1b[31m\nbody")
    report = CommitReport(commit=commit, origin=Origin(device=DeviceClass.MOBILE, declared=True), mobile=True,
                          ruleset="mobile", review=ReviewInfo(ReviewStatus.STALE, (), "github", "1 stale"),
                          refs=("refs/heads/main",))
    findings = (
        Finding("review/missing", Severity.HIGH, "mobile commit not approved", commit=sha, blocking=True,
                enforced=True, fix=f"ask a reviewer who is not an author to approve after {sha[:12]}"
                ).with_fingerprint("pr", "7", sha),
        Finding("secrets/aws-access-key", Severity.CRITICAL, "AWS access key AKIA…(redacted) in a:b,c%.py",
                commit=sha, path="src/a:b,c%.py", line=3, blocking=True, fix="rotate the key"
                ).with_fingerprint("aws", "hash"),
        Finding("semgrep/python-eval", Severity.MEDIUM, "eval of input", commit=sha, path="../../etc/passwd",
                line=9).with_fingerprint("eval"),
        Finding("gate/deferred", Severity.INFO, "bandit deferred").with_fingerprint("bandit"),
    )
    suppressed = (Suppressed(Finding("semgrep/python-exec", Severity.LOW, "exec", commit=sha, path="tests/t.py",
                                     line=1).with_fingerprint("exec"), "ignore: fixtures (until 2027-06-30)"),)
    return Verdict(decision=Decision.BLOCK,
                   updates=(RefUpdate("refs/heads/main", "a" * 40, sha, RefKind.UPDATE),),
                   commits=(report,), findings=findings, suppressed=suppressed, stats=Stats(commits=1),
                   mode="action", range_description="PR #7 main..feature", policy_source=".gatekeeper.yml@base")


def sarif_validator() -> Any:
    """A Draft 4 validator for the vendored OASIS SARIF 2.1.0 schema."""
    import jsonschema

    schema = json.loads((REPO_ROOT / "gatekeeper" / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def web_flow_commit(repo: Any, env: dict[str, str], fpr: str, message: str, files: dict[str, str],
                    author: tuple[str, str]) -> str:
    """A commit GitHub makes (merge queue, merge button, browser editor): committed by its web-flow identity (`env`
    of the forge_key fixture), signed with the stand-in for its key `fpr`, authored by `author`; its id."""
    for path, text in files.items():
        repo.write(path, text)
        repo.git("add", "--", path)
    repo.git("-c", f"user.signingkey={fpr}", "commit", "-q", "-S", "-F", "-", input=message,
             env={**env, "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]})
    return str(repo.head())
