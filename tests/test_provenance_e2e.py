"""Provenance end to end: real keys, real signed commits, a policy in the repository, `gatekeeper check`.

Each test builds a repository whose main branch holds `.gatekeeper.yml`, the device registry and the
allowed-signers file, makes commits on a feature branch (signed by git with ssh-keygen keys), runs the
real CLI with JSON output and asserts the verdict.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from gatekeeper.checks import CHECKS
from gatekeeper.config import parse_policy
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.errors import ConfigError
from gatekeeper.git import Git
from gatekeeper.models import (
    Commit,
    CommitReport,
    Origin,
    Person,
    RefKind,
    RefUpdate,
    SignatureInfo,
    SignatureStatus,
)
from gatekeeper.modes.local import run_check
from gatekeeper.provenance import allowed_signers_text, dump_registry
from gatekeeper.provenance.source import (
    ProvenanceSource,
    classify,
    filesystem_reader,
    git_reader,
    repository_path,
)
from tests.provenance_helpers import (
    X509_ARMOR,
    Key,
    check_json,
    findings,
    install_policy,
    make_keys,
    registry_with,
    replace_head,
    rule_ids,
    signed_commit,
    with_signature,
)
from tests.repo_builder import RepoBuilder

POLICY = """\
version: 1
rules:
  mobile: {{scanners: [], block_at: high, require_signature: {require}, review: null}}
  default: {{scanners: [], block_at: critical}}
devices: .gatekeeper/devices.yml
allowed_signers: .gatekeeper/allowed_signers
{extra}"""
REQUIRED = POLICY.format(require="true", extra="")
LENIENT = POLICY.format(require="false", extra="")
DEV = "dev@example.com"  # the author and committer conftest pins


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory)



def phone(key: Key, *, managed: bool = False, owner: str = DEV, device_id: str = "pixel8-dev",
          **extra: object) -> dict[str, object]:
    return {"id": device_id, "owner": owner, "managed": managed, "key": key, **extra}


def feature(repo: RepoBuilder) -> None:
    repo.branch("feature")


# -- origin from the key ---------------------------------------------------------------------------------------

def test_registered_mobile_key_beats_a_desktop_trailer(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    install_policy(repo, LENIENT, registry_with(phone(keys["alice"], managed=True)))
    feature(repo)
    sha = signed_commit(repo, "fix\n\nOrigin-Device: desktop\nOrigin-Device-Id: macbook-dev\n", keys["alice"],
                        {"a.py": "x = 1\n"})

    code, data = check_json(repo)

    (report,) = data["commits"]
    assert report["sha"] == sha
    assert report["origin"]["device"] == "mobile"
    assert report["origin"]["device_id"] == "pixel8-dev"
    assert report["origin"]["managed"] is True
    assert report["mobile"] is True and report["ruleset"] == "mobile"
    (signing,) = [e for e in report["origin"]["evidence"] if e["source"] == "signing-key"]
    assert signing["trust"] == "verified"
    assert report["signature"] == {"status": "good", "format": "ssh", "signer": DEV,
                                   "key": keys["alice"].fingerprint, "device_id": "pixel8-dev", "detail": ""}
    spoofed = findings(data, "origin/spoofed")
    assert {f["message"] for f in spoofed} == {
        "commit declares desktop (trailer) but signing-key shows mobile",
        "commit declares device id 'macbook-dev' but was signed by device 'pixel8-dev'",
    }
    assert all(f["severity"] == "high" and f["blocking"] for f in spoofed)
    assert code == 1


def test_personal_device_is_blocked_by_an_unmanaged_device_zone(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    zone = ("zones:\n  - {name: payments, paths: ['src/payments/**'], unmanaged_device: block}\n")
    install_policy(repo, POLICY.format(require="false", extra=zone),
                   registry_with(phone(keys["alice"], managed=False),
                                 phone(keys["bob"], managed=True, device_id="ipad-dev", device_class="tablet")))
    feature(repo)
    personal = signed_commit(repo, "charge", keys["alice"], {"src/payments/charge.py": "x = 1\n"})
    managed = signed_commit(repo, "refund", keys["bob"], {"src/payments/refund.py": "y = 2\n"})

    code, data = check_json(repo)

    assert code == 1
    (violation,) = findings(data, "policy/zone-violation")
    assert violation["commit"] == personal and violation["blocking"] is True
    assert violation["message"] == "change from a personal (BYOD) device to src/payments/charge.py in zone 'payments'"
    by_sha = {c["sha"]: c for c in data["commits"]}
    assert by_sha[personal]["origin"]["managed"] is False
    assert (by_sha[managed]["origin"]["device"], by_sha[managed]["origin"]["managed"]) == ("tablet", True)


# -- what a rule set that requires signatures gets -------------------------------------------------------------

def test_unsigned_mobile_commit_is_blocked_where_signatures_are_required(repo: RepoBuilder,
                                                                         keys: dict[str, Key]) -> None:
    install_policy(repo, REQUIRED, registry_with(phone(keys["alice"])))
    feature(repo)
    mobile = repo.commit("from the phone\n\nOrigin-Device: mobile\n", {"a.py": "x = 1\n"})
    desktop = repo.commit("from the desk", {"b.py": "y = 1\n"})

    code, data = check_json(repo)

    assert code == 1
    (unsigned,) = findings(data, "provenance/unsigned")
    assert unsigned["commit"] == mobile and unsigned["blocking"] is True and unsigned["severity"] == "high"
    assert "the mobile rules require a good signature" in unsigned["message"]
    assert "git config gpg.format ssh" in unsigned["fix"]
    by_sha = {c["sha"]: c for c in data["commits"]}
    assert by_sha[mobile]["signature"]["status"] == "unsigned"
    assert by_sha[desktop]["signature"]["status"] == "unsigned"  # desktop rules do not ask: no finding


def test_unknown_key_is_untrusted(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    install_policy(repo, REQUIRED, registry_with(phone(keys["alice"])))
    feature(repo)
    sha = signed_commit(repo, "x\n\nOrigin-Device: mobile\n", keys["mallory"], {"a.py": "x = 1\n"})

    code, data = check_json(repo)

    assert code == 1
    (untrusted,) = findings(data, "provenance/untrusted-key")
    assert untrusted["commit"] == sha and untrusted["blocking"] is True
    assert keys["mallory"].fingerprint in untrusted["message"]
    assert "gatekeeper device enroll" in untrusted["fix"]
    assert data["commits"][0]["signature"]["status"] == "untrusted"


def test_unknown_key_on_a_commit_that_needs_no_signature_is_not_reported(repo: RepoBuilder,
                                                                         keys: dict[str, Key]) -> None:
    install_policy(repo, REQUIRED, registry_with(phone(keys["alice"])))
    feature(repo)
    signed_commit(repo, "desk work", keys["mallory"], {"a.py": "x = 1\n"})

    code, data = check_json(repo)

    assert (code, data["decision"], data["findings"]) == (0, "allow", [])
    assert data["commits"][0]["signature"]["status"] == "untrusted"


def test_tampered_commit_is_a_bad_signature(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    install_policy(repo, LENIENT, registry_with(phone(keys["alice"])))
    feature(repo)
    sha = signed_commit(repo, "harmless change\n\nOrigin-Device: mobile\n", keys["alice"], {"a.py": "x = 1\n"})
    raw = repo.git("cat-file", "commit", sha).encode() + b"\n"
    forged = replace_head(repo, raw.replace(b"harmless change", b"harmless change!"))

    code, data = check_json(repo)

    (bad,) = findings(data, "provenance/bad-signature")
    assert bad["commit"] == forged and bad["severity"] == "high"
    assert bad["blocking"] is True  # mobile rules block at high even without require_signature
    assert data["commits"][0]["signature"]["status"] == "bad"
    # a bad signature is never a device signature: the commit's class comes from its trailer
    assert all(e["source"] != "signing-key" for e in data["commits"][0]["origin"]["evidence"])
    assert code == 1


def test_signer_must_be_the_author(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    install_policy(repo, REQUIRED, registry_with(phone(keys["alice"], owner="alice@example.com")))
    feature(repo)
    sha = signed_commit(repo, "as bob", keys["alice"], {"a.py": "x = 1\n"}, author=("Bob", "bob@example.com"))

    code, data = check_json(repo)

    assert code == 1  # the key is a registered mobile device, so the mobile rules (signature required) apply
    (mismatch,) = findings(data, "provenance/signer-mismatch")
    assert mismatch["commit"] == sha and mismatch["blocking"] is True and mismatch["severity"] == "high"
    assert mismatch["message"] == (f"signed by alice@example.com (key {keys['alice'].fingerprint}) "
                                   "but the author is bob@example.com")


@pytest.mark.parametrize("binding", ["committer", "none"])
def test_signer_mismatch_is_medium_where_signatures_are_not_required(repo: RepoBuilder, keys: dict[str, Key],
                                                                     binding: str) -> None:
    install_policy(repo, LENIENT + f"signer_binding: {binding}\n",
                   registry_with(phone(keys["alice"], owner="alice@example.com")))
    feature(repo)
    signed_commit(repo, "committed by dev", keys["alice"], {"a.py": "x = 1\n"}, author=("Alice", "alice@example.com"))

    code, data = check_json(repo)

    assert code == 0
    if binding == "none":
        assert "provenance/signer-mismatch" not in rule_ids(data)
        return
    assert data["decision"] == "warn"
    (mismatch,) = findings(data, "provenance/signer-mismatch")
    assert (mismatch["severity"], mismatch["blocking"]) == ("medium", False)
    assert mismatch["message"].endswith(f"but the committer is {DEV}")


def test_allowed_signer_principal_patterns_bind_the_author(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    allowed = f'*@example.com,!mallory@example.com namespaces="git" {keys["mallory"].line}\n'
    install_policy(repo, LENIENT.replace("devices: .gatekeeper/devices.yml\n", ""), allowed_signers=allowed)
    feature(repo)
    ok = signed_commit(repo, "dev", keys["mallory"], {"a": "1"})
    bad = signed_commit(repo, "as mallory", keys["mallory"], {"b": "2"}, author=("M", "Mallory@Example.com"))

    _code, data = check_json(repo)

    by_sha = {c["sha"]: c for c in data["commits"]}
    assert by_sha[ok]["signature"]["status"] == by_sha[bad]["signature"]["status"] == "good"
    assert [f["commit"] for f in findings(data, "provenance/signer-mismatch")] == [bad]


# -- validity is judged at push time ---------------------------------------------------------------------------

def test_revoked_key_on_a_backdated_commit_is_blocked(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    """The phone was revoked yesterday; a commit signed with its key and dated a month ago is checked now.
    git (which judges at the committer date and knows nothing of the registry) still says G with the
    allowed-signers file that predates the revocation; gatekeeper says revoked."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    key = keys["alice"]
    before = registry_with(phone(key))
    revoked = registry_with(phone(key, revoked_at=now - dt.timedelta(days=1), reason="phone stolen"))
    install_policy(repo, LENIENT, revoked, allowed_signers=allowed_signers_text(before))
    feature(repo)
    month_ago = int((now - dt.timedelta(days=30)).timestamp())
    sha = signed_commit(repo, "pushed by the thief\n\nOrigin-Device: desktop\n", key, {"a.py": "x = 1\n"},
                        when=month_ago)

    code, data = check_json(repo)

    assert code == 1
    (finding,) = findings(data, "provenance/revoked-key")
    assert finding["commit"] == sha
    assert (finding["severity"], finding["blocking"]) == ("critical", True)  # blocks even under desktop rules
    assert "revoked at" in finding["message"] and "phone stolen" in finding["message"]
    assert data["commits"][0]["signature"]["status"] == "revoked"
    # The revoked phone still made the commit: it is judged as mobile, and its desktop trailer as a spoof.
    assert data["commits"][0]["ruleset"] == "mobile"
    assert findings(data, "origin/spoofed")
    letter = repo.git("-c", f"gpg.ssh.allowedSignersFile={repo.path / '.gatekeeper/allowed_signers'}",
                      "log", "-1", "--format=%G?", sha)
    assert letter == "G"
    # Judged before the revocation the key was a good mobile key (and the desktop trailer a spoof).
    earlier = run_check(repo.path, "main", None, None, now=now - dt.timedelta(days=2))
    assert earlier.commits[0].signature.status is SignatureStatus.GOOD
    assert {f.rule_id for f in earlier.findings} == {"origin/spoofed"}


def test_expired_device(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    today = dt.datetime.now(dt.UTC).date()
    registry = registry_with(phone(keys["alice"], today=today - dt.timedelta(days=400),
                                   expires=today - dt.timedelta(days=2)))
    install_policy(repo, REQUIRED, registry)
    feature(repo)
    sha = signed_commit(repo, "late\n\nOrigin-Device: mobile\n", keys["alice"], {"a": "1"},
                        when=int((dt.datetime.now(dt.UTC) - dt.timedelta(days=10)).timestamp()))

    code, data = check_json(repo)

    assert code == 1
    (expired,) = findings(data, "provenance/expired-key")
    assert expired["commit"] == sha and expired["blocking"] is True
    assert data["commits"][0]["signature"]["status"] == "expired"


# -- formats we do not accept ----------------------------------------------------------------------------------

def test_x509_signature_is_unsupported(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    install_policy(repo, LENIENT, registry_with(phone(keys["alice"])))
    feature(repo)
    sha = repo.commit("gitsign", {"a": "1"})
    forged = replace_head(repo, with_signature(repo.git("cat-file", "commit", sha).encode() + b"\n", X509_ARMOR))

    code, data = check_json(repo)

    (unsupported,) = findings(data, "provenance/unsupported-signature")
    assert unsupported["commit"] == forged
    # No signature required there: an unverifiable one counts as unsigned, an info note (sig161; high blocked the
    # built-in policy's gitsign-signed commits that it lets through unsigned).
    assert (unsupported["severity"], unsupported["blocking"]) == ("info", False)
    assert "x509" in unsupported["message"]
    assert data["commits"][0]["signature"]["format"] == "x509"
    assert code == 0 and data["decision"] == "allow"  # an info note, reported, decides nothing


def test_classify_error_statuses() -> None:
    S = SignatureStatus
    assert classify(SignatureInfo(S.ERROR, "ssh", detail="unsupported SSH key type 'sk-ssh-ed25519@openssh.com'")) \
        == "provenance/unsupported-signature"
    assert classify(SignatureInfo(S.ERROR, "openpgp", detail="OpenPGP signature, but no GnuPG keyring is "
                                                             "configured to check it")) == "provenance/untrusted-key"
    assert classify(SignatureInfo(S.ERROR, "openpgp", detail="no public key 11 in the GnuPG keyring; import it")) \
        == "provenance/untrusted-key"
    assert classify(SignatureInfo(S.ERROR, None, detail="could not verify the signature: boom")) \
        == "provenance/signature-error"
    assert classify(SignatureInfo(S.GOOD, "ssh")) is None


# -- registered devices and DCO --------------------------------------------------------------------------------

def test_require_registered_device(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    policy = REQUIRED.replace("require_signature: true", "require_registered_device: true")
    allowed = allowed_signers_text(registry_with(phone(keys["alice"]))) + \
        f'{DEV} namespaces="git" {keys["bob"].line}\n'
    install_policy(repo, policy, registry_with(phone(keys["alice"])), allowed_signers=allowed)
    feature(repo)
    registered = signed_commit(repo, "phone\n\nOrigin-Device: mobile\n", keys["alice"], {"a": "1"})
    laptop_key = signed_commit(repo, "allowed key, no device\n\nOrigin-Device: mobile\n", keys["bob"], {"b": "2"})
    unsigned = repo.commit("unsigned\n\nOrigin-Device: mobile\n", {"c": "3"})

    code, data = check_json(repo)

    assert code == 1
    assert [f["commit"] for f in findings(data, "provenance/unregistered-device")] == [laptop_key]
    assert [f["commit"] for f in findings(data, "provenance/unsigned")] == [unsigned]
    assert not [f for f in data["findings"] if f["commit"] == registered]


def test_dco(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    install_policy(repo, LENIENT + "require_dco: true\n", registry_with(phone(keys["alice"])))
    feature(repo)
    signed_off = repo.commit("ok\n\nSigned-off-by: Dev Eloper <DEV@example.com>\n", {"a": "1"})
    missing = repo.commit("no sign-off", {"b": "2"})
    other = repo.commit("someone else\n\nSigned-off-by: Bob <bob@example.com>\n", {"c": "3"})
    via_git = signed_commit(repo, "git -s", keys["alice"], {"d": "4"}, signoff=True)
    # Real-world spellings (runc's history): a GitHub handle after the address, extra spaces, CRLF.
    github_suffix = repo.commit("fix\n\nSigned-off-by: Dev Eloper <dev@example.com> (github: dev)\n", {"e": "5"})
    spaced = repo.commit("fix\r\n\r\nSigned-off-by:   Dev  Eloper   < dev@example.com >\r\n", {"f": "6"})

    code, data = check_json(repo)

    assert code == 1
    dco = findings(data, "provenance/dco-missing")
    assert sorted(f["commit"] for f in dco) == sorted([missing, other])
    assert all(f["blocking"] and f["severity"] == "medium" for f in dco)
    assert "git commit --amend --no-edit -s" in dco[0]["fix"]
    flagged = {f["commit"] for f in dco}
    assert signed_off not in flagged and via_git not in flagged
    assert github_suffix not in flagged and spaced not in flagged


# -- trusted files: where they come from, and what broken ones get ---------------------------------------------

def test_pushed_registry_change_does_not_trust_its_own_key(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    """A change that enrols its own key is judged with the registry of the base (pre-receive, Action);
    the local mode reads the work tree and is advisory only."""
    base = install_policy(repo, REQUIRED, registry_with(phone(keys["alice"])))
    feature(repo)
    evil = registry_with(phone(keys["alice"]), phone(keys["mallory"], device_id="evil"))
    sha = signed_commit(repo, "enrol myself\n\nOrigin-Device: mobile\n", keys["mallory"],
                        {".gatekeeper/devices.yml": dump_registry(evil),
                         ".gatekeeper/allowed_signers": allowed_signers_text(evil)})
    git = Git(repo.path)
    policy = parse_policy(REQUIRED, ".gatekeeper.yml", base_dir=repo.path)
    request = Request(git=git, updates=(RefUpdate("refs/heads/main", base, sha, RefKind.UPDATE),), policy=policy,
                      pushed=False)

    trusted = evaluate(request, Services(signatures=ProvenanceSource(reader=git_reader(git, base, repo.path))))
    advisory = evaluate(request, Services(signatures=ProvenanceSource(reader=filesystem_reader)))

    assert trusted.commits[0].signature.status is SignatureStatus.UNTRUSTED
    assert {f.rule_id for f in trusted.blocking} == {"provenance/untrusted-key"}
    assert advisory.commits[0].signature.status is SignatureStatus.GOOD


def test_git_reader_reads_the_revision_not_the_work_tree(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    base = install_policy(repo, REQUIRED, registry_with(phone(keys["alice"])))
    (repo.path / ".gatekeeper" / "devices.yml").write_text("garbage: [\n")
    read = git_reader(Git(repo.path), base, repo.path)
    assert (read(repo.path / ".gatekeeper" / "devices.yml") or "").startswith("# gatekeeper device registry")
    assert read(Path(".gatekeeper/devices.yml")) == read(repo.path / ".gatekeeper" / "devices.yml")
    assert read(repo.path / "missing.yml") is None
    assert git_reader(Git(repo.path), "0" * 40, repo.path)(repo.path / ".gatekeeper.yml") is None
    with pytest.raises(ConfigError, match="outside the repository"):
        read(repo.path.parent / "elsewhere.yml")
    with pytest.raises(ConfigError, match="not a file inside the repository"):
        repository_path(Path("../x"), None)
    with pytest.raises(ConfigError, match="absolute path"):
        repository_path(Path("/etc/passwd"), None)


def test_missing_registry_is_a_config_error(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("policy", {".gatekeeper.yml": REQUIRED})
    feature(repo)
    repo.commit("x", {"a": "1"})

    code, _ = check_json(repo)

    assert code == 3
    err = capsys.readouterr().err
    assert f"{repo.path / '.gatekeeper/devices.yml'}: device registry not found" in err
    assert "fix: enrol a device (`gatekeeper device enroll ...` creates the file)" in err


def test_policy_without_devices_needs_no_registry(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    repo.commit("policy", {".gatekeeper.yml": "version: 1\nrules:\n  mobile: {scanners: []}\n"
                                              "  default: {scanners: []}\n"})
    feature(repo)
    signed_commit(repo, "x", keys["alice"], {"a": "1"})
    code, data = check_json(repo)
    assert code == 0 and data["commits"][0]["signature"]["status"] == "untrusted"


def test_registry_alone_is_enough(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    """Without `allowed_signers:` the signers are derived from the registry."""
    install_policy(repo, REQUIRED.replace("allowed_signers: .gatekeeper/allowed_signers\n", ""),
                   registry_with(phone(keys["carol"])))  # ECDSA P-256, as phone keystores make them
    feature(repo)
    signed_commit(repo, "x\n\nOrigin-Device: mobile\n", keys["carol"], {"a": "1"})
    code, data = check_json(repo)
    assert code == 0, data["findings"]
    assert data["commits"][0]["signature"]["status"] == "good"


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        (".gatekeeper/allowed_signers", "# ok\ndev@example.com namespaces=git ssh-ed25519 AAAA\n",
         "allowed_signers:2: option 'namespaces' needs a double-quoted value"),
        (".gatekeeper/devices.yml", "version: 1\ndevices:\n  - {id: a, owner: a@b.c, class: mobile, managed: true, "
         "keys: ['KEY1']}\n  - {id: a, owner: a@b.c, class: mobile, managed: true, keys: ['KEY2']}\n",
         "devices.yml: devices[1].id: duplicate device id 'a' (also devices[0].id)"),
        (".gatekeeper/devices.yml", "version: 1\ndevices:\n  - {id: a, owner: a@b.c, clas: mobile}\n",
         "devices.yml: devices[0].clas: unknown key"),
    ],
)
def test_broken_trusted_files_exit_3_naming_the_place(repo: RepoBuilder, keys: dict[str, Key],
                                                      capsys: pytest.CaptureFixture[str], file: str, content: str,
                                                      message: str) -> None:
    install_policy(repo, REQUIRED, registry_with(phone(keys["alice"])))
    content = content.replace("KEY1", keys["alice"].line).replace("KEY2", keys["bob"].line)
    repo.commit("break it", {file: content})
    feature(repo)
    signed_commit(repo, "x", keys["alice"], {"a": "1"})

    code, _ = check_json(repo)

    assert code == 3
    assert message in capsys.readouterr().err


# -- the check's place in the registry ------------------------------------------------------------------------

def test_checks_registry_has_unique_ids_and_the_provenance_checks() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert {"provenance/unsigned", "provenance/dco-missing"} <= set(ids)


def test_no_signature_source_reports_unavailable_not_unsigned(repo: RepoBuilder) -> None:
    sha = repo.commit("x\n\nOrigin-Device: mobile\n", {"a": "1"})
    policy = parse_policy(REQUIRED, "p.yml", base_dir=repo.path)
    request = Request(git=Git(repo.path), updates=(RefUpdate("refs/heads/f", "0" * 40, sha, RefKind.CREATE),),
                      policy=policy)
    verdict = evaluate(request, Services())
    assert {f.rule_id for f in verdict.findings} == {"tool/provenance-unavailable"}


def test_signature_check_on_reports_without_git() -> None:
    """The check is pure: it reads CommitReport.signature and the policy."""
    from gatekeeper.checks import CheckContext
    from gatekeeper.checks.provenance import SignatureCheck

    policy = parse_policy(REQUIRED, "p.yml")
    commit = Commit("a" * 40, (), Person("Dev", DEV), Person("Dev", DEV), 0, 0, "x")
    revoked = SignatureInfo(SignatureStatus.REVOKED, "ssh", DEV, "SHA256:k", "pixel", "revoked")
    reports = [CommitReport(commit, Origin(), mobile=False, ruleset="default", signature=revoked)]
    (finding,) = SignatureCheck().run(CheckContext(policy, reports, {}, (), "local", dt.datetime.now(dt.UTC)))
    assert (finding.rule_id, finding.severity.label, finding.enforced) == ("provenance/revoked-key", "critical", False)


def test_git_agrees_on_the_generated_allowed_signers(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    install_policy(repo, REQUIRED, registry_with(phone(keys["alice"])))
    feature(repo)
    sha = signed_commit(repo, "x\n\nOrigin-Device: mobile\n", keys["alice"], {"a": "1"})
    env = dict(os.environ)
    proc = subprocess.run(["git", "-c", f"gpg.ssh.allowedSignersFile={repo.path / '.gatekeeper/allowed_signers'}",
                           "verify-commit", sha], cwd=repo.path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    code, data = check_json(repo)
    assert code == 0 and data["commits"][0]["signature"]["status"] == "good"


def test_openpgp_trust_comes_from_the_registry_when_there_is_one() -> None:
    from gatekeeper.provenance import parse_registry
    from gatekeeper.provenance.source import _openpgp_trust

    fpr = "AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111"
    registry = parse_registry(f"version: 1\ndevices:\n  - {{id: laptop, owner: {DEV}, class: desktop, managed: true, "
                              f"keys: ['{fpr}'], expires: 2030-01-01}}\n", "devices.yml")
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    S = SignatureStatus
    ultimate_stranger = SignatureInfo(S.GOOD, "openpgp", "X <x@example.com>", "BBBB2222BBBB2222BBBB2222BBBB2222BBBB2222")
    enrolled_no_ownertrust = SignatureInfo(S.UNTRUSTED, "openpgp", f"Dev <{DEV}>", fpr, "laptop", "owner trust undefined")

    assert _openpgp_trust(ultimate_stranger, None, now) == ultimate_stranger  # no registry: the keyring decides
    assert _openpgp_trust(ultimate_stranger, registry, now).status is S.UNTRUSTED
    assert _openpgp_trust(enrolled_no_ownertrust, registry, now).status is S.GOOD
    assert _openpgp_trust(enrolled_no_ownertrust, registry, dt.datetime(2031, 1, 1, tzinfo=dt.UTC)).status is S.EXPIRED
