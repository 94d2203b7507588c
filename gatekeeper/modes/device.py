"""`gatekeeper device enroll|revoke|list`: change and show the device registry, keep allowed signers in step.

Where the files are: `--registry` / `--allowed-signers`, else the `devices:` / `allowed_signers:` keys of
the policy (`--policy`, else `./.gatekeeper.yml`), else `.gatekeeper/devices.yml` and an
`allowed_signers` next to the registry. Reading, locking and writing them (atomically, the registry
first, so a failure leaves the gate closed) is provenance/device_files.py; this door resolves the
paths, applies the change under the registry's lock and says what it did.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatekeeper.config import POLICY_FILENAME, Policy, load_policy_file
from gatekeeper.errors import ConfigError, UsageError
from gatekeeper.provenance.device_files import (
    device_status,
    read_public_key,
    read_registry,
    registry_lock,
    save_registry,
)
from gatekeeper.provenance.devices import (
    Device,
    DeviceRegistry,
    enroll_device,
    revoke_device,
)
from gatekeeper.provenance.gpg import gpg_fingerprint, run_process
from gatekeeper.provenance.signatures import Runner
from gatekeeper.sanitize import safe

DEFAULT_REGISTRY = Path(".gatekeeper/devices.yml")


@dataclass(frozen=True, slots=True)
class DevicePaths:
    registry: Path
    allowed_signers: Path
    policy: Policy | None  # the policy the defaults came from, if one was found
    policy_path: Path | None

    @property
    def registry_in_policy(self) -> bool:
        return self.policy is not None and self.policy.devices is not None


@dataclass(frozen=True, slots=True)
class Outcome:
    summary: str
    notes: tuple[str, ...] = ()


def resolve_paths(registry: Path | None, allowed_signers: Path | None, policy_file: Path | None) -> DevicePaths:
    policy_path = policy_file if policy_file is not None else Path(POLICY_FILENAME)
    policy: Policy | None = None
    if policy_file is not None or policy_path.is_file():
        policy = load_policy_file(policy_path)
    reg = registry or (policy.devices if policy is not None and policy.devices is not None else DEFAULT_REGISTRY)
    allowed = allowed_signers or (policy.allowed_signers if policy is not None else None) or reg.parent / (
        "allowed_signers")
    return DevicePaths(reg, allowed, policy, policy_path if policy is not None else None)


def _policy_notes(paths: DevicePaths) -> tuple[str, ...]:
    if paths.registry_in_policy:
        return ()
    where = paths.policy_path or Path(POLICY_FILENAME)
    return (f"{where} does not name this registry, so `gatekeeper check` does not use it yet: add "
            f"`devices: {paths.registry.as_posix()}` to the policy",)


# -- commands -----------------------------------------------------------------------------------------------

def enroll(paths: DevicePaths, *, device_id: str, owner: str, device_class: str, managed: bool,
           ssh_key: Path | None, gpg_key: str | None, expires: dt.date | None, today: dt.date,
           run: Runner = run_process) -> Outcome:
    with registry_lock(paths.registry):
        return _enroll(paths, device_id=device_id, owner=owner, device_class=device_class, managed=managed,
                       ssh_key=ssh_key, gpg_key=gpg_key, expires=expires, today=today, run=run)


def _enroll(paths: DevicePaths, *, device_id: str, owner: str, device_class: str, managed: bool,
           ssh_key: Path | None, gpg_key: str | None, expires: dt.date | None, today: dt.date,
           run: Runner = run_process) -> Outcome:
    if (ssh_key is None) == (gpg_key is None):
        raise UsageError("pass exactly one of --ssh-key FILE.pub and --gpg-key KEYID",
                         "--ssh-key for an SSH signing key (the .pub file), --gpg-key for an OpenPGP key")
    registry = read_registry(paths.registry, missing_ok=True) or DeviceRegistry()
    notes: list[str] = []
    if ssh_key is not None:
        key_line, source = read_public_key(ssh_key), str(ssh_key)
    else:
        assert gpg_key is not None
        gnupghome = paths.policy.gpg_home if paths.policy is not None else None
        key_line, source = gpg_fingerprint(gpg_key, run=run, gnupghome=gnupghome), f"GPG key {gpg_key}"
        if paths.policy is None or paths.policy.gpg_home is None:
            notes.append("OpenPGP signatures are verified only with the keyring the policy names: set `gpg_home:` "
                         "in the policy and import this key there")
    try:
        updated = enroll_device(registry, id=device_id, owner=owner, device_class=device_class, managed=managed,
                                public_key_line=key_line, today=today, expires=expires)
    except ConfigError as exc:
        if exc.message.startswith("invalid key"):  # name the file the key came from
            raise ConfigError(f"{source}: {exc.message}", exc.fix) from None
        raise
    save_registry(paths.registry, paths.allowed_signers, updated)
    device = updated.devices[-1]
    kind = "managed" if managed else "personal"
    summary = (f"enrolled {device.id}: {device.device_class.value}, {kind}, owner {device.owner}, key "
               f"{device.keys[0].fingerprint}\nwrote {paths.registry} and {paths.allowed_signers}")
    verify = (f"so that `git verify-commit` reads the same keys: git config gpg.ssh.allowedSignersFile "
              f"{paths.allowed_signers.resolve().as_posix()}",) if ssh_key is not None else ()
    return Outcome(summary, (*notes, *_policy_notes(paths), *verify))


def revoke(paths: DevicePaths, *, device_id: str, reason: str, at: dt.datetime) -> Outcome:
    with registry_lock(paths.registry):
        return _revoke(paths, device_id=device_id, reason=reason, at=at)


def _revoke(paths: DevicePaths, *, device_id: str, reason: str, at: dt.datetime) -> Outcome:
    registry = read_registry(paths.registry, missing_ok=False)
    assert registry is not None
    try:
        updated = revoke_device(registry, device_id, at=at, reason=reason)
    except ConfigError as exc:
        raise ConfigError(f"{paths.registry}: {exc.message}", exc.fix) from None
    save_registry(paths.registry, paths.allowed_signers, updated)
    device = updated.by_id(device_id)
    assert device is not None and device.revoked_at is not None
    summary = (f"revoked {device.id} (owner {device.owner}) from {device.revoked_at:%Y-%m-%dT%H:%M:%SZ}: "
               f"{device.revoked_reason}\nits keys are untrusted for every check from then on, whatever date a "
               f"commit claims\nwrote {paths.registry} and {paths.allowed_signers}")
    return Outcome(summary, _policy_notes(paths))


def parse_timestamp(text: str) -> dt.datetime:
    """An ISO 8601 timestamp or date (a bare date is midnight UTC, no zone means UTC)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"invalid --at {text!r}", "use ISO 8601, e.g. 2026-06-01T12:00:00Z or 2026-06-01") from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def list_devices(paths: DevicePaths, *, fmt: str, now: dt.datetime) -> Outcome:
    registry = read_registry(paths.registry, missing_ok=True)
    if registry is None:
        note = f"no device registry at {paths.registry}; enrol one with `gatekeeper device enroll`"
        if fmt == "json":
            return Outcome(json.dumps({"registry": str(paths.registry), "devices": []}), (note,))
        return Outcome("", (note,))
    rows = [_device_dict(d, now) for d in registry.devices]
    if fmt == "json":
        return Outcome(json.dumps({"registry": str(paths.registry), "devices": rows}, indent=2))
    if not rows:
        return Outcome(f"{paths.registry}: no devices")
    header = ("ID", "OWNER", "CLASS", "DEVICE", "STATUS", "KEYS")
    table = [header] + [(r["id"], r["owner"], r["class"], "managed" if r["managed"] else "personal",
                         r["status"] + (f" ({r['revoked_at']})" if r["revoked_at"] else ""),
                         ", ".join(k["fingerprint"] for k in r["keys"])) for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header) - 1)]
    lines = ["  ".join(safe(str(cell)).ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
             + "  " + safe(str(row[-1])) for row in table]
    return Outcome("\n".join(lines))


def _device_dict(device: Device, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": device.id,
        "owner": device.owner,
        "class": device.device_class.value,
        "managed": device.managed,
        "status": device_status(device, now),
        "keys": [{"kind": k.kind, "type": k.key_type, "fingerprint": k.fingerprint, "comment": k.comment}
                 for k in device.keys],
        "enrolled": device.enrolled.isoformat() if device.enrolled else None,
        "expires": device.expires.isoformat() if device.expires else None,
        "revoked_at": device.revoked_at.strftime("%Y-%m-%dT%H:%M:%SZ") if device.revoked_at else None,
        "revoked_reason": device.revoked_reason,
    }

