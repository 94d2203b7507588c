"""Attestations end to end: real pushes through pre-receive + post-receive, real keys, real notes.

Each test builds a bare server with both hooks installed (`gatekeeper install` adds post-receive),
signs with an ed25519 key generated here, and checks what `gatekeeper attest verify` says — for good
chains and for every way the record can be attacked: tampered notes, another key, a VSA moved to
another commit, a broken chain, a note ref that is not a notes tree, a pusher writing the ref.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.hook_helpers import MO, MOBILE, RITA, Server, make_server, push
from tests.repo_builder import RepoBuilder

SCHEMAS = Path(__file__).resolve().parents[1] / "gatekeeper" / "schema"
NOTES = "refs/notes/gatekeeper/attestations"

# Review is required for every change (so two-party review can be verified: L4), secrets run at push time.
POLICY = """\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
protected_refs: ["refs/heads/main", "refs/heads/release/*"]
rules:
  mobile: {scanners: [secrets], block_at: high, review: {approvals: 1}}
  default: {scanners: [secrets], block_at: high}
pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: [semgrep, bandit]}
"""


def _keypair(root: Path, name: str = "gate") -> tuple[Path, Path]:
    key = Ed25519PrivateKey.generate()
    private = root / f"{name}.pem"
    public = root / f"{name}.pub.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def _gk(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gatekeeper", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def _verify(server: Server, rev: str, public: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    proc = _gk("attest", "verify", rev, "--repo", str(server.path), "--key", str(public), "--format", "json",
               *extra, cwd=server.root)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _note(server: Server, rev: str) -> list[dict[str, Any]]:
    text = server.git("notes", f"--ref={NOTES}", "show", rev)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _payload(envelope: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(envelope["payload"])))


@pytest.fixture
def gate(tmp_path: Path) -> tuple[Server, RepoBuilder, dict[str, str], Path, Path]:
    server = make_server(tmp_path / "srv", policy=POLICY)
    assert (server.path / "hooks" / "post-receive").is_file()  # install put it beside pre-receive
    private, public = _keypair(tmp_path)
    env = {"GATEKEEPER_ATTEST_KEY": str(private), "GATEKEEPER_PUSHER": "rita",
           "GATEKEEPER_PUSHER_EMAIL": RITA[1]}
    work = server.clone()
    return server, work, env, private, public


def _first_push(server: Server, work: RepoBuilder, env: dict[str, str]) -> str:
    work.commit("Initial import", {"README.md": "hello\n"})
    result = push(work, "origin", "HEAD:refs/heads/main", env=env)
    assert result.code == 0, result.output
    tip = server.tip()
    assert tip is not None
    return tip


def test_push_writes_signed_provenance_and_vsa_valid_against_schemas(gate: Any) -> None:
    server, work, env, _private, public = gate
    tip = _first_push(server, work, env)
    envelopes = _note(server, tip)
    assert len(envelopes) == 2
    statement_schema = json.loads((SCHEMAS / "intoto-statement-v1.schema.json").read_text())
    vsa_schema = json.loads((SCHEMAS / "slsa-vsa-v1.schema.json").read_text())
    provenance, vsa = (_payload(e) for e in envelopes)
    for statement in (provenance, vsa):
        jsonschema.validate(statement, statement_schema)
        assert statement["subject"][0]["digest"] == {"gitCommit": tip}
        assert statement["subject"][0]["annotations"] == {"sourceRefs": ["refs/heads/main"]}
    assert vsa["predicateType"] == "https://slsa.dev/verification_summary/v1"
    jsonschema.validate(vsa["predicate"], vsa_schema)
    assert vsa["predicate"]["resourceUri"].startswith("git+")
    assert provenance["predicate"]["activity"] == "push"
    assert provenance["predicate"]["actor"] == "rita"
    assert provenance["predicate"]["controls"]["secrets_scanned"]["enforced"] is True
    assert envelopes[0]["signatures"][0]["keyid"]  # the key id travels in the envelope
    # A new ref starts continuity; a desktop commit without review is level 3 (controls enforced, no 2-party).
    code, result = _verify(server, tip, public)
    assert code == 0 and result["verified"] is True
    assert result["level"] == 3
    assert "SLSA_SOURCE_LEVEL_3" in result["verifiedLevels"]
    assert "ORG_SOURCE_SECRETS_SCANNED" in result["verifiedLevels"]
    code, result = _verify(server, tip, public, "--level", "4")
    assert code == 1 and "below the required 4" in " ".join(result["problems"])


def test_chain_of_pushes_verifies_and_a_gap_lowers_the_level(gate: Any) -> None:
    server, work, env, _private, public = gate
    first = _first_push(server, work, env)
    work.commit("Second", {"a.txt": "a\n"})
    assert push(work, "origin", "HEAD:refs/heads/main", env=env).code == 0
    second = server.tip()
    assert second is not None and second != first
    code, result = _verify(server, second, public)
    assert code == 0 and [link["revision"] for link in result["chain"]] == [second, first]

    # A push that did not pass through the gate (pre-receive removed for it): still attested, at level 1.
    hook = server.path / "hooks" / "pre-receive"
    saved = hook.read_text()
    hook.unlink()
    work.commit("Sneaked in", {"b.txt": "b\n"})
    result = push(work, "origin", "HEAD:refs/heads/main", env=env)
    assert result.code == 0
    assert "SLSA Source level 1" in result.remote_text and "no gate verdict" in result.remote_text
    hook.write_text(saved)
    hook.chmod(0o755)
    gap = server.tip()
    # The next gated push cannot climb back above the gap: continuity keeps it at 1 and says why.
    work.commit("Back through the gate", {"c.txt": "c\n"})
    result = push(work, "origin", "HEAD:refs/heads/main", env=env)
    assert result.code == 0 and "SLSA Source level 1" in result.remote_text
    assert "continuity" in result.remote_text
    after = server.tip()
    assert after is not None and gap is not None
    code, verdict = _verify(server, after, public)
    assert code == 0 and verdict["level"] == 1


def test_two_party_review_gives_level_4(tmp_path: Path) -> None:
    policy = POLICY.replace("default: {scanners: [secrets], block_at: high}",
                            "default: {scanners: [secrets], block_at: high, review: {approvals: 1}}")
    server = make_server(tmp_path / "srv", policy=policy)
    private, public = _keypair(tmp_path)
    work = server.clone()
    work.commit("From the phone" + MOBILE + "Reviewed-by: Rita Reviewer <rita@example.com>\n",
                {"m.py": "x = 1\n"}, author=MO, committer=MO)
    env = {"GATEKEEPER_ATTEST_KEY": str(private), "GATEKEEPER_PUSHER": "rita", "GATEKEEPER_PUSHER_EMAIL": RITA[1]}
    result = push(work, "origin", "HEAD:refs/heads/main", env=env)
    assert result.code == 0, result.output
    tip = server.tip()
    assert tip is not None
    code, verdict = _verify(server, tip, public)
    assert code == 0 and verdict["level"] == 4, verdict
    assert "ORG_SOURCE_MOBILE_REVIEWED" in verdict["verifiedLevels"]


def test_tampered_note_foreign_key_and_moved_vsa_are_refused(gate: Any, tmp_path: Path) -> None:
    server, work, env, _private, public = gate
    first = _first_push(server, work, env)
    work.commit("Second", {"a.txt": "a\n"})
    assert push(work, "origin", "HEAD:refs/heads/main", env=env).code == 0
    second = server.tip()
    assert second is not None

    # Unknown key: a verifier trusting another key refuses.
    _other_private, other_public = _keypair(tmp_path, "other")
    code, result = _verify(server, second, other_public)
    assert code == 1 and "does not verify" in " ".join(result["problems"])

    # Tampered: raise the level inside the signed payload (signature no longer matches).
    envelopes = _note(server, second)
    statement = _payload(envelopes[1])
    statement["predicate"]["verifiedLevels"] = ["SLSA_SOURCE_LEVEL_4"]
    envelopes[1]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    text = "".join(json.dumps(e) + "\n" for e in envelopes)
    subprocess.run(["git", "notes", f"--ref={NOTES}", "add", "-f", "-F", "-", second], cwd=server.path,
                   input=text.encode(), check=True, capture_output=True)
    code, result = _verify(server, second, public)
    assert code == 1 and second[:12] in result["problems"][0] and "does not verify" in result["problems"][0]

    # A genuine attestation of another commit, copied onto this one: the subject gives it away.
    original = server.git("notes", f"--ref={NOTES}", "show", first)
    subprocess.run(["git", "notes", f"--ref={NOTES}", "add", "-f", "-F", "-", second], cwd=server.path,
                   input=original.encode(), check=True, capture_output=True)
    code, result = _verify(server, second, public)
    assert code == 1 and "not " + second[:12] in result["problems"][0]


def test_broken_chain_and_bad_notes_ref(gate: Any) -> None:
    server, work, env, _private, public = gate
    _first_push(server, work, env)
    for name in ("a", "b"):
        work.commit(f"Change {name}", {f"{name}.txt": name})
        assert push(work, "origin", "HEAD:refs/heads/main", env=env).code == 0
    tip = server.tip()
    assert tip is not None
    middle = server.git("rev-parse", f"{tip}~1")
    server.git("notes", f"--ref={NOTES}", "remove", middle)
    code, result = _verify(server, tip, public)
    assert code == 1 and "broken chain" in result["problems"][0] and middle[:12] in result["problems"][0]

    # A notes ref that is not a notes commit: verify says so (exit 4 with the fix), post-receive reports it.
    blob = server.git("hash-object", "-w", "--stdin", check=True) if False else subprocess.run(
        ["git", "hash-object", "-w", "--stdin"], cwd=server.path, input=b"junk", capture_output=True,
        check=True).stdout.decode().strip()
    server.git("update-ref", NOTES, blob)
    proc = _gk("attest", "verify", tip, "--repo", str(server.path), "--key", str(public), cwd=server.root)
    assert proc.returncode == 4 and "not a notes commit" in proc.stderr
    work.commit("After the breakage", {"c.txt": "c\n"})
    result = push(work, "origin", "HEAD:refs/heads/main", env=env)
    assert result.code == 0  # the push was accepted: post-receive cannot undo that, it reports
    assert "attestation NOT written" in result.remote_text
    log = (server.path / "gatekeeper" / "attest-errors.log").read_text()
    assert "cannot read refs/notes/gatekeeper/attestations" in log


def test_unwritable_notes_ref_is_reported_not_silent(gate: Any) -> None:
    server, work, env, _private, _public = gate
    _first_push(server, work, env)
    lock = server.path / "refs" / "notes" / "gatekeeper" / "attestations.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("held")
    work.commit("While locked", {"d.txt": "d\n"})
    result = push(work, "origin", "HEAD:refs/heads/main", env=env)
    assert result.code == 0
    assert "attestation NOT written" in result.remote_text
    assert (server.path / "gatekeeper" / "attest-errors.log").is_file()


def test_pusher_cannot_write_the_attestation_ref(gate: Any) -> None:
    server, work, env, _private, _public = gate
    tip = _first_push(server, work, env)
    work.git("fetch", "-q", "origin", f"{NOTES}:{NOTES}")
    work.git("notes", f"--ref={NOTES}", "add", "-f", "-m", "forged", tip)
    result = push(work, "origin", f"{NOTES}:{NOTES}", env=env)
    assert result.code != 0
    assert "policy/reserved-ref" in result.remote_text
    proc = subprocess.run(["git", "push", "origin", f":{NOTES}"], cwd=work.path, capture_output=True, text=True,
                          check=False)
    assert proc.returncode != 0  # deleting the record is refused too


def test_no_key_configured_writes_nothing_and_push_is_unaffected(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", policy=POLICY)
    work = server.clone()
    work.commit("Initial", {"x.txt": "x\n"})
    result = push(work, "origin", "HEAD:refs/heads/main")
    assert result.code == 0 and "attest" not in result.remote_text
    assert server.git("for-each-ref", NOTES) == ""


def test_attest_on_request_and_verify_in_a_clone(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.write(".gatekeeper.yml", POLICY)
    repo.commit("Policy", {".gatekeeper.yml": POLICY})
    first = repo.head()
    private, public = _keypair(tmp_path)
    env = {**dict(__import__("os").environ), "GATEKEEPER_ATTEST_KEY": str(private)}
    proc = _gk("attest", first, "--ref", "refs/heads/main", cwd=repo.path, env=env)
    assert proc.returncode == 2 and "--start" in proc.stderr  # no attested ancestor: say how to begin
    proc = _gk("attest", first, "--ref", "refs/heads/main", "--start", cwd=repo.path, env=env)
    assert proc.returncode == 0, proc.stderr
    repo.commit("Next", {"n.txt": "n\n"})
    proc = _gk("attest", "HEAD", "--ref", "refs/heads/main", cwd=repo.path, env=env)
    assert proc.returncode == 0, proc.stderr
    proc = _gk("attest", "verify", "HEAD", "--key", str(public), cwd=repo.path)
    assert proc.returncode == 0 and proc.stdout.startswith("PASSED"), proc.stdout + proc.stderr
    assert "chain of 2" in proc.stdout
    proc = _gk("attest", "verify", "HEAD", "--key", str(private), cwd=repo.path)  # a private key file works too
    assert proc.returncode == 0


def test_audit_shows_each_revisions_attestation_and_level(gate: Any) -> None:
    server, work, env, _private, public = gate
    first = _first_push(server, work, env)
    work.commit("Second", {"a.txt": "a\n"})
    assert push(work, "origin", "HEAD:refs/heads/main", env=env).code == 0
    second = server.tip()
    assert second is not None
    schema = json.loads((SCHEMAS / "audit.schema.json").read_text())

    proc = _gk("audit", "--repo", str(server.path), "--format", "json", "--attest-key", str(public), cwd=server.root)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, schema)
    by_sha = {c["sha"]: c["attestation"] for c in report["commits"]}
    assert by_sha[first] == {"level": 3, "verified": True, "problem": None}
    assert by_sha[second] == {"level": 3, "verified": True, "problem": None}
    assert report["summary"]["attestations"] == {"level 3": 2}

    # Without a key the level is what the note claims; a note signed by someone else fails verification.
    proc = _gk("audit", "--repo", str(server.path), "--format", "json", cwd=server.root)
    report = json.loads(proc.stdout)
    assert {c["sha"]: c["attestation"]["verified"] for c in report["commits"]} == {first: None, second: None}
    assert any("--attest-key" in note for note in report["summary"]["notes"])
    _other_private, other_public = _keypair(server.root, "other")
    proc = _gk("audit", "--repo", str(server.path), "--format", "text", "--attest-key", str(other_public),
               cwd=server.root)
    assert proc.returncode == 0 and "failed verification: 2 revision(s)" in proc.stdout
