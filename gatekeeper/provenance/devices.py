"""The device registry (`.gatekeeper/devices.yml`): which signing keys belong to which device and owner.

Validated as strictly as the policy: `version: 1` is required, unknown keys and wrong types are
ConfigErrors naming the full key path (`devices[2].clas: unknown key ...`), a device id or a key may
appear only once. The registry also writes itself back (`dump_registry`, for enrol and revoke) and
derives git's allowed-signers file from its non-revoked SSH keys, so `git verify-commit` agrees with us.

Times: `enrolled`/`expires` are dates; a device is expired once the check runs after midnight UTC of
`expires` (the same instant as ssh-keygen's `valid-before="YYYYMMDDZ"` that `allowed_signers_text`
writes). `revoked_at` is a timestamp (a bare date means midnight UTC); a key is revoked from that
instant on, whatever date the commit claims.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Literal

import yaml

from gatekeeper.config import load_yaml
from gatekeeper.errors import ConfigError
from gatekeeper.identity import valid_login
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import DEVICE_CLASSES, DeviceClass
from gatekeeper.provenance.allowed_signers import (
    CERT_KEY_TYPES,
    as_utc,
    decode_key_blob,
    format_allowed_signer,
    parse_public_key_line,
    ssh_fingerprint,
)

REGISTRY_VERSION = 1
TOP_KEYS = ("version", "devices")
DEVICE_KEYS = ("id", "owner", "class", "managed", "keys", "enrolled", "expires", "revoked_at", "revoked_reason",
               "logins")
REQUIRED_DEVICE_KEYS = ("id", "owner", "class", "managed", "keys")

_ID_RE = lazy(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_EMAIL_RE = lazy(r"^[^@\s<>\",#]+@[^@\s<>\",#]+$")
_GPG_FPR_RE = lazy(r"^(?:[0-9A-Fa-f]{4}\s*){10}$")
_FIX = "see the device registry format in DESIGN.md §4 (`version: 1`, `devices:` list)"


@dataclass(frozen=True, slots=True)
class DeviceKey:
    """One key of a device: an SSH public key, or an OpenPGP key named by its fingerprint."""

    kind: Literal["ssh", "gpg"]
    key_type: str  # "ssh-ed25519", "ssh-rsa", ...; "openpgp" for a GPG key
    key_b64: str | None  # canonical base64 of the SSH key blob; None for GPG
    fingerprint: str  # "SHA256:..." for SSH; 40 upper-case hex digits for GPG
    comment: str = ""

    @property
    def line(self) -> str:
        """The key as the registry writes it."""
        if self.kind == "gpg":
            return self.fingerprint
        return f"{self.key_type} {self.key_b64}" + (f" {self.comment}" if self.comment else "")


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    owner: str  # email; the allowed-signers principal of the device's keys
    device_class: DeviceClass
    managed: bool  # False: personal / BYOD
    keys: tuple[DeviceKey, ...]
    enrolled: date | None = None
    expires: date | None = None
    revoked_at: datetime | None = None  # timezone-aware
    revoked_reason: str | None = None
    # The owner's logins on the forge (GitHub, GHES, GitLab, Gitea): what ties the pusher, merger or reviewer a
    # server or GitHub names by login to the address the device's signatures name (red150). Optional.
    logins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceRegistry:
    devices: tuple[Device, ...] = ()
    _by_fingerprint: dict[str, Device] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        index: dict[str, Device] = {}
        for device in self.devices:
            for key in device.keys:
                other = index.get(key.fingerprint)
                if other is not None and other is not device:
                    raise ValueError(f"key {key.fingerprint} is on devices {other.id!r} and {device.id!r}")
                index[key.fingerprint] = device
        object.__setattr__(self, "_by_fingerprint", index)

    def by_fingerprint(self, fingerprint: str) -> Device | None:
        """The device owning an SSH key (`SHA256:...`) or GPG key (40 hex digits, any case or spacing)."""
        if not fingerprint.startswith("SHA256:"):
            fingerprint = re.sub(r"\s", "", fingerprint).upper()
        return self._by_fingerprint.get(fingerprint)

    def owner_logins(self, device: Device) -> tuple[str, ...]:
        """Every login the registry gives the owner of `device`, on any of the owner's devices (the address
        case-folded): logins belong to a person, not a device, and a signer known by fewer of them than the
        registry holds could push or approve her own commit under the login another entry lists (red152)."""
        owner = device.owner.strip().casefold()
        found = [login for d in self.devices if d.owner.strip().casefold() == owner for login in d.logins]
        return tuple(dict.fromkeys([*device.logins, *found]))

    def by_id(self, device_id: str) -> Device | None:
        return next((d for d in self.devices if d.id == device_id), None)

    @staticmethod
    def is_revoked(device: Device, now: datetime) -> bool:
        return device.revoked_at is not None and device.revoked_at <= as_utc(now)

    @staticmethod
    def is_expired(device: Device, now: datetime) -> bool:
        return device.expires is not None and as_utc(now) > _midnight_utc(device.expires)


# -- parsing ---------------------------------------------------------------------------------------------

def load_registry(path: Path) -> DeviceRegistry:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: device registry not found",
                          "create it (`version: 1` and `devices: []`) or fix the `devices:` path in the policy",
                          ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the device registry: {exc}",
                          "make the file readable UTF-8 text") from None
    return parse_registry(text, str(path))


def parse_registry(text: str, source: str) -> DeviceRegistry:
    """Validate registry YAML; every error names `source: key.path` and what to do."""
    data = _load_yaml(text, source)
    if data is None:
        raise _fail(source, "version", "required key is missing (the file is empty)",
                    "start the file with `version: 1` and a `devices:` list")
    top = _mapping(data, source, "", TOP_KEYS, TOP_KEYS)
    version = top["version"]
    if type(version) is not int or version != REGISTRY_VERSION:
        raise _fail(source, "version", f"unsupported version {version!r} (this gatekeeper reads version 1)",
                    "set `version: 1`")
    items = top["devices"]
    if not isinstance(items, list):
        raise _fail(source, "devices", f"expected a list of devices, got {_typename(items)}",
                    "write `devices: []` for an empty registry")

    devices: list[Device] = []
    id_paths: dict[str, str] = {}
    key_paths: dict[str, tuple[str, str]] = {}  # fingerprint -> (device id, key path)
    for i, item in enumerate(items):
        path = f"devices[{i}]"
        device = _device(item, source, path)
        if device.id in id_paths:
            raise _fail(source, f"{path}.id", f"duplicate device id {device.id!r} (also {id_paths[device.id]})",
                        "give every device its own id")
        id_paths[device.id] = f"{path}.id"
        for k, key in enumerate(device.keys):
            key_path = f"{path}.keys[{k}]"
            if key.fingerprint in key_paths:
                other_id, other_path = key_paths[key.fingerprint]
                same = "twice on this device" if other_id == device.id else f"also on device {other_id!r}"
                raise _fail(source, key_path, f"key {key.fingerprint} is {same} ({other_path})",
                            "a key belongs to exactly one device; remove the duplicate")
            key_paths[key.fingerprint] = (device.id, key_path)
        devices.append(device)
    return DeviceRegistry(tuple(devices))


def _device(item: Any, source: str, path: str) -> Device:
    data = _mapping(item, source, path, DEVICE_KEYS, REQUIRED_DEVICE_KEYS)
    device_id = _string(data["id"], source, f"{path}.id")
    if not _ID_RE.match(device_id):
        raise _fail(source, f"{path}.id", f"invalid device id {device_id!r}: use letters, digits, '.', '_' and '-' "
                    "(at most 100, starting with a letter or digit)", "e.g. `pixel8-jdoe`")
    owner = _owner(data["owner"], source, f"{path}.owner")
    cls = data["class"]
    if not isinstance(cls, str) or cls not in DEVICE_CLASSES:
        raise _fail(source, f"{path}.class", f"expected one of {', '.join(DEVICE_CLASSES)}, got {cls!r}",
                    "set the class the device is")
    managed = data["managed"]
    if not isinstance(managed, bool):
        raise _fail(source, f"{path}.managed", f"expected true or false, got {_typename(managed)}",
                    "true for an organisation-managed device, false for a personal (BYOD) one")
    raw_keys = data["keys"]
    if not isinstance(raw_keys, list) or not raw_keys:
        got = "an empty list" if isinstance(raw_keys, list) else _typename(raw_keys)
        raise _fail(source, f"{path}.keys", f"expected a non-empty list of keys, got {got}",
                    "list the device's SSH public key lines or GPG fingerprints")
    keys = tuple(_key(k, source, f"{path}.keys[{n}]") for n, k in enumerate(raw_keys))
    enrolled = _date(data.get("enrolled"), source, f"{path}.enrolled")
    expires = _date(data.get("expires"), source, f"{path}.expires")
    if enrolled is not None and expires is not None and expires < enrolled:
        raise _fail(source, f"{path}.expires", f"{expires.isoformat()} is before enrolled {enrolled.isoformat()}",
                    "correct one of the two dates")
    revoked_at = _timestamp(data.get("revoked_at"), source, f"{path}.revoked_at")
    reason = data.get("revoked_reason")
    if reason is not None:
        reason = _string(reason, source, f"{path}.revoked_reason")
        if revoked_at is None:
            raise _fail(source, f"{path}.revoked_reason", "is set but revoked_at is null",
                        "set revoked_at to when the device was revoked, or remove revoked_reason")
    logins = _logins(data.get("logins"), source, f"{path}.logins")
    return Device(device_id, owner, DeviceClass(cls), managed, keys, enrolled, expires, revoked_at, reason, logins)


def _logins(value: Any, source: str, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(source, path, f"expected a list of logins, got {_typename(value)}", "e.g. `logins: [jdoe]`")
    logins: list[str] = []
    for n, item in enumerate(value):
        login = _string(item, source, f"{path}[{n}]").strip()
        if not valid_login(login) or login.endswith("[bot]"):
            raise _fail(source, f"{path}[{n}]", f"{login!r} is not a login",
                        "the owner's login on the forge: letters, digits and '-' (at most 39)")
        logins.append(login)
    return tuple(dict.fromkeys(logins))


def _key(value: Any, source: str, path: str) -> DeviceKey:
    text = _string(value, source, path).strip()
    try:
        return parse_device_key(text)
    except ValueError as exc:
        raise _fail(source, path, str(exc),
                    "use the single line of the device's .pub file (`ssh-ed25519 AAAA... comment`) "
                    "or a 40-digit GPG fingerprint") from None


def parse_device_key(text: str) -> DeviceKey:
    """An SSH public key line or a GPG fingerprint; ValueError says what is wrong."""
    text = text.strip()
    if _GPG_FPR_RE.match(text):
        return DeviceKey("gpg", "openpgp", None, re.sub(r"\s", "", text).upper())
    if "\n" in text or "\r" in text:
        raise ValueError("a key must be a single line")
    key_type, key_b64, comment = parse_public_key_line(text)
    if key_type in CERT_KEY_TYPES:
        raise ValueError(f"{key_type} is a certificate; enrol the plain public key instead")
    if not comment.isprintable():
        raise ValueError("the key comment contains control characters")
    return DeviceKey("ssh", key_type, key_b64, ssh_fingerprint(decode_key_blob(key_type, key_b64)), comment)


# -- small validators ------------------------------------------------------------------------------------

def _load_yaml(text: str, source: str) -> Any:
    return load_yaml(text, source)


def _fail(source: str, path: str, problem: str, fix: str = "") -> ConfigError:
    return ConfigError(f"{source}: {path}: {problem}", fix or _FIX)


def _mapping(value: Any, source: str, path: str, allowed: tuple[str, ...],
             required: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _fail(source, path or "(top level)", f"expected a mapping, got {_typename(value)}")
    for key in value:
        if not isinstance(key, str) or key not in allowed:
            key_path = f"{path}.{key}" if path else str(key)
            raise _fail(source, key_path, f"unknown key (expected one of: {', '.join(allowed)})",
                        "remove the key or correct its spelling")
    for key in required:
        if key not in value:
            raise _fail(source, f"{path}.{key}" if path else key, "required key is missing")
    return value


def _string(value: Any, source: str, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(source, path, f"expected a string, got {_typename(value)}")
    if not value.strip():
        raise _fail(source, path, "must not be empty")
    return value


def _owner(value: Any, source: str, path: str) -> str:
    owner = _string(value, source, path)
    if not _EMAIL_RE.match(owner):
        raise _fail(source, path, f"expected an email address, got {owner!r}", "e.g. `jdoe@example.com`")
    return owner


def _date(value: Any, source: str, path: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(source, path, f"expected a date (YYYY-MM-DD), got {_typename(value)} {value!r}")


def _timestamp(value: Any, source: str, path: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return _midnight_utc(value)
    if isinstance(value, str):
        try:
            return as_utc(datetime.fromisoformat(value))
        except ValueError:
            pass
    raise _fail(source, path, f"expected a timestamp (YYYY-MM-DDTHH:MM:SSZ) or null, got {_typename(value)} {value!r}")


def _typename(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a mapping", date: "a date", datetime: "a timestamp"}.get(type(value), type(value).__name__)


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


# -- writing and changing --------------------------------------------------------------------------------

def dump_registry(registry: DeviceRegistry) -> str:
    """YAML that `parse_registry` reads back into an equal registry."""
    devices = [
        {
            "id": d.id,
            "owner": d.owner,
            "class": d.device_class.value,
            "managed": d.managed,
            "keys": [k.line for k in d.keys],
            "enrolled": d.enrolled,
            "expires": d.expires,
            "revoked_at": d.revoked_at.astimezone(UTC) if d.revoked_at is not None else None,
            "revoked_reason": d.revoked_reason,
            **({"logins": list(d.logins)} if d.logins else {}),
        }
        for d in registry.devices
    ]
    body = yaml.safe_dump({"version": REGISTRY_VERSION, "devices": devices}, sort_keys=False,
                          default_flow_style=False, allow_unicode=True, width=100_000)
    return "# gatekeeper device registry — change it with `gatekeeper device enroll|revoke`\n" + body


def enroll_device(registry: DeviceRegistry, *, id: str, owner: str, device_class: DeviceClass | str,
                  managed: bool, public_key_line: str, today: date, expires: date | None = None) -> DeviceRegistry:
    """A registry with one more device; refuses a taken id or a key that is already enrolled."""
    if not _ID_RE.match(id):
        raise ConfigError(f"invalid device id {id!r}: use letters, digits, '.', '_' and '-' "
                          "(at most 100, starting with a letter or digit)", "e.g. `pixel8-jdoe`")
    if not _EMAIL_RE.match(owner):
        raise ConfigError(f"invalid owner {owner!r}: expected an email address", "e.g. `jdoe@example.com`")
    if str(device_class) not in DEVICE_CLASSES:
        raise ConfigError(f"invalid device class {str(device_class)!r}", f"use one of {', '.join(DEVICE_CLASSES)}")
    try:
        key = parse_device_key(public_key_line)
    except ValueError as exc:
        raise ConfigError(f"invalid key for device {id!r}: {exc}",
                          "pass the single line of the device's .pub file or a 40-digit GPG fingerprint") from None
    if expires is not None and expires < today:
        raise ConfigError(f"expiry {expires.isoformat()} is before the enrolment date {today.isoformat()}",
                          "pick an expiry date in the future")
    existing = registry.by_id(id)
    if existing is not None:
        state = "revoked" if existing.revoked_at is not None else "enrolled"
        raise ConfigError(f"device id {id!r} is already {state} (owner {existing.owner})",
                          "choose another id; ids are never reused so old verdicts stay unambiguous")
    holder = registry.by_fingerprint(key.fingerprint)
    if holder is not None:
        raise ConfigError(f"key {key.fingerprint} is already enrolled for device {holder.id!r}",
                          "a key belongs to exactly one device; generate a new key on the new device")
    device = Device(id, owner, DeviceClass(str(device_class)), managed, (key,), today, expires)
    return DeviceRegistry((*registry.devices, device))


def revoke_device(registry: DeviceRegistry, id: str, *, at: datetime, reason: str) -> DeviceRegistry:
    """A registry where device `id` is revoked from `at` on; its keys stop being trusted at once."""
    if not reason.strip():
        raise ConfigError("a revocation needs a reason", "say why, e.g. --reason 'phone lost'")
    device = registry.by_id(id)
    if device is None:
        known = ", ".join(d.id for d in registry.devices) or "none"
        raise ConfigError(f"no device with id {id!r} (enrolled: {known})", "check the device id")
    if device.revoked_at is not None:
        raise ConfigError(f"device {id!r} is already revoked since {device.revoked_at.isoformat()}",
                          "nothing to do; a revocation cannot be moved")
    revoked = dataclasses.replace(device, revoked_at=as_utc(at), revoked_reason=reason.strip())
    return DeviceRegistry(tuple(revoked if d.id == id else d for d in registry.devices))


def allowed_signers_text(registry: DeviceRegistry) -> str:
    """git's allowed-signers file for every SSH key of every device that has no revocation.

    Principal = owner, namespaces="git"; an `expires` date becomes valid-before (midnight UTC), so
    ssh-keygen and gatekeeper stop trusting the key at the same instant (ssh-keygen measured against the
    committer date, gatekeeper against the time of the check). A device with any `revoked_at` — even one
    in the future — is left out: git has no way to express "revoked from then on" for past commits.
    """
    lines = ["# generated by gatekeeper from the device registry; edit the registry, not this file"]
    for device in registry.devices:
        if device.revoked_at is not None:
            continue
        for key in device.keys:
            if key.kind != "ssh":
                continue
            line = format_allowed_signer(device.owner, key.line)
            if device.expires is not None:
                line = line.replace(' namespaces="git" ',
                                    f' namespaces="git",valid-before="{device.expires:%Y%m%d}Z" ', 1)
            lines.append(f"# device: {device.id}")
            lines.append(line)
    return "\n".join(lines) + "\n"
