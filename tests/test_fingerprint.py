"""Keyed content hashes: with GATEKEEPER_FINGERPRINT_KEY set, no fingerprint or redaction digest in any
output lets a reader test password guesses, and every hash over content goes through one helper."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest

from gatekeeper import fingerprint
from gatekeeper.models import Finding, Severity
from gatekeeper.scan.bandit import BanditScanner
from gatekeeper.scan.cache import ResultCache
from gatekeeper.scan.secrets_scanner import SecretsScanner
from gatekeeper.scan.semgrep import SemgrepScanner
from tests.hook_helpers import make_server, spush
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import evaluate_range

PKG = Path(__file__).parents[1] / "gatekeeper"
WORD = "pass" + "word"
KEY = "k3y-for-tests-" + "only"
# Hashes that cover no scanned content, each with the reason it need not be keyed.
UNKEYED = {
    "fingerprint.py": "the keyed helper itself",
    "scan/semgrep.py": "ruleset digest: hashes our rule files, not scanned content",
    "scan/head.py": "the scan cache key's code digest: hashes gatekeeper's own sources, not scanned content",
    "scan/secrets.py": "rules digest: hashes the secrets rules file, not scanned content",
    "scan/secret_candidates.py": "the keyword index names the secrets rules file it was made from, not content",
    "provenance/signatures.py": "verifies signatures (the hash the signature scheme prescribes)",
    "provenance/allowed_signers.py": "SSH public-key fingerprints (public data, git's own format)",
    "scan/validation.py": "AWS SigV4 request signing for live validation (the provider's protocol, never output)",
    "provenance/openpgp.py": "OpenPGP signature hashes and key fingerprints (RFC 4880 prescribes them)",
    # These hash rendered verdicts (already redacted, digests keyed), policies, ref updates and envelopes,
    # and third parties must verify them without the key.
    "audit/decisionlog.py": "hash chain over decision records, verifiable without the key",
    "audit/logformat.py": "the decision log's record format: the same hash chain (split out of decisionlog.py)",
    "attest/admission.py": "push ids in the attestation error log (the push's ref lines, no content)",
    "attest/controls.py": "attestation digests of the policy and the verdict",
    "attest/envelope.py": "attestation envelope digest",
}


def test_every_content_hash_goes_through_the_keyed_helper() -> None:
    users = {p.relative_to(PKG).as_posix() for p in PKG.rglob("*.py")
             if re.search(r"^\s*(import hashlib|import hmac|from hashlib|from hmac)", p.read_text(), re.M)}
    assert users == set(UNKEYED), f"new direct hashlib/hmac use: {users - set(UNKEYED)}; route content " \
        "hashes through gatekeeper.fingerprint.digest"


def test_digest_is_hmac_with_a_key_and_sha256_without(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fingerprint.KEY_ENV, raising=False)
    assert fingerprint.digest("abc") == hashlib.sha256(b"abc").hexdigest()
    monkeypatch.setenv(fingerprint.KEY_ENV, KEY)
    assert fingerprint.digest("abc") == hmac.new(KEY.encode(), b"abc", hashlib.sha256).hexdigest()
    assert fingerprint.digest_parts("a", "b") == fingerprint.digest("a\x00b")
    plain = Finding("bandit/B105", Severity.LOW, "m").with_fingerprint("app.py", "x = 1")
    assert plain.fingerprint == hmac.new(KEY.encode(), b"bandit/B105\x00app.py\x00x = 1",
                                         hashlib.sha256).hexdigest()[:32]


def _scan(repo: RepoBuilder, base: str, tmp_path: Path) -> list[Finding]:
    """Each scanner through the engine on its own (together, the engine keeps one finding per line and
    theme, and bandit's would be merged into ours)."""
    found: list[Finding] = []
    for name, scanner in (("secrets", SecretsScanner()), ("semgrep", SemgrepScanner(cache=ResultCache(tmp_path / "s"))),
                          ("bandit", BanditScanner(cache=ResultCache(tmp_path / "b"), min_confidence="low",
                                                   min_severity="low"))):
        found += evaluate_range(repo.path, base, {name: scanner}).findings  # type: ignore[dict-item]
    return found


def _guesses(findings: list[Finding], guesses: list[str], line_of: str) -> set[str]:
    """What an attacker with a wordlist computes: sha256(rule, path, line) and sha256(value) per guess."""
    hits = set()
    for f in findings:
        for guess in guesses:
            line = line_of.format(guess=guess)
            plain = hashlib.sha256("\x00".join((f.rule_id, "app.py", line)).encode()).hexdigest()[:32]
            if plain == f.fingerprint:
                hits.add(f"{f.rule_id} fingerprint = sha256(rule, path, line) of {guess!r}")
            if f"[sha256:{hashlib.sha256(guess.encode()).hexdigest()[:8]}]" in f.message:
                hits.add(f"{f.rule_id} message digest = sha256 of {guess!r}")
    return hits


def test_a_wordlist_recovers_nothing_with_the_key_set(repo: RepoBuilder, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "Tr0ub4dor" + "&3x"
    wordlist = ["123456", "letmein", secret, "hunter2"]
    line_of = f'db_{WORD} = "{{guess}}"'
    base = repo.commit("base", {"README.md": "hi\n"})
    repo.commit("c", {"app.py": line_of.format(guess=secret) + "\n"})

    monkeypatch.delenv(fingerprint.KEY_ENV, raising=False)
    unkeyed = _scan(repo, base, tmp_path / "a")
    # Without a key the attack works — which is what the key is for (and proves this test can fail).
    assert _guesses(unkeyed, wordlist, line_of)

    monkeypatch.setenv(fingerprint.KEY_ENV, KEY)
    keyed = _scan(repo, base, tmp_path / "b")
    content = [f for f in keyed if f.rule_id.startswith(("semgrep/", "bandit/", "secrets/"))]
    assert {f.rule_id.split("/")[0] for f in content} >= {"semgrep", "bandit"}, [f.rule_id for f in keyed]
    assert not _guesses(keyed, wordlist, line_of)
    # The same key gives the same fingerprints (baselines keep working); another key, others.
    assert {f.fingerprint for f in keyed} == {f.fingerprint for f in _scan(repo, base, tmp_path / "c")}
    monkeypatch.setenv(fingerprint.KEY_ENV, KEY + "-other")
    assert not {f.fingerprint for f in content} & {f.fingerprint for f in _scan(repo, base, tmp_path / "d")}


def test_cache_entries_made_under_one_key_are_not_read_under_another(repo: RepoBuilder, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Cached messages carry redaction digests: an unkeyed entry read by a keyed run would leak sha256."""
    base = repo.commit("base", {"README.md": "hi\n"})
    repo.commit("c", {"app.py": f'{WORD} = "Zebra' + 'Crossing9!"\n'})
    cache = ResultCache(tmp_path / "cache")
    monkeypatch.delenv(fingerprint.KEY_ENV, raising=False)
    first = BanditScanner(cache=cache, min_confidence="low", min_severity="low")
    evaluate_range(repo.path, base, {"bandit": first})  # type: ignore[dict-item]
    monkeypatch.setenv(fingerprint.KEY_ENV, KEY)
    second = BanditScanner(cache=cache, min_confidence="low", min_severity="low")
    keyed = evaluate_range(repo.path, base, {"bandit": second})  # type: ignore[dict-item]
    assert first.last_run.invocations == 1 and second.last_run.invocations == 1  # a miss, not a hit
    digest = hmac.new(KEY.encode(), ("Zebra" + "Crossing9!").encode(), hashlib.sha256).hexdigest()[:8]
    assert any(f"[sha256:{digest}]" in f.message for f in keyed.findings)


@pytest.mark.slow
def test_pushed_password_never_reaches_the_pusher_the_audit_log_or_the_cache(tmp_path: Path) -> None:
    """A real push into the hook: quotes, a newline and a 1 KB token in the literals bandit quotes."""
    policy = """\
version: 1
origins: {undeclared: mobile}
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [secrets, bandit], block_at: low, review: {approvals: 0}}
  default: {scanners: [secrets, bandit], block_at: low}
pre_receive: {budget_seconds: 4.0, scanners: [secrets, bandit], defer: []}
bandit: {min_confidence: low, min_severity: low}
"""
    server = make_server(tmp_path / "srv", policy=policy)
    clone = server.clone()
    quoted = "it's-" + "Zq7a7a7a7a7a7a" + "'-after-quote"
    token = "eyJ" + "Zq5b5b5b5b5b5b" + "A" * 1100 + ".sig"
    multi = "line1\n" + "Zq3c3c3c3c3c3c" + "\nline3"
    clone.commit("seed", {"README.md": "seed\n"})
    clone.commit("add config", {"app.py": f"{WORD} = {quoted!r}\napi_{WORD} = {token!r}\n\n"
                                           f"def f({WORD}={multi!r}):\n    return 1\n"})
    cache = tmp_path / "hook-cache"
    result = spush(server, clone, "origin", "HEAD:refs/heads/main",
                   env={fingerprint.KEY_ENV: KEY, "GATEKEEPER_CACHE_DIR": str(cache)})
    assert result.code != 0, result.output
    assert "bandit/B105" in result.remote_text and "bandit/B107" in result.remote_text, result.output
    audit = server.audit_log.read_text()
    cached = "".join(p.read_text() for p in cache.rglob("*.json"))
    assert "bandit/B105" in cached
    for where, text in (("remote", result.output), ("audit", audit), ("cache", cached)):
        for mark in ("Zq7a7a7a7a7a7a", "Zq5b5b5b5b5b5b", "Zq3c3c3c3c3c3c", "after-quote", "A" * 40):
            assert mark not in text, f"{where} holds {mark}"
    # The audit record's fingerprints are keyed: not sha256(rule, path, line) of the real line.
    findings = json.loads(server.audit_log.read_text().splitlines()[-1])["verdict"]["findings"]
    line = f"{WORD} = {quoted!r}"
    plain = hashlib.sha256("\x00".join(("bandit/B105", "app.py", line)).encode()).hexdigest()[:32]
    assert plain not in {f["fingerprint"] for f in findings}
