"""The `gatekeeper device` commands: enroll, revoke and list signing devices.

Thin, like cli.py: parse options, call one function of modes/device.py, print its outcome, return an
ExitCode. Errors are gatekeeper.errors types (2 usage, 3 config) that cli.run prints with their fix.
Register with `cli.add_command(device)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gatekeeper.models import DEVICE_CLASSES, ExitCode

if TYPE_CHECKING:
    from gatekeeper.modes.device import Outcome

F = TypeVar("F", bound=Callable[..., Any])


def _file_options(func: F) -> F:
    for option in reversed((
        click.option("--registry", type=click.Path(path_type=Path),
                     help="Device registry (default: the policy's `devices:`, else .gatekeeper/devices.yml)."),
        click.option("--allowed-signers", "allowed_signers", type=click.Path(path_type=Path),
                     help="Allowed-signers file to regenerate (default: the policy's `allowed_signers:`, else "
                          "allowed_signers next to the registry)."),
        click.option("--policy", "policy_file", type=click.Path(path_type=Path),
                     help="Policy whose devices/allowed_signers/gpg_home keys give the defaults "
                          "(default: ./.gatekeeper.yml if present)."),
    )):
        func = option(func)
    return func


def _show(outcome: Outcome) -> ExitCode:
    if outcome.summary:
        click.echo(outcome.summary)
    for note in outcome.notes:
        click.echo(f"note: {note}", err=True)
    return ExitCode.OK


@click.group("device")
def device() -> None:
    """Enroll, revoke and list the devices whose keys may sign commits (the device registry)."""


@device.command("enroll")
@click.option("--id", "device_id", required=True, help="Device id, e.g. pixel8-jdoe (never reused).")
@click.option("--owner", required=True, help="Owner's email: the identity the device's signatures bind to.")
@click.option("--class", "device_class", type=click.Choice(DEVICE_CLASSES), required=True, help="What the device is.")
@click.option("--managed/--personal", default=None,
              help="Organisation-managed device, or a personal (BYOD) one. Required.")
@click.option("--ssh-key", type=click.Path(path_type=Path), help="The device's SSH public key file (.pub).")
@click.option("--gpg-key", help="An OpenPGP key id, fingerprint or email in the GnuPG keyring.")
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day of validity (YYYY-MM-DD).")
@_file_options
def enroll(device_id: str, owner: str, device_class: str, managed: bool | None, ssh_key: Path | None,
           gpg_key: str | None, expires: dt.datetime | None, registry: Path | None, allowed_signers: Path | None,
           policy_file: Path | None) -> ExitCode:
    """Add a device and its key to the registry, and regenerate the allowed-signers file."""
    from gatekeeper.errors import UsageError
    from gatekeeper.modes.device import enroll as run_enroll
    from gatekeeper.modes.device import resolve_paths

    if managed is None:
        raise UsageError("say whether the device is managed by the organisation or personal",
                         "pass --managed or --personal")
    paths = resolve_paths(registry, allowed_signers, policy_file)
    return _show(run_enroll(paths, device_id=device_id, owner=owner, device_class=device_class, managed=managed,
                            ssh_key=ssh_key, gpg_key=gpg_key, expires=expires.date() if expires else None,
                            today=dt.datetime.now(dt.UTC).date()))


@device.command("revoke")
@click.option("--id", "device_id", required=True, help="The device to revoke.")
@click.option("--reason", required=True, help="Why, e.g. 'phone lost'.")
@click.option("--at", "at", help="When the key stopped being trustworthy (ISO 8601; default: now).")
@_file_options
def revoke(device_id: str, reason: str, at: str | None, registry: Path | None, allowed_signers: Path | None,
           policy_file: Path | None) -> ExitCode:
    """Revoke a device: from --at on, its keys are untrusted whatever date a commit claims."""
    from gatekeeper.modes.device import parse_timestamp, resolve_paths
    from gatekeeper.modes.device import revoke as run_revoke

    when = parse_timestamp(at) if at else dt.datetime.now(dt.UTC).replace(microsecond=0)
    paths = resolve_paths(registry, allowed_signers, policy_file)
    return _show(run_revoke(paths, device_id=device_id, reason=reason, at=when))


@device.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_file_options
def list_(fmt: str, registry: Path | None, allowed_signers: Path | None, policy_file: Path | None) -> ExitCode:
    """Show the enrolled devices with their keys and status (active, revoked, expired)."""
    from gatekeeper.modes.device import list_devices, resolve_paths

    paths = resolve_paths(registry, allowed_signers, policy_file)
    return _show(list_devices(paths, fmt=fmt, now=dt.datetime.now(dt.UTC)))
