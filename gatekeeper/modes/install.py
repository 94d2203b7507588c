"""`gatekeeper install` / `uninstall`: write the git hooks that run gatekeeper, and take them out again.

The hook script runs the interpreter gatekeeper is installed in (`sys.executable -P -m ...`, so a
virtualenv works and the hook's working directory is never put on sys.path). An existing hook that
is not ours is kept as `<hook>.legacy` and runs first with the same input; its failure rejects.
When `core.hooksPath` is set git does not look in the repository's hooks directory at all, so we
refuse instead of installing a hook that never runs, unless told to install into that path.
A pre-receive install also sets `receive.advertisePushOptions=true`, without which `git push -o`
(origin-device, bypass) never reaches the hook.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import gatekeeper
from gatekeeper.errors import UsageError
from gatekeeper.fsutil import atomic_write
from gatekeeper.git import Git

HOOKS = ("pre-receive", "post-receive", "pre-push", "prepare-commit-msg")
SERVER_HOOKS = ("pre-receive", "post-receive")
MARKER = "# gatekeeper-hook:"
HOOK_MODULE = "gatekeeper.cli_hook"  # works whether or not the main CLI registers the hook commands


@dataclass(frozen=True, slots=True)
class InstallResult:
    path: Path
    legacy: Path | None  # where a previous hook was kept
    notes: tuple[str, ...] = ()


def user_git(repo: Path) -> Git:
    """A Git that sees the user's global/system config (core.hooksPath, user.name) as git itself would."""
    return Git(repo, user_config=True)


def is_ours(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return MARKER.encode() in head


def hooks_dir(git: Git, *, use_hooks_path: bool) -> Path:
    hooks_path = git.config_get("core.hooksPath")
    if hooks_path and not use_hooks_path:
        raise UsageError(
            f"core.hooksPath is set to {hooks_path!r}: git runs hooks from there, not from the repository's "
            "hooks directory",
            "pass --use-hooks-path to install into that directory, or `git config --unset core.hooksPath`")
    return git.hooks_dir()


# post-receive's common path is plain sh + git: pre-receive already signed the attestations of the
# protected tips it admitted (`<old>.<new>.bundle`) and marked the other lines (`.skip`), so storing them
# is one `git notes add` each. Python starts only for a line with neither (a push the gate did not see,
# or a store that failed): it attests such tips at level 1, retries and reports. Nothing here can reject
# the push: post-receive runs after the refs moved.
POST_RECEIVE_BODY = """\
input=$(cat)
if [ -x "$0.legacy" ]; then printf '%s\\n' "$input" | "$0.legacy" "$@"; fi
[ -n "$GATEKEEPER_ATTEST_KEY" ] || exit 0
dir="${GIT_DIR:-.}/gatekeeper/admitted"
rest=""
while read -r old new ref; do
  case "$old$new" in *[!0-9a-f]*|"") continue ;; esac
  stem="$dir/$old.$new"
  # A bundle is stored only for the ref it was signed for: the same <old>.<new> may be a refused line's.
  if [ -f "$stem.bundle" ] && [ ! -h "$stem.bundle" ] && [ -f "$stem.ref" ] && [ ! -h "$stem.ref" ] \\
     && [ "$(cat "$stem.ref")" = "$ref" ]; then
    if git -c user.name=gatekeeper -c user.email=gatekeeper@localhost notes \\
         --ref=refs/notes/gatekeeper/attestations add --force --file="$stem.bundle" "$new" 2>/dev/null; then
      mv -f "$stem.bundle" "$stem.done"
      if [ -f "$stem.msg" ]; then cat "$stem.msg" >&2; fi
    else
      rest=1
    fi
  elif [ ! -f "$stem.skip" ] && [ ! -f "$stem.done" ]; then
    rest=1
  fi
done <<EOF
$input
EOF
if [ -n "$rest" ]; then
  printf '%s\\n' "$input" | exec @PYTHON@ -P -m @MODULE@ post-receive@POLICY@
fi
while read -r old new ref; do
  case "$old$new" in *[!0-9a-f]*|"") continue ;; esac
  rm -f "$dir/$old.$new.done" "$dir/$old.$new.skip" "$dir/$old.$new.msg" "$dir/$old.$new.ref"
done <<EOF
$input
EOF
"""


def hook_script(hook: str, *, python: str | None = None, policy: Path | None = None) -> str:
    """The shell script git runs; the interpreter and policy paths are quoted for sh."""
    py = shlex.quote(python or sys.executable)
    header = (f"#!/bin/sh\n{MARKER} {hook} (installed by gatekeeper {gatekeeper.__version__}; remove with "
              f"`gatekeeper uninstall --hook {hook} --repo <repo>`)\n"
              f"# A hook that was here before is kept as {hook}.legacy and runs first with the same input.\n")
    policy_arg = f" --policy {shlex.quote(str(policy))}" if policy is not None else ""
    if hook == "pre-receive":
        body = f'exec {py} -P -m {HOOK_MODULE} pre-receive --legacy "$0.legacy"{policy_arg} "$@"\n'
    elif hook == "post-receive":
        body = POST_RECEIVE_BODY.replace("@PYTHON@", py).replace("@MODULE@", HOOK_MODULE).replace(
            "@POLICY@", policy_arg)
    elif hook == "pre-push":
        body = f'exec {py} -P -m {HOOK_MODULE} pre-push --legacy "$0.legacy"{policy_arg} "$@"\n'
    elif hook == "prepare-commit-msg":
        body = ('if [ -x "$0.legacy" ]; then "$0.legacy" "$@" || exit $?; fi\n'
                f'exec {py} -P -m {HOOK_MODULE} tag --hook "$1"\n')
    else:
        raise UsageError(f"unknown hook {hook!r}", f"use one of: {', '.join(HOOKS)}")
    return header + body


def install(repo: Path, hook: str, *, use_hooks_path: bool = False, policy: Path | None = None,
            python: str | None = None, user_config: bool = True) -> InstallResult:
    """Install `hook`; `user_config=False` ignores the user's global git config (the demo's sandbox).

    Installing pre-receive also installs post-receive beside it: post-receive attests what
    pre-receive admitted (signed SLSA Source provenance + VSA as git notes), and is silent when no
    signing key is configured."""
    if hook not in HOOKS:
        raise UsageError(f"unknown hook {hook!r}", f"use one of: {', '.join(HOOKS)}")
    git = user_git(repo) if user_config else Git(repo)
    info = git.info()
    if hook not in SERVER_HOOKS and info.toplevel is None:
        raise UsageError(f"{repo} is a bare repository; {hook} runs in a clone",
                         "run this in your working clone, or use --hook pre-receive on the server")
    if policy is not None:
        policy = policy.resolve()
        if not policy.is_file():
            raise UsageError(f"--policy {policy}: no such file", "write the policy first (`gatekeeper policy init "
                             f"--path {policy}`), then install: a hook without it would refuse every push")
        from gatekeeper.config import load_policy_file

        load_policy_file(policy)  # ConfigError (exit 3) names the key: found now, not by the first pusher
    if hook in SERVER_HOOKS and info.toplevel is not None:
        notes_first = [f"{repo} has a work tree: {hook} runs where others push to, usually a bare repository "
                       "(`git init --bare`); in a clone it guards only pushes into this clone"]
    else:
        notes_first = []
    directory = hooks_dir(git, use_hooks_path=use_hooks_path)
    directory.mkdir(parents=True, exist_ok=True)
    notes: list[str] = notes_first
    if hook in SERVER_HOOKS:
        notes.append(f"policy: {policy} (valid)" if policy is not None else
                     "policy: GATEKEEPER_POLICY when the hook's environment sets it, else .gatekeeper.yml on the "
                     "default branch as it was before each push, else the built-in default (docs/hooks.md)")
    target, kept = _install_one(directory, hook, python, policy, notes)
    from gatekeeper.build_startup_cache import ensure

    built = ensure(python)  # the hook's interpreter reads its compiled start-up from it (gatekeeper.startup_cache)
    if built:
        notes.append(built)
    if hook == "pre-receive":
        git.set_config("receive.advertisePushOptions", "true")
        notes.append("set receive.advertisePushOptions=true so `git push -o ...` reaches the hook")
        post, _ = _install_one(directory, "post-receive", python, policy, notes)
        notes.append(f"installed {post.name} beside it: it attests accepted protected tips when "
                     "GATEKEEPER_ATTEST_KEY names the gate's signing key")
    return InstallResult(target, kept, tuple(notes))


def _install_one(directory: Path, hook: str, python: str | None, policy: Path | None,
                 notes: list[str]) -> tuple[Path, Path | None]:
    target = directory / hook
    legacy = directory / f"{hook}.legacy"
    kept: Path | None = None
    if target.exists() or target.is_symlink():
        if is_ours(target):
            notes.append(f"replaced the gatekeeper {hook} hook already in {directory}")
            kept = legacy if legacy.exists() else None
        elif legacy.exists() or legacy.is_symlink():
            raise UsageError(f"{target} exists and so does {legacy.name}; refusing to overwrite either",
                             "merge or remove one of them, then run install again")
        else:
            os.replace(target, legacy)
            kept = legacy
            notes.append(f"kept the existing {hook} hook as {legacy.name}; it runs first and can still reject")
    _write_executable(target, hook_script(hook, python=python, policy=policy))
    return target, kept


def uninstall(repo: Path, hook: str, *, use_hooks_path: bool = False) -> InstallResult:
    if hook not in HOOKS:
        raise UsageError(f"unknown hook {hook!r}", f"use one of: {', '.join(HOOKS)}")
    git = user_git(repo)
    git.info()
    directory = hooks_dir(git, use_hooks_path=use_hooks_path)
    target = directory / hook
    legacy = directory / f"{hook}.legacy"
    if not (target.exists() or target.is_symlink()):
        raise UsageError(f"no {hook} hook in {directory}", "nothing to uninstall")
    if not is_ours(target):
        raise UsageError(f"{target} was not installed by gatekeeper; leaving it alone", "remove it by hand if "
                         "you mean to")
    notes: list[str] = []
    if hook == "pre-receive":
        _uninstall_post_receive(directory, notes)
    if legacy.exists() or legacy.is_symlink():
        os.replace(legacy, target)
        notes.append(f"restored the previous hook from {legacy.name}")
        return InstallResult(target, legacy, tuple(notes))
    target.unlink()
    if hook == "pre-receive":
        notes.append("left receive.advertisePushOptions as it is (other hooks may use push options)")
    return InstallResult(target, None, tuple(notes))


def _uninstall_post_receive(directory: Path, notes: list[str]) -> None:
    """post-receive was installed with pre-receive; without it, it would only ever attest gaps."""
    post = directory / "post-receive"
    if not is_ours(post):
        return
    post_legacy = directory / "post-receive.legacy"
    if post_legacy.exists() or post_legacy.is_symlink():
        os.replace(post_legacy, post)
        notes.append("removed the gatekeeper post-receive hook and restored post-receive.legacy")
    else:
        post.unlink()
        notes.append("removed the gatekeeper post-receive hook installed with it")


def _write_executable(target: Path, text: str) -> None:
    # git runs only executable hooks, and the script holds no secret. The paths in it are the file system's bytes
    # (a policy under a directory whose name is not UTF-8, os.fsdecode'd: red94), quoted for the shell.
    atomic_write(target, text.encode("utf-8", "surrogateescape"), mode=0o755)
