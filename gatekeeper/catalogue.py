"""The finding catalogue: every rule id the gate can emit, with its category, default severity, short
description, what to do about it, and the section of `docs/` that explains it.

Two kinds of entry:
- a `Rule` is one id the gate itself builds (`policy/force-push`, `scan/object-missing`, ...);
- a `Family` is a namespace of ids made at run time from data: secrets patterns (`secrets/<rule>`, from
  rules/secrets.yml and the policy's gitleaks configuration), semgrep rules (`semgrep/<rule>`, from the
  rules directory's YAML metadata), bandit tests (`bandit/B602`, from bandit), and scanner failures
  (`tool/<scanner>-failed`). Per-rule metadata of a family comes from its source (`gatekeeper rules list`
  reads it); the catalogue holds what is true of the whole family.

A leaf module (models and the standard library only), so every layer can name ids through it: the
checks, the SARIF renderer (rule descriptions, help, helpUri), `gatekeeper rules list`, and the tests
that fail when an emitted id is not registered here (tests/test_catalogue.py statically, tests/conftest.py
at run time). Producers build their findings through it: `rule(ID)` at import (an unregistered id fails
there), then `.finding(message, ...)` at the rule's default severity, which a producer may raise or lower
by context (a signer mismatch is medium where no signature is required).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gatekeeper.models import Finding, Severity

# Where helpUri links point: the repository's docs/ directory.
DOCS_URI = "https://github.com/gatekeeper-dev/gatekeeper/blob/main/docs/"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule id the gate builds itself."""

    id: str
    severity: Severity  # the default; see the module docstring
    title: str  # short description, one line
    help: str  # what the finding means and what to do about it
    docs: str  # "<file>.md#<anchor>" under docs/; tests check the heading exists

    @property
    def category(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def kind(self) -> str:
        return "gate"

    @property
    def help_uri(self) -> str:
        return DOCS_URI + self.docs

    def finding(self, message: str, *, severity: Severity | None = None, commit: str | None = None,
                path: str | None = None, line: int | None = None, fix: str = "", enforced: bool = False) -> Finding:
        """A finding of this rule, at its default severity unless the producer's context sets another."""
        return Finding(self.id, self.severity if severity is None else severity, message, commit=commit, path=path,
                       line=line, fix=fix, enforced=enforced)


@dataclass(frozen=True, slots=True)
class Family:
    """A namespace of rule ids built at run time from rule data or a tool's output."""

    pattern: str  # how the ids are spelled: "secrets/<rule>"
    regex: re.Pattern[str]  # full match of a member id
    kind: str  # "secrets" | "semgrep" | "bandit" | "gate": where the per-rule metadata comes from
    severity: Severity | None  # None: each rule carries its own
    title: str
    help: str
    docs: str
    source: str  # where each member's metadata lives

    @property
    def category(self) -> str:
        return self.pattern.split("/", 1)[0]

    @property
    def help_uri(self) -> str:
        return DOCS_URI + self.docs

    def matches(self, rule_id: str) -> bool:
        return self.regex.fullmatch(rule_id) is not None


_D_POLICY = "findings.md#policy"
_D_SCAN = "findings.md#scan-coverage"
_D_REFS = "hooks.md#refs-git-gives-a-meaning-to"
_D_JUDGED = "hooks.md#what-gets-judged"
_D_REVIEW_PUSH = "hooks.md#review-at-push-time"
_D_PROVENANCE = "provenance.md#findings"
_D_TOOLS = "findings.md#tool-failures"

_S = Severity
_RULES: tuple[Rule, ...] = (
    # -- policy: what the policy forbids outright ------------------------------------------------------
    Rule("policy/ambiguous-ref", _S.HIGH, "Push of a ref whose name stands in for a protected ref",
         "A tag `main`, a ref `refs/main` or a ref ending in `/refs/heads/main` is read in place of the protected "
         "branch by git's name resolution or by tools matching ref names; choose another name. Allowed only with "
         "pre_receive.allow_ambiguous_refs.", _D_REFS),
    Rule("policy/bad-notes-ref", _S.HIGH, "Notes ref that is not a notes commit",
         "Push only notes commits made by `git notes`; a broken notes ref on the server must be repaired or "
         "deleted by an administrator.", _D_REFS),
    Rule("policy/changed", _S.HIGH, "Gate configuration changed",
         "The change edits the gate's configuration (policy, .gatekeeper/, the files the policy names, CODEOWNERS, "
         ".github/workflows/); a policy owner must approve it.", "action.md#policychanged"),
    Rule("policy/force-push", _S.HIGH, "Force push to a protected branch",
         "Rebase onto the current tip and push without --force.", _D_JUDGED),
    Rule("policy/ignore-expired", _S.LOW, "Ignore entry past its expiry date",
         "The policy's `ignore` entry no longer applies; renew its `expires` with a reason, or fix the findings "
         "it hid.", _D_POLICY),
    Rule("policy/ref-alias", _S.INFO, "Push through a symbolic ref",
         "The ref pushed is a symbolic ref on the server; the update is judged as the ref it names.", _D_JUDGED),
    Rule("policy/ref-deletion", _S.HIGH, "Deletion of a protected branch",
         "Protected refs cannot be deleted.", _D_JUDGED),
    Rule("policy/ref-target", _S.HIGH, "Protected ref naming a blob or a tree",
         "Protected refs (release tags included) must name commits, which review and provenance judge; keep other "
         "objects under an unprotected ref.", _D_JUDGED),
    Rule("policy/replace-ref", _S.HIGH, "Push of a replace ref (refs/replace/*)",
         "Replace refs make git readers see another object in place of the one named; push the real commits. "
         "Allowed only with pre_receive.allow_replace_refs.", _D_REFS),
    Rule("policy/reserved-ref", _S.HIGH, "Push to a ref only the gate writes",
         "Do not push refs/notes/gatekeeper/*: the gate writes its signed attestations there.",
         "attestations.md#where-attestations-live"),
    Rule("policy/source-switch", _S.HIGH, "Push that would change which branch supplies the gate's policy",
         "The default branch (the server's HEAD) holds the trusted policy; which branch that is is an "
         "administrator's choice (`git symbolic-ref HEAD refs/heads/<branch>` on the server), never a push's.",
         "hooks.md#the-policys-branch-is-protected-by-the-gate-itself"),
    Rule("policy/zone-violation", _S.HIGH, "Change to a compliance zone not allowed from this origin",
         "Make the change from a managed desktop device, or have the zone's owners land it.", _D_POLICY),
    # -- scan: content that was not (fully) scanned ----------------------------------------------------
    Rule("scan/binary-skipped", _S.INFO, "Binary file not scanned",
         "Binary files are not scanned (their printable text is still checked for secrets); review them by hand.",
         _D_SCAN),
    Rule("scan/cache-refused", _S.INFO, "Scan cache not used: another user could write it",
         "Make the cache directory private (chmod 700, owned by you) or set GATEKEEPER_CACHE_DIR to one that is.",
         "hooks.md#what-the-gate-guarantees-and-what-it-does-not"),
    Rule("scan/diff-too-large", _S.LOW, "Only part of what the commit added to a file was scanned",
         "Keep generated or vendored files out of the change, or review the rest by hand.", _D_SCAN),
    Rule("scan/file-skipped", _S.LOW, "Scanner skipped a file",
         "Review the file by hand.", _D_SCAN),
    Rule("scan/file-too-large", _S.LOW,
         "File over the scan size limit: the secrets scanner read only its first part, the others none of it",
         "Keep generated or vendored files out of the change, or review the file by hand.", _D_SCAN),
    Rule("scan/incomplete", _S.MEDIUM, "Scanner gave up on a file",
         "Findings in the file may be missed; review it by hand or split it.", _D_SCAN),
    Rule("scan/lfs-content", _S.LOW, "Git LFS pointer: the file's content is not in the push",
         "The content lives in an LFS store and was not scanned; review the LFS object by hand, or commit the file "
         "to git.", _D_SCAN),
    Rule("scan/loose-content-skipped", _S.LOW, "Blobs outside any commit not read by a commit-only scanner",
         "Only the secrets scanner reads blobs and trees a ref names directly; review that content by hand.",
         _D_JUDGED),
    Rule("scan/object-missing", _S.MEDIUM, "Objects missing: files not scanned",
         "A partial clone or a damaged repository: fetch the missing objects (`git fetch --refetch origin`, or a "
         "clone without --filter) and run the gate again.", _D_SCAN),
    Rule("scan/parse-error", _S.LOW, "Scanner could not parse a file",
         "Findings in the unparsed part may be missed; make the file valid source code.", _D_SCAN),
    Rule("scan/source-encoding", _S.MEDIUM, "File declares an encoding Python reads other than its bytes",
         "A `# coding:` declaration (utf-7, unicode_escape, utf-16, Shift_JIS…) makes Python read other characters "
         "than the scanners see; secrets are looked for in both readings, semgrep and bandit read the bytes. Save "
         "the file as UTF-8 without the declaration, or review it by hand.", _D_SCAN),
    Rule("scan/working-tree-encoding", _S.MEDIUM, "Checked out in another encoding than the blob",
         "`.gitattributes` give the file a `working-tree-encoding` (EBCDIC, UTF-16…) under which a checkout writes "
         "other text than the blob the scanners read; secrets are looked for in both, semgrep and bandit read the "
         "blob. Keep the file in UTF-8 without the attribute, or review the checked-out file by hand.", _D_SCAN),
    Rule("scan/symlink-skipped", _S.INFO, "Symlink not followed",
         "Symlinks are not followed by the gate; commit the file itself if it should be scanned.", _D_SCAN),
    Rule("scan/unreadable", _S.LOW, "Object could not be read: not scanned",
         "Check the repository with `git fsck`. High when the object at a file path is a tree, commit or tag (a "
         "malformed tree a pusher made), and enforced for a tree git reads two ways (an entry named twice, out of "
         "git's order, or with a `/` in its name: a checkout writes other files than were judged): set "
         "receive.fsckObjects on the server; high for a notebook the gate cannot parse (JSON nested past its "
         "parser's depth), low for one that is not JSON.", _D_SCAN),
    # -- review ----------------------------------------------------------------------------------------
    Rule("review/bypassed", _S.HIGH, "Commit reached a protected branch without a reviewed pull request",
         "Mobile-origin commits must land through a pull request approved by someone other than their authors; "
         "revert the push and open a pull request.", "action.md#review-rules"),
    Rule("review/commits-mismatch", _S.HIGH, "The pull request's commits on GitHub and in git disagree",
         "The review cannot be tied to the range judged; re-run once the pull request is stable, and split pull "
         "requests of more than 250 commits.", "action.md#review-rules"),
    Rule("review/missing", _S.HIGH, "Mobile-origin change without a qualifying approval",
         "A person who is none of the commits' authors, committers or co-authors must approve the pull request "
         "after its last mobile-origin commit.", "action.md#review-rules"),
    Rule("review/required", _S.MEDIUM, "Review will be required",
         "Open a pull request and ask a reviewer who is not an author.", "findings.md#review"),
    Rule("review/self-approved", _S.HIGH, "The only review comes from an author",
         "Have someone who is none of the commits' authors, committers or co-authors review and merge it.",
         _D_REVIEW_PUSH),
    Rule("review/unverifiable", _S.HIGH, "Review could not be verified",
         "No review evidence is available where the gate ran, or the evidence cannot be verified; land the change "
         "through a pull request.", _D_REVIEW_PUSH),
    # -- provenance ------------------------------------------------------------------------------------
    Rule("provenance/allowed-signer-skipped", _S.INFO, "Allowed-signers line ignored",
         "A cert-authority line in the allowed signers is not honoured; list the signer's own key instead.",
         _D_PROVENANCE),
    Rule("provenance/ambiguous-identity", _S.CRITICAL, "Commit's author or committer is not what its object stores",
         "Re-create the commit with git itself: one author and one committer header, no encoding that changes them.",
         _D_PROVENANCE),
    Rule("provenance/bad-signature", _S.HIGH, "Signature does not verify",
         "The commit was changed after it was signed or the signature is forged: re-create and re-sign it, and "
         "find out who altered it.", _D_PROVENANCE),
    Rule("provenance/dco-missing", _S.MEDIUM, "No Developer Certificate of Origin sign-off by the author",
         "Sign off as the author: `git commit --amend --no-edit -s` (or `git rebase --signoff`).", _D_PROVENANCE),
    Rule("provenance/expired-key", _S.HIGH, "Signing key expired",
         "Renew the device's enrolment (new `expires`) or re-sign the commits with an active enrolled key.",
         _D_PROVENANCE),
    Rule("provenance/keyring-missing", _S.INFO, "OpenPGP signatures not checked: no keyring",
         "Set `gpg_home:` in the policy to a keyring the policy owners control.", _D_PROVENANCE),
    Rule("provenance/revoked-key", _S.CRITICAL, "Signing key's device revoked",
         "Do not push work from a revoked device; re-sign the commits with an active enrolled key.", _D_PROVENANCE),
    Rule("provenance/signature-error", _S.HIGH, "Signature could not be verified",
         "Rerun the check; if it persists, inspect the commit with `git cat-file commit SHA`.", _D_PROVENANCE),
    Rule("provenance/signer-mismatch", _S.HIGH, "Signer is not the commit's author",
         "Commit as the identity the key is enrolled to, or sign with a key enrolled to the author.",
         _D_PROVENANCE),
    Rule("provenance/unregistered-device", _S.HIGH, "Signed by a key of no registered device",
         "Sign from an enrolled device, or have the policy owners enrol it (`gatekeeper device enroll`).",
         _D_PROVENANCE),
    Rule("provenance/unsigned", _S.HIGH, "Commit not signed",
         "Sign with your enrolled device key (`git config gpg.format ssh`, `user.signingkey KEY`, "
         "`commit.gpgsign true`), then re-sign the commits.", _D_PROVENANCE),
    Rule("provenance/unsupported-signature", _S.HIGH, "Signature format or key type cannot be verified",
         "Sign with an SSH ed25519/RSA/ECDSA key or an OpenPGP key; x509 and security-key (sk-*) signatures are "
         "never accepted.", _D_PROVENANCE),
    Rule("provenance/untrusted-key", _S.HIGH, "Signing key not trusted",
         "Sign with an enrolled key, or have the policy owners enrol this key.", _D_PROVENANCE),
    # -- AI attribution rules (policy `ai:`) -----------------------------------------------------------
    Rule("ai/agent-signoff", _S.HIGH, "AI agent signed off the Developer Certificate of Origin",
         "Remove the agent's sign-off and sign off yourself, naming the agent in `Assisted-by: AGENT:MODEL` instead.",
         "ai-attribution.md#rules-a-project-can-turn-on"),
    Rule("ai/assisted-by-missing", _S.MEDIUM, "AI-involved commit without an `Assisted-by: AGENT:MODEL` trailer",
         "Add `Assisted-by: AGENT:MODEL` to the commit's trailers.", "ai-attribution.md#rules-a-project-can-turn-on"),
    # -- origin ----------------------------------------------------------------------------------------
    Rule("origin/conflict", _S.LOW, "Conflicting origin signals",
         "Make the commit's Origin-Device trailer match how it was made.", "findings.md#origin"),
    Rule("origin/declared-after-landing", _S.MEDIUM, "A pushed note declares an earlier commit mobile or AI",
         "The commit was judged without this declaration: review it under the mobile/AI rules (`gatekeeper check "
         "--base <commit>~ --head <commit>`), and push notes together with the commits they describe.",
         "findings.md#origin"),
    Rule("origin/spoofed", _S.HIGH, "Declared origin contradicts verified evidence",
         "A commit claims a device class or device id that its signing key contradicts; remove the false claim.",
         "provenance.md#origin-from-the-key"),
    # -- gate: decisions about the gate itself ---------------------------------------------------------
    Rule("gate/bypass-denied", _S.HIGH, "Bypass requested but denied",
         "Only users the policy's `bypass.allowed` names can bypass, with a reason when one is required.",
         "hooks.md#bypass-break-glass"),
    Rule("gate/bypassed", _S.LOW, "Gate bypassed (break glass)",
         "Review this push after the fact; the bypass is recorded in the audit log.", "hooks.md#bypass-break-glass"),
    Rule("gate/deferred", _S.INFO, "Scanner deferred to CI",
         "The CI gate runs it; do not merge before it passes.", "hooks.md#time-budget"),
    # -- tool: work that could not be done -------------------------------------------------------------
    Rule("tool/github-failed", _S.HIGH, "GitHub API unavailable: review status unknown",
         "The review could not be checked, so it is not treated as approved. Fix the token permissions or re-run "
         "the job.", "action.md#when-github-cannot-answer"),
    Rule("tool/provenance-unavailable", _S.HIGH, "Signatures required but no signature verification configured",
         "Configure allowed_signers and/or devices in the policy.", _D_TOOLS),
    Rule("tool/timeout", _S.HIGH, "Scanner did not finish within the time budget",
         "Push fewer commits at once, or let CI run the full gate; the change was not fully scanned.",
         "hooks.md#time-budget"),
    # -- secrets the gate recognises without a pattern ---------------------------------------------------
    Rule("secrets/keystore-file", _S.HIGH, "Java keystore / PKCS#12 file added",
         "It holds private keys: remove it from every commit of the change and revoke or rotate the keys it holds.",
         "secrets.md#what-it-finds"),
)

_FAMILIES: tuple[Family, ...] = (
    Family("secrets/<rule>", re.compile(r"secrets/[^\s/][^\s]*"), "secrets", None,
           "Secret added", "Remove the secret from the history and rotate it: it is compromised once pushed.",
           "secrets.md#what-it-finds",
           "rules/secrets.yml and the policy's gitleaks configuration (`secrets.config`)"),
    Family("semgrep/<rule>", re.compile(r"semgrep/[^\s/][^\s]*"), "semgrep", None,
           "Semgrep rule matched",
           "Fix the code the rule points at, or suppress with `gatekeeper: ignore[rule-id]` and a reason.",
           "findings.md#scanner-rules", "the semgrep rules directory (rules/semgrep/*.yml metadata)"),
    Family("bandit/<test id>", re.compile(r"bandit/B\d{3,4}"), "bandit", None,
           "Bandit check matched",
           "bandit's checks on Python files: bandit's LOW/MEDIUM/HIGH severity, one step lower at LOW "
           "confidence; only findings at the policy's `bandit:` thresholds (default medium confidence and "
           "severity) reach the verdict",
           "findings.md#scanner-rules", "bandit's test ids (`bandit -l`)"),
    Family("tool/<scanner>-failed", re.compile(r"tool/[a-z0-9][a-z0-9_-]*-failed"), "gate", Severity.HIGH,
           "Scanner failed or is missing: the change was not scanned",
           "Install the scanner (pip install gatekeeper pulls it in) and check it runs (`<scanner> --version`), or "
           "remove it from the policy's scanners.", _D_TOOLS, "the scanner names of the policy (`scanners:`)"),
)

RULES: Mapping[str, Rule] = MappingProxyType({r.id: r for r in _RULES})
FAMILIES: tuple[Family, ...] = _FAMILIES


def rule(rule_id: str) -> Rule:
    """The registered built-in rule `rule_id` (KeyError when it is not one)."""
    return RULES[rule_id]


def lookup(rule_id: str) -> Rule | Family | None:
    """The catalogue entry for an emitted id: its own rule, else the family it belongs to, else None."""
    found = RULES.get(rule_id)
    if found is not None:
        return found
    return next((f for f in FAMILIES if f.matches(rule_id)), None)


def is_registered(rule_id: str) -> bool:
    return lookup(rule_id) is not None


def unregistered(rule_ids: Iterable[str]) -> list[str]:
    """The ids among `rule_ids` the catalogue does not know, sorted: what the tests fail on."""
    return sorted({i for i in rule_ids if not is_registered(i)})
