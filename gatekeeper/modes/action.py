"""`gatekeeper action`: the GitHub Action mode — event payload in, verdict and GitHub outputs out.

The payload is read and checked by review/github_event.py (which events are gated, and why some are
skipped). The range comes from the payload: PR `base.sha..head.sha`; merge group
`base_sha..head_sha`; push `before..after` — a created branch counts only the commits not on the
default branch (from their fork point), a force push is reported as such, a deletion has no commits,
tag pushes are not gated here.

The checkout must hold that history (checkout.py): a shallow clone or a missing base is fetched ONCE
from the remote; if that fails the run stops with exit 4 and the fix (`actions/checkout` with
`fetch-depth: 0`). The engine judges the range; what the run publishes (summary, outputs,
annotations) is rendered by report/github.py and written by cli_action.py.

Trust comes from the base: the policy, device registry, allowed signers, baseline and CODEOWNERS are
read at the base commit (PR base, merge-group base, the branch before a push) by trusted.py, never
from the work tree or the head — a change cannot weaken the gate that judges it. A range that changes
that configuration (trusted.gate_paths, workflows included) gets `policy/changed` from the same check
pre-receive runs (checks/policy_change.py), blocking until a policy owner approves
(review/github_source.py `policy_review`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gatekeeper.audit.decisionlog import log_verdict, path_name
from gatekeeper.checkout import default_tip, event_range, fetch_notes, protected_fork_range
from gatekeeper.checks import CHECKS
from gatekeeper.checks.policy_change import PolicyChangeCheck
from gatekeeper.config import POLICY_FILENAME, Policy
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.errors import ConfigError, UsageError
from gatekeeper.git import Git
from gatekeeper.models import ExitCode, RefKind, RefUpdate, Verdict, is_zero
from gatekeeper.provenance.source import ProvenanceSource, git_reader
from gatekeeper.report import OutputFormat
from gatekeeper.review.github import DEFAULT_API_URL
from gatekeeper.review.github_event import ParsedEvent, load_event, parse_event
from gatekeeper.review.github_source import BeyondBaseReview, ClientFactory, GitHubReviewSource, github_protects
from gatekeeper.scan import build_scanners
from gatekeeper.trusted import TrustedConfig, load_trusted

if TYPE_CHECKING:  # the OpenPGP code loads only once a signed commit needs it (provenance/source.py)
    from gatekeeper.provenance.openpgp import ForgeKeys

FAIL_MODES = ("block", "warn")
FETCH_TIMEOUT = 300.0
SHALLOW_FIX = ("check out with full history: `uses: actions/checkout` with `fetch-depth: 0` (and "
               "`persist-credentials: false`)")
POLICY_FIX = "ask a policy owner (CODEOWNERS for those paths) who is not an author to approve the pull request"


@dataclass(frozen=True, slots=True)
class ActionSettings:
    """Everything the mode reads from the runner's environment and the action's inputs."""

    event_name: str
    event_path: Path
    workspace: Path
    repository: str = ""  # GITHUB_REPOSITORY; the payload's repository.full_name when empty
    api_url: str = DEFAULT_API_URL
    token: str = field(default="", repr=False)
    policy_path: str = POLICY_FILENAME
    remote: str = "origin"
    sarif_path: str = ""
    fmt: OutputFormat = OutputFormat.GITHUB
    fail_mode: str = "block"
    step_summary: Path | None = None
    output_file: Path | None = None
    attest_key: str = field(default="", repr=False)  # PEM/OpenSSH private key text (a secret), or empty
    server_url: str = "https://github.com"  # GITHUB_SERVER_URL: names the attestation's verifier and resource
    actor: str = ""  # GITHUB_ACTOR: who pushed, recorded in an attestation

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: Any) -> ActionSettings:
        """Settings from GITHUB_* variables and INPUT_* action inputs; explicit overrides win."""

        def pick(key: str, *names: str, default: str = "") -> str:
            value = overrides.get(key)
            if value not in (None, ""):
                return str(value)
            for name in names:
                if env.get(name, "").strip():
                    return env[name].strip()
            return default

        event_name = pick("event_name", "GITHUB_EVENT_NAME")
        event_path = pick("event_path", "GITHUB_EVENT_PATH")
        if not event_name or not event_path:
            raise UsageError("not running in GitHub Actions: GITHUB_EVENT_NAME / GITHUB_EVENT_PATH are not set",
                             "run inside a workflow, or pass --event-name and --event-path")
        fmt = pick("fmt", "INPUT_FORMAT", default=OutputFormat.GITHUB.value)
        if fmt not in {f.value for f in OutputFormat}:
            raise UsageError(f"unknown format {fmt!r}", f"use one of: {', '.join(f.value for f in OutputFormat)}")
        fail_mode = pick("fail_mode", "INPUT_FAIL-MODE", "INPUT_FAIL_MODE", default="block")
        if fail_mode not in FAIL_MODES:
            raise UsageError(f"unknown fail-mode {fail_mode!r}", "use `block` (default) or `warn`")
        summary = pick("step_summary", "GITHUB_STEP_SUMMARY")
        output = pick("output_file", "GITHUB_OUTPUT")
        return cls(
            event_name=event_name,
            event_path=Path(event_path),
            workspace=Path(pick("workspace", "GITHUB_WORKSPACE", default=".")),
            repository=pick("repository", "GITHUB_REPOSITORY"),
            api_url=pick("api_url", "GITHUB_API_URL", default=DEFAULT_API_URL),
            token=pick("token", "INPUT_TOKEN", "GITHUB_TOKEN"),
            policy_path=pick("policy_path", "INPUT_POLICY", default=POLICY_FILENAME),
            sarif_path=pick("sarif_path", "INPUT_SARIF"),
            fmt=OutputFormat(fmt),
            fail_mode=fail_mode,
            step_summary=Path(summary) if summary else None,
            output_file=Path(output) if output else None,
            attest_key=overrides.get("attest_key") or env.get("INPUT_ATTEST-KEY") or env.get("INPUT_ATTEST_KEY", ""),
            server_url=env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
            actor=env.get("GITHUB_ACTOR", ""),
        )


# -- the run -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ActionResult:
    verdict: Verdict | None
    skipped: str | None = None
    attestation: str = ""  # path of the signed provenance + VSA bundle (push to a protected branch)
    level: int | None = None  # the SLSA Source level it records


def _judge(settings: ActionSettings, git: Git, parsed: ParsedEvent, trusted: TrustedConfig, trusted_rev: str,
           update: RefUpdate, description: str, *, now: dt.datetime | None, forge_keys: ForgeKeys | None,
           client_factory: ClientFactory | None, beyond: str | None = None) -> tuple[Verdict, Policy]:
    """One evaluation of the range with the configuration read from `trusted_rev`. `beyond`: the default branch's tip,
    for its judgement of a branch nothing protects: no `policy/changed` or ref moves (red70), review by how each
    commit reached the branch or this pull request (BeyondBaseReview)."""
    event, policy, content_only = parsed.event, trusted.policy, beyond is not None
    if event.is_pull and not policy.is_protected(update.ref):
        # The check's result is published on the head commit, and GitHub's branch rule reads the latest
        # `gatekeeper` result there, from any pull request with that head: a second pull request from the
        # same branch into an unprotected one turned the blocked one green (red40). So a pull request is
        # judged as for a protected branch whatever its base.
        policy = dataclasses.replace(policy, protected_refs=(*policy.protected_refs, update.ref))
        description += " (judged as for a protected branch: the result stands on the head commit)"
    source = GitHubReviewSource.for_token(settings.token, settings.api_url, event, git, client_factory)
    review: GitHubReviewSource | BeyondBaseReview = source if beyond is None else BeyondBaseReview(source, beyond)
    try:
        # A change to the configuration is judged as pre-receive does, a policy owner's approval its review.
        checks = CHECKS if content_only else (*CHECKS, PolicyChangeCheck(git, trusted.paths, source.policy_review(
            trusted.owners), trusted_ref=event.ref, trusted_rev=trusted_rev, fix=POLICY_FIX))
        request = Request(git=git, updates=(update,), policy=policy, mode="action", pushed=False,
                          range_description=description, now=now or dt.datetime.now(dt.UTC),
                          baseline=trusted.baseline, moves_refs=event.name == "push" and not content_only)
        trusted_reader = git_reader(git, trusted_rev, trusted.root)  # the base commit's files, not the PR's
        services = Services(scanners=build_scanners(policy, reader=trusted_reader), review=review,
                            signatures=ProvenanceSource(reader=trusted_reader, forge_keys=forge_keys),
                            checks=checks, merge_claims=source.unconfirmed_merges)
        return evaluate(request, services), policy
    finally:
        if source.client is not None:
            source.client.close()


def run_action(settings: ActionSettings, *, client_factory: ClientFactory | None = None,
               now: dt.datetime | None = None, forge_keys: ForgeKeys | None = None) -> ActionResult:
    """Judge the event's range. `forge_keys` replaces the forge keys gatekeeper ships (tests sign with a
    stand-in web-flow key); None uses the shipped ones."""
    parsed = parse_event(settings.event_name, load_event(settings.event_path), settings.repository)
    if parsed.skip:
        return ActionResult(None, parsed.skip)
    git = Git(settings.workspace, safe_directory=True)
    git.info()
    update, trusted_rev, description = event_range(git, parsed, settings.remote, timeout=FETCH_TIMEOUT,
                                                   fix=SHALLOW_FIX)
    fetch_notes(git, settings.remote)
    event = parsed.event
    with tempfile.TemporaryDirectory(prefix="gatekeeper-action-") as tmp:
        base = load_trusted(git, trusted_rev, settings.policy_path, Path(tmp) / "base")
        again = protected_fork_range(git, parsed, settings.remote, update, base.policy, lambda ref: github_protects(
            settings.token, settings.api_url, dataclasses.replace(event, ref=ref), git, client_factory),
            timeout=FETCH_TIMEOUT, fix=SHALLOW_FIX)
        if again is not None:  # (red161: a created protected branch, counted from a protected one, under its policy)
            update, trusted_rev, description = again
            base = load_trusted(git, trusted_rev, settings.policy_path, Path(tmp) / "protected")
        roots = [(base, trusted_rev, update, description)]
        root = default_tip(git, event.default_branch, event.ref, settings.remote, timeout=FETCH_TIMEOUT,
                           fix=SHALLOW_FIX)
        try:  # (red70: a broken policy pushed onto an unguarded default branch errored every run)
            rooted = load_trusted(git, root[1], settings.policy_path, Path(tmp) / "default") if root else None
        except ConfigError as exc:
            rooted, roots[0] = None, (*roots[0][:3], f"{description}; the default policy is unreadable: {exc.message}")
        # A branch the default branch's policy — or GitHub, unless it answers `protected` (red69, red70) — does not
        # protect is anyone's to move, its policy and tip with it (red66, red68, red69). Such a run is judged twice
        # and the stricter verdict stands: as its base says, and by the default branch's policy for what every
        # commit not on that branch holds (content only: review and ref moves are the first judgement's) — never
        # the latter alone, as the default branch may be the unguarded one (red69: `develop` as default).
        if root is not None and rooted is not None and (not rooted.policy.is_protected(update.ref) or github_protects(
                settings.token, settings.api_url, event, git, client_factory) is not True):
            branch, tip = root
            also = f"the policy of the default branch {branch} ({tip[:12]}) over what every commit not on it holds"
            roots[0] = (*roots[0][:3], f"{description}; also judged by {also}: {event.branch} is not protected")
            rooted_update = update if is_zero(update.new) else RefUpdate(update.ref, tip, update.new, RefKind.UPDATE)
            roots.append((rooted, tip, rooted_update, f"{description}; {also}: {event.branch} is not protected"))
        judged = [_judge(settings, git, parsed, *item, now=now, forge_keys=forge_keys, client_factory=client_factory,
                         beyond=item[1] if index > 0 else None) for index, item in enumerate(roots)]
    verdict, policy = max(judged, key=lambda vp: int(vp[0].exit_code))  # the first of the strictest
    # A policy from the base commit is the repository's: its log.path may only name a file in .git.
    log_verdict(verdict, policy, repository=f"github:{settings.repository}" if settings.repository else
                path_name(settings.workspace), root=git.info().git_dir, from_repository=True)
    if (parsed.event.name == "push" and settings.attest_key and verdict.exit_code == ExitCode.OK
            and policy.is_protected(update.ref) and len(roots) == 1):  # (red70: not a branch GitHub leaves open)
        from gatekeeper.attest.workspace import attest_push

        path, level = attest_push(settings.workspace, git, update, verdict, policy, key_text=settings.attest_key,
                                  server_url=settings.server_url, repository=settings.repository,
                                  actor=settings.actor or None, forced=parsed.forced)
        return ActionResult(verdict, attestation=path, level=level)
    return ActionResult(verdict)


def exit_code_for(verdict: Verdict | None, fail_mode: str) -> int:
    if verdict is None:
        return 0
    code = int(verdict.exit_code)
    return 0 if fail_mode == "warn" else code

