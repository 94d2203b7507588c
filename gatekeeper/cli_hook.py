"""The click commands of the hook side: pre-receive, post-receive, pre-push, install, uninstall, tag, demo.

Thin, like cli.py: parse options, call one mode function, return its exit code. This module is the
entry point installed hooks run (`python -m gatekeeper.cli_hook ...`, see modes/install.py), so it
has its own small command group (`hook_cli`) and never imports the full CLI: every hook command
starts without loading the other commands, the renderers or the policy stack up front. cli.py
imports COMMANDS to register the same commands under `gatekeeper` (one direction only; the
architecture test rejects import cycles).
"""

from __future__ import annotations

import gc

if __name__ == "__main__":
    # Run as the installed hook: no cyclic collection while the engine's modules load (they allocate many objects
    # and free almost none: the collector's passes over them were about a tenth of a one-commit push's CPU); _started_up
    # then freezes what they made and turns collection back on for the judgment. (Imported, e.g. by cli.py or a
    # test, this module leaves the process's collector alone.)
    gc.disable()

import os
import sys
import time
from pathlib import Path

import click

import gatekeeper
from gatekeeper.console import exit_process, invoke
from gatekeeper.errors import UsageError
from gatekeeper.models import ExitCode

_STARTED = time.monotonic()  # the hook's budget counts from here, as close to process start as we get
HOOK_CHOICES = ("pre-receive", "post-receive", "pre-push", "prepare-commit-msg")


def _started_up() -> None:
    """The hook's modules are loaded: what they made is kept for the process's life, out of the collector's way
    (gc.freeze), and collection is on again for the rest of the run."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _verbose() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("verbose"))


def _stdin_bytes(what: str) -> bytes:
    if sys.stdin is None:
        return b""
    if sys.stdin.isatty():
        raise UsageError(f"{what} reads the lines git writes on stdin", f"let git run it: gatekeeper install --hook "
                         f"{what}")
    return sys.stdin.buffer.read()


@click.command("pre-receive")
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="The receiving repository (git runs the hook inside it).")
@click.option("--policy", "policy_file", type=click.Path(path_type=Path),
              help="Server-side policy file (else $GATEKEEPER_POLICY, else .gatekeeper.yml on the default branch "
                   "before the push, else the built-in default).")
@click.option("--legacy", type=click.Path(path_type=Path),
              help="A previous hook to run first with the same stdin; its failure rejects the push.")
@click.option("--audit-log", type=click.Path(path_type=Path),
              help="Append the JSON verdict to this file (else $GATEKEEPER_AUDIT_LOG).")
@click.option("--watchdog/--no-watchdog", default=True, show_default=True,
              help="Hard stop just below pre_receive.budget_seconds. Turn off only where the server has no hook "
                   "time limit; scanners are still cut at the budget.")
@click.argument("args", nargs=-1)
def pre_receive(repo: Path, policy_file: Path | None, legacy: Path | None, audit_log: Path | None, watchdog: bool,
                args: tuple[str, ...]) -> int:
    """Judge a push on the server (git's pre-receive hook). Exit 0 accept, 1 reject, 4 could not evaluate."""
    from gatekeeper.modes.pre_receive import run_pre_receive

    _started_up()
    data = _stdin_bytes("pre-receive")
    return run_pre_receive(data, repo=repo, policy_file=policy_file, legacy=legacy, legacy_args=args,
                           audit_log=audit_log, started=_STARTED, watchdog=watchdog, verbose=_verbose())


@click.command("post-receive")
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True)
@click.option("--policy", "policy_file", type=click.Path(path_type=Path),
              help="Server-side policy file (as for pre-receive).")
@click.option("--legacy", type=click.Path(path_type=Path),
              help="A previous post-receive hook to run first with the same stdin.")
@click.argument("args", nargs=-1)
def post_receive(repo: Path, policy_file: Path | None, legacy: Path | None, args: tuple[str, ...]) -> int:
    """After an accepted push: sign SLSA Source provenance + VSA for each protected tip (git notes).

    Needs $GATEKEEPER_ATTEST_KEY; without it this hook does nothing. It never fails the push (the push
    is already accepted): problems are printed and logged in $GIT_DIR/gatekeeper/attest-errors.log."""
    from gatekeeper.attest.admission import KEY_ENV
    from gatekeeper.legacy_hook import run_legacy
    from gatekeeper.modes.attest import run_post_receive

    data = _stdin_bytes("post-receive")
    if legacy is not None and legacy.exists():
        run_legacy(legacy, args, data, timeout=60.0)
    if not os.environ.get(KEY_ENV):
        return ExitCode.OK
    return run_post_receive(data, env=os.environ, repo=repo, out=sys.stderr, policy_file=policy_file)


@click.command("pre-push")
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True)
@click.option("--policy", "policy_file", type=click.Path(path_type=Path),
              help="Policy file (default: .gatekeeper.yml in the work tree, else the built-in default).")
@click.option("--legacy", type=click.Path(path_type=Path), help="A previous hook to run first with the same stdin.")
@click.argument("args", nargs=-1)
def pre_push(repo: Path, policy_file: Path | None, legacy: Path | None, args: tuple[str, ...]) -> int:
    """Check what `git push` is about to send (git's pre-push hook; advisory, the server decides)."""
    from gatekeeper.modes.pre_push import run_pre_push

    return run_pre_push(_stdin_bytes("pre-push"), args, repo=repo, policy_file=policy_file, legacy=legacy)


@click.command("install")
@click.option("--hook", type=click.Choice(HOOK_CHOICES), default="pre-receive", show_default=True)
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="The repository: a bare server repository for pre-receive, a clone for the others.")
@click.option("--policy", type=click.Path(path_type=Path),
              help="pre-receive/pre-push: a policy file the hook always uses.")
@click.option("--use-hooks-path", is_flag=True,
              help="core.hooksPath is set: install into the directory it names instead of refusing.")
@click.option("--print-script", is_flag=True,
              help="Print the hook script instead of installing it (GitLab custom_hooks, Gitea pre-receive.d).")
def install_cmd(hook: str, repo: Path, policy: Path | None, use_hooks_path: bool, print_script: bool) -> int:
    """Install a gatekeeper git hook (an existing hook is kept as <hook>.legacy and still runs)."""
    from gatekeeper.modes.install import hook_script, install

    if print_script:
        click.echo(hook_script(hook, policy=policy.resolve() if policy else None), nl=False)
        return ExitCode.OK

    result = install(repo, hook, use_hooks_path=use_hooks_path, policy=policy)
    click.echo(f"installed {result.path}")
    for note in result.notes:
        click.echo(f"  {note}")
    return ExitCode.OK


@click.command("uninstall")
@click.option("--hook", type=click.Choice(HOOK_CHOICES), default="pre-receive", show_default=True)
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True)
@click.option("--use-hooks-path", is_flag=True, help="The hook was installed into core.hooksPath.")
def uninstall_cmd(hook: str, repo: Path, use_hooks_path: bool) -> int:
    """Remove a gatekeeper git hook and restore <hook>.legacy if there is one."""
    from gatekeeper.modes.install import uninstall

    result = uninstall(repo, hook, use_hooks_path=use_hooks_path)
    click.echo(f"removed the gatekeeper {hook} hook from {result.path.parent}")
    for note in result.notes:
        click.echo(f"  {note}")
    return ExitCode.OK


@click.command("tag")
@click.option("--device", help="Origin-Device (mobile|tablet|web|desktop|ci); default $GATEKEEPER_DEVICE, else mobile.")
@click.option("--device-id", help="Origin-Device-Id; default $GATEKEEPER_DEVICE_ID.")
@click.option("--client", help="Origin-Client, the app that commits; default $GATEKEEPER_CLIENT.")
@click.option("--assisted-by", help="Assisted-by, the AI agent involved; default $GATEKEEPER_ASSISTED_BY.")
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True)
@click.option("--hook", "hook_file", type=click.Path(path_type=Path),
              help="prepare-commit-msg mode: add the trailers to this message file instead of amending HEAD.")
def tag_cmd(device: str | None, device_id: str | None, client: str | None, assisted_by: str | None, repo: Path,
            hook_file: Path | None) -> int:
    """Add the Origin-* trailers to the last commit, or to a message file as a hook.

    Idempotent: a commit that already carries them (same values) is left as it is, signature included;
    a trailer with another value is replaced where it stands.
    """
    from gatekeeper.modes.tag import resolve_trailers, tag_head, tag_message_file

    trailers = resolve_trailers(os.environ, device=device, device_id=device_id, client=client,
                                assisted_by=assisted_by)
    if hook_file is not None:
        result = tag_message_file(repo, hook_file, trailers)
        for warning in result.warnings:
            click.echo(f"gatekeeper tag: {warning}", err=True)
        return ExitCode.OK
    result = tag_head(repo, trailers)
    listed = ", ".join(f"{k}: {v}" for k, v in result.trailers)
    if result.changed:
        click.echo(f"amended HEAD {(result.old or '')[:12]} -> {(result.new or '')[:12]} with {listed}")
    else:
        click.echo(f"HEAD {(result.old or '')[:12]} is already tagged with {listed}; nothing to do")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    return ExitCode.OK


@click.command("demo")
@click.option("--keep", is_flag=True, help="Keep the demo's temporary directory and print its path.")
def demo_cmd(keep: bool) -> int:
    """Show the gate on a throwaway server: a desktop push accepted, a leaky mobile push rejected, the fix accepted."""
    from gatekeeper.modes.demo import run_demo

    return run_demo(keep=keep)


COMMANDS: tuple[click.Command, ...] = (pre_receive, post_receive, pre_push, install_cmd, uninstall_cmd, tag_cmd,
                                       demo_cmd)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(gatekeeper.__version__, "--version", prog_name="gatekeeper")
@click.option("--verbose", "-v", is_flag=True, help="Show tracebacks for errors.")
def hook_cli(verbose: bool) -> None:
    """gatekeeper's git hooks and their set-up (the full CLI is `gatekeeper`)."""


for _command in COMMANDS:
    hook_cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["pre-receive"]:
        # The hook's time counts against GHES's 5 s for all hooks: straight to the command (which calls _started_up
        # once its modules are loaded, or the usage error is printed with the collector still off: no matter).
        exit_process(invoke(pre_receive, args[1:], "gatekeeper pre-receive"))
    _started_up()
    if args[:1] == ["post-receive"]:
        exit_process(invoke(post_receive, args[1:], "gatekeeper post-receive"))
    exit_process(invoke(hook_cli, args, "gatekeeper"))


if __name__ == "__main__":
    main()
