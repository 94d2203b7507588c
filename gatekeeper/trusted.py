"""Trusted configuration in one room: what the gate's configuration is, and reading it from a trusted revision.

A change must not weaken the gate that judges it, so every front door reads the policy and the files
it names from a revision the change cannot touch (the Action: the base; pre-receive: the default
branch before the push, or a server-side file) — never the work tree, never the pushed objects.
This module owns:
- `gate_paths`: THE set of repository paths that make up the gate's configuration — the policy file,
  `.gatekeeper/` (device registry, allowed signers, baseline, rule overrides by convention), every file
  the policy names (devices, allowed_signers, baseline, gpg_home, a secrets scanner config), CODEOWNERS
  (who may approve policy changes) and `.github/workflows/` (what runs the gate). The policy-change
  check (checks/policy_change.py) judges changes to exactly these, in every mode;
- reading one file at a revision (`read_file`, `read_text`, `repo_relative`) lives with the readers of
  trusted files in provenance/source.py, which also uses it: path validated (no absolute, `..` or
  control characters), symlinks and non-files refused (never followed), size capped;
- `load_trusted` (the Action: policy, baseline, gpg home and CODEOWNERS from the base commit) and
  `trusted_policy` (pre-receive: the server-side policy, or the default branch's before the push).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from gatekeeper.config import POLICY_FILENAME, Policy, default_policy, load_policy_file, parse_policy
from gatekeeper.errors import ConfigError
from gatekeeper.git import Git, is_zero
from gatekeeper.provenance.source import Reader, filesystem_reader, git_reader, read_file, read_text, repo_relative
from gatekeeper.review import CODEOWNERS_PATHS
from gatekeeper.sanitize import safe
from gatekeeper.scan.baseline import load_baseline, parse_baseline

if TYPE_CHECKING:
    from gatekeeper.review.semantics import CodeOwners

POLICY_ENV = "GATEKEEPER_POLICY"
CONFIG_DIR = ".gatekeeper"
WORKFLOW_DIR = ".github/workflows"
_NAMED = ("devices", "allowed_signers", "baseline", "gpg_home")


# -- which paths are gate configuration ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GatePaths:
    """Repository paths that make up the gate's configuration: files, and directories (everything under)."""

    files: frozenset[str]
    dirs: tuple[str, ...]  # without a trailing slash

    def match(self, path: str) -> bool:
        return path in self.files or any(path.startswith(d + "/") for d in self.dirs)

    def roots(self) -> list[str]:
        """The literal paths to hand git (files and directories)."""
        return sorted({*self.files, *self.dirs})


def gate_paths(policy: Policy, *, policy_path: str = POLICY_FILENAME, root: Path | None = None) -> GatePaths:
    """The gate-configuration paths for `policy` (read from `policy_path`; its paths relative to `root`,
    or left relative). Paths outside the repository are not repository files and are left out."""
    files = {POLICY_FILENAME, repo_relative(policy_path, "policy"), *CODEOWNERS_PATHS}
    dirs = {CONFIG_DIR, WORKFLOW_DIR}
    named: list[Path] = [p for p in (getattr(policy, key) for key in _NAMED) if p is not None]
    secrets_config = getattr(getattr(policy, "secrets", None), "config", None)
    if isinstance(secrets_config, Path):
        named.append(secrets_config)
    for path in named:
        relative = _relative_or_none(path, root)
        if relative is None:
            continue
        (dirs if path == policy.gpg_home else files).add(relative)
    return GatePaths(frozenset(files), tuple(sorted(dirs)))


def _relative_or_none(path: Path, root: Path | None) -> str | None:
    if path.is_absolute():
        if root is None:
            return None
        try:
            path = path.relative_to(root)
        except ValueError:
            return None
    try:
        return repo_relative(path.as_posix(), "path")
    except ConfigError:
        return None


# -- the Action: everything from the base commit -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TrustedConfig:
    policy: Policy
    root: Path  # stands for the repository root at `rev` in the policy's paths
    rev: str  # where it was read (zeros: nowhere, the built-in default)
    baseline: frozenset[str] = frozenset()
    owners: CodeOwners | None = None
    paths: GatePaths = GatePaths(frozenset({POLICY_FILENAME}), (CONFIG_DIR,))


def load_trusted(git: Git, rev: str, policy_path: str, root: Path) -> TrustedConfig:
    """Policy, baseline, gpg home and CODEOWNERS as they are at `rev` (never the work tree)."""
    rel = repo_relative(policy_path, "policy")
    text = read_text(git, rev, rel, "the policy")
    if text is None:
        if policy_path != POLICY_FILENAME:
            where = f"at {rev[:12]}" if not is_zero(rev) else "(no base commit)"
            raise ConfigError(f"policy {rel} does not exist {where}",
                              "commit the policy to the base branch first, or fix the `policy` input")
        where = f"no {rel} at base {rev[:12]}" if not is_zero(rev) else "no base commit"
        policy = dataclasses.replace(default_policy(), source=f"built-in default ({where})")
    else:
        policy = parse_policy(text, f"{rel} at base {rev[:12]}", base_dir=(root / rel).parent)
    for key in ("devices", "allowed_signers", "baseline", "gpg_home"):
        value: Path | None = getattr(policy, key)
        if value is not None:
            _inside(value, root, key)
    if policy.secrets.config is not None:
        _inside(policy.secrets.config, root, "secrets.config")
    baseline: frozenset[str] = frozenset()
    if policy.baseline is not None:
        relb = _inside(policy.baseline, root, "baseline")
        found = read_text(git, rev, relb, "the baseline")
        if found is None:
            raise ConfigError(f"{relb} at base {rev[:12]}: baseline file not found (named by `baseline:`)",
                              "commit the baseline file or remove the `baseline:` key")
        baseline = parse_baseline(found, f"{relb} at base {rev[:12]}")
    if policy.gpg_home is not None:
        relg = _inside(policy.gpg_home, root, "gpg_home")
        home = root / relg
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        for entry in git.tree_entries(rev, relg, recursive=True) if not is_zero(rev) else []:
            if entry.type == "blob" and entry.mode in ("100644", "100755") and entry.path.startswith(relg + "/"):
                relf = repo_relative(entry.path, "gpg_home file")
                data = read_file(git, rev, relf, "a gpg_home file")
                if data is not None:
                    (root / relf).parent.mkdir(parents=True, exist_ok=True)
                    (root / relf).write_bytes(data)
    owners = None
    for candidate in CODEOWNERS_PATHS:
        found_owners = read_file(git, rev, candidate, "CODEOWNERS")
        if found_owners is not None:
            from gatekeeper.review.semantics import parse_codeowners  # (only here: hook start-up)

            owners = parse_codeowners(found_owners.decode("utf-8", "replace"), f"{candidate} at base {rev[:12]}")
            break
    return TrustedConfig(policy, root, rev, baseline, owners, gate_paths(policy, policy_path=rel, root=root))


def _inside(path: Path, root: Path, key: str) -> str:
    try:
        relative = path.relative_to(root)
    except ValueError:
        raise ConfigError(f"{key}: {path} is outside the repository; in the Action every trusted file is read from "
                          "the base commit", f"make `{key}` a path relative to the policy file") from None
    return repo_relative(relative.as_posix(), key)


# -- pre-receive: a server-side file, or the default branch before the push ---------------------------------

@dataclass(frozen=True, slots=True)
class TrustedPolicy:
    policy: Policy
    ref: str | None  # the ref the policy was read from (None: a server-side file or the default)
    sha: str | None  # that ref's tip before the push
    reader: Reader  # how files the policy names (devices, allowed signers) are read
    baseline: frozenset[str] = frozenset()

    @property
    def paths(self) -> GatePaths:
        return gate_paths(self.policy)


class _Update(Protocol):
    """One line of the push (hookinput.RawUpdate): only the ref and its old id matter here."""

    @property
    def ref(self) -> str: ...

    @property
    def old(self) -> str: ...


class _Move(Protocol):
    """One update of the push as it really moves a ref (models.RefUpdate)."""

    @property
    def ref(self) -> str: ...

    @property
    def new(self) -> str: ...


HEAD_FIX = ("point the server repository's HEAD at its default branch (`git symbolic-ref HEAD refs/heads/main` in "
            "the bare repository), or install the hook with a server-side `--policy FILE`")


def policy_branch(git: Git, raw: Sequence[_Update] = ()) -> tuple[str | None, str | None]:
    """The default branch the repository's policy is read from, and its tip before the push.

    HEAD when it names a branch that exists. A HEAD naming a branch that does not exist (a repository
    created with another default, a renamed or deleted branch) must not make the repository look
    policy-less while its real default branch holds a policy: then `init.defaultBranch` (the server's
    repository config), `main` or `master` — whichever single one exists — is the default branch. With
    no branch at all the repository is empty ((ref, None): the built-in default policy judges its first
    push), as when this push creates the branch HEAD names and no candidate exists. Anything else is
    ambiguous: ConfigError (the hook refuses the push, exit 4) naming the fix.

    Branches are matched by their exact names from `for-each-ref`, never by rev-parse's guessing (which
    would take a pushed `refs/tags/refs/heads/master` or `refs/heads/refs/heads/master` for a missing
    `refs/heads/master`).
    """
    head = git.current_branch()
    if head is None:
        sha = git.try_resolve("HEAD")  # a detached HEAD names the commit itself
        if sha is not None:
            return None, sha
    branches = {t.name: t.sha for t in git.ref_targets(lambda name: name.startswith("refs/heads/"))
                if t.reaches_commit}
    creating = {u.ref for u in raw if set(u.old) == {"0"}}
    ref = default_branch(head, set(branches), git.config_get("init.defaultBranch"), creating)
    if ref is None:
        return head, None
    return ref, git.try_resolve(ref) or branches[ref]


def default_branch(head: str | None, branches: set[str], configured: str | None,
                   creating: Collection[str] = ()) -> str | None:
    """Which of `branches` (full names) is the default branch when HEAD names `head`: see policy_branch.
    None: the repository is empty, or `creating` holds the branch HEAD names and neither main nor master
    exists."""
    if head is not None and head in branches:
        return head
    if not branches:
        return None
    preferred = f"refs/heads/{configured}" if configured and not configured.startswith("refs/") else configured
    if preferred in branches:
        return preferred
    found = [name for name in ("refs/heads/main", "refs/heads/master") if name in branches]
    if len(found) == 1:
        return found[0]
    if head is not None and head in creating and not found:
        # This push creates the default branch and no other branch could hold the policy: the first
        # policy arrives with it. (With both main and master present the default is ambiguous, and
        # creating HEAD's branch must not let the pusher choose the policy: refused below.)
        return None
    named = safe(head, limit=200) if head else "a detached commit that does not exist"
    listed = ", ".join(safe(b, limit=80) for b in sorted(branches)[:5]) + (
        f" and {len(branches) - 5} more" if len(branches) > 5 else "")
    raise ConfigError(f"the repository's HEAD names {named}, which does not exist, and no single default branch "
                      f"holds the policy (found: {listed})", HEAD_FIX)


def policy_branch_after(git: Git, updates: Sequence[_Move]) -> str | None:
    """The branch that would supply the policy once `updates` (the push, under the names of the refs that
    really move) are applied; None for an empty repository; ConfigError when it would be ambiguous."""
    head = git.current_branch()
    if head is None:
        return None
    branches = {t.name for t in git.ref_targets(lambda name: name.startswith("refs/heads/")) if t.reaches_commit}
    for update in updates:
        if not update.ref.startswith("refs/heads/"):
            continue
        if is_zero(update.new):
            branches.discard(update.ref)
        else:
            branches.add(update.ref)
    return default_branch(head, branches, git.config_get("init.defaultBranch"))


def trusted_policy(git: Git, env: Mapping[str, str], policy_file: Path | None,
                   raw: Sequence[_Update] = ()) -> TrustedPolicy:
    """The policy that judges a push, and where the files it names are read from."""
    explicit = policy_file or (Path(env[POLICY_ENV]) if env.get(POLICY_ENV) else None)
    if explicit is not None:
        policy = load_policy_file(explicit)
        return TrustedPolicy(policy, None, None, filesystem_reader, load_baseline(policy.baseline))
    ref, sha = policy_branch(git, raw)
    if sha is None:  # empty repository (or its default branch is being created): no policy before this push
        return TrustedPolicy(default_policy(), None, None, filesystem_reader)
    text = read_text(git, sha, POLICY_FILENAME, "the policy")
    if text is None:
        return TrustedPolicy(default_policy(), ref, sha, git_reader(git, sha, None))
    source = f"{ref or 'HEAD'}:{POLICY_FILENAME} at {sha[:12]} (before this push)"
    # Paths in the policy stay relative: they name files in the same commit, read through the object
    # store at `sha` (never the work tree, never the pushed objects).
    policy = parse_policy(text, source)
    reader = git_reader(git, sha, None)
    baseline: frozenset[str] = frozenset()
    if policy.baseline is not None:
        found = reader(policy.baseline)
        if found is None:
            raise ConfigError(f"{policy.baseline}: baseline file not found (named by `baseline:` in {policy.source})",
                              "commit the baseline file or remove the `baseline:` key")
        baseline = parse_baseline(found, f"{policy.baseline} at {sha[:12]}")
    return TrustedPolicy(policy, ref, sha, reader, baseline)
