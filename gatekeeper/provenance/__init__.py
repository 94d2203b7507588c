"""Provenance: who signed a commit, with which registered device, and whether that key is trusted now.

`allowed_signers` reads git's allowed-signers file, `devices` the device registry, `signatures`
verifies a raw commit object's signature in-process (SSH) or through an injected gpg runner
(OpenPGP). Everything is judged at the time of the check, not at the date a commit claims.
"""

from __future__ import annotations

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
