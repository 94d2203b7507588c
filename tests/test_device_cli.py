"""`gatekeeper device enroll|revoke|list` on real keys, with git and `gatekeeper check` agreeing afterwards."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gatekeeper.cli import run
from gatekeeper.errors import ConfigError, UsageError
from gatekeeper.modes.device import DevicePaths, enroll
from gatekeeper.provenance import load_registry
from gatekeeper.provenance.device_files import write_atomic
from gatekeeper.provenance.gpg import gpg_fingerprint, parse_primary_fingerprints
from tests.provenance_helpers import Key, check_json, findings, make_keys, signed_commit
from tests.repo_builder import RepoBuilder

POLICY = """\
version: 1
rules:
  mobile: {scanners: [], block_at: high, require_signature: true}
  default: {scanners: [], block_at: critical}
devices: .gatekeeper/devices.yml
allowed_signers: .gatekeeper/allowed_signers
"""


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory)


@pytest.fixture(autouse=True)
def no_user_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SSH agent or GnuPG home of the developer's reaches the device commands."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("GNUPGHOME", raising=False)


@pytest.fixture
def work(repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch) -> RepoBuilder:
    """A repository with the policy committed, as the current directory."""
    repo.commit("policy", {".gatekeeper.yml": POLICY})
    monkeypatch.chdir(repo.path)
    return repo


def enrol(key: Key, device_id: str = "pixel8-dev", *extra: str, owner: str = "dev@example.com") -> int:
    return run(["device", "enroll", "--id", device_id, "--owner", owner, "--class", "mobile", "--personal",
                "--ssh-key", str(key.pub), *extra])


def git_verify(repo: RepoBuilder, sha: str, allowed: Path) -> int:
    return subprocess.run(["git", "-c", f"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", sha],
                          cwd=repo.path, capture_output=True).returncode


def list_json(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    capsys.readouterr()
    assert run(["device", "list", "--format", "json", *extra]) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


# -- the round trip ----------------------------------------------------------------------------------------------

def test_enroll_list_revoke_round_trip_with_git_and_check(work: RepoBuilder, keys: dict[str, Key],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    key = keys["alice"]
    assert enrol(key) == 0
    out = capsys.readouterr()
    assert f"enrolled pixel8-dev: mobile, personal, owner dev@example.com, key {key.fingerprint}" in out.out
    # The policy names the registry: no note of that; how `git verify-commit` reads the same keys.
    assert out.err == (f"note: so that `git verify-commit` reads the same keys: git config gpg.ssh.allowedSignersFile "
                       f"{(work.path / '.gatekeeper/allowed_signers').resolve().as_posix()}\n")
    registry = load_registry(work.path / ".gatekeeper/devices.yml")
    assert [d.id for d in registry.devices] == ["pixel8-dev"]
    allowed = work.path / ".gatekeeper/allowed_signers"
    assert key.line.split()[1] in allowed.read_text()

    data = list_json(capsys)
    (row,) = data["devices"]  # type: ignore[misc]
    assert {k: row[k] for k in ("id", "owner", "class", "managed", "status")} == {
        "id": "pixel8-dev", "owner": "dev@example.com", "class": "mobile", "managed": False, "status": "active"}
    assert [k["fingerprint"] for k in row["keys"]] == [key.fingerprint]

    work.git("add", ".gatekeeper")
    work.commit("enrol the phone")
    work.branch("feature")
    sha = signed_commit(work, "from the phone", key, {"a.py": "x = 1\n"})
    assert git_verify(work, sha, allowed) == 0  # git agrees with the file we wrote
    code, verdict = check_json(work)
    assert code == 0, verdict["findings"]
    assert verdict["commits"][0]["signature"]["status"] == "good"
    assert verdict["commits"][0]["origin"]["device"] == "mobile"  # the key alone makes it mobile

    assert run(["device", "revoke", "--id", "pixel8-dev", "--reason", "phone lost"]) == 0
    assert "revoked pixel8-dev (owner dev@example.com) from " in capsys.readouterr().out
    data = list_json(capsys)
    (row,) = data["devices"]  # type: ignore[misc]
    assert (row["status"], row["revoked_reason"]) == ("revoked", "phone lost")
    assert key.line.split()[1] not in allowed.read_text()
    assert git_verify(work, sha, allowed) != 0  # git stops trusting it too
    code, verdict = check_json(work)
    assert code == 1
    assert findings(verdict, "provenance/revoked-key")[0]["commit"] == sha
    assert not list((work.path / ".gatekeeper").glob(".*.tmp"))  # atomic writes leave nothing behind


def test_list_text(work: RepoBuilder, keys: dict[str, Key], capsys: pytest.CaptureFixture[str]) -> None:
    assert enrol(keys["alice"]) == 0
    assert run(["device", "enroll", "--id", "ipad-ops", "--owner", "ops@example.com", "--class", "tablet",
                "--managed", "--ssh-key", str(keys["carol"].pub), "--expires", "2020-01-01"]) == 3  # in the past
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    assert run(["device", "enroll", "--id", "ipad-ops", "--owner", "ops@example.com", "--class", "tablet",
                "--managed", "--ssh-key", str(keys["carol"].pub), "--expires", tomorrow]) == 0
    capsys.readouterr()
    assert run(["device", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "OWNER", "CLASS", "DEVICE", "STATUS", "KEYS"]
    assert lines[1].split() == ["pixel8-dev", "dev@example.com", "mobile", "personal", "active",
                                keys["alice"].fingerprint]
    assert lines[2].split() == ["ipad-ops", "ops@example.com", "tablet", "managed", "active",
                                keys["carol"].fingerprint]


def test_defaults_without_a_policy(repo: RepoBuilder, keys: dict[str, Key], monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.path)
    assert enrol(keys["alice"]) == 0
    assert (repo.path / ".gatekeeper/devices.yml").is_file()
    assert (repo.path / ".gatekeeper/allowed_signers").is_file()
    assert ("note: .gatekeeper.yml does not name this registry, so `gatekeeper check` does not use it yet: add "
            "`devices: .gatekeeper/devices.yml` to the policy") in capsys.readouterr().err


def test_explicit_paths(tmp_path: Path, keys: dict[str, Key], monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    reg, allowed = tmp_path / "srv" / "devices.yml", tmp_path / "srv" / "signers"
    assert enrol(keys["alice"], "pixel8-dev", "--registry", str(reg), "--allowed-signers", str(allowed)) == 0
    assert load_registry(reg).devices[0].id == "pixel8-dev"
    assert allowed.read_text().startswith("# generated by gatekeeper")
    assert not (tmp_path / ".gatekeeper").exists()
    data = list_json(capsys, "--registry", str(reg))
    assert data["registry"] == str(reg)


def test_list_without_a_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["device", "list"]) == 0
    assert "no device registry at .gatekeeper/devices.yml" in capsys.readouterr().err


def test_revocation_in_the_past_and_future(work: RepoBuilder, keys: dict[str, Key],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert enrol(keys["alice"], "a") == 0
    assert enrol(keys["bob"], "b") == 0
    assert run(["device", "revoke", "--id", "a", "--reason", "lost", "--at", "2026-01-05T10:00:00+02:00"]) == 0
    assert run(["device", "revoke", "--id", "b", "--reason", "leaving", "--at", "2999-01-01"]) == 0
    rows = {r["id"]: r for r in list_json(capsys)["devices"]}  # type: ignore[union-attr]
    assert (rows["a"]["status"], rows["a"]["revoked_at"]) == ("revoked", "2026-01-05T08:00:00Z")
    assert (rows["b"]["status"], rows["b"]["revoked_at"]) == ("active", "2999-01-01T00:00:00Z")
    # any revocation, even a scheduled one, takes the key out of git's file (git cannot express "from then on")
    assert "ssh-" not in (work.path / ".gatekeeper/allowed_signers").read_text().replace("# ", "")


# -- bad input ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--id", "p", "--owner", "d@example.com", "--class", "mobile", "--ssh-key", "KEY"], 2,
         "fix: pass --managed or --personal"),
        (["--id", "p", "--owner", "d@example.com", "--class", "mobile", "--personal"], 2,
         "pass exactly one of --ssh-key FILE.pub and --gpg-key KEYID"),
        (["--id", "p", "--owner", "d@example.com", "--class", "mobile", "--personal", "--ssh-key", "KEY",
          "--gpg-key", "ABCD"], 2, "pass exactly one of"),
        (["--id", "p", "--owner", "d@example.com", "--class", "phone", "--personal", "--ssh-key", "KEY"], 2,
         "Invalid value for '--class'"),
        (["--id", "p", "--owner", "d@example.com", "--class", "mobile", "--personal", "--ssh-key", "KEY",
          "--expires", "next week"], 2, "Invalid value for '--expires'"),
        (["--id", "p", "--owner", "not-an-email", "--class", "mobile", "--personal", "--ssh-key", "KEY"], 3,
         "invalid owner 'not-an-email'"),
        (["--id", "-bad id", "--owner", "d@example.com", "--class", "mobile", "--personal", "--ssh-key", "KEY"], 3,
         "invalid device id '-bad id'"),
        (["--id", "p", "--owner", "d@example.com", "--class", "mobile", "--personal", "--ssh-key", "missing.pub"], 2,
         "missing.pub: no such public key file"),
        (["--id", "p", "--owner", "d@example.com", "--class", "mobile", "--personal", "--ssh-key", "PRIVATE"], 2,
         "this is a private key"),
        (["--id", "p", "--owner", "d@example.com", "--class", "mobile", "--personal", "--ssh-key", "GARBAGE"], 3,
         "garbage.pub: invalid key for device 'p'"),
    ],
)
def test_enroll_bad_input(work: RepoBuilder, keys: dict[str, Key], capsys: pytest.CaptureFixture[str],
                          args: list[str], code: int, message: str) -> None:
    garbage = work.path / "garbage.pub"
    garbage.write_text("ssh-ed25519 AAAAnot-base64!! me@phone\n")
    swap = {"KEY": str(keys["alice"].pub), "PRIVATE": str(keys["alice"].private), "GARBAGE": str(garbage)}
    assert run(["device", "enroll", *[swap.get(a, a) for a in args]]) == code
    err = capsys.readouterr().err
    assert message in err
    assert "PRIVATE KEY" not in err
    assert not (work.path / ".gatekeeper/devices.yml").exists()


def test_conflicts_are_config_errors(work: RepoBuilder, keys: dict[str, Key],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert enrol(keys["alice"], "a") == 0
    before = (work.path / ".gatekeeper/devices.yml").read_text()
    assert enrol(keys["bob"], "a") == 3
    assert "device id 'a' is already enrolled" in capsys.readouterr().err
    assert enrol(keys["alice"], "b") == 3
    assert f"key {keys['alice'].fingerprint} is already enrolled for device 'a'" in capsys.readouterr().err
    assert run(["device", "revoke", "--id", "nope", "--reason", "x"]) == 3
    assert "no device with id 'nope' (enrolled: a)" in capsys.readouterr().err
    assert run(["device", "revoke", "--id", "a", "--reason", "x", "--at", "yesterday"]) == 2
    assert "invalid --at 'yesterday'" in capsys.readouterr().err
    assert (work.path / ".gatekeeper/devices.yml").read_text() == before  # nothing half-written
    assert run(["device", "revoke", "--id", "a", "--reason", "x"]) == 0
    assert run(["device", "revoke", "--id", "a", "--reason", "again"]) == 3
    assert "device 'a' is already revoked since" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("registry", "message"),
    [
        ("version: 1\ndevices:\n  - {id: a, owner: a@b.c, class: mobile, managed: true, keys: ['KEY1']}\n"
         "  - {id: a, owner: a@b.c, class: mobile, managed: true, keys: ['KEY2']}\n",
         "devices.yml: devices[1].id: duplicate device id 'a' (also devices[0].id)"),
        ("version: 1\ndevices:\n  - {id: a, owner: a@b.c, class: mobile, managed: true, keys: ['KEY1'], clas: x}\n",
         "devices.yml: devices[0].clas: unknown key"),
        ("version: 1\ndevices:\n  - {id: a, owner: a@b.c, class: mobile, managed: true, keys: ['ssh-ed25519 AAAA']}\n",
         "devices.yml: devices[0].keys[0]:"),
    ],
)
def test_broken_registry_is_never_rewritten(work: RepoBuilder, keys: dict[str, Key],
                                            capsys: pytest.CaptureFixture[str], registry: str, message: str) -> None:
    path = work.path / ".gatekeeper/devices.yml"
    path.parent.mkdir()
    text = registry.replace("KEY1", keys["alice"].line).replace("KEY2", keys["bob"].line)
    path.write_text(text)
    for argv in (["device", "list"], ["device", "revoke", "--id", "a", "--reason", "x"]):
        assert run(argv) == 3
        assert message in capsys.readouterr().err
    assert enrol(keys["carol"], "c") == 3
    assert message in capsys.readouterr().err
    assert path.read_text() == text


def test_hand_written_allowed_signers_is_not_overwritten(work: RepoBuilder, keys: dict[str, Key],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    allowed = work.path / ".gatekeeper/allowed_signers"
    allowed.parent.mkdir()
    allowed.write_text(f"ops@example.com {keys['bob'].line}\n")
    assert enrol(keys["alice"]) == 3
    err = capsys.readouterr().err
    assert "allowed_signers: this allowed-signers file was not generated by gatekeeper" in err
    assert "fix: move its signers into the registry" in err
    assert not (work.path / ".gatekeeper/devices.yml").exists()


def test_malformed_allowed_signers_line_fails_the_check(work: RepoBuilder, keys: dict[str, Key],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert enrol(keys["alice"]) == 0
    allowed = work.path / ".gatekeeper/allowed_signers"
    allowed.write_text(allowed.read_text() + "dev@example.com ssh-ed25519\n")
    work.git("add", ".gatekeeper")
    work.commit("registry")
    work.branch("feature")
    signed_commit(work, "x", keys["alice"], {"a": "1"})
    code, _ = check_json(work)
    assert code == 3
    lines = allowed.read_text().count("\n")
    assert (f"allowed_signers:{lines}: malformed line: the ssh-ed25519 key has no base64 key data"
            in capsys.readouterr().err)


def test_write_atomic_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


# -- OpenPGP keys ---------------------------------------------------------------------------------------------

COLONS = """\
tru::1:1767225600:0:3:1:5
pub:u:255:22:1122334455667788:1767225600:::u:::scSC:::::ed25519:::0:
fpr:::::::::AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111:
uid:u::::1767225600::HASH::Dev <dev@example.com>::::::::::0:
sub:u:255:18:9999888877776666:1767225600::::::e:::::cv25519::
fpr:::::::::BBBB2222BBBB2222BBBB2222BBBB2222BBBB2222:
"""


def test_gpg_fingerprint_parsing_and_errors() -> None:
    assert parse_primary_fingerprints(COLONS) == ["AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111"]
    assert gpg_fingerprint("dev@example.com", run=lambda argv, stdin: (0, COLONS.encode(), b"")) == \
        "AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111"
    two = COLONS + COLONS.replace("AAAA1111", "CCCC3333")
    with pytest.raises(UsageError, match="matches 2 keys"):
        gpg_fingerprint("dev", run=lambda argv, stdin: (0, two.encode(), b""))
    with pytest.raises(ConfigError, match="no OpenPGP key 'nobody' in the GnuPG keyring"):
        gpg_fingerprint("nobody", run=lambda argv, stdin: (2, b"", b"gpg: error reading key: No public key\n"))
    with pytest.raises(UsageError, match="invalid GPG key id"):
        gpg_fingerprint("--homedir=/tmp")
    seen: list[list[str]] = []
    gpg_fingerprint("dev", run=lambda argv, stdin: (seen.append(argv), (0, COLONS.encode(), b""))[1],
                    gnupghome=Path("/keys"))
    assert seen[0][:3] == ["gpg", "--homedir", "/keys"] and seen[0][-2:] == ["--", "dev"]


def test_enroll_gpg_key_with_a_fake_runner(tmp_path: Path) -> None:
    paths = DevicePaths(tmp_path / "devices.yml", tmp_path / "allowed_signers", None, None)
    outcome = enroll(paths, device_id="laptop", owner="dev@example.com", device_class="desktop", managed=True,
                     ssh_key=None, gpg_key="dev@example.com", expires=None, today=dt.date(2026, 1, 1),
                     run=lambda argv, stdin: (0, COLONS.encode(), b""))
    assert "key AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111" in outcome.summary
    assert any("gpg_home" in note for note in outcome.notes)
    (device_,) = load_registry(paths.registry).devices
    assert (device_.keys[0].kind, device_.keys[0].fingerprint) == ("gpg", "AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111")


@pytest.fixture
def gpg_homes(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A signer's keyring and a separate verification keyring holding only the public key (no owner trust)."""
    if shutil.which("gpg") is None or shutil.which("gpgconf") is None:
        pytest.skip("gpg is not installed")
    homes = (tmp_path / "signer-gnupg", tmp_path / "verify-gnupg")
    for home in homes:
        home.mkdir(mode=0o700)
    yield homes
    for home in homes:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)


def test_enrolled_gpg_key_is_trusted_by_enrolment(work: RepoBuilder, gpg_homes: tuple[Path, Path],
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    signer, verify = gpg_homes
    gpg = ["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    subprocess.run([*gpg, "--homedir", str(signer), "--quick-gen-key", "Dev Eloper <dev@example.com>", "ed25519",
                    "sign", "never"], check=True, capture_output=True)
    public = subprocess.run([*gpg, "--homedir", str(signer), "--export", "dev@example.com"], check=True,
                            capture_output=True).stdout
    subprocess.run([*gpg, "--homedir", str(verify), "--import"], input=public, check=True, capture_output=True)
    (work.path / ".gatekeeper.yml").write_text(POLICY.replace("allowed_signers: .gatekeeper/allowed_signers\n", "")
                                               + f"gpg_home: {verify}\n")

    assert run(["device", "enroll", "--id", "laptop-dev", "--owner", "dev@example.com", "--class", "tablet",
                "--managed", "--gpg-key", "dev@example.com"]) == 0
    assert "enrolled laptop-dev: tablet, managed" in capsys.readouterr().out
    work.git("add", ".")
    work.commit("enrol")
    work.branch("feature")
    monkeypatch.setenv("GNUPGHOME", str(signer))
    work.commit("signed with gpg", {"a": "1"}, extra_args=("-S",))

    code, data = check_json(work)

    assert code == 0, data["findings"]
    (report,) = data["commits"]
    assert (report["signature"]["status"], report["signature"]["format"]) == ("good", "openpgp")
    assert report["signature"]["device_id"] == "laptop-dev"
    assert report["origin"]["device"] == "tablet" and report["mobile"] is True

    # A key the verification keyring trusts ultimately, but that nobody enrolled, is untrusted: with a
    # registry, enrolment is the only OpenPGP trust (the keyring may not be the policy owners' own).
    subprocess.run([*gpg, "--homedir", str(verify), "--quick-gen-key", "Dev Eloper (other) <dev@example.com>",
                    "ed25519", "sign", "never"], check=True, capture_output=True)
    colons = subprocess.run([*gpg, "--homedir", str(verify), "--with-colons", "--list-secret-keys"], check=True,
                            capture_output=True, text=True).stdout
    (other,) = parse_primary_fingerprints(colons.replace("sec:", "pub:"))
    monkeypatch.setenv("GNUPGHOME", str(verify))
    work.commit("signed by an unenrolled key\n\nOrigin-Device: mobile\n", {"b": "2"},
                extra_args=(f"--gpg-sign={other}",))
    code, data = check_json(work)
    assert code == 1
    assert data["commits"][1]["signature"]["status"] == "untrusted"
    assert "not enrolled in the device registry" in data["commits"][1]["signature"]["detail"]
    assert findings(data, "provenance/untrusted-key")[0]["blocking"] is True


def test_concurrent_enrolments_lose_nothing(work: RepoBuilder, tmp_path: Path) -> None:
    import sys

    from tests.provenance_helpers import keygen

    directory = tmp_path / "many"
    directory.mkdir()
    made = [keygen(directory, f"k{i}", "-t", "ed25519") for i in range(6)]
    procs = [subprocess.Popen([sys.executable, "-m", "gatekeeper", "device", "enroll", "--id", f"phone-{i}",
                               "--owner", f"u{i}@example.com", "--class", "mobile", "--personal",
                               "--ssh-key", str(key.pub)], cwd=work.path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
             for i, key in enumerate(made)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 6
    registry = load_registry(work.path / ".gatekeeper/devices.yml")
    assert sorted(d.id for d in registry.devices) == [f"phone-{i}" for i in range(6)]
    assert len((work.path / ".gatekeeper/allowed_signers").read_text().splitlines()) >= 6
    # the lock is on the directory: no lock file (or temp file) is left for `git add .` to commit
    assert sorted(p.name for p in (work.path / ".gatekeeper").iterdir()) == ["allowed_signers", "devices.yml"]
    assert not list(work.path.rglob("*.lock"))
    assert run(["device", "revoke", "--id", "phone-0", "--reason", "lost"]) == 0
    assert sorted(p.name for p in (work.path / ".gatekeeper").iterdir()) == ["allowed_signers", "devices.yml"]
    status = work.git("status", "--porcelain", "--untracked-files=all")
    assert sorted(line[3:] for line in status.splitlines()) == [".gatekeeper/allowed_signers",
                                                                ".gatekeeper/devices.yml"]


def test_registry_lock_excludes_a_second_holder(tmp_path: Path) -> None:
    import fcntl
    import os

    from gatekeeper.provenance.device_files import registry_lock

    registry = tmp_path / "reg" / "devices.yml"
    with registry_lock(registry):
        fd = os.open(registry.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held: a concurrent enrolment waits
        finally:
            os.close(fd)
    fd = os.open(registry.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released on exit
    finally:
        os.close(fd)
    assert list(registry.parent.iterdir()) == []
