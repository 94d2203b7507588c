"""The forge keys gatekeeper ships, and forge-signed commits judged in-process exactly as gpg judges them.

`tests/data/forge/*.commit` are three commit objects GitHub made and signed (public, from runc and
github-mcp-server): a merge-button merge and a squash merge signed with the current web-flow key, and a
2021 merge signed with the previous key whose "left 16 bits of the hash" field is wrong (gpg accepts it,
and so must we). Every verdict is cross-checked with gpg over a keyring holding only the shipped keys.
Keys a test makes itself (RSA with gpg) stand in for a forge key to cover tampering and rotation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gatekeeper.models import SignatureStatus
from gatekeeper.provenance import openpgp_verifier, split_signature, verify_commit
from gatekeeper.provenance.gpg import forge_gnupghome, run_process
from gatekeeper.provenance.openpgp import (
    ForgeKeys,
    bundled_forge_keys,
    load_openpgp_keys,
    read_issuer,
    verify_forge_openpgp,
)
from gatekeeper.provenance.signatures import NO_KEYRING
from tests.provenance_helpers import forge_gpg_key

S = SignatureStatus
NOW = datetime(2026, 12, 1, tzinfo=UTC)
DATA = Path(__file__).parent / "data" / "forge"
CURRENT, PREVIOUS = "968479A1AFF927E37D1A566BB5690EEEBB952194", "5DE3E0509C47EA3CF04A42D34AEE18F83AFDEB23"


def objects() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(DATA.glob("*.commit"))}


def test_shipped_keys_parse_with_valid_self_signatures() -> None:
    keys = bundled_forge_keys()
    assert {(k.fingerprint, k.expires) for k in keys.openpgp} == {(PREVIOUS, 1705435200), (CURRENT, None)}
    assert [(k.forge, k.principal) for k in keys.ssh] == [("gitlab", "noreply@gitlab.com")]


def test_a_tampered_key_file_is_refused() -> None:
    armored = (Path(__file__).parents[1] / "gatekeeper" / "keys" / "github-web-flow.asc").read_bytes()
    # Flip one bit of the user id packet the self-signature covers, keeping the armor valid.
    from gatekeeper.provenance import openpgp

    data = bytearray(openpgp.dearmor(armored, b"PUBLIC KEY BLOCK"))
    at = bytes(data).index(b"web-flow commit signing")
    data[at] ^= 0x20
    import base64

    text = base64.b64encode(bytes(data))
    broken = (b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n" + b"\n".join(text[i : i + 64] for i in range(0, len(text), 64))
              + b"\n-----END PGP PUBLIC KEY BLOCK-----\n")
    with pytest.raises(ValueError, match="no valid self-signature"):
        load_openpgp_keys(broken, "github", "github web-flow")


@pytest.mark.parametrize("name", sorted(objects()))
def test_real_web_flow_commits_verify_like_gpg(name: str) -> None:
    """In the audit of a landed history (forge_history) a web-flow signature made while its key was valid is
    GOOD; a gate judges the key now, as gpg does, so the previous key's signatures are EXPIRED there (red17)."""
    raw = objects()[name]
    info = verify_commit(raw, signers=(), now=NOW, forge=bundled_forge_keys(), forge_history=True)

    assert (info.status, info.format, info.forge, info.signer) == (S.GOOD, "openpgp", "github", "GitHub web-flow")
    assert info.detail.startswith("verified (github web-flow)")
    assert info.key == (PREVIOUS if "old-key" in name else CURRENT)
    gate = verify_commit(raw, signers=(), now=NOW, forge=bundled_forge_keys())
    assert gate.status is (S.EXPIRED if "old-key" in name else S.GOOD), gate
    assert gate.key == info.key
    home = gnupg_with_forge_keys()
    gpg = openpgp_verifier(run_process, home)(*split_signature(raw)[:2])
    assert gpg.status in (S.UNTRUSTED, S.EXPIRED)  # valid; gpg adds "no owner trust" / "key expired now"
    assert gpg.key == info.key


@pytest.mark.parametrize("name", sorted(objects()))
def test_tampered_web_flow_commit_is_bad_like_gpg(name: str) -> None:
    raw = objects()[name].replace(b"\nparent ", b"\nparent ", 1)
    subject_at = raw.index(b"\n\n") + 2
    tampered = raw[:subject_at] + b"X" + raw[subject_at + 1 :]
    info = verify_commit(tampered, signers=(), now=NOW, forge=bundled_forge_keys())
    gpg = openpgp_verifier(run_process, gnupg_with_forge_keys())(*split_signature(tampered)[:2])
    assert info.status is S.BAD and gpg.status is S.BAD
    assert info.forge == "github"  # who the signature claims to be, for the finding's message


def test_without_forge_keys_web_flow_is_unchecked_not_an_error() -> None:
    raw = objects()["runc-76d9cf5d-merge-button.commit"]
    info = verify_commit(raw, signers=(), now=NOW)
    assert info.status is S.UNTRUSTED and info.detail.endswith(NO_KEYRING)
    assert info.key == "B5690EEEBB952194"


def gnupg_with_forge_keys() -> Path:
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed")
    home = forge_gnupghome()
    assert home is not None
    return home


# -- a forge key the test controls ---------------------------------------------------------------------------

@pytest.fixture
def forge_key(tmp_path: Path) -> Iterator[tuple[list[str], ForgeKeys, str]]:
    """An RSA OpenPGP key standing in for a forge key: (gpg argv prefix, ForgeKeys, fingerprint)."""
    with forge_gpg_key(tmp_path / "gnupg") as made:
        yield made


def _signed_commit(tmp_path: Path, gpg: list[str], fpr: str, message: str) -> bytes:
    repo = tmp_path / "repo"
    if not repo.exists():
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    env = {**os.environ, "GNUPGHOME": gpg[2], "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_COMMITTER_NAME": "GitHub",
           "GIT_COMMITTER_EMAIL": "noreply@github.com"}
    subprocess.run(["git", "-c", f"user.signingkey={fpr}", "commit", "-q", "--allow-empty", "-S", "-m", message],
                   cwd=repo, env=env, check=True, capture_output=True)
    return subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=repo, env=env, check=True,
                          capture_output=True).stdout


def test_in_process_verdict_matches_gpg_on_many_commits(tmp_path: Path,
                                                        forge_key: tuple[list[str], ForgeKeys, str]) -> None:
    gpg, keys, fpr = forge_key
    verifier = openpgp_verifier(run_process, Path(gpg[2]))
    for index in range(12):
        raw = _signed_commit(tmp_path, gpg, fpr, f"Merge pull request #{index + 1} from a/b\n\nbody {index}\n")
        for candidate in (raw, raw.replace(b"body", b"bodY")):
            ours = verify_commit(candidate, signers=(), now=NOW, forge=keys)
            theirs = verifier(*split_signature(candidate)[:2])
            assert ours.status is (S.GOOD if theirs.status in (S.GOOD, S.UNTRUSTED) else S.BAD), (ours, theirs)
            assert ours.key == fpr


def test_signature_made_after_the_key_expired_is_expired(tmp_path: Path,
                                                         forge_key: tuple[list[str], ForgeKeys, str]) -> None:
    gpg, keys, fpr = forge_key
    raw = _signed_commit(tmp_path, gpg, fpr, "late\n")
    (key,) = keys.openpgp
    retired = ForgeKeys((type(key)(key.forge, key.label, key.fingerprint, key.created, key.created, key.public_key),),
                        ())
    info = verify_forge_openpgp(*split_signature(raw)[:2], retired)
    assert info is not None and info.status is S.EXPIRED and "which expired" in info.detail


def test_a_signature_dated_before_the_key_existed_is_bad(tmp_path: Path,
                                                         forge_key: tuple[list[str], ForgeKeys, str]) -> None:
    """The signature's date is the signer's to write: one before the key was made is refused, as gpg refuses it
    (a time conflict), in the gate and in the audit alike."""
    gpg, keys, fpr = forge_key
    raw = _signed_commit(tmp_path, gpg, fpr, "early\n")
    (key,) = keys.openpgp
    later = int(datetime.now(UTC).timestamp()) + 86_400
    young = ForgeKeys((type(key)(key.forge, key.label, key.fingerprint, later, None, key.public_key),), ())
    for now in (None, int(datetime.now(UTC).timestamp())):
        info = verify_forge_openpgp(*split_signature(raw)[:2], young, now)
        assert info is not None and info.status is S.BAD and "before" in info.detail, info


def test_an_expired_key_is_judged_now_in_a_gate_and_at_signing_in_the_audit(
        tmp_path: Path, forge_key: tuple[list[str], ForgeKeys, str]) -> None:
    gpg, keys, fpr = forge_key
    raw = _signed_commit(tmp_path, gpg, fpr, "while valid\n")
    (key,) = keys.openpgp
    signature, payload = split_signature(raw)[:2]
    signed = read_issuer(signature).signature
    assert signed is not None and signed.created is not None
    # The key expired a second after it signed; the gate runs a minute later.
    now = signed.created + 60
    retired = ForgeKeys((type(key)(key.forge, key.label, key.fingerprint, key.created, signed.created + 1,
                                   key.public_key),), ())
    gate = verify_forge_openpgp(signature, payload, retired, now)
    assert gate is not None and gate.status is S.EXPIRED and "judges a forge key now" in gate.detail
    audit = verify_forge_openpgp(signature, payload, retired)
    assert audit is not None and audit.status is S.GOOD and "previous key" in audit.detail


def test_non_forge_key_is_left_to_gpg(tmp_path: Path, forge_key: tuple[list[str], ForgeKeys, str]) -> None:
    gpg, _keys, fpr = forge_key
    raw = _signed_commit(tmp_path, gpg, fpr, "someone else\n")
    assert verify_forge_openpgp(*split_signature(raw)[:2], bundled_forge_keys()) is None


# -- through the engine --------------------------------------------------------------------------------------

def test_engine_verifies_forge_commits_and_notes_the_missing_keyring_once(
        tmp_path: Path, forge_key: tuple[list[str], ForgeKeys, str]) -> None:
    import datetime as dt

    from gatekeeper.config import parse_policy
    from gatekeeper.engine import Request, Services, evaluate
    from gatekeeper.git import Git
    from gatekeeper.models import RefKind, RefUpdate
    from gatekeeper.provenance.source import ProvenanceSource, filesystem_reader
    from gatekeeper.report.json import verdict_dict
    from gatekeeper.report.text import render_text

    gpg, keys, fpr = forge_key
    repo = tmp_path / "repo"
    first = _signed_commit(tmp_path, gpg, fpr, "Update README.md\n")
    _signed_commit(tmp_path, gpg, fpr, "Update docs/index.md\n")  # a second web edit
    run = lambda *a: subprocess.run(["git", *a], cwd=repo, check=True, capture_output=True).stdout.decode().strip()  # noqa: E731
    base = run("rev-list", "--max-parents=0", "HEAD")
    head = run("rev-parse", "HEAD")
    assert first
    policy = parse_policy("version: 1\norigins:\n  mobile_classes: [mobile, tablet, web]\n", "p.yml")

    def judge(forge: ForgeKeys) -> dict[str, object]:
        request = Request(git=Git(repo), updates=(RefUpdate("refs/heads/main", base, head, RefKind.UPDATE),),
                          policy=policy, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        verdict = evaluate(request, Services(signatures=ProvenanceSource(filesystem_reader, forge_keys=forge)))
        return {"json": verdict_dict(verdict), "text": render_text(verdict)}

    trusted = judge(keys)
    (commit,) = trusted["json"]["commits"]  # type: ignore[index]
    assert commit["signature"]["status"] == "good" and commit["signature"]["forge"] == "github"
    assert commit["origin"]["device"] == "web"
    assert "signature=verified (github web-flow)" in str(trusted["text"])
    assert not [f for f in trusted["json"]["findings"] if f["rule_id"] == "provenance/keyring-missing"]  # type: ignore[index]

    policy = parse_policy("version: 1\norigins:\n  mobile_classes: [mobile, tablet, web]\nforge_signatures: []\n",
                          "p.yml")
    refused = judge(keys)
    (commit,) = refused["json"]["commits"]  # type: ignore[index]
    assert commit["signature"]["status"] == "untrusted" and "forge" not in commit["signature"]

    unknown = judge(ForgeKeys((), ()))
    (commit,) = unknown["json"]["commits"]  # type: ignore[index]
    assert commit["signature"]["status"] == "untrusted" and "forge" not in commit["signature"]
    notes = [f for f in unknown["json"]["findings"] if f["rule_id"] == "provenance/keyring-missing"]  # type: ignore[index]
    assert len(notes) == 1 and notes[0]["severity"] == "info" and not notes[0]["blocking"]


def test_forge_signature_beyond_the_in_process_verifier_goes_to_gpg(
        tmp_path: Path, forge_key: tuple[list[str], ForgeKeys, str]) -> None:
    """A signature with an expiry subpacket is left to gpg over the forge keyring, and still reads as a forge's."""
    gpg, keys, fpr = forge_key
    (Path(gpg[2]) / "gpg.conf").write_text("default-sig-expire 1y\n")
    raw = _signed_commit(tmp_path, gpg, fpr, "Merge pull request #3 from a/b\n")
    signature, payload, _ = split_signature(raw)
    assert signature is not None and verify_forge_openpgp(signature, payload, keys) is None
    forge_gpg = openpgp_verifier(run_process, Path(gpg[2]))

    info = verify_commit(raw, signers=(), now=datetime.now(UTC), forge=keys, forge_gpg=forge_gpg)
    tampered = verify_commit(raw.replace(b"#3", b"#4"), signers=(), now=datetime.now(UTC), forge=keys,
                             forge_gpg=forge_gpg)

    assert (info.status, info.forge, info.signer, info.detail) == (S.GOOD, "github", "GitHub web-flow",
                                                                   "verified (github web-flow)")
    assert tampered.status is S.BAD and tampered.forge == "github"


def test_real_gitlab_signed_merge_verifies_with_the_shipped_ssh_key() -> None:
    """A merge gitlab.com made and signed (f-droid/fdroidclient e2b7a7d40fad; committer: the merger)."""
    raw = (DATA.parent / "forge-gitlab" / "fdroidclient-e2b7a7d4-merge-request.commit").read_bytes()
    info = verify_commit(raw, signers=(), now=NOW, forge=bundled_forge_keys())
    assert (info.status, info.format, info.forge, info.signer) == (S.GOOD, "ssh", "gitlab", "noreply@gitlab.com")
    assert info.detail == "verified (gitlab web commits)"
    tampered = verify_commit(raw.replace(b"glide-v1", b"glide-v2"), signers=(), now=NOW, forge=bundled_forge_keys())
    assert tampered.status is S.BAD
    # Without the forge keys it is what git says with no allowed signers: a valid signature, untrusted.
    assert verify_commit(raw, signers=(), now=NOW).status is S.UNTRUSTED


def test_unchecked_signature_naming_an_enrolled_key_is_not_tied_to_its_device(
        tmp_path: Path, forge_key: tuple[list[str], ForgeKeys, str]) -> None:
    """Without a keyring nothing verified the signature: the issuer fingerprint it claims must not pull in a
    registered (or revoked) device, whose class would otherwise become verified origin evidence."""
    from gatekeeper.provenance import parse_registry
    from gatekeeper.provenance.openpgp import read_issuer

    gpg, _keys, fpr = forge_key
    raw = _signed_commit(tmp_path, gpg, fpr, "from a phone, supposedly\n")
    assert read_issuer(split_signature(raw)[0] or b"").issuer == fpr  # gpg 2.2 writes the issuer fingerprint
    spaced = " ".join(fpr[i : i + 4] for i in range(0, 40, 4))
    registry = parse_registry(
        "version: 1\ndevices:\n  - id: phone\n    owner: a@example.com\n    class: mobile\n    managed: false\n"
        f"    keys:\n      - \"{spaced}\"\n    enrolled: 2026-01-01\n    revoked_at: 2026-02-01T00:00:00Z\n",
        "devices.yml")
    info = verify_commit(raw, signers=(), now=NOW, registry=registry)
    assert info.status is S.UNTRUSTED and info.device_id is None and info.detail.endswith(NO_KEYRING)


def test_policy_can_refuse_forge_signatures(tmp_path: Path) -> None:
    """`forge_signatures: []` (e.g. on GHES, whose web-flow key is not github.com's): a github.com-signed
    commit is then an OpenPGP signature like any other; unknown forge names are config errors."""
    import pytest as _pytest

    from gatekeeper.config import parse_policy
    from gatekeeper.errors import ConfigError
    from gatekeeper.provenance.source import _allowed_forges

    assert parse_policy("version: 1\n", "p.yml").forge_signatures == ("github", "gitlab")
    policy = parse_policy("version: 1\nforge_signatures: [gitlab]\n", "p.yml")
    keys = _allowed_forges(bundled_forge_keys(), policy.forge_signatures)
    raw = objects()["runc-76d9cf5d-merge-button.commit"]
    info = verify_commit(raw, signers=(), now=NOW, forge=keys)
    assert info.status is S.UNTRUSTED and info.forge is None and info.detail.endswith(NO_KEYRING)
    assert [k.forge for k in keys.ssh] == ["gitlab"] and keys.openpgp == ()
    with _pytest.raises(ConfigError, match=r"forge_signatures\[0\]: expected one of github, gitlab"):
        parse_policy("version: 1\nforge_signatures: [bitbucket]\n", "p.yml")
