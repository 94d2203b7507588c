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

from gatekeeper.audit.decisionlog import log_verdict
from gatekeeper.checkout import current_base, ensure_commits, fetch_notes, fork_point
from gatekeeper.checks import CHECKS
from gatekeeper.checks.policy_change import PolicyChangeCheck
from gatekeeper.config import POLICY_FILENAME, Policy
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.errors import GitError, UsageError
from gatekeeper.git import Git
from gatekeeper.models import ZERO_SHA, ExitCode, RefKind, RefUpdate, Verdict, is_zero
from gatekeeper.provenance.source import ProvenanceSource, git_reader
from gatekeeper.report import OutputFormat
from gatekeeper.review.github import DEFAULT_API_URL
from gatekeeper.review.github_event import GitHubEvent, ParsedEvent, load_event, parse_event
from gatekeeper.review.github_source import ClientFactory, GitHubReviewSource
from gatekeeper.scan import build_scanners
from gatekeeper.trusted import load_trusted

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


def _range(git: Git, parsed: ParsedEvent, remote: str) -> tuple[RefUpdate, str, str]:
    """The update to judge, the revision trusted files come from, and a description of the range."""
    ev = parsed.event
    if ev.is_pull or ev.name == "merge_group":
        ensure_commits(git, [ev.base, ev.head], remote, timeout=FETCH_TIMEOUT, fix=SHALLOW_FIX)
        what = f"PR #{ev.pr_number}" if ev.is_pull else "merge group"
        moved = f" (retargeted from {parsed.retargeted_from})" if parsed.retargeted_from else ""
        trusted, newer = current_base(git, ev.branch, ev.base, remote) if ev.is_pull else (ev.base, "")
        return (RefUpdate(ev.ref, ev.base, ev.head, RefKind.UPDATE), trusted,
                f"{what} {ev.base[:12]}..{ev.head[:12]} into {ev.branch}{moved}{newer}")
    if parsed.deleted:
        present = ensure_commits(git, [], remote, optional=(ev.base,), timeout=FETCH_TIMEOUT, fix=SHALLOW_FIX)
        return (RefUpdate(ev.ref, ev.base, ZERO_SHA, RefKind.DELETE), ev.base if ev.base in present else ZERO_SHA,
                f"deletion of {ev.branch}")
    present = ensure_commits(git, [ev.head], remote, optional=(ev.base,), timeout=FETCH_TIMEOUT, fix=SHALLOW_FIX)
    if not parsed.created and ev.base in present:
        kind = RefKind.FORCE if parsed.forced or not git.is_ancestor(ev.base, ev.head) else RefKind.UPDATE
        label = "force push" if kind is RefKind.FORCE else "push"
        return (RefUpdate(ev.ref, ev.base, ev.head, kind), ev.base,
                f"{label} {ev.base[:12]}..{ev.head[:12]} to {ev.branch}")
    # A new branch (or a force push whose old tip is gone): only commits not on the default branch.
    fork = fork_point(git, ev.branch, ev.head, remote)
    kind = RefKind.CREATE if parsed.created else RefKind.FORCE
    if fork is None:
        return (RefUpdate(ev.ref, ZERO_SHA, ev.head, kind), ZERO_SHA,
                f"{'new branch' if parsed.created else 'force push'} {ev.branch}: all commits of {ev.head[:12]} "
                "(no default branch to start from)")
    return (RefUpdate(ev.ref, fork, ev.head, kind), fork,
            f"{'new branch' if parsed.created else 'force push'} {ev.branch}: commits since its fork point "
            f"{fork[:12]} from the default branch")


def _default_tip(git: Git, event: GitHubEvent, remote: str) -> tuple[str, str] | None:
    """(the default branch's name, its tip as the checkout fetched it) when the event's branch is another one;
    None when it is the default branch itself (or the payload names none: GitHub's always does). The tip is
    fetched once when the checkout lacks it, else the local branch of that name; GitError (exit 4) when neither is
    there: the run cannot tell whether its branch is protected."""
    default = event.default_branch
    if default is None or default == event.ref or not default.startswith("refs/heads/"):
        return None
    branch = default[len("refs/heads/"):]
    tracking = f"refs/remotes/{remote}/{branch}"
    tip = git.try_resolve_object(tracking)
    if tip is None or git.object_type(tip) != "commit":
        git.fetch_branch(remote, branch, timeout=FETCH_TIMEOUT)
        # (A checkout whose branches are local ones, e.g. a workflow that cloned without a remote: its own.)
        tip = git.try_resolve_object(tracking) or git.try_resolve_object(default)
    if tip is None or git.object_type(tip) != "commit":
        raise GitError(f"the default branch {branch} is not in the checkout: its policy says whether "
                       f"{event.branch} is protected, and so which policy judges this run", SHALLOW_FIX)
    return branch, tip


def run_action(settings: ActionSettings, *, client_factory: ClientFactory | None = None,
               now: dt.datetime | None = None, forge_keys: ForgeKeys | None = None) -> ActionResult:
    """Judge the event's range. `forge_keys` replaces the forge keys gatekeeper ships (tests sign with a
    stand-in web-flow key); None uses the shipped ones."""
    parsed = parse_event(settings.event_name, load_event(settings.event_path), settings.repository)
    if parsed.skip:
        return ActionResult(None, parsed.skip)
    git = Git(settings.workspace, safe_directory=True)
    git.info()
    update, trusted_rev, description = _range(git, parsed, settings.remote)
    fetch_notes(git, settings.remote)
    event = parsed.event
    with tempfile.TemporaryDirectory(prefix="gatekeeper-action-") as tmp:
        trusted = None
        root = _default_tip(git, event, settings.remote)
        if root is not None:
            # Which branches are protected is the default branch's word, never the base's own: a branch the policy
            # does not protect is anyone's to move on github.com, its policy with it (red66: a collaborator pushed a
            # weak policy onto `develop`, and the PR from a blocked head into it went green on that head).
            branch, tip = root
            rooted = load_trusted(git, tip, settings.policy_path, Path(tmp) / "default")
            if not rooted.policy.is_protected(update.ref):
                trusted, trusted_rev = rooted, tip
                description += (f"; policy from the default branch {branch} ({tip[:12]}): {event.branch} is not a "
                                "protected branch, so its own configuration is not trusted")
                if not is_zero(update.new):
                    # Nor its tip (red68: `develop` moved onto the blocked commit itself left only a clean one
                    # after it in base..head): everything the head holds that the default branch does not.
                    fork = git.merge_base(tip, update.new)
                    if fork != update.old:
                        update = RefUpdate(update.ref, fork or ZERO_SHA, update.new,
                                           RefKind.UPDATE if fork else RefKind.CREATE)
                        description += (f", so the range is every commit not on {branch}"
                                        + (f" (since {fork[:12]})" if fork else ""))
        if trusted is None:
            trusted = load_trusted(git, trusted_rev, settings.policy_path, Path(tmp) / "base")
        policy = trusted.policy
        if event.is_pull and not policy.is_protected(update.ref):
            # The check's result is published on the head commit, and GitHub's branch rule reads the latest
            # `gatekeeper` result there, from any pull request with that head: a second pull request from the
            # same branch into an unprotected one turned the blocked one green (red40). So a pull request is
            # judged as for a protected branch whatever its base.
            policy = dataclasses.replace(policy, protected_refs=(*policy.protected_refs, update.ref))
            description += " (judged as for a protected branch: the result stands on the head commit)"
        source = GitHubReviewSource.for_token(settings.token, settings.api_url, event, git, client_factory)
        # The configuration is read from the base: a change to it is judged over the whole range by the
        # same check pre-receive runs, with approval by a policy owner as the review.
        policy_change = PolicyChangeCheck(git, trusted.paths, source.policy_review(trusted.owners),
                                          trusted_ref=event.ref, trusted_rev=trusted_rev, fix=POLICY_FIX)
        request = Request(git=git, updates=(update,), policy=policy, mode="action", pushed=False,
                          range_description=description, now=now or dt.datetime.now(dt.UTC),
                          baseline=trusted.baseline, moves_refs=event.name == "push")
        trusted_reader = git_reader(git, trusted_rev, trusted.root)  # the base commit's files, not the PR's
        services = Services(scanners=build_scanners(policy, reader=trusted_reader), review=source,
                            signatures=ProvenanceSource(reader=trusted_reader, forge_keys=forge_keys),
                            checks=(*CHECKS, policy_change))
        verdict = evaluate(request, services)
    if source.client is not None:
        source.client.close()
    # A policy from the base commit is the repository's: its log.path may only name a file in .git.
    log_verdict(verdict, policy, repository=f"github:{settings.repository}" if settings.repository else
                str(settings.workspace), root=git.info().git_dir, from_repository=True)
    if (parsed.event.name == "push" and settings.attest_key and verdict.exit_code == ExitCode.OK
            and policy.is_protected(update.ref)):
        path, level = _attest(settings, git, update, verdict, policy, parsed)
        return ActionResult(verdict, attestation=path, level=level)
    return ActionResult(verdict)


def _attest(settings: ActionSettings, git: Git, update: RefUpdate, verdict: Verdict, policy: Policy,
            parsed: ParsedEvent) -> tuple[str, int]:
    """A passing push to a protected branch (a merge): sign its provenance + VSA, keep them as a note in
    the checkout and as `gatekeeper-attestation.intoto.jsonl` in the workspace for the workflow to
    publish (`git push origin refs/notes/gatekeeper/attestations`, or an artifact)."""
    from gatekeeper.attest.admission import attest_with_key
    from gatekeeper.attest.store import bundle_text
    from gatekeeper.report.json import render_json

    admission, signed = attest_with_key(
        git, update, verdict, policy, key_text=settings.attest_key,
        verifier_id=f"{settings.server_url}/{settings.repository}/gatekeeper",
        resource_uri=f"git+{settings.server_url}/{settings.repository}",
        activity="force-push" if parsed.forced else "push", actor=settings.actor or None,
        verdict_json=render_json(verdict).encode())
    from gatekeeper.fsutil import atomic_write, confined

    name = "gatekeeper-attestation.intoto.jsonl"
    try:
        # The checkout is the merged tree: a link committed under this name must not carry the bundle out (red46).
        atomic_write(confined(settings.workspace, name), bundle_text(signed), mode=0o644)
    except ValueError as exc:
        raise UsageError(f"refusing to write {name}: {exc}", f"remove the symbolic link {name} from the "
                         "repository") from None
    except OSError as exc:
        raise UsageError(f"cannot write {name}: {exc.strerror}", "make the workspace writable") from None
    return name, admission.level.level


def exit_code_for(verdict: Verdict | None, fail_mode: str) -> int:
    if verdict is None:
        return 0
    code = int(verdict.exit_code)
    return 0 if fail_mode == "warn" else code

