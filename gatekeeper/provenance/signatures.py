"""Commit signature verification, in-process for SSH and through an injected runner for OpenPGP.

Input is the raw commit object (`git cat-file commit`). We cut it into signature and signed payload
exactly as git's `parse_buffer_signed_by_header` does, pick the format from the armor, verify SSH
signatures (SSHSIG, namespace "git") in this process with the `sshsig` package, and decide trust from
the allowed-signers entries and the device registry. Every byte of the object is hostile: malformed
input yields BAD or ERROR with a detail, never an exception and never GOOD.

One deliberate divergence from git: git (through `ssh-keygen -Overify-time`) judges `valid-after` /
`valid-before` at the committer date, which the signer writes themselves, so a backdated commit slips
past an expired or revoked key. We judge every validity window, device expiry and revocation at `now`,
the time of the push or check.
"""

from __future__ import annotations

import binascii
import dataclasses
import hashlib
import struct
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import sshsig
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from gatekeeper.lazy_regex import lazy
from gatekeeper.models import SignatureInfo, SignatureStatus
from gatekeeper.provenance.allowed_signers import AllowedSigner, as_utc, ssh_fingerprint
from gatekeeper.provenance.devices import DeviceRegistry
from gatekeeper.provenance.openpgp import NO_FORGE_KEYS, ForgeKeys, read_issuer, verify_forge_openpgp

Runner = Callable[[list[str], bytes | None], tuple[int, bytes, bytes]]
"""`run(argv, stdin) -> (returncode, stdout, stderr)`: the process runner the git layer supplies."""

OpenPGPVerifier = Callable[[bytes, bytes], SignatureInfo]
"""`verify(signature, payload) -> SignatureInfo`, e.g. `openpgp_verifier(run, gnupghome)`."""

NAMESPACE = "git"
SSH_BEGIN = b"-----BEGIN SSH SIGNATURE-----"
SSH_END = b"-----END SSH SIGNATURE-----"
# git's gpg-interface.c prefixes, in its order.
ARMOR_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"-----BEGIN PGP SIGNATURE-----", "openpgp"),
    (b"-----BEGIN PGP MESSAGE-----", "openpgp"),
    (b"-----BEGIN SIGNED MESSAGE-----", "x509"),
    (SSH_BEGIN, "ssh"),
)
SUPPORTED_SSH_KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                           "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")
_RSA_MIN_BITS = 1024  # OpenSSH's SSH_RSA_MINIMUM_MODULUS_SIZE
_RSA_MAX_BITS = 16384  # OpenSSH's SSHBUF_MAX_BIGNUM; bigger keys would only serve to slow us down
_MAX_KEY_BLOB = 4096  # bytes; a 16384-bit RSA key is ~2 KiB. Bounds the key cache against hostile blobs
_SHA256_TREE = lazy(rb"tree [0-9a-f]{64}\n")

_S = SignatureStatus


# -- splitting -------------------------------------------------------------------------------------------

def split_signature(raw: bytes) -> tuple[bytes | None, bytes, str | None]:
    """(signature, signed payload, problem) of a raw commit object, cut exactly as git cuts it.

    The payload is the object without the signature header of the repository's hash (`gpgsig`, or
    `gpgsig-sha256` in a SHA-256 repository) and without any other `gpgsig*` header, each with its
    continuation lines. `problem` is set when the object is not signed the way one signer signs a
    commit (two signature headers); such a commit must never count as good.
    """
    header = b"gpgsig-sha256" if _SHA256_TREE.match(raw) else b"gpgsig"
    prefix = header + b" "
    end = raw.find(b"\n\n")
    if raw.startswith(b"\n"):
        head, body = b"", raw
    elif end >= 0:
        head, body = raw[: end + 1], raw[end + 1 :]
    else:
        head, body = raw, b""

    signature: list[bytes] = []
    payload: list[bytes] = []
    headers = 0
    in_signature = other_signature = False
    lines = head.split(b"\n")
    for index, piece in enumerate(lines):
        if index == len(lines) - 1:
            if not piece:
                break
            line = piece  # the object ends without a newline
        else:
            line = piece + b"\n"
        if in_signature and line.startswith(b" "):
            signature.append(line[1:])
            continue
        if line.startswith(prefix):
            signature.append(line[len(prefix) :])
            headers += 1
            in_signature, other_signature = True, False
            continue
        if line.startswith(b"gpgsig"):
            other_signature = True
        elif other_signature and not line.startswith(b" "):
            other_signature = False
        in_signature = False
        if not other_signature:
            payload.append(line)
    payload.append(body)
    problem = None
    if headers > 1:
        problem = (f"the commit has {headers} {header.decode()} headers; one signer signs a commit once, "
                   "so this object was assembled by hand")
    return (b"".join(signature) if headers else None), b"".join(payload), problem


def signature_format(signature: bytes) -> str | None:
    """"ssh", "openpgp", "x509" from the armor's first line, as git decides; None if unknown."""
    for prefix, name in ARMOR_FORMATS:
        if signature.startswith(prefix):
            return name
    return None


# -- the entry point -------------------------------------------------------------------------------------

NO_KEYRING = "not checked: no GnuPG keyring is configured (policy gpg_home)"


def verify_commit(raw: bytes, *, signers: Sequence[AllowedSigner], now: datetime,
                  registry: DeviceRegistry | None = None, gpg: OpenPGPVerifier | None = None,
                  forge: ForgeKeys = NO_FORGE_KEYS, forge_gpg: OpenPGPVerifier | None = None,
                  forge_history: bool = False) -> SignatureInfo:
    """The signature status of one raw commit object, judged at `now`.

    SSH: GOOD when a listed key for namespace "git" signed it and the entry is valid at `now`;
    UNTRUSTED for a valid signature by an unlisted key; EXPIRED outside valid-after/valid-before;
    BAD when it does not verify. A forge's own key (`forge`: GitHub web-flow, GitLab web commits) is
    GOOD with `forge` set. Other OpenPGP signatures go to `gpg`; without one they are UNTRUSTED with
    the NO_KEYRING detail (reported once per run by the caller, not as an error per commit). x509 is
    ERROR. With a registry, a signing key of a device revoked at or before `now` makes it REVOKED and
    of an expired device EXPIRED, and `device_id` names the device of any signature that verifies.
    A forge's OpenPGP key is judged at `now` too, unless `forge_history` (the audit: verify_forge_openpgp).
    """
    try:
        signature, payload, problem = split_signature(raw)
        if signature is None:
            return SignatureInfo(_S.UNSIGNED, detail="the commit has no signature")
        fmt = signature_format(signature)
        if problem is not None:
            return SignatureInfo(_S.BAD, fmt, detail=problem)
        if fmt == "ssh":
            info = verify_ssh(signature, payload, signers=signers, now=now, forge=forge)
        elif fmt == "openpgp":
            forge_now = None if forge_history else int(now.timestamp())
            info = _verify_openpgp(signature, payload, gpg, forge, forge_gpg, forge_now)
        elif fmt == "x509":
            return SignatureInfo(_S.ERROR, "x509", detail=f"unsupported signature format{x509_claim(signature)}")
        else:
            return SignatureInfo(_S.BAD, None, detail="unrecognised signature armor (not SSH, OpenPGP or x509)")
        if info.detail.endswith(NO_KEYRING):
            return info  # never checked: the issuer it names is a claim, not a key that verified anything
        return _apply_registry(info, registry, now)
    except Exception as exc:  # hostile input must never crash the gate, and never pass it
        return SignatureInfo(_S.ERROR, detail=f"could not verify the signature: {type(exc).__name__}: {exc}")


def _verify_openpgp(signature: bytes, payload: bytes, gpg: OpenPGPVerifier | None, forge: ForgeKeys,
                    forge_gpg: OpenPGPVerifier | None, forge_now: int | None) -> SignatureInfo:
    issued = read_issuer(signature)  # dearmored once: the forge check and the issuer below read the same
    info = verify_forge_openpgp(signature, payload, forge, forge_now, issued)
    if info is not None:
        return info
    issuer = issued.issuer
    key = forge.by_key_id(issuer[-16:]) if issuer else None
    if key is not None and forge_gpg is not None:
        # A forge key's signature this process does not parse itself: gpg with only the forge keys decides.
        # Those keys are trusted by being shipped, not by a trustdb: a valid signature is good.
        checked = forge_gpg(signature, payload)
        status = _S.GOOD if checked.status is _S.UNTRUSTED else checked.status
        detail = f"verified ({key.label})" if status is _S.GOOD else checked.detail
        return dataclasses.replace(checked, status=status, signer=key.label.replace("github", "GitHub"),
                                   forge=key.forge, detail=detail)
    if gpg is not None:
        return gpg(signature, payload)
    return SignatureInfo(_S.UNTRUSTED, "openpgp", key=issuer,
                         detail=f"OpenPGP signature by key {issuer or '(unnamed)'} {NO_KEYRING}")


def _apply_registry(info: SignatureInfo, registry: DeviceRegistry | None, now: datetime) -> SignatureInfo:
    if registry is None or info.key is None or info.status in (_S.BAD, _S.ERROR, _S.UNSIGNED):
        return info
    device = registry.by_fingerprint(info.key)
    if device is None:
        return info
    info = dataclasses.replace(info, device_id=device.id, logins=registry.owner_logins(device))
    if device.revoked_at is not None and registry.is_revoked(device, now):
        reason = f" ({device.revoked_reason})" if device.revoked_reason else ""
        return dataclasses.replace(
            info, status=_S.REVOKED, signer=info.signer or device.owner,
            detail=f"key of device {device.id!r} was revoked at {device.revoked_at:%Y-%m-%dT%H:%M:%SZ}{reason}")
    if info.status is _S.GOOD and registry.is_expired(device, now):
        return dataclasses.replace(info, status=_S.EXPIRED,
                                   detail=f"device {device.id!r} expired on {device.expires}")
    if info.status is _S.UNTRUSTED:
        return dataclasses.replace(info, detail=f"{info.detail} (the key is registered to device {device.id!r})")
    return info


_X509_ISSUER = "1.3.6.1.4.1.57264.1.1"  # Fulcio's OIDC issuer extension (the v1 one: raw bytes, no DER string)
_CLAIM_TEXT = lazy(r"[\x21-\x7e]{1,120}")


def x509_claim(signature: bytes) -> str:
    """What an x509 signature's first certificate says of its signer, for the detail only: `" (gitsign certificate
    for jane@example.com via https://accounts.google.com; not verified)"`, or "" when nothing printable can be read.

    Nothing is verified (a certificate in a signature is whatever its writer put there), so the claim is never the
    signer and binds to no author; it tells a reader gitsign's keyless signatures (Fulcio-issued, sig161: 3,157
    commits of sigstore/gitsign, sigstore/cosign and chainguard-dev/melange) from an S/MIME certificate's, and who
    they claim to be."""
    if len(signature) > 64 * 1024:
        return ""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import pkcs7

        lines = signature.replace(b"\r\n", b"\n").split(b"\n")
        body = b"".join(line.strip() for line in lines[1:] if line.strip() and not line.startswith(b"-----"))
        certificates = pkcs7.load_der_pkcs7_certificates(binascii.a2b_base64(body))
        if not certificates:
            return ""
        cert = certificates[0]
        names: list[str] = []
        try:
            alternative = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = [str(v) for v in alternative.get_values_for_type(x509.RFC822Name)]
            names += [str(v) for v in alternative.get_values_for_type(x509.UniformResourceIdentifier)]
        except x509.ExtensionNotFound:
            pass
        if not names:
            names = [str(a.value) for a in cert.subject]
        issuer = ""
        for extension in cert.extensions:
            if extension.oid.dotted_string == _X509_ISSUER and isinstance(extension.value, x509.UnrecognizedExtension):
                issuer = extension.value.value.decode("ascii", "replace")
        organisation = [str(a.value) for a in cert.issuer if a.oid == x509.NameOID.ORGANIZATION_NAME]
    except Exception:
        return ""
    shown = [n for n in names if _CLAIM_TEXT.fullmatch(n)][:1]
    if not shown:
        return ""
    kind = "gitsign certificate" if organisation == ["sigstore.dev"] else "certificate"
    via = f" via {issuer}" if _CLAIM_TEXT.fullmatch(issuer) else ""
    return f" ({kind} for {shown[0]}{via}; not verified)"


# -- SSH -------------------------------------------------------------------------------------------------

class _Malformed(Exception):
    """Structurally invalid signature data."""


class _Reader:
    """Bounds-checked reader of SSH wire-format fields."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    def uint32(self) -> int:
        if self.offset + 4 > len(self.data):
            raise _Malformed("truncated")
        (value,) = struct.unpack_from(">I", self.data, self.offset)
        self.offset += 4
        return int(value)

    def string(self) -> bytes:
        length = self.uint32()
        if self.offset + length > len(self.data):
            raise _Malformed("truncated")
        value = self.data[self.offset : self.offset + length]
        self.offset += length
        return value

    def mpint(self) -> int:
        value = self.string()
        if value and value[0] & 0x80:
            raise _Malformed("negative integer")
        return int.from_bytes(value, "big")

    def byte(self) -> int:
        if self.offset + 1 > len(self.data):
            raise _Malformed("truncated")
        self.offset += 1
        return self.data[self.offset - 1]

    def done(self) -> None:
        if self.offset != len(self.data):
            raise _Malformed("trailing data")


@dataclass(frozen=True, slots=True)
class _SshSig:
    public_key: bytes
    namespace: bytes
    hash_algo: bytes
    signature: bytes


def _dearmor(signature: bytes) -> bytes:
    """The SSHSIG blob of an armored signature, accepting exactly what `ssh-keygen -Y verify` accepts.

    OpenSSH's sshsig_dearmor: the text must start with the BEGIN line and its newline; the body runs to
    the first END marker at the start of a line; whatever follows that marker is ignored (git hands over
    the header with its trailing blank continuation line, GitHub's clients add one); the body is decoded
    by b64_pton, which skips whitespace anywhere but rejects any other stray character, missing or
    surplus padding and non-zero trailing bits.
    """
    begin = SSH_BEGIN + b"\n"
    if not signature.startswith(begin):
        raise _Malformed("the armor does not start with its BEGIN line")
    end = signature.find(b"\n" + SSH_END, len(begin))
    if end < 0:
        raise _Malformed("the armor has no END line")
    return _b64_pton(signature[len(begin) : end + 1])


_B64_ALPHABET = lazy(rb"[A-Za-z0-9+/]*")
_B64_SPACE = b" \t\n\r\v\f"  # C isspace() in the C locale


def _b64_pton(text: bytes) -> bytes:
    """OpenBSD's b64_pton, as OpenSSH uses it: whitespace skipped, padding and trailing bits strict."""
    compact = text.translate(None, _B64_SPACE)
    data = compact.rstrip(b"=")
    pads = len(compact) - len(data)
    if not _B64_ALPHABET.fullmatch(data):
        raise _Malformed("the armor body is not base64")
    tail = len(data) % 4
    if (tail, pads) not in ((0, 0), (2, 2), (3, 1)):
        raise _Malformed("the armor body is not base64 (bad length or padding)")
    # The bits past the last whole byte must be zero (b64_pton checks them; binascii does not).
    if tail and _B64_VALUE[data[-1]] & (0x0F if tail == 2 else 0x03):
        raise _Malformed("the armor body is not base64 (non-zero trailing bits)")
    return binascii.a2b_base64(data + b"=" * pads, strict_mode=True)


_B64_VALUE = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def _parse_sshsig(blob: bytes) -> _SshSig:
    if not blob.startswith(b"SSHSIG"):
        raise _Malformed("the blob does not start with SSHSIG")
    reader = _Reader(blob, 6)
    version = reader.uint32()
    if version != 1:
        raise _Malformed(f"unsupported SSHSIG version {version}")
    public_key = reader.string()
    namespace = reader.string()
    reader.string()  # reserved; OpenSSH ignores it and signs an empty one
    hash_algo = reader.string()
    sig = reader.string()
    reader.done()
    return _SshSig(public_key, namespace, hash_algo, sig)


class _Key(Protocol):
    def verify(self, signature: bytes, data: bytes) -> bool: ...


class _SshsigKey:
    """Ed25519 and RSA through the sshsig package, after checking the signature's own algorithm."""

    def __init__(self, key: sshsig.PublicKey, algorithms: tuple[bytes, ...]) -> None:
        self._key = key
        self._algorithms = algorithms

    def verify(self, signature: bytes, data: bytes) -> bool:
        reader = _Reader(signature)
        algorithm = reader.string()
        inner = reader.string()
        reader.done()
        if algorithm not in self._algorithms:  # e.g. ssh-rsa (SHA-1), which OpenSSH refuses here
            return False
        if algorithm == b"ssh-ed25519":
            canonical = _ed25519_as_openssh(inner)
            if canonical is None:
                return False
            signature = _string(algorithm) + _string(canonical)
        return self._key.do_verify(signature, data) is None


_ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493


def _ed25519_as_openssh(signature: bytes) -> bytes | None:
    """An Ed25519 signature as OpenSSH's verifier (ref10) takes it: any S under 2^253 (only the top three bits are
    checked), which OpenSSL refuses unless S is under the group's order. S and S + L sign alike: the S that OpenSSL
    reads is given (red121: a good signature rewritten with S + L was `bad` here, `G` to git). None: OpenSSH refuses
    it too."""
    if len(signature) != 64 or signature[63] & 0xE0:
        return None
    scalar = int.from_bytes(signature[32:], "little") % _ED25519_ORDER
    return signature[:32] + scalar.to_bytes(32, "little")


class _EcdsaKey:
    """ECDSA (NIST curves), which sshsig 0.3 lacks; the curve key type is common on phones' keystores."""

    CURVES: dict[str, tuple[bytes, ec.EllipticCurve, type[hashes.HashAlgorithm]]] = {
        "ecdsa-sha2-nistp256": (b"nistp256", ec.SECP256R1(), hashes.SHA256),
        "ecdsa-sha2-nistp384": (b"nistp384", ec.SECP384R1(), hashes.SHA384),
        "ecdsa-sha2-nistp521": (b"nistp521", ec.SECP521R1(), hashes.SHA512),
    }

    def __init__(self, key_type: str, point: bytes) -> None:
        _name, curve, self._hash = self.CURVES[key_type]
        self._algorithm = key_type.encode()
        self._key = ec.EllipticCurvePublicKey.from_encoded_point(curve, point)

    def verify(self, signature: bytes, data: bytes) -> bool:
        reader = _Reader(signature)
        algorithm = reader.string()
        inner = _Reader(reader.string())
        reader.done()
        r, s = inner.mpint(), inner.mpint()
        inner.done()
        if algorithm != self._algorithm:
            return False
        try:
            self._key.verify(encode_dss_signature(r, s), data, ec.ECDSA(self._hash()))
        except InvalidSignature:
            return False
        return True


class _SecurityKey:
    """A FIDO security key (`sk-ssh-ed25519@openssh.com`, `sk-ecdsa-sha2-nistp256@openssh.com`: a YubiKey's, as
    `ssh-keygen -t ed25519-sk` makes it). The authenticator does not sign the data itself but
    sha256(application) || flags || counter || sha256(data), the flags and counter following the signature
    (OpenSSH's ssh-ed25519-sk.c and ssh-ecdsa-sk.c). `ssh-keygen -Y verify`, which git runs, accepts a signature
    whose user-presence flag is clear (a key made `no-touch-required`; OpenSSH 9.2, tried): so does this — the
    signature is still the hardware key's."""

    def __init__(self, key_type: str, application: bytes, *, ed25519: bytes | None = None,
                 point: bytes | None = None) -> None:
        self._algorithm = key_type.encode()
        self._application = hashlib.sha256(application).digest()
        self._ed25519 = Ed25519PublicKey.from_public_bytes(ed25519) if ed25519 is not None else None
        self._ecdsa = (ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
                       if point is not None else None)

    def verify(self, signature: bytes, data: bytes) -> bool:
        reader = _Reader(signature)
        algorithm = reader.string()
        inner = reader.string()
        flags = reader.byte()
        counter = reader.uint32()
        reader.done()
        if algorithm != self._algorithm:
            return False
        signed = self._application + bytes((flags,)) + struct.pack(">I", counter) + hashlib.sha256(data).digest()
        try:
            if self._ed25519 is not None:
                canonical = _ed25519_as_openssh(inner)
                if canonical is None:
                    return False
                self._ed25519.verify(canonical, signed)
            else:
                assert self._ecdsa is not None
                values = _Reader(inner)
                r, s = values.mpint(), values.mpint()
                values.done()
                self._ecdsa.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True


def _uncompressed(point: bytes, size: int) -> bytes:
    """An ECDSA public point as OpenSSH reads it: uncompressed (0x04, x, y) only — a compressed point is no key to it
    (sshbuf_get_eckey), whereas cryptography would read one (red121: git said bad, the gate good)."""
    if len(point) != 1 + 2 * size or point[0] != 4:
        raise _Malformed("the ECDSA point is not in uncompressed form")
    return point


def _application(value: bytes) -> bytes:
    """A security key's application string, which OpenSSH reads as a C string: one holding a NUL is no key."""
    if b"\x00" in value:
        raise _Malformed("the security key's application holds a NUL")
    return value


@dataclass(frozen=True, slots=True)
class _LoadedKey:
    fingerprint: str
    key_type: str
    key: _Key | None
    error: str | None
    malformed: bool = False  # the blob is garbage (BAD), not merely a type we cannot check (ERROR)


@lru_cache(maxsize=4096)
def _load_key(blob: bytes) -> _LoadedKey:
    """Parse a public key blob once; hostile blobs give an error, never an exception."""
    fingerprint = ssh_fingerprint(blob)
    try:
        reader = _Reader(blob)
        key_type = reader.string().decode("ascii")
    except (_Malformed, UnicodeDecodeError):
        return _LoadedKey(fingerprint, "?", None, "malformed SSH signature: malformed public key", True)
    if key_type not in SUPPORTED_SSH_KEY_TYPES:
        shown = key_type if key_type.isprintable() and len(key_type) <= 64 else "?"
        return _LoadedKey(fingerprint, shown, None, f"unsupported SSH key type {shown!r} "
                          f"(supported: {', '.join(SUPPORTED_SSH_KEY_TYPES)})")
    try:
        key: _Key
        if key_type == "ssh-ed25519":
            if len(reader.string()) != 32:
                raise _Malformed("bad Ed25519 key length")
            reader.done()
            key = _SshsigKey(sshsig.PublicKey.from_ssh_encoding(blob), (b"ssh-ed25519",))
        elif key_type == "ssh-rsa":
            reader.mpint()
            modulus = reader.mpint()
            reader.done()
            bits = modulus.bit_length()
            if not _RSA_MIN_BITS <= bits <= _RSA_MAX_BITS:
                return _LoadedKey(fingerprint, key_type, None, f"RSA key of {bits} bits is outside what OpenSSH "
                                                               f"accepts ({_RSA_MIN_BITS}-{_RSA_MAX_BITS})")
            key = _SshsigKey(sshsig.PublicKey.from_ssh_encoding(blob), (b"rsa-sha2-256", b"rsa-sha2-512"))
        elif key_type == "sk-ssh-ed25519@openssh.com":
            public = reader.string()
            application = reader.string()
            reader.done()
            if len(public) != 32:
                raise _Malformed("bad Ed25519 key length")
            key = _SecurityKey(key_type, _application(application), ed25519=public)
        elif key_type == "sk-ecdsa-sha2-nistp256@openssh.com":
            curve = reader.string()
            point = reader.string()
            application = reader.string()
            reader.done()
            if curve != b"nistp256":
                raise _Malformed("curve does not match the key type")
            key = _SecurityKey(key_type, _application(application), point=_uncompressed(point, 32))
        else:
            curve = reader.string()
            point = reader.string()
            reader.done()
            if curve != _EcdsaKey.CURVES[key_type][0]:
                raise _Malformed("curve does not match the key type")
            key = _EcdsaKey(key_type, _uncompressed(point, {"ecdsa-sha2-nistp256": 32, "ecdsa-sha2-nistp384": 48,
                                                            "ecdsa-sha2-nistp521": 66}[key_type]))
    except Exception:
        return _LoadedKey(fingerprint, key_type, None, f"malformed SSH signature: malformed {key_type} public key",
                          True)
    return _LoadedKey(fingerprint, key_type, key, None)


def verify_ssh(signature: bytes, payload: bytes, *, signers: Sequence[AllowedSigner], now: datetime,
               forge: ForgeKeys = NO_FORGE_KEYS) -> SignatureInfo:
    """Verify one armored SSH signature over `payload` and decide trust from `signers` at `now`."""
    try:
        sig = _parse_sshsig(_dearmor(signature))
    except _Malformed as exc:
        return SignatureInfo(_S.BAD, "ssh", detail=f"malformed SSH signature: {exc}")
    if len(sig.public_key) > _MAX_KEY_BLOB:
        return SignatureInfo(_S.BAD, "ssh", detail="malformed SSH signature: oversized public key")
    loaded = _load_key(sig.public_key)
    if sig.namespace != NAMESPACE.encode():
        shown = sig.namespace.decode("ascii", "replace")
        return SignatureInfo(_S.BAD, "ssh", key=loaded.fingerprint,
                             detail=f"the signature is for namespace {shown!r}, not {NAMESPACE!r}")
    if sig.hash_algo not in (b"sha256", b"sha512"):
        return SignatureInfo(_S.BAD, "ssh", key=loaded.fingerprint,
                             detail="the signature uses a hash algorithm other than sha256/sha512")
    if loaded.key is None:
        return SignatureInfo(_S.BAD if loaded.malformed else _S.ERROR, "ssh", key=loaded.fingerprint,
                             detail=loaded.error or "unusable key")
    digest = hashlib.new(sig.hash_algo.decode(), payload).digest()
    signed = b"SSHSIG" + _string(sig.namespace) + _string(b"") + _string(sig.hash_algo) + _string(digest)
    try:
        valid = loaded.key.verify(sig.signature, signed)
    except Exception:
        valid = False
    if not valid:
        return SignatureInfo(_S.BAD, "ssh", key=loaded.fingerprint,
                             detail="the signature does not match the commit (modified after signing, or forged)")
    forge_key = forge.ssh_key(binascii.b2a_base64(sig.public_key, newline=False).decode("ascii")) if forge.ssh else None
    if forge_key is not None:
        return SignatureInfo(_S.GOOD, "ssh", signer=forge_key.principal, key=loaded.fingerprint, forge=forge_key.forge,
                             detail=f"verified ({forge_key.label})")
    return _ssh_trust(loaded, sig.public_key, signers, now)


def _ssh_trust(loaded: _LoadedKey, blob: bytes, signers: Sequence[AllowedSigner], now: datetime) -> SignatureInfo:
    key_b64 = binascii.b2a_base64(blob, newline=False).decode("ascii")
    entries = [s for s in signers if s.key_b64 == key_b64]
    fp = loaded.fingerprint
    if not entries:
        return SignatureInfo(_S.UNTRUSTED, "ssh", key=fp, detail=f"valid signature, but the {loaded.key_type} "
                                                                f"key {fp} is not in the allowed signers")
    git_entries = [s for s in entries if s.allows_namespace(NAMESPACE)]
    if not git_entries:
        return SignatureInfo(_S.UNTRUSTED, "ssh", key=fp,
                             detail=f"the allowed signers list key {fp}, but not for namespace {NAMESPACE!r}")
    moment = as_utc(now)
    for entry in git_entries:
        if entry.is_valid_at(moment):
            return SignatureInfo(_S.GOOD, "ssh", signer=entry.principal, key=fp)
    first = git_entries[0]
    return SignatureInfo(_S.EXPIRED, "ssh", signer=first.principal, key=fp,
                         detail=first.validity_problem(moment) or "outside its validity window")


def _string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


# -- OpenPGP ---------------------------------------------------------------------------------------------

_EXCLUSIVE = ("GOODSIG", "BADSIG", "EXPSIG", "EXPKEYSIG", "REVKEYSIG", "ERRSIG")
_TRUSTED = ("TRUST_MARGINAL", "TRUST_FULLY", "TRUST_ULTIMATE")


def verify_openpgp(signature: bytes, payload: bytes, *, run: Runner, gnupghome: Path | None,
                   gpg_program: str = "gpg", cache: dict[str, list[str] | None] | None = None) -> SignatureInfo:
    """Check an OpenPGP signature with `gpg --verify` against the keyring in `gnupghome`, via `run`; a good one
    names as signer a user id the keyring vouches for (`cache`: those user ids by key, kept by the caller)."""
    with tempfile.TemporaryDirectory(prefix="gatekeeper-sig-") as tmp:
        sig_path = Path(tmp) / "commit.sig"
        sig_path.write_bytes(signature)
        argv = [gpg_program, "--batch", "--no-tty", "--status-fd=1", "--keyid-format=long",
                "--no-auto-key-retrieve", "--verify", str(sig_path), "-"]
        if gnupghome is not None:
            argv[1:1] = ["--homedir", str(gnupghome)]
        try:
            returncode, stdout, stderr = run(argv, payload)
        except Exception as exc:
            return SignatureInfo(_S.ERROR, "openpgp", detail=f"could not run {gpg_program}: {exc}")
    info = parse_gpg_status(stdout, returncode, stderr)
    if info.status is not _S.GOOD or info.key is None:
        return info
    return _vouched_signer(info, _vouched_uids(info.key, run=run, gnupghome=gnupghome, gpg_program=gpg_program,
                                               cache=cache))


def _vouched_signer(info: SignatureInfo, vouched: list[str] | None) -> SignatureInfo:
    """A GOOD signature's signer: the user id gpg names (the key's primary) only when the keyring vouches for
    it. gpg's trust answer is the key's validity, that of its best user id; the primary user id is whichever one
    the key's owner chose, vouched for or not (red42: a trusted key's owner adds `Bob <bob@…>`, unsigned by anyone,
    makes it primary, and signs as Bob). Otherwise the first user id the keyring vouches for; none: untrusted."""
    if vouched is None:
        return dataclasses.replace(info, status=_S.ERROR,
                                   detail=f"gpg verified the signature but could not list key {info.key}'s user ids")
    primary = _unescape_status(info.signer or "")
    if primary in vouched:
        return info
    if not vouched:
        return dataclasses.replace(info, status=_S.UNTRUSTED, signer=None,
                                   detail="valid signature, but the GnuPG keyring vouches for none of the key's "
                                          "user ids")
    return dataclasses.replace(info, signer=vouched[0],
                               detail=f"the key's primary user id {info.signer!r} is not vouched for by the keyring; "
                                      "its first vouched user id is the signer")


_UID_VALID = frozenset("mfu")  # marginal, full, ultimate: the validity values gpg's TRUST_* answers accept
_COLON_ESCAPE = lazy(rb"\\x([0-9a-fA-F]{2})")
_PERCENT_ESCAPE = lazy(rb"%([0-9A-Fa-f]{2})")
_FINGERPRINT = lazy(r"[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64}")


def _vouched_uids(key: str, *, run: Runner, gnupghome: Path | None, gpg_program: str,
                  cache: dict[str, list[str] | None] | None) -> list[str] | None:
    """The user ids of `key` (a primary key fingerprint) whose validity in the keyring is marginal or better,
    in gpg's listing order (primary first); None when gpg cannot list the key."""
    if cache is not None and key in cache:
        return cache[key]
    argv = [gpg_program, "--batch", "--no-tty", "--with-colons", "--fixed-list-mode", "--no-auto-key-retrieve",
            "--list-keys", "--", key]
    if gnupghome is not None:
        argv[1:1] = ["--homedir", str(gnupghome)]
    found: list[str] | None
    try:
        returncode, stdout, _ = run(argv, None) if _FINGERPRINT.fullmatch(key) else (1, b"", b"")
    except Exception:
        returncode, stdout = 1, b""
    if returncode != 0:
        found = None
    else:
        found = []
        for line in stdout.split(b"\n"):
            fields = line.split(b":")
            if fields[0] == b"uid" and len(fields) > 9 and fields[1][:1].decode("ascii", "replace") in _UID_VALID:
                # The colon listing writes a colon, and any byte that is not printable, as \xNN.
                uid = _COLON_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), fields[9])
                found.append(uid.decode("utf-8", "replace"))
    if cache is not None and len(cache) < 10_000:
        cache[key] = found
    return found


def _unescape_status(text: str) -> str:
    """A status line's user id as written (gpg %XX-escapes some bytes there)."""
    if "%" not in text:
        return text
    return _PERCENT_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), text.encode()).decode("utf-8", "replace")


def openpgp_verifier(run: Runner, gnupghome: Path | None, *, gpg_program: str = "gpg") -> OpenPGPVerifier:
    """The `gpg=` argument of verify_commit, bound to a runner and a keyring (and a per-verifier cache of the
    user ids the keyring vouches for, by key)."""
    vouched: dict[str, list[str] | None] = {}

    def verify(signature: bytes, payload: bytes) -> SignatureInfo:
        return verify_openpgp(signature, payload, run=run, gnupghome=gnupghome, gpg_program=gpg_program,
                              cache=vouched)

    return verify


def parse_gpg_status(status: bytes, returncode: int, stderr: bytes = b"") -> SignatureInfo:
    """Map `gpg --status-fd` lines to a SignatureInfo (GOOD needs GOODSIG, exit 0 and MARGINAL+ trust)."""
    seen: list[tuple[str, list[str]]] = []
    fingerprint = primary = uid = None
    trust: str | None = None
    for line in status.decode("utf-8", "replace").splitlines():
        if not line.startswith("[GNUPG:] "):
            continue
        keyword, _, rest = line[len("[GNUPG:] ") :].partition(" ")
        if keyword in _EXCLUSIVE:
            seen.append((keyword, rest.split(" ")))
            if keyword in ("GOODSIG", "EXPKEYSIG", "REVKEYSIG", "EXPSIG", "BADSIG"):
                uid = rest.partition(" ")[2] or None
        elif keyword == "VALIDSIG":
            fields = rest.split(" ")
            fingerprint = fields[0] or None
            primary = fields[9] if len(fields) > 9 and fields[9] else fingerprint
        elif keyword.startswith("TRUST_"):
            trust = keyword
    key = primary or fingerprint
    if not seen:
        first = stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        return SignatureInfo(_S.ERROR, "openpgp",
                             detail=f"gpg reported no signature status (exit {returncode})"
                                    + (f": {first[0]}" if first else ""))
    if len(seen) > 1:
        return SignatureInfo(_S.ERROR, "openpgp", detail="the signature holds more than one OpenPGP signature")
    keyword, fields = seen[0]
    keyid = fields[0] if fields else "?"
    if keyword == "BADSIG":
        return SignatureInfo(_S.BAD, "openpgp", signer=uid, key=key or keyid,
                             detail="the signature does not match the commit (modified after signing, or forged)")
    if keyword == "ERRSIG":
        code = fields[5] if len(fields) > 5 else "?"
        if code == "9":
            return SignatureInfo(_S.ERROR, "openpgp", key=keyid,
                                 detail=f"no public key {keyid} in the GnuPG keyring; import it to verify")
        return SignatureInfo(_S.ERROR, "openpgp", key=keyid, detail=f"gpg could not check the signature (code {code})")
    if keyword == "EXPSIG":
        return SignatureInfo(_S.EXPIRED, "openpgp", signer=uid, key=key or keyid, detail="the signature has expired")
    if keyword == "EXPKEYSIG":
        return SignatureInfo(_S.EXPIRED, "openpgp", signer=uid, key=key or keyid, detail="the signing key has expired")
    if keyword == "REVKEYSIG":
        return SignatureInfo(_S.REVOKED, "openpgp", signer=uid, key=key or keyid, detail="the signing key was revoked")
    # GOODSIG
    if returncode != 0 or key is None:
        return SignatureInfo(_S.ERROR, "openpgp", signer=uid, key=key or keyid,
                             detail=f"gpg said GOODSIG but exited {returncode} without a complete VALIDSIG")
    if trust not in _TRUSTED:
        level = (trust or "TRUST_UNDEFINED").removeprefix("TRUST_").lower()
        return SignatureInfo(_S.UNTRUSTED, "openpgp", signer=uid, key=key,
                             detail=f"valid signature, but the key's owner trust in the GnuPG keyring is {level}")
    return SignatureInfo(_S.GOOD, "openpgp", signer=uid, key=key)
