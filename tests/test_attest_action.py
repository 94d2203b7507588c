"""The Action attests a passing push to a protected branch (a merge) when given a signing key."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pytest_httpserver import HTTPServer

from gatekeeper.attest.envelope import public_key_from_bytes
from gatekeeper.attest.verify import verify_revision
from gatekeeper.git import Git
from gatekeeper.models import ExitCode
from tests.github_helpers import serve_reviews, synthetic_associated_pull, synthetic_pull_commit, synthetic_review
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, MOBILE, POLICY, REPO, Env

NOTES = "refs/notes/gatekeeper/attestations"


def outputs(gh: Env) -> dict[str, str]:
    pattern = r"^([\w-]+)<<(ghadelimiter_[0-9a-f]{32})\n(.*?)\n\2$"
    return {m[0]: m[2] for m in re.findall(pattern, gh.output.read_text(), re.M | re.S)}


def test_passing_merge_push_is_attested(tmp_path: Path, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    gh = Env(tmp_path, httpserver, repo.path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    before = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    mobile = repo.commit("phone: change" + MOBILE, {"a.py": "A = 1\n"}, author=ALICE, committer=ALICE)
    repo.checkout("main")
    after = repo.merge("feature", "Merge pull request #9 from octo-org/feature")
    pr = synthetic_associated_pull(9, base_ref="main", head_sha=mobile, merged=True, merge_commit_sha=after)
    httpserver.expect_request(f"/repos/{REPO}/commits/{mobile}/pulls").respond_with_json([pr])
    serve_reviews(httpserver, 9, [synthetic_review("bob", "APPROVED", mobile, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [synthetic_pull_commit(mobile, login="alice", email=ALICE[1])])
    payload = {"ref": "refs/heads/main", "before": before, "after": after, "created": False, "deleted": False,
               "forced": False, "repository": {"full_name": REPO}}
    result = gh.run("push", payload, **{"INPUT_ATTEST-KEY": pem})
    assert result.return_value == ExitCode.OK, result.output
    values = outputs(gh)
    assert values["attestation"] == "gatekeeper-attestation.intoto.jsonl"
    # The previous tip was never attested: continuity cannot be claimed, so level 1 (said in the provenance).
    assert values["slsa-level"] == "1"
    bundle = (repo.path / values["attestation"]).read_text().splitlines()
    statements = [json.loads(base64.b64decode(json.loads(line)["payload"])) for line in bundle]
    assert [s["subject"][0]["digest"]["gitCommit"] for s in statements] == [after, after]
    assert statements[1]["predicate"]["resourceUri"] == f"git+https://github.com/{REPO}"
    assert "continuity broken" in " ".join(statements[0]["predicate"]["level"]["reasons"])
    assert pem.strip() not in result.output  # the key never reaches the log
    note = subprocess.run(["git", "notes", f"--ref={NOTES}", "show", after], cwd=repo.path, capture_output=True,
                          text=True, check=True).stdout
    assert note.splitlines() == bundle
    verified = verify_revision(Git(repo.path), after, [public_key_from_bytes(public, "test key")])
    assert verified.verified and verified.level == 1


def test_no_attestation_without_a_key_or_on_a_blocked_push(tmp_path: Path, httpserver: HTTPServer,
                                                           repo: RepoBuilder) -> None:
    gh = Env(tmp_path, httpserver, repo.path)
    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()).decode()
    before = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    after = repo.commit("phone: direct push" + MOBILE, {"a.py": "A = 1\n"}, author=ALICE, committer=ALICE)
    httpserver.expect_request(f"/repos/{REPO}/commits/{after}/pulls").respond_with_json([])
    payload = {"ref": "refs/heads/main", "before": before, "after": after, "created": False, "deleted": False,
               "forced": False, "repository": {"full_name": REPO}}
    result = gh.run("push", payload, **{"INPUT_ATTEST-KEY": pem})
    assert result.return_value == ExitCode.BLOCKED
    assert "attestation" not in outputs(gh) and outputs(gh)["decision"] == "block"
    assert not (repo.path / "gatekeeper-attestation.intoto.jsonl").exists()
