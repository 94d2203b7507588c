"""Provenance: who signed a commit, with which registered device, and whether that key is trusted now.

`allowed_signers` reads git's allowed-signers file, `devices` the device registry, `signatures`
verifies a raw commit object's signature in-process (SSH) or through an injected gpg runner
(OpenPGP). Everything is judged at the time of the check, not at the date a commit claims.

The names below load on first use (PEP 562): a check that needs only the allowed-signers patterns must
not pay for `signatures`' SSH and OpenPGP stack (sshsig, cryptography) when the package is imported.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gatekeeper.provenance.allowed_signers import (
        AllowedSigner,
        AllowedSignersFile,
        format_allowed_signer,
        load_allowed_signers,
        parse_allowed_signers,
        principals_for_key,
        read_allowed_signers,
        signers_for_key,
        ssh_fingerprint,
    )
    from gatekeeper.provenance.devices import (
        Device,
        DeviceKey,
        DeviceRegistry,
        allowed_signers_text,
        dump_registry,
        enroll_device,
        load_registry,
        parse_registry,
        revoke_device,
    )
    from gatekeeper.provenance.signatures import (
        OpenPGPVerifier,
        Runner,
        openpgp_verifier,
        parse_gpg_status,
        signature_format,
        split_signature,
        verify_commit,
        verify_openpgp,
        verify_ssh,
    )

_HOME = {
    "AllowedSigner": "allowed_signers",
    "AllowedSignersFile": "allowed_signers",
    "format_allowed_signer": "allowed_signers",
    "load_allowed_signers": "allowed_signers",
    "parse_allowed_signers": "allowed_signers",
    "principals_for_key": "allowed_signers",
    "read_allowed_signers": "allowed_signers",
    "signers_for_key": "allowed_signers",
    "ssh_fingerprint": "allowed_signers",
    "Device": "devices",
    "DeviceKey": "devices",
    "DeviceRegistry": "devices",
    "allowed_signers_text": "devices",
    "dump_registry": "devices",
    "enroll_device": "devices",
    "load_registry": "devices",
    "parse_registry": "devices",
    "revoke_device": "devices",
    "OpenPGPVerifier": "signatures",
    "Runner": "signatures",
    "openpgp_verifier": "signatures",
    "parse_gpg_status": "signatures",
    "signature_format": "signatures",
    "split_signature": "signatures",
    "verify_commit": "signatures",
    "verify_openpgp": "signatures",
    "verify_ssh": "signatures",
}

__all__ = [
    "AllowedSigner",
    "AllowedSignersFile",
    "Device",
    "DeviceKey",
    "DeviceRegistry",
    "OpenPGPVerifier",
    "Runner",
    "allowed_signers_text",
    "dump_registry",
    "enroll_device",
    "format_allowed_signer",
    "load_allowed_signers",
    "load_registry",
    "openpgp_verifier",
    "parse_allowed_signers",
    "parse_gpg_status",
    "parse_registry",
    "principals_for_key",
    "read_allowed_signers",
    "revoke_device",
    "signature_format",
    "signers_for_key",
    "split_signature",
    "ssh_fingerprint",
    "verify_commit",
    "verify_openpgp",
    "verify_ssh",
]


def _load(home: str | None) -> ModuleType | None:
    # Plain import statements, not importlib: tests/test_architecture.py sees these edges (and any cycle).
    if home == "allowed_signers":
        import gatekeeper.provenance.allowed_signers as allowed_signers

        return allowed_signers
    if home == "devices":
        import gatekeeper.provenance.devices as devices

        return devices
    if home == "signatures":
        import gatekeeper.provenance.signatures as signatures

        return signatures
    return None


def __getattr__(name: str) -> Any:
    module = _load(_HOME.get(name))
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value  # loaded once; an ordinary module attribute from now on
    return value
