"""red128b - hostile tests against gatekeeper's in-process signature verification (provenance/signatures.py: SSHSIG,
`_SecurityKey`, `_EcdsaKey`, `_uncompressed`, `_ed25519_as_openssh`) and the trust it feeds (provenance/source.py),
as a pusher who wants an unsigned or wrongly signed commit judged as signed by a registered device.

Oracle: OpenSSH 9.2's `ssh-keygen -Y verify -n git -f allowed_signers -I principal` (what git runs) on the very same
signature and payload, and git's own `%G?` / `git verify-commit`. The gate must never call good what they refuse.

Findings, by severity:

1. HIGH (false GOOD: forged signature accepted as a registered device's) - provenance/source.py
   `ProvenanceSource.verify` -> `_openpgp_trust`. With a device registry that enrols an OpenPGP key (the registry's
   documented `keys: ["<40 hex fingerprint>"]` form) and no `gpg_home`, an OpenPGP "signature" that nothing ever
   checked becomes GOOD: verify_commit returns it UNTRUSTED with the NO_KEYRING detail and `key` = the issuer
   fingerprint the signature merely *claims* (0c6fb0d deliberately keeps it away from the registry there), but
   source.py then hands that UNTRUSTED info to `_openpgp_trust`, which looks the claimed fingerprint up in the
   registry and rewrites it to GOOD (detail ""), and `_device_fact` ties the commit to the device, its class
   (mobile/managed origin evidence) and its owner (the signer the author binding compares, so author = owner
   passes). The forged signature is 300 bytes of armor with an issuer-fingerprint subpacket and a random MPI - no
   key, no cryptography; the fingerprint is public (it is in .gatekeeper/devices.yml). `git verify-commit` says
   the signature cannot be checked (%G? = E). Measured: with `require_signature: true` and a zone
   `unmanaged_device: block` on src/payments/**, `gatekeeper check` exits 0 ("allow") on a forged commit to
   src/payments/refund.py - signature `good`, signer alice@example.com, origin `device_id: alice-laptop`,
   `managed: true`, evidence "signed by registered mobile device alice-laptop" with trust `verified`; the only
   finding is the non-blocking provenance/keyring-missing note. A real push of it to a bare repository with the
   pre-receive hook is accepted, and `gatekeeper audit` reports the commit `good`, class mobile, from
   alice-laptop with `verified` evidence. (With `require_registered_device` the push happens to block, as
   provenance/unregistered-device, only because `signature.device_id` stays unset.) DESIGN.md: "OpenPGP signatures
   with no gpg_home keyring are `untrusted` ("not checked")". Fix: in `_openpgp_trust` (or before it in `verify`) leave alone any info whose detail ends with
   NO_KEYRING - only a signature gpg verified may be promoted by the registry (tried in this worktree: the three
   HIGH tests then pass).
2. LOW (false GOOD vs git; the file is admin-written) - provenance/allowed_signers.py `_parse_time` /
   `decode_key_blob`: lines ssh-keygen refuses are trusted: `valid-after="19700101Z"` / `"19000101Z"` (OpenSSH
   refuses a time <= 0; git `U`, gate good) and a key whose base64 carries a surplus `=` or non-zero bits after its
   last byte (b64_pton refuses; Python's b64decode does not). Measured on 48 allowed-signers variants against
   git's %G?: these 4 are the only ones where the gate is laxer; the others agree or the gate is stricter (a
   ConfigError for the whole file on `UTC` suffixes, 20260231, a `\"` inside a quoted option, one broken line;
   valid-before judged at now, by design).
3. LOW (diagnostic) - checks/provenance.py `_STATUS[UNSUPPORTED]` fix text still says "security-key (sk-*)
   signatures are never accepted", stale since the FIDO change.

Tried and held (tests below keep the cheap ones as regression guards):
- SSH crypto, differential against `ssh-keygen -Y verify` for all seven key types (ed25519, rsa, ecdsa p256/384/521,
  sk-ssh-ed25519, sk-ecdsa-p256): 198 structured variants + 1,050 random single-byte mutations/truncations/insertions
  of valid SSHSIG blobs: 0 cases where the gate says good and OpenSSH refuses. Structured variants: Ed25519 S+L
  (both good), S+2L/S+3L (both bad), R sign bit flipped, 63/65-byte signatures; ECDSA s=n-s (both good), r+n, s+n,
  r=0, s=0, redundant leading zeros (both good), trailing bytes in the inner blob, an extra mpint; sk flags 0/4/0x80/
  0xff (both good: signed), counter 2^32-1, missing/extra tail bytes, webauthn algorithm name, plain algorithm name
  under an sk key, applications `ssh:x`, ``, `SSH:`, `git:`, `ssh` (both good: the application is part of the
  listed key); RSA `ssh-rsa` (SHA-1) signatures (both bad), rsa-sha2-256, a signature with its leading zero byte
  dropped/added (both good/both bad); SSHSIG version 2, reserved field non-empty (both good: ignored and signed
  empty), trailing bytes after the blob or the signature, namespace `Git`, `file` (signed as file), hash names
  `sha384`, `SHA512`, `sha1`, `sha512\\0` (all bad in both), a key blob with a trailing byte, payload changed.
- Where the two differ the gate is stricter (a false `bad` only the key's holder can produce, no gain to an
  attacker): SSHSIG version 0 and a namespace `git\\0` are good to OpenSSH (it checks `version > 1` and compares the
  namespace as a C string), bad to the gate.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from gatekeeper.cli import run
from gatekeeper.errors import ConfigError
from gatekeeper.models import SignatureStatus as S
from gatekeeper.provenance import load_allowed_signers, verify_commit
from gatekeeper.provenance.allowed_signers import parse_allowed_signers
from gatekeeper.provenance.openpgp import _crc24
from gatekeeper.provenance.signatures import verify_ssh
from tests.hook_helpers import make_server, spush
from tests.provenance_helpers import Key, keygen, signed_commit
from tests.repo_builder import RepoBuilder

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
ALICE = ("Alice Laptop", "alice@example.com")
# A registered device's OpenPGP key fingerprint: public, it is in the registry file in the repository.
FPR = "3AA5C34371567BD2" + "0123456789ABCDEF01234567"

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")


# -- 1. a forged OpenPGP signature naming an enrolled key ------------------------------------------------------------

def _forged_openpgp(fingerprint: str) -> bytes:
    """An armored v4 'signature' (RSA, SHA-256) that claims `fingerprint` as its issuer and holds random bytes for
    the signature value: nothing in it was made with any key."""
    def sub(kind: int, body: bytes) -> bytes:
        return bytes((len(body) + 1, kind)) + body

    hashed = sub(2, struct.pack(">I", 1_764_547_200)) + sub(33, b"\x04" + bytes.fromhex(fingerprint))
    unhashed = sub(16, bytes.fromhex(fingerprint)[-8:])
    body = (bytes((4, 0x00, 1, 8)) + struct.pack(">H", len(hashed)) + hashed + struct.pack(">H", len(unhashed))
            + unhashed + b"\xab\xcd" + struct.pack(">H", 2047) + b"\x7f" + os.urandom(255))
    packet = bytes((0xC2, 0xFF)) + struct.pack(">I", len(body)) + body
    text = base64.b64encode(packet)
    crc = base64.b64encode(_crc24(packet).to_bytes(3, "big"))
    return (b"-----BEGIN PGP SIGNATURE-----\n\n" + b"\n".join(text[i: i + 64] for i in range(0, len(text), 64))
            + b"\n=" + crc + b"\n-----END PGP SIGNATURE-----\n")


def _forge_commit(repo: RepoBuilder, message: str, files: dict[str, str]) -> str:
    """Alice's commit as the attacker writes it: an ordinary commit, then a forged gpgsig header, stored as is."""
    sha = repo.commit(message, files, author=ALICE, committer=ALICE)
    raw = repo.git("cat-file", "commit", sha).encode() + b"\n"
    head, _, body = raw.partition(b"\n\n")
    folded = _forged_openpgp(FPR).rstrip(b"\n").replace(b"\n", b"\n ")
    forged = head + b"\ngpgsig " + folded + b"\n\n" + body
    new = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=forged)
    repo.git("update-ref", "HEAD", new)
    return new


REGISTRY = f"""\
version: 1
devices:
  - id: alice-laptop
    owner: alice@example.com
    class: mobile
    managed: true
    keys: ["{' '.join(FPR[i:i + 4] for i in range(0, 40, 4))}"]
    enrolled: 2026-01-01
"""
POLICY = """\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
rules:
  mobile: {scanners: [], block_at: high, require_signature: true, review: null}
  default: {scanners: [], block_at: high, require_signature: true}
zones:
  - {name: payments, paths: ["src/payments/**"], unmanaged_device: block}
devices: DEVICES
"""


def test_a_forged_openpgp_signature_naming_an_enrolled_key_is_not_good(tmp_path: Path) -> None:
    """HIGH: without `gpg_home` nothing checks an OpenPGP signature, yet source.py's `_openpgp_trust` looks its
    claimed issuer fingerprint up in the registry and calls it GOOD, from the registered device. git cannot check
    it (`%G?` E); the gate must say untrusted (DESIGN: "not checked"), and with `require_registered_device` block."""
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("policy", {".gatekeeper.yml": POLICY.replace("DEVICES", ".gatekeeper/devices.yml"),
                           ".gatekeeper/devices.yml": REGISTRY})
    repo.branch("feature")
    sha = _forge_commit(repo, "fix: refunds\n", {"src/payments/refund.py": "x = 1\n"})
    assert repo.git("log", "-1", "--format=%G?", sha).strip() not in ("G", "U")  # git: cannot be checked

    out = tmp_path / "verdict.json"
    code = run(["check", "--repo", str(repo.path), "--format", "json", "--output", str(out)])
    data = json.loads(out.read_text())

    (report,) = data["commits"]
    assert report["sha"] == sha
    assert report["signature"]["status"] != "good", report["signature"]
    assert report["origin"]["device_id"] is None, report["origin"]  # no verified device, managed or not
    assert code != 0


def test_the_audit_does_not_report_a_forged_openpgp_signature_as_a_devices(tmp_path: Path) -> None:
    """HIGH, same cause in `gatekeeper audit` (same ProvenanceSource): the history report calls the forged commit
    good and attributes it to the registered device with `verified` signing-key evidence."""
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("policy", {".gatekeeper.yml": POLICY.replace("DEVICES", ".gatekeeper/devices.yml"),
                           ".gatekeeper/devices.yml": REGISTRY})
    sha = _forge_commit(repo, "fix: refunds\n", {"src/payments/refund.py": "x = 1\n"})
    out = tmp_path / "audit.json"

    assert run(["audit", "--repo", str(repo.path), "--format", "json", "--output", str(out)]) == 0

    (record,) = [c for c in json.loads(out.read_text())["commits"] if c["sha"] == sha]
    assert record["signature"]["status"] != "good", record["signature"]
    assert record["origin"]["device_id"] is None, record["origin"]


def test_a_forged_openpgp_signature_is_refused_by_the_pre_receive_hook(tmp_path: Path) -> None:
    """HIGH, same as above through the front door: a real push of the forged commit to a bare repository with the
    hook installed (policy and registry server-side) is accepted today."""
    (tmp_path / "srv").mkdir()
    devices = tmp_path / "srv" / "devices.yml"
    devices.write_text(REGISTRY)
    server = make_server(tmp_path / "srv", policy=POLICY.replace("DEVICES", str(devices)))
    work = server.clone()
    _forge_commit(work, "Initial commit\n", {"src/payments/refund.py": "x = 1\n"})

    result = spush(server, work, "origin", "main")

    assert result.code != 0, result.output
    assert server.tip() is None


# -- held: the SSH verifier against ssh-keygen -------------------------------------------------------------------------

L = 2**252 + 27742317777372353535851937790883648493
N256 = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
PAYLOAD = (b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@example.com> 1 +0000\n"
           b"committer A <a@example.com> 1 +0000\n\nmsg\n")
ED_SK = "sk-ssh-ed25519@openssh.com"
EC_SK = "sk-ecdsa-sha2-nistp256@openssh.com"


def _s(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def _mp(value: int, pad: int = 0) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big").lstrip(b"\0") if value else b""
    return _s(b"\0" * pad + (b"\0" + raw if raw and raw[0] & 0x80 else raw))


class _Key:
    def __init__(self, kind: str, application: bytes = b"ssh:") -> None:
        self.kind, self.application = kind, application
        if kind in ("ssh-ed25519", ED_SK):
            self._ed = ed25519.Ed25519PrivateKey.generate()
            point = self._ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            self.blob = _s(kind.encode()) + _s(point)
        else:
            self._ec = ec.generate_private_key(ec.SECP256R1())
            point = self._ec.public_key().public_bytes(serialization.Encoding.X962,
                                                       serialization.PublicFormat.UncompressedPoint)
            self.blob = _s(kind.encode()) + _s(b"nistp256") + _s(point)
        if kind.startswith("sk-"):
            self.blob += _s(application)
        self.line = f"dev@example.com {kind} {base64.b64encode(self.blob).decode()}"

    def sign(self, data: bytes, flags: int = 1, counter: int = 7) -> tuple[bytes, bytes | tuple[int, int], bytes]:
        tail = b""
        if self.kind.startswith("sk-"):
            tail = bytes((flags,)) + struct.pack(">I", counter)
            data = hashlib.sha256(self.application).digest() + tail + hashlib.sha256(data).digest()
        if self.kind in ("ssh-ed25519", ED_SK):
            return self.kind.encode(), self._ed.sign(data), tail
        return self.kind.encode(), decode_dss_signature(self._ec.sign(data, ec.ECDSA(hashes.SHA256()))), tail


def _signed_data(namespace: bytes = b"git", hash_name: bytes = b"sha512") -> bytes:
    digest = hashlib.new(hash_name.decode(), PAYLOAD).digest()
    return b"SSHSIG" + _s(namespace) + _s(b"") + _s(hash_name) + _s(digest)


def _sig(algorithm: bytes, inner: bytes | tuple[int, int], tail: bytes, pad: int = 0) -> bytes:
    if isinstance(inner, tuple):
        inner = _mp(inner[0], pad) + _mp(inner[1])
    return _s(algorithm) + _s(inner) + tail


def _armor(blob: bytes, sig: bytes, *, version: int = 1, namespace: bytes = b"git", reserved: bytes = b"") -> bytes:
    whole = (b"SSHSIG" + struct.pack(">I", version) + _s(blob) + _s(namespace) + _s(reserved) + _s(b"sha512")
             + _s(sig))
    text = base64.b64encode(whole)
    return (b"-----BEGIN SSH SIGNATURE-----\n" + b"\n".join(text[i: i + 70] for i in range(0, len(text), 70))
            + b"\n-----END SSH SIGNATURE-----\n")


def _verdicts(tmp_path: Path, armor: bytes, line: str) -> tuple[bool, bool]:
    """(gate says good, ssh-keygen -Y verify says good) for the same signature, payload and allowed signers."""
    allowed, sig = tmp_path / "allowed", tmp_path / "sig"
    allowed.write_text(line + "\n")
    sig.write_bytes(armor)
    proc = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "dev@example.com", "-n", "git",
                           "-s", str(sig)], input=PAYLOAD, capture_output=True, check=False)
    info = verify_ssh(armor, PAYLOAD, signers=parse_allowed_signers(line + "\n", "mem"), now=NOW)
    return info.status is S.GOOD, proc.returncode == 0


def _variants(key: _Key) -> dict[str, bytes]:
    algorithm, inner, tail = key.sign(_signed_data())
    good = _sig(algorithm, inner, tail)
    out = {"good": _armor(key.blob, good), "version 2": _armor(key.blob, good, version=2),
           "reserved": _armor(key.blob, good, reserved=b"x"), "namespace Git": _armor(key.blob, good, namespace=b"Git"),
           "trailing": _armor(key.blob, good + b"\0"), "truncated": _armor(key.blob, good[:-1])}
    if isinstance(inner, bytes):
        scalar = int.from_bytes(inner[32:], "little")
        for name, add in (("S+L", L), ("S+2L", 2 * L)):
            if scalar + add < 2**256:
                out[name] = _armor(key.blob, _sig(algorithm, inner[:32] + (scalar + add).to_bytes(32, "little"), tail))
        out["R sign bit"] = _armor(key.blob, _sig(algorithm, inner[:31] + bytes((inner[31] ^ 0x80,)) + inner[32:], tail))
    else:
        r, s = inner
        out.update({"s=n-s": _armor(key.blob, _sig(algorithm, (r, N256 - s), tail)),
                    "r+n": _armor(key.blob, _sig(algorithm, (r + N256, s), tail)),
                    "r=0": _armor(key.blob, _sig(algorithm, (0, s), tail)),
                    "s=0": _armor(key.blob, _sig(algorithm, (r, 0), tail)),
                    "r padded": _armor(key.blob, _sig(algorithm, (r, s), tail, pad=1))})
    if key.kind.startswith("sk-"):
        for flags in (0, 0x80):
            out[f"flags {flags}"] = _armor(key.blob, _sig(*key.sign(_signed_data(), flags=flags)))
        plain = key.kind.removeprefix("sk-").removesuffix("@openssh.com").encode()
        out["plain algorithm"] = _armor(key.blob, _sig(plain, inner, tail))
    return out


@pytest.mark.parametrize("kind", ["ssh-ed25519", "ecdsa-sha2-nistp256", ED_SK, EC_SK])
def test_held_the_gate_never_calls_good_what_ssh_keygen_refuses(tmp_path: Path, kind: str) -> None:
    """Held: malleated, zero, out-of-range and re-encoded signature values, flags, algorithm names and SSHSIG fields
    (see the module docstring for the full list measured)."""
    key = _Key(kind)
    lax = []
    for name, armor in _variants(key).items():
        ours, theirs = _verdicts(tmp_path, armor, key.line)
        if ours and not theirs:
            lax.append(name)
    assert lax == []
    assert _verdicts(tmp_path, _variants(key)["good"], key.line) == (True, True)


# -- 2. allowed-signers lines ssh-keygen refuses and the gate trusts ---------------------------------------------------

@pytest.fixture(scope="module")
def signing_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    directory = tmp_path_factory.mktemp("keys")
    return {"ed25519": keygen(directory, "ed", "-t", "ed25519"), "ecdsa": keygen(directory, "ec", "-t", "ecdsa",
                                                                               "-b", "256")}


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _dirty_bits(key_b64: str) -> str:
    """The key's base64 with a bit set past its last whole byte (b64_pton refuses it; Python ignores it)."""
    data = key_b64.rstrip("=")
    assert len(key_b64) > len(data), "needs a padded encoding"
    return data[:-1] + _B64[_B64.index(data[-1]) | 1] + key_b64[len(data):]


@pytest.mark.parametrize(("kind", "line"), [
    ("ed25519", 'dev@example.com valid-after="19700101Z" {type} {b64}'),
    ("ed25519", 'dev@example.com valid-after="19000101Z" {type} {b64}'),
    ("ed25519", "dev@example.com {type} {b64}="),
    ("ecdsa", "dev@example.com {type} {dirty}"),
])
def test_an_allowed_signers_line_ssh_keygen_refuses_trusts_no_key(tmp_path: Path, signing_keys: dict[str, Key],
                                                                   kind: str, line: str) -> None:
    """LOW (false GOOD vs git, admin-written file): ssh-keygen refuses a valid-after at or before the epoch
    (sshsigopt_parse: `valid_after == 0`, and mktime/timegm < 0) and a key whose base64 b64_pton refuses (surplus
    `=`, non-zero bits after the last byte); git says `U`. allowed_signers.py reads the date as 1970/1900 and the key
    with Python's lenient b64decode (decode_key_blob), so the gate says good - the file "git verify-commit agrees
    with" (DESIGN 4) is read more leniently than git reads it. Fix: refuse times <= 0 as ssh-keygen does, and
    decode key base64 strictly (re-encode and compare, as `_b64_pton` does for the armor)."""
    key = signing_keys[kind]
    key_type, key_b64 = key.line.split()[:2]
    repo = RepoBuilder.init(tmp_path / "repo")
    sha = signed_commit(repo, "fix: on the train", key, {"a.txt": "x\n"})
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(line.format(type=key_type, b64=key_b64, dirty=_dirty_bits(key_b64) if kind == "ecdsa" else "")
                       + "\n")
    letter = repo.git("-c", f"gpg.ssh.allowedSignersFile={allowed}", "log", "-1", "--format=%G?", sha).strip()
    raw = subprocess.run(["git", "cat-file", "commit", sha], cwd=repo.path, capture_output=True, check=True).stdout

    assert letter != "G"
    try:
        signers = load_allowed_signers(allowed).signers
    except ConfigError:
        return  # refusing the file is as good as git's refusal
    assert verify_commit(raw, signers=signers, now=NOW).status is not S.GOOD


def test_the_unsupported_signature_fix_does_not_say_security_keys_are_never_accepted() -> None:
    """LOW (diagnostic, stale after the FIDO change): provenance/unsupported-signature's fix text still tells the
    pusher that "security-key (sk-*) signatures are never accepted" - they are verified now (README: "FIDO
    security keys"), and the status is reached by ssh-dss, certificates and x509 instead. Fix: drop the sk clause."""
    from gatekeeper.checks.provenance import _STATUS, UNSUPPORTED

    assert "sk-" not in _STATUS[UNSUPPORTED][1]
