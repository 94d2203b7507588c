"""sig161: signatures gitsign (Sigstore's keyless x509) makes, judged on real commits git signs itself.

The blind round on five histories not used before (sigstore/gitsign, sigstore/cosign, chainguard-dev/melange,
archlinux/archinstall, git/git; docs/performance.md) found one class of wrong judgment: 3,157 commits signed with
gitsign were `provenance/unsupported-signature` at high severity wherever they were pushed, so the built-in policy
(every rule set `block_at: high`, no signature required) BLOCKED a gitsign-signed commit that it lets through
unsigned. git itself reads those signatures as `N` (gpgsm cannot parse gitsign's CMS) and gatekeeper cannot check them
either (that needs Fulcio's roots and a Rekor entry): the signature proves nothing, so the commit now counts as
unsigned — an info note where the rules do not ask for a signature, the enforced high finding where they do.

The commits here are signed by git through `gpg.x509.program`, the way gitsign plugs in: a program written by the
test that makes a detached CMS signature with a certificate issued at run time by a stand-in for Fulcio
(`O=sigstore.dev`, the signer's e-mail in the subject alternative name, the OIDC issuer extension).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.models import SignatureStatus
from gatekeeper.provenance import DeviceRegistry, split_signature, verify_commit
from gatekeeper.provenance.signatures import x509_claim
from tests.provenance_helpers import (
    Key,
    check_json,
    findings,
    install_policy,
    keygen,
    registry_with,
    replace_head,
    signed_commit,
    with_signature,
)
from tests.repo_builder import RepoBuilder

S = SignatureStatus
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
SIGNER = "jane@example.com"

# Rule sets that do not ask for a signature (as the built-in policy's) and one that does; both block at high.
OPEN = """version: 1
rules:
  mobile: {scanners: [], block_at: high}
  default: {scanners: [], block_at: high}
"""
REQUIRED = """version: 1
origins: {undeclared: mobile, mobile_classes: [mobile]}
rules:
  mobile: {scanners: [], block_at: high, require_signature: true}
  default: {scanners: [], block_at: high}
"""
REGISTERED = """version: 1
origins: {undeclared: mobile, mobile_classes: [mobile]}
devices: .gatekeeper/devices.yml
rules:
  mobile: {scanners: [], block_at: high, require_registered_device: true}
  default: {scanners: [], block_at: high}
"""

# gitsign's part, as git drives it: `PROGRAM --status-fd=2 -bsau KEY`, the payload on stdin, the armored signature
# on stdout, SIG_CREATED on the status fd. The certificate and its key are made per test (below).
_SIGNER_PROGRAM = r'''
import base64, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
here = sys.argv[0].rsplit("/", 1)[0]
cert = x509.load_pem_x509_certificate(open(here + "/cert.pem", "rb").read())
key = serialization.load_pem_private_key(open(here + "/key.pem", "rb").read(), None)
payload = sys.stdin.buffer.read()
der = (pkcs7.PKCS7SignatureBuilder().set_data(payload).add_signer(cert, key, hashes.SHA256())
       .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]))
body = base64.b64encode(der).decode()
lines = [body[i:i + 64] for i in range(0, len(body), 64)]
sys.stdout.write("-----BEGIN SIGNED MESSAGE-----\n" + "\n".join(lines) + "\n-----END SIGNED MESSAGE-----\n")
sys.stderr.write("\n[GNUPG:] SIG_CREATED D 19 8 00 0 0\n")
'''


def _gitsign_stand_in(directory: Path, email: str = SIGNER, organisation: str = "sigstore.dev") -> Path:
    """A signing program for `gpg.x509.program` with a fresh key and a short-lived certificate for `email`, issued
    by a fresh CA named like Fulcio's intermediate (or another `organisation`)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP384R1())
    key = ec.generate_private_key(ec.SECP256R1())
    issuer = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                        x509.NameAttribute(NameOID.COMMON_NAME, "sigstore-intermediate")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([])).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(minutes=10))
            .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=True)
            .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1"),
                                                      b"https://accounts.example.com"), critical=False)
            .sign(ca_key, hashes.SHA384()))
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    program = directory / "gitsign-stand-in"
    program.write_text(f"#!{sys.executable}\n{_SIGNER_PROGRAM}")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


def _x509_commit(repo: RepoBuilder, program: Path, message: str, files: dict[str, str],
                 author: tuple[str, str] = ("Jane", SIGNER)) -> str:
    repo.git("config", "gpg.format", "x509")
    repo.git("config", "gpg.x509.program", str(program))
    return repo.commit(message, files, author=author, committer=author, extra_args=("--gpg-sign=anything",))


def _git_letter(repo: RepoBuilder, sha: str) -> str:
    # git over an empty GnuPG home, as tests/test_signature_real.py asks it: gpgsm, not the signing program.
    home = repo.path.parent / "gnupg-empty"
    home.mkdir(mode=0o700, exist_ok=True)
    return repo.git("-c", "gpg.x509.program=gpgsm", "log", "-1", "--format=%G?", sha,
                    env={"GNUPGHOME": str(home)})


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    builder = RepoBuilder.init(tmp_path / "repo")
    builder.git("config", "user.name", "Jane")
    builder.git("config", "user.email", SIGNER)
    return builder


def _feature(repo: RepoBuilder, policy: str, registry: DeviceRegistry | None = None) -> None:
    install_policy(repo, policy, registry)
    repo.branch("feature")


def test_git_signs_through_the_program_as_gitsign_does(repo: RepoBuilder, tmp_path: Path) -> None:
    program = _gitsign_stand_in(tmp_path / "signer")
    repo.commit("base", {"a": "0"})
    sha = _x509_commit(repo, program, "keyless\n", {"a": "1"})
    raw = repo.git("cat-file", "commit", sha).encode()
    signature, _payload, problem = split_signature(raw)

    assert signature is not None and signature.startswith(b"-----BEGIN SIGNED MESSAGE-----") and problem is None
    info = verify_commit(raw, signers=(), now=NOW)
    assert (info.status, info.format, info.signer, info.key) == (S.ERROR, "x509", None, None)
    # The certificate's claim is named for a reader, and said to be unverified; it is never the signer.
    assert info.detail == ("unsupported signature format (gitsign certificate for jane@example.com via "
                           "https://accounts.example.com; not verified)")
    if shutil.which("gpgsm") is not None:
        assert _git_letter(repo, sha) in ("N", "E", "B")  # git cannot check it either; never G


def test_gitsign_commit_is_not_blocked_where_no_signature_is_required(repo: RepoBuilder, tmp_path: Path) -> None:
    _feature(repo, OPEN)
    sha = _x509_commit(repo, _gitsign_stand_in(tmp_path / "signer"), "keyless\n", {"a": "1"})

    code, data = check_json(repo, "--base", "main")

    (note,) = findings(data, "provenance/unsupported-signature")
    assert (note["commit"], note["severity"], note["blocking"]) == (sha, "info", False)
    assert "counts as unsigned" in note["message"] and "gitsign certificate for jane@example.com" in note["message"]
    assert data["commits"][0]["signature"]["status"] == "error"
    assert code == 0 and data["decision"] == "allow"


def test_built_in_policy_lets_a_gitsign_commit_through_as_it_lets_an_unsigned_one(repo: RepoBuilder,
                                                                                tmp_path: Path) -> None:
    repo.commit("base", {"a": "0"})
    repo.branch("feature")
    repo.commit("plain", {"a": "1"})
    _x509_commit(repo, _gitsign_stand_in(tmp_path / "signer"), "keyless\n", {"a": "2"})

    code, data = check_json(repo, "--base", "main")

    assert code == 0 and data["decision"] == "allow"
    assert [f["severity"] for f in data["findings"] if f["rule_id"].startswith("provenance/")] == ["info"]


def test_gitsign_commit_is_blocked_where_a_signature_is_required(repo: RepoBuilder, tmp_path: Path) -> None:
    _feature(repo, REQUIRED)
    sha = _x509_commit(repo, _gitsign_stand_in(tmp_path / "signer"), "keyless\n", {"a": "1"})

    code, data = check_json(repo, "--base", "main")

    (finding,) = findings(data, "provenance/unsupported-signature")
    assert (finding["commit"], finding["severity"], finding["blocking"]) == (sha, "high", True)
    assert code == 1 and data["decision"] == "block"


def test_a_certificate_naming_an_enrolled_owner_is_no_device(repo: RepoBuilder, tmp_path: Path) -> None:
    """Attack: the owner of an enrolled phone is jane@; a gitsign-shaped signature whose certificate names her (any
    CA can write any name) must not make the commit hers, her device's or good."""
    alice = keygen(tmp_path, "alice", "-t", "ed25519")
    registry = registry_with({"id": "pixel-jane", "owner": SIGNER, "managed": True, "key": alice})
    _feature(repo, REGISTERED, registry=registry)
    sha = _x509_commit(repo, _gitsign_stand_in(tmp_path / "signer", organisation="Example CA"), "x\n", {"a": "1"})

    code, data = check_json(repo, "--base", "main")

    commit = data["commits"][0]
    assert commit["signature"]["status"] == "error" and commit["signature"]["signer"] is None
    assert commit["origin"]["device_id"] is None
    (finding,) = findings(data, "provenance/unsupported-signature")
    assert finding["commit"] == sha and finding["blocking"] is True
    assert "certificate for jane@example.com" in finding["message"] and "gitsign" not in finding["message"]
    assert code == 1


def test_an_x509_header_copied_onto_a_forge_made_looking_commit_gains_nothing(repo: RepoBuilder,
                                                                              tmp_path: Path) -> None:
    """Attack: a real gitsign signature lifted from one commit onto another that claims GitHub made it (web-flow
    committer): not good, no forge, no device; where a signature is required it blocks."""
    _feature(repo, REQUIRED)
    signed = _x509_commit(repo, _gitsign_stand_in(tmp_path / "signer"), "keyless\n", {"a": "1"})
    armor = split_signature(repo.git("cat-file", "commit", signed).encode())[0]
    assert armor is not None
    other = repo.commit("web edit\n", {"b": "1"}, committer=("GitHub", "noreply@github.com"))
    forged = replace_head(repo, with_signature(repo.git("cat-file", "commit", other).encode(), armor))

    code, data = check_json(repo, "--base", "main")

    by_sha = {c["sha"]: c for c in data["commits"]}
    assert by_sha[forged]["signature"]["status"] == "error" and by_sha[forged]["signature"].get("forge") is None
    assert {f["commit"] for f in findings(data, "provenance/unsupported-signature")} == {signed, forged}
    assert code == 1


def test_ssh_signature_still_blocks_when_bad_where_no_signature_is_required(repo: RepoBuilder,
                                                                           tmp_path: Path) -> None:
    """The loosening is for signatures nothing can check, not for ones that fail: an SSH signature copied from
    another commit is `bad` and blocks under the same open rules."""
    alice: Key = keygen(tmp_path, "alice", "-t", "ed25519")
    _feature(repo, OPEN)
    signed = signed_commit(repo, "signed\n", alice, {"a": "1"})
    armor = split_signature(repo.git("cat-file", "commit", signed).encode())[0]
    assert armor is not None
    other = repo.commit("other\n", {"b": "1"})
    forged = replace_head(repo, with_signature(repo.git("cat-file", "commit", other).encode(), armor))

    code, data = check_json(repo, "--base", "main")

    (bad,) = findings(data, "provenance/bad-signature")
    assert (bad["commit"], bad["severity"], bad["blocking"]) == (forged, "high", True)
    assert code == 1


def test_a_web_flow_signature_over_another_payload_still_blocks_where_no_signature_is_required(
        repo: RepoBuilder) -> None:
    """Attack: GitHub's real web-flow signature (a runc merge, tests/data/forge) lifted onto a commit that claims
    GitHub made it: `bad`, blocking under the same open rules — the info note is for signatures nothing can check."""
    raw = (Path(__file__).parent / "data" / "forge" / "github-mcp-server-3bad3bc6-squash.commit").read_bytes()
    armor = split_signature(raw)[0]
    assert armor is not None
    _feature(repo, OPEN)
    other = repo.commit("Update README.md (#9)\n", {"b": "1"}, committer=("GitHub", "noreply@github.com"))
    forged = replace_head(repo, with_signature(repo.git("cat-file", "commit", other).encode(), armor))

    code, data = check_json(repo, "--base", "main")

    (bad,) = findings(data, "provenance/bad-signature")
    assert (bad["commit"], bad["severity"], bad["blocking"]) == (forged, "high", True)
    assert data["commits"][0]["signature"]["status"] == "bad"
    assert code == 1


@pytest.mark.parametrize("armor", [
    b"-----BEGIN SIGNED MESSAGE-----\nnot base64 at all\n-----END SIGNED MESSAGE-----\n",
    b"-----BEGIN SIGNED MESSAGE-----\nMIAGCSqGSIb3DQEHAqCAMIACAQExDTALBglghkgBZQMEAgEwgAYJKoZIhvcNAQcB\n"
    b"-----END SIGNED MESSAGE-----\n",
    b"-----BEGIN SIGNED MESSAGE-----\n" + b"QUFB" * 20000 + b"\n-----END SIGNED MESSAGE-----\n",
])
def test_hostile_x509_armor_names_no_claim(armor: bytes) -> None:
    assert x509_claim(armor) == ""


def test_the_claim_is_printable_or_not_shown(tmp_path: Path) -> None:
    program = _gitsign_stand_in(tmp_path / "signer", email="x\x1b[31m@example.com")
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("base", {"a": "0"})
    sha = _x509_commit(repo, program, "x\n", {"a": "1"})
    signature = split_signature(repo.git("cat-file", "commit", sha).encode())[0]
    assert signature is not None and x509_claim(signature) == ""


@pytest.mark.skipif(os.environ.get("GATEKEEPER_SKIP_GPGSM") == "1", reason="gpgsm disabled")
def test_gpgsm_cannot_read_gitsign_signatures_either(repo: RepoBuilder, tmp_path: Path) -> None:
    """git's `%G?` for these, as on the real histories, with its default x509 program: never `G`."""
    if shutil.which("gpgsm") is None:
        pytest.skip("gpgsm is not installed")
    repo.commit("base", {"a": "0"})
    sha = _x509_commit(repo, _gitsign_stand_in(tmp_path / "signer"), "keyless\n", {"a": "1"})
    assert subprocess.run(["git", "-C", str(repo.path), "cat-file", "-e", sha], check=False).returncode == 0
    assert _git_letter(repo, sha) != "G"


# -- pinned commits of the blind round's histories (skipped without the mirrors) ---------------------------------

ROOT = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
# Real gitsign signatures (Fulcio certificates; on refs/pull/*/head and main): git N, gatekeeper error with the claim.
GITSIGN = {
    "sigstore+gitsign": ["dc68e8ce155fe12ab8fd7c55de6ef336ce716ee8", "a283a6f3a15bb0f4544c36f1a6329c78f1403d45"],
    "sigstore+cosign": ["1a8fbba5a2b19719f866fa9b00863043f61021e3", "c8c74291abb1c9bd3b2a99f00b9cd77fe1099bc0"],
    "chainguard-dev+melange": ["7635aba0d3c5d6219aa31ea927c63c713d1f1b04", "b61c13e7d2ee54c47604ba06e999017e222e600b"],
}


def _mirror(name: str, shas: list[str]) -> Path:
    path = ROOT / name / "repo"
    if not path.is_dir():
        pytest.skip(f"real history {name} not present under {ROOT}")
    probe = subprocess.run(["git", "-C", str(path), "cat-file", "-e", shas[0]], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"{path} does not hold {shas[0]}")
    return path


def _raw(path: Path, sha: str) -> bytes:
    return subprocess.run(["git", "-C", str(path), "cat-file", "commit", sha], capture_output=True,
                          check=True).stdout


@pytest.mark.parametrize("name", sorted(GITSIGN))
def test_real_gitsign_signatures(name: str, tmp_path: Path) -> None:
    path = _mirror(name, GITSIGN[name])
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    letters = subprocess.run(["git", "-C", str(path), "log", "--no-walk=unsorted", "--format=%G?", *GITSIGN[name]],
                             env=env, capture_output=True, text=True, check=True).stdout.split()
    assert letters == ["N"] * len(GITSIGN[name])
    for sha in GITSIGN[name]:
        info = verify_commit(_raw(path, sha), signers=(), now=NOW)
        assert (info.status, info.format, info.signer, info.key) == (S.ERROR, "x509", None, None), sha
        assert info.detail.startswith("unsupported signature format (gitsign certificate for "), sha
        assert info.detail.endswith("; not verified)"), sha


def test_real_objects_git_cannot_judge_are_never_good() -> None:
    """git/git's PR refs hold two objects no signer's git writes today: a `gpgsig` header of process listings before
    an OpenPGP armor (git log dies: "bad/incompatible signature") and git 1.7.8-rc0's development layout, one
    `gpgsig` header per armor line (git concatenates them: `E`, `G` with Junio's published key). Both are `bad` —
    the second a known divergence kept on purpose (tests/test_provenance.py: two headers are never good)."""
    shas = ["b9882d90c5dafe207868e4e66e94b3edcb2a6994", "5f549aa2f78314ac37bbd436c8f80aea4c752e07"]
    path = _mirror("git+git", shas)
    details = [verify_commit(_raw(path, sha), signers=(), now=NOW) for sha in shas]
    assert [d.status for d in details] == [S.BAD, S.BAD]
    assert details[0].detail == "unrecognised signature armor (not SSH, OpenPGP or x509)"
    assert details[1].detail.startswith("the commit has 17 gpgsig headers")


# -- a real push through the pre-receive hook ----------------------------------------------------------------------

HOOK_OPEN = """version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 0}}
  default: {scanners: [], block_at: high}
pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}
"""
HOOK_REQUIRED = HOOK_OPEN.replace("block_at: high, review", "block_at: high, require_signature: true, review")


@pytest.mark.parametrize(("policy", "accepted"), [(HOOK_OPEN, True), (HOOK_REQUIRED, False)])
def test_gitsign_signed_phone_commit_pushed_through_the_hook(tmp_path: Path, policy: str, accepted: bool) -> None:
    from tests.hook_helpers import make_server, seed, spush

    server = make_server(tmp_path / "srv", policy=policy)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=("Jane", SIGNER), committer=("Jane", SIGNER))
    seed(server, work)
    sha = _x509_commit(work, _gitsign_stand_in(tmp_path / "signer"), "Fix typo\n\nOrigin-Device: mobile\n",
                       {"README.md": "hello!\n"})

    result = spush(server, work, "origin", "main")

    if accepted:
        assert result.code == 0, result.output
        assert server.tip() == sha
    else:
        assert result.code != 0 and "provenance/unsupported-signature" in result.output, result.output
        assert server.tip() != sha
