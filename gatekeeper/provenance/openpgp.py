"""The forges' own commit-signing keys, shipped in gatekeeper/keys/, checked in this process.

GitHub signs every commit it makes (merge button, squash/rebase merges, the web editor, the API) with
its web-flow OpenPGP key; GitLab signs web commits with an SSH key. Without those keys every such
commit read `signature=error` — thousands per repository. This module

- reads the shipped keys (`github-web-flow.asc`: OpenPGP v4 RSA keys; `gitlab-web-commits.pub`: an SSH
  key line) and checks each OpenPGP key's self-signature, which also gives its expiry;
- verifies an armored OpenPGP signature over a commit payload when its issuer is one of those keys,
  with `cryptography` (RSA PKCS#1 v1.5 over the v4 signature hash) — no gpg process per commit;
- names the issuer key id of any other OpenPGP signature, so a missing keyring can be reported
  without running gpg at all.

It is deliberately narrow: one v4 binary-document signature by an RSA key, the hash algorithms
OpenPGP still allows, no critical subpacket it does not know. Anything else answers None ("not mine
to judge") and the caller hands the signature to gpg with the same keys (`forge_gnupghome`), which is
what git does. A signature the forge key does not verify is BAD, as gpg says BADSIG.

Expiry: GitHub's previous key (4AEE18F83AFDEB23) expired on 2024-01-16, when GitHub rotated it. A
signature it made before then is GitHub's (GitHub itself still shows those commits as Verified), so it
is good with that said in the detail; one dated after is EXPIRED (git: `Y` for both).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import struct
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from gatekeeper.models import SignatureInfo, SignatureStatus

_S = SignatureStatus
GITHUB_KEYS_FILE = "github-web-flow.asc"
GITLAB_KEYS_FILE = "gitlab-web-commits.pub"

_HASHES: dict[int, tuple[str, type[hashes.HashAlgorithm]]] = {
    8: ("sha256", hashes.SHA256), 9: ("sha384", hashes.SHA384), 10: ("sha512", hashes.SHA512),
    11: ("sha224", hashes.SHA224),
}
# Subpackets a v4 signature may carry that this verifier understands (RFC 4880 5.2.3.1): creation time,
# issuer, issuer fingerprint, notation, policy URI, signer's user id; and the ones of a key self-signature.
_KNOWN_SUBPACKETS = {2, 16, 33, 20, 26, 28}
_SELF_SIG_SUBPACKETS = {2, 9, 11, 16, 21, 22, 23, 25, 27, 30, 33, 34}
_MAX_SIGNATURE_BYTES = 64 * 1024


class _Unsupported(Exception):
    """Not something this narrow verifier judges; gpg will."""


@dataclass(frozen=True, slots=True)
class ForgeKey:
    forge: str  # "github"
    label: str  # "github web-flow"
    fingerprint: str  # 40 upper-case hex digits
    created: int
    expires: int | None  # seconds since the epoch
    public_key: rsa.RSAPublicKey

    @property
    def key_id(self) -> str:
        return self.fingerprint[-16:]


@dataclass(frozen=True, slots=True)
class ForgeSshKey:
    forge: str  # "gitlab"
    label: str  # "gitlab web commits"
    key_b64: str  # the key blob as in an allowed-signers line
    principal: str  # noreply@gitlab.com


@dataclass(frozen=True, slots=True)
class ForgeKeys:
    openpgp: tuple[ForgeKey, ...]
    ssh: tuple[ForgeSshKey, ...]

    def by_key_id(self, key_id: str) -> ForgeKey | None:
        wanted = key_id.upper()
        return next((k for k in self.openpgp if k.key_id == wanted or k.fingerprint == wanted), None)

    def ssh_key(self, key_b64: str) -> ForgeSshKey | None:
        return next((k for k in self.ssh if k.key_b64 == key_b64), None)


# -- armor and packets -----------------------------------------------------------------------------------------

def _crc24_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
        table.append(crc & 0xFFFFFF)
    return tuple(table)


_CRC24 = _crc24_table()
# What a byte becomes after one and after two more zero bytes went through the register: the 24-bit register
# takes three bytes at a time, each through its own table (a sixth of auditing a real history with GitHub's
# signatures went to the one-byte loop).
_CRC24_2 = tuple(((t << 8) & 0xFFFFFF) ^ _CRC24[t >> 16] for t in _CRC24)
_CRC24_3 = tuple(((t << 8) & 0xFFFFFF) ^ _CRC24[t >> 16] for t in _CRC24_2)


def _crc24(data: bytes) -> int:
    """RFC 4880's armor checksum, three bytes a step: the register XOR the next three bytes, then each of its
    bytes through the table for as many shifts as it has left (the same value as the byte-at-a-time loop)."""
    crc = 0xB704CE
    whole = len(data) - len(data) % 3
    step = iter(data[:whole])
    for b0, b1, b2 in zip(step, step, step, strict=True):
        crc = _CRC24_3[(crc >> 16) ^ b0] ^ _CRC24_2[((crc >> 8) & 0xFF) ^ b1] ^ _CRC24[(crc & 0xFF) ^ b2]
    for byte in data[whole:]:
        crc = ((crc << 8) & 0xFFFFFF) ^ _CRC24[((crc >> 16) ^ byte) & 0xFF]
    return crc


def dearmor(text: bytes, kind: bytes) -> bytes:
    """The bytes of an ASCII-armored block (`kind` e.g. b"SIGNATURE"), strictly as RFC 4880 writes it."""
    lines = text.replace(b"\r\n", b"\n").split(b"\n")
    begin, end = b"-----BEGIN PGP " + kind + b"-----", b"-----END PGP " + kind + b"-----"
    if not lines or lines[0].rstrip() != begin:
        raise _Unsupported("no BEGIN line")
    index = 1
    while index < len(lines) and lines[index].strip():  # armor headers (Version:, Comment:)
        if b": " not in lines[index]:
            raise _Unsupported("malformed armor header")
        index += 1
    body: list[bytes] = []
    checksum: bytes | None = None
    for line in lines[index + 1 :]:
        line = line.strip()
        if line == end:
            break
        if line.startswith(b"="):
            checksum = line[1:]
        elif line:
            body.append(line)
    else:
        raise _Unsupported("no END line")
    try:
        data = base64.b64decode(b"".join(body), validate=True)
        if checksum is not None and int.from_bytes(base64.b64decode(checksum, validate=True), "big") != _crc24(data):
            raise _Unsupported("armor checksum mismatch")
    except (binascii.Error, ValueError):
        raise _Unsupported("armor body is not base64") from None
    return data


def packets(data: bytes) -> list[tuple[int, bytes]]:
    """(tag, body) of each packet; partial and indeterminate lengths are not supported."""
    found: list[tuple[int, bytes]] = []
    i = 0
    while i < len(data):
        first = data[i]
        if not first & 0x80:
            raise _Unsupported("not a packet")
        if first & 0x40:  # new format
            tag = first & 0x3F
            if i + 1 >= len(data):
                raise _Unsupported("truncated packet")
            octet = data[i + 1]
            if octet < 192:
                length, i = octet, i + 2
            elif octet < 224:
                if i + 2 >= len(data):
                    raise _Unsupported("truncated packet")
                length, i = ((octet - 192) << 8) + data[i + 2] + 192, i + 3
            elif octet == 255:
                if i + 6 > len(data):
                    raise _Unsupported("truncated packet")
                length, i = struct.unpack(">I", data[i + 2 : i + 6])[0], i + 6
            else:
                raise _Unsupported("partial body length")
        else:  # old format
            tag, kind = (first >> 2) & 0x0F, first & 0x03
            if kind == 3:
                raise _Unsupported("indeterminate length")
            size = (1, 2, 4)[kind]
            if i + 1 + size > len(data):
                raise _Unsupported("truncated packet")
            length = int.from_bytes(data[i + 1 : i + 1 + size], "big")
            i += 1 + size
        if i + length > len(data):
            raise _Unsupported("truncated packet")
        found.append((tag, data[i : i + length]))
        i += length
    return found


def _subpackets(area: bytes) -> list[tuple[int, bool, bytes]]:
    out: list[tuple[int, bool, bytes]] = []
    i = 0
    while i < len(area):
        octet = area[i]
        if octet < 192:
            length, i = octet, i + 1
        elif octet < 255:
            if i + 1 >= len(area):
                raise _Unsupported("truncated subpacket")
            length, i = ((octet - 192) << 8) + area[i + 1] + 192, i + 2
        else:
            if i + 5 > len(area):
                raise _Unsupported("truncated subpacket")
            length, i = struct.unpack(">I", area[i + 1 : i + 5])[0], i + 5
        if length == 0 or i + length > len(area):
            raise _Unsupported("malformed subpacket")
        out.append((area[i] & 0x7F, bool(area[i] & 0x80), area[i + 1 : i + length]))
        i += length
    return out


def _mpi(data: bytes, offset: int) -> tuple[int, int]:
    if offset + 2 > len(data):
        raise _Unsupported("truncated MPI")
    bits = struct.unpack(">H", data[offset : offset + 2])[0]
    size = (bits + 7) // 8
    if offset + 2 + size > len(data):
        raise _Unsupported("truncated MPI")
    return int.from_bytes(data[offset + 2 : offset + 2 + size], "big"), offset + 2 + size


@dataclass(frozen=True, slots=True)
class Signature:
    """One parsed v4 OpenPGP signature packet."""

    sig_type: int
    pk_algo: int
    hash_algo: int
    hashed_part: bytes  # version .. end of the hashed subpackets: what the trailer covers
    hashed: tuple[tuple[int, bool, bytes], ...]
    unhashed: tuple[tuple[int, bool, bytes], ...]
    left16: bytes
    value: int  # the RSA signature

    def _first(self, kind: int, *, hashed_only: bool = False) -> bytes | None:
        areas = self.hashed if hashed_only else (*self.hashed, *self.unhashed)
        return next((body for t, _c, body in areas if t == kind), None)

    @property
    def created(self) -> int | None:
        body = self._first(2, hashed_only=True)
        return struct.unpack(">I", body)[0] if body is not None and len(body) == 4 else None

    @property
    def issuer(self) -> str | None:
        fpr = self._first(33)
        if fpr is not None and len(fpr) == 21 and fpr[0] == 4:
            return fpr[1:].hex().upper()
        key_id = self._first(16)
        return key_id.hex().upper() if key_id is not None and len(key_id) == 8 else None

    def digest(self, data: bytes) -> bytes:
        name, _algorithm = _HASHES[self.hash_algo]
        trailer = b"\x04\xff" + struct.pack(">I", len(self.hashed_part))
        return hashlib.new(name, data + self.hashed_part + trailer).digest()


def parse_signature(body: bytes) -> Signature:
    if len(body) < 6 or body[0] != 4:
        raise _Unsupported("not a version 4 signature")
    sig_type, pk_algo, hash_algo = body[1], body[2], body[3]
    hashed_len = struct.unpack(">H", body[4:6])[0]
    end_hashed = 6 + hashed_len
    if end_hashed + 2 > len(body):
        raise _Unsupported("truncated signature")
    unhashed_len = struct.unpack(">H", body[end_hashed : end_hashed + 2])[0]
    end_unhashed = end_hashed + 2 + unhashed_len
    if end_unhashed + 2 > len(body):
        raise _Unsupported("truncated signature")
    left16 = body[end_unhashed : end_unhashed + 2]
    if pk_algo not in (1, 3):  # RSA (sign-only RSA is 3)
        raise _Unsupported(f"public-key algorithm {pk_algo}")
    value, end = _mpi(body, end_unhashed + 2)
    if end != len(body):
        raise _Unsupported("trailing data in the signature")
    return Signature(sig_type, pk_algo, hash_algo, body[:end_hashed], tuple(_subpackets(body[6:end_hashed])),
                     tuple(_subpackets(body[end_hashed + 2 : end_unhashed])), left16, value)


def _rsa_verify(key: rsa.RSAPublicKey, sig: Signature, digest: bytes) -> bool:
    # The "left 16 bits of the hash" field is not checked, as gpg does not check it: about a third of
    # GitHub's web-flow signatures of 2017-2021 carry a wrong one and are nonetheless valid (gpg: good).
    size = (key.key_size + 7) // 8
    if sig.value.bit_length() > key.key_size:  # cheap bound; cryptography rejects s >= n itself
        return False
    _name, algorithm = _HASHES[sig.hash_algo]
    try:
        key.verify(sig.value.to_bytes(size, "big"), digest, padding.PKCS1v15(), Prehashed(algorithm()))
    except InvalidSignature:
        return False
    return True


# -- the shipped keys ------------------------------------------------------------------------------------------

def _public_key(body: bytes) -> tuple[int, rsa.RSAPublicKey, str]:
    if len(body) < 6 or body[0] != 4 or body[5] not in (1, 3):
        raise ValueError("the shipped forge key is not a v4 RSA key")
    created = struct.unpack(">I", body[1:5])[0]
    n, offset = _mpi(body, 6)
    e, offset = _mpi(body, offset)
    if offset != len(body):
        raise ValueError("trailing data in the shipped forge key")
    fingerprint = hashlib.sha1(b"\x99" + struct.pack(">H", len(body)) + body, usedforsecurity=False).hexdigest()
    return created, rsa.RSAPublicNumbers(e, n).public_key(), fingerprint.upper()


def load_openpgp_keys(armored: bytes, forge: str, label: str) -> tuple[ForgeKey, ...]:
    """Every primary key in the armored block, each with the expiry its newest valid self-signature gives.

    A key without a self-signature that verifies is refused: the file is broken or was tampered with.
    """
    keys: list[ForgeKey] = []
    current: tuple[bytes, int, rsa.RSAPublicKey, str] | None = None
    uid: bytes | None = None
    best: dict[str, tuple[int, int | None]] = {}

    def finish() -> None:
        if current is None:
            return
        _body, created, public, fpr = current
        if fpr not in best:
            raise ValueError(f"shipped forge key {fpr} has no valid self-signature")
        keys.append(ForgeKey(forge, label, fpr, created, best[fpr][1], public))

    for tag, body in packets(dearmor(armored, b"PUBLIC KEY BLOCK")):
        if tag == 6:
            finish()
            created, public, fpr = _public_key(body)
            current, uid = (body, created, public, fpr), None
        elif tag == 13:
            uid = body
        elif tag == 2 and current is not None and uid is not None:
            key_body, created, public, fpr = current
            try:
                sig = parse_signature(body)
            except _Unsupported:
                continue
            if sig.sig_type not in (0x10, 0x11, 0x12, 0x13) or sig.hash_algo not in _HASHES:
                continue
            if any(c and t not in _SELF_SIG_SUBPACKETS for t, c, _ in sig.hashed):
                continue
            signed = b"\x99" + struct.pack(">H", len(key_body)) + key_body + b"\xb4" + struct.pack(">I", len(uid)) + uid
            if not _rsa_verify(public, sig, sig.digest(signed)):
                continue
            when = sig.created or 0
            expiry_body = sig._first(9, hashed_only=True)
            expires = created + struct.unpack(">I", expiry_body)[0] if expiry_body and len(expiry_body) == 4 else None
            if expires == created:
                expires = None  # a zero key-expiration time means "never"
            if fpr not in best or when >= best[fpr][0]:
                best[fpr] = (when, expires)
    finish()
    return tuple(keys)


def key_dir() -> Path:
    return Path(str(resources.files("gatekeeper") / "keys"))


@lru_cache(maxsize=1)
def bundled_forge_keys() -> ForgeKeys:
    """The forge keys shipped with gatekeeper (see gatekeeper/keys/README.md for how to update them)."""
    directory = key_dir()
    openpgp = load_openpgp_keys((directory / GITHUB_KEYS_FILE).read_bytes(), "github", "github web-flow")
    ssh: list[ForgeSshKey] = []
    for line in (directory / GITLAB_KEYS_FILE).read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 3 and not line.startswith("#"):
            ssh.append(ForgeSshKey("gitlab", "gitlab web commits", fields[1], fields[2]))
    return ForgeKeys(openpgp, tuple(ssh))


NO_FORGE_KEYS = ForgeKeys((), ())


# -- verification --------------------------------------------------------------------------------------------

def _utc(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class Issued:
    """What the armor says about who signed, before any cryptography."""

    issuer: str | None  # key id or fingerprint, upper-case hex
    signature: Signature | None  # None when the armor is beyond this verifier (gpg decides)


def read_issuer(armored: bytes) -> Issued:
    """The issuer of a single v4 OpenPGP signature in `armored`, if this module can read it.

    The issuer is read whatever the signature's public-key algorithm; `signature` only for the RSA ones this
    module verifies. Many people's keys are not RSA: 1,141 commits of the 60 mirrored histories sig150 surveyed
    are signed with Ed25519 (EdDSA) keys (643 of the ten it measured), and they read as "(unnamed)" with no key,
    where git names the issuer (%GK).
    """
    if len(armored) > _MAX_SIGNATURE_BYTES:
        return Issued(None, None)
    try:
        found = packets(dearmor(armored, b"SIGNATURE"))
        if len(found) != 1 or found[0][0] != 2:
            return Issued(None, None)
    except _Unsupported:
        return Issued(None, None)
    try:
        sig = parse_signature(found[0][1])
    except _Unsupported:
        return Issued(_issuer_only(found[0][1]), None)
    return Issued(sig.issuer, sig)


def _issuer_only(body: bytes) -> str | None:
    """The issuer a v4 signature packet names (fingerprint, else key id), whatever its algorithm, or the key id
    of a version 3 packet (PGP 2.x's layout, still in histories: 16 commits of runc); None when the packet is not
    one this module reads. A claim, like any issuer: nothing here verifies it."""
    if len(body) >= 19 and body[0] == 3 and body[1] == 5:  # v3: version, 5, type, time(4), key id(8), ...
        return body[7:15].hex().upper()
    try:
        if len(body) < 6 or body[0] != 4:
            return None
        hashed_len = struct.unpack(">H", body[4:6])[0]
        end_hashed = 6 + hashed_len
        if end_hashed + 2 > len(body):
            return None
        unhashed_len = struct.unpack(">H", body[end_hashed : end_hashed + 2])[0]
        if end_hashed + 2 + unhashed_len > len(body):
            return None
        shape = Signature(body[1], body[2], body[3], b"", tuple(_subpackets(body[6:end_hashed])),
                          tuple(_subpackets(body[end_hashed + 2 : end_hashed + 2 + unhashed_len])), b"", 0)
    except _Unsupported:
        return None
    return shape.issuer


def verify_forge_openpgp(armored: bytes, payload: bytes, keys: ForgeKeys, now: int | None = None,
                         issued: Issued | None = None) -> SignatureInfo | None:
    """GOOD / BAD / EXPIRED for a signature by a shipped forge key; None when it is not one (or is beyond us).

    With `now` (the gate: a push, a pull request, a local check) a key is judged at that time, as gpg judges
    it: a key that has expired signs nothing GOOD any more, whatever date its signature carries — that date is
    the signer's to write, and GitHub rotated its previous web-flow key as a precaution (red17: a signature
    backdated to before the expiry was GOOD). Without it (the audit of a history that already landed) a
    signature made while the key was valid is GOOD, as GitHub's own persistent verification shows it, and the
    detail says which key. Either way a signature dated before the key existed is refused."""
    if issued is None:  # `issued`: read_issuer(armored) already read by the caller
        issued = read_issuer(armored)
    sig = issued.signature
    if sig is None or issued.issuer is None:
        return None
    key = keys.by_key_id(issued.issuer) if len(issued.issuer) == 16 else next(
        (k for k in keys.openpgp if k.fingerprint == issued.issuer), None)
    if key is None:
        return None
    if (sig.sig_type != 0x00 or sig.hash_algo not in _HASHES or sig.created is None
            or any(c and t not in _KNOWN_SUBPACKETS for t, c, _ in sig.hashed)
            or sig._first(3, hashed_only=True) is not None):  # signature expiry: leave it to gpg
        return None
    signer = key.label.replace("github ", "GitHub ").replace("gitlab ", "GitLab ")
    if not _rsa_verify(key.public_key, sig, sig.digest(payload)):
        return SignatureInfo(_S.BAD, "openpgp", signer=signer, key=key.fingerprint, forge=key.forge,
                             detail="the signature does not match the commit (modified after signing, or forged)")
    if sig.created < key.created:
        return SignatureInfo(_S.BAD, "openpgp", signer=signer, key=key.fingerprint, forge=key.forge,
                             detail=f"dated {_utc(sig.created)}, before {key.label} key {key.key_id} was made "
                                    f"({_utc(key.created)})")
    if key.expires is not None and sig.created >= key.expires:
        return SignatureInfo(_S.EXPIRED, "openpgp", signer=signer, key=key.fingerprint, forge=key.forge,
                             detail=f"signed {_utc(sig.created)} by {key.label} key {key.key_id}, which expired "
                                    f"{_utc(key.expires)}")
    if key.expires is not None and now is not None and now >= key.expires:
        return SignatureInfo(_S.EXPIRED, "openpgp", signer=signer, key=key.fingerprint, forge=key.forge,
                             detail=f"{key.label} key {key.key_id} expired {_utc(key.expires)}: a gate judges a "
                                    f"forge key now, not at the date its signature claims ({_utc(sig.created)})")
    detail = f"verified ({key.label})"
    if key.expires is not None:
        detail += f"; signed {_utc(sig.created)} with the previous key {key.key_id} (expired {_utc(key.expires)})"
    return SignatureInfo(_S.GOOD, "openpgp", signer=signer, key=key.fingerprint, forge=key.forge, detail=detail)
