"""Keys and DSSE envelopes: the gate's own signing key in, signed in-toto statements out, and back.

Signing and verification go through securesystemslib (DSSE, PAE, key ids) with keys loaded by
`cryptography`: ed25519, ECDSA or RSA, as PEM (PKCS#8 / SubjectPublicKeyInfo) or as an OpenSSH key
the server already holds. The key id in each signature is securesystemslib's (a digest of the
public key), so a verifier can tell which key signed.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import CryptoSigner, Key, SSlibKey  # type: ignore[attr-defined]

from gatekeeper.errors import ConfigError

PAYLOAD_TYPE = "application/vnd.in-toto+json"
MAX_KEY_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class SignedStatement:
    statement: dict[str, Any]
    envelope: dict[str, Any]  # DSSE JSON: payload, payloadType, signatures[{keyid, sig}]

    @property
    def digest(self) -> str:
        return envelope_digest(self.envelope)


def envelope_digest(envelope: dict[str, Any]) -> str:
    """sha256 over the envelope's canonical JSON: what a successor's provenance links to."""
    return hashlib.sha256(json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _read_key_file(path: Path, what: str) -> bytes:
    try:
        if path.is_symlink():
            raise ConfigError(f"{what} {path} is a symlink", "point at the key file itself")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}",
                          "check the path and that the hook's user can read it") from exc
    if len(data) > MAX_KEY_BYTES:
        raise ConfigError(f"{what} {path} is larger than {MAX_KEY_BYTES} bytes", "name a single key file")
    return data


def load_signer(path: Path) -> CryptoSigner:
    """The gate's signing key: a PEM (PKCS#8) or OpenSSH private key without a passphrase."""
    data = _read_key_file(path, "attestation signing key")
    key: object
    try:
        if b"BEGIN OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, Exception) as exc:  # cryptography raises several types for bad keys
        raise ConfigError(f"attestation signing key {path} could not be loaded: {type(exc).__name__}",
                          "use an unencrypted ed25519, ECDSA or RSA key (PEM/PKCS#8 or OpenSSH)") from exc
    if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ConfigError(f"attestation signing key {path} has an unsupported type",
                          "use an ed25519, ECDSA or RSA key")
    return CryptoSigner(key)


def public_key_from_bytes(data: bytes, origin: str) -> SSlibKey:
    text = data.strip()
    pub: object
    try:
        if text.startswith((b"ssh-", b"ecdsa-")):
            pub = serialization.load_ssh_public_key(text.splitlines()[0])
        elif b"PRIVATE KEY" in text:
            raise ConfigError(f"{origin} is a private key", "give the verifier the public key only")
        else:
            pub = serialization.load_pem_public_key(text)
    except ConfigError:
        raise
    except (ValueError, TypeError, Exception) as exc:
        raise ConfigError(f"{origin} is not a public key gatekeeper can read ({type(exc).__name__})",
                          "use a PEM public key or an OpenSSH public key line") from exc
    if not isinstance(pub, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise ConfigError(f"{origin} has an unsupported key type", "use an ed25519, ECDSA or RSA key")
    return SSlibKey.from_crypto(pub)


def load_public_key(path: Path) -> SSlibKey:
    """A verifier's trusted key: a public key file, or the public half of a private key file."""
    data = _read_key_file(path, "attestation key")
    if b"PRIVATE KEY" in data:
        key: SSlibKey = load_signer(path).public_key
        return key
    return public_key_from_bytes(data, f"attestation key {path}")


def sign_statement(statement: dict[str, Any], signer: CryptoSigner) -> SignedStatement:
    payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
    envelope = Envelope(payload=payload, payload_type=PAYLOAD_TYPE, signatures={})
    envelope.sign(signer)
    return SignedStatement(statement=statement, envelope=envelope.to_dict())


class EnvelopeError(Exception):
    """An envelope that is malformed or whose signature does not verify; the message says which."""


def open_envelope(envelope: object, keys: Sequence[Key]) -> tuple[dict[str, Any], list[str]]:
    """The verified statement and the key ids that signed it; EnvelopeError otherwise."""
    if not isinstance(envelope, dict):
        raise EnvelopeError("not a DSSE envelope (expected a JSON object)")
    try:
        parsed = Envelope.from_dict(copy.deepcopy(envelope))  # from_dict consumes the dict it is given
    except (KeyError, TypeError, ValueError, Exception) as exc:
        raise EnvelopeError(f"malformed DSSE envelope ({type(exc).__name__})") from exc
    if parsed.payload_type != PAYLOAD_TYPE:
        raise EnvelopeError(f"unexpected payloadType {str(parsed.payload_type)[:80]!r}")
    if not keys:
        raise EnvelopeError("no trusted key to verify with")
    try:
        accepted = parsed.verify(list(keys), 1)
    except VerificationError as exc:
        ids = ", ".join(sorted(str(s.keyid)[:16] for s in parsed.signatures.values())) or "none"
        raise EnvelopeError(f"signature does not verify with the trusted key(s) (signed by key id {ids})") from exc
    try:
        statement = json.loads(parsed.payload)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise EnvelopeError("the signed payload is not JSON") from exc
    if not isinstance(statement, dict):
        raise EnvelopeError("the signed payload is not a JSON object")
    return statement, sorted(accepted)


def decode_payload_unverified(envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The statement inside an envelope WITHOUT checking its signature: for display of a bad note only."""
    try:
        data = json.loads(base64.b64decode(str(envelope.get("payload", "")), validate=True))
    except (ValueError, TypeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
