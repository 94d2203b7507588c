"""Provenance findings that depend on a commit's rule set: signatures, registered devices, signer identity, DCO.

The signature source (`provenance/source.py`) verified each commit before origin detection; only now,
with the origin resolved and the rule set known, can we say what a status means for the commit:

- a bad, revoked, expired, unsupported or unverifiable signature is always reported (revoked is
  critical, the rest high);
- unsigned commits and unknown keys are reported only where the rule set asks for a signature
  (`require_signature`, or `require_registered_device`, which implies one);
- every finding for a commit whose rule set asks for a signature is enforced: it blocks whatever
  `block_at` says, because the policy itself demands a good signature there;
- the signer must be the author (or committer, per `signer_binding`): `provenance/signer-mismatch`,
  high and enforced where signatures are required, medium elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatekeeper.catalogue import rule
from gatekeeper.models import CommitReport, Finding, Severity, SignatureInfo
from gatekeeper.provenance.allowed_signers import match_pattern_list
from gatekeeper.provenance.source import (
    ALWAYS_REPORTED,
    BAD,
    DCO_MISSING,
    ERROR,
    EXPIRED,
    REVOKED,
    SIGNER_MISMATCH,
    UNREGISTERED,
    UNSIGNED,
    UNSUPPORTED,
    UNTRUSTED,
    bound_identity,
    classify,
    literal_identity,
)
from gatekeeper.trailers import parse_ident

if TYPE_CHECKING:
    from gatekeeper.checks import CheckContext

_NOT_VERIFIED = SignatureInfo()  # what the engine reports when no signature source ran

_ENROL = "`gatekeeper device enroll --id ID --owner EMAIL --class mobile --personal --ssh-key KEY.pub`"
_RESIGN = "re-sign the commits with an active enrolled key (`git rebase --exec 'git commit --amend --no-edit -S'`)"
# Per status finding (its severity is the catalogue's: revoked critical, the rest high): what, and the fix.
_STATUS: dict[str, tuple[str, str]] = {
    UNSIGNED: ("the commit is not signed",
               "sign with your enrolled device key (`git config gpg.format ssh`, `user.signingkey KEY`, "
               "`commit.gpgsign true`), then re-sign these commits "
               "(`git rebase --exec 'git commit --amend --no-edit -S'`)"),
    UNTRUSTED: ("the signing key is not trusted",
                f"sign with an enrolled key, or have the policy owners enrol this key: {_ENROL}"),
    BAD: ("the signature does not verify",
          "the commit was changed after it was signed or the signature is forged: re-create and re-sign it, "
          "and find out who altered it"),
    REVOKED: ("the signing key's device has been revoked",
              f"do not push work from a revoked device; {_RESIGN}"),
    EXPIRED: ("the signing key has expired",
              f"renew the device's enrolment (new `expires`) or {_RESIGN}"),
    UNSUPPORTED: ("the signature's format or key type cannot be verified",
                  "sign with an SSH key (ed25519, RSA, ECDSA, or an ed25519 or ECDSA P-256 FIDO security key) or an "
                  "OpenPGP key; DSA keys, SSH certificates and x509 signatures (gitsign, S/MIME) are never accepted"),
    ERROR: ("the signature could not be verified",
            "rerun the check; if it persists, inspect the commit with `git cat-file commit SHA`"),
}


def _where_required(report: CommitReport) -> str:
    return f"the {report.ruleset} rules require a good signature"


class SignatureCheck:
    id = UNSIGNED
    ids: tuple[str, ...] = (id, UNTRUSTED, BAD, REVOKED, EXPIRED, UNSUPPORTED, ERROR, UNREGISTERED, SIGNER_MISMATCH)
    description = "signature status, registered signing device and signer identity, per the commit's rule set"

    def run(self, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        for report in ctx.commits:
            info = report.signature
            if info == _NOT_VERIFIED:
                continue  # no signature source: the engine reports tool/provenance-unavailable instead
            rules = ctx.policy.ruleset(report.ruleset)
            required = rules.require_signature or rules.require_registered_device
            status = classify(info)
            if status is not None:
                if status in ALWAYS_REPORTED or required:
                    findings.append(self._status(report, info, status, required))
                continue
            if rules.require_registered_device and info.device_id is None:
                findings.append(rule(UNREGISTERED).finding(
                    f"signed by key {info.key} ({info.signer}), which belongs to no device in the registry; the "
                    f"{report.ruleset} rules require a registered device",
                    commit=report.commit.sha, enforced=True,
                    fix=f"sign from an enrolled device, or have the policy owners enrol it: {_ENROL}",
                ).with_fingerprint(report.commit.sha, info.key or ""))
            mismatch = self._mismatch(report, info, ctx.policy.signer_binding, required)
            if mismatch is not None:
                findings.append(mismatch)
        return findings

    @staticmethod
    def _status(report: CommitReport, info: SignatureInfo, status: str, required: bool) -> Finding:
        what, fix = _STATUS[status]
        detail = f": {info.detail}" if info.detail else ""
        fmt = f"{info.format} " if info.format else ""
        message = what if status == UNSIGNED else f"{what} ({fmt}{info.status.value}{detail})"
        severity = None
        if required:
            message += f"; {_where_required(report)}"
        elif status == UNSUPPORTED:
            # A signature nothing here can check (gitsign's x509, a DSA key) proves nothing, so the commit counts as
            # unsigned — which these rules allow. At the rule's high it blocked under the built-in policy where the
            # same commit unsigned passed (sig161: 3,157 gitsign-signed commits of sigstore/gitsign, sigstore/cosign
            # and chainguard-dev/melange). Said, as an info note, never silently dropped.
            message += f"; the {report.ruleset} rules do not require a signature, so the commit counts as unsigned"
            severity = Severity.INFO
        return rule(status).finding(message, severity=severity, commit=report.commit.sha, enforced=required,
                                    fix=fix).with_fingerprint(report.commit.sha, info.key or "")

    @staticmethod
    def _mismatch(report: CommitReport, info: SignatureInfo, binding: str, required: bool) -> Finding | None:
        if binding == "none":
            return None
        if info.forge is not None:
            # A forge's own key says the forge made the commit object (a merge, a web edit), for whoever
            # clicked: it binds to no author. GitLab signed with the merger as committer until 2024.
            return None
        person = report.commit.committer if binding == "committer" else report.commit.author
        email = person.email.strip().lower()
        literal = literal_identity(info)
        identities = bound_identity(info.signer, openpgp=literal)
        if email and identities and (email in identities if literal else match_pattern_list(email, identities)):
            return None
        signer = info.signer or "an unnamed signer"
        return rule(SIGNER_MISMATCH).finding(
            f"signed by {signer} (key {info.key}) but the {binding} is {person.email}",
            severity=Severity.HIGH if required else Severity.MEDIUM, commit=report.commit.sha, enforced=required,
            fix=f"commit as the identity the key is enrolled to, or sign with a key enrolled to {person.email}",
        ).with_fingerprint(report.commit.sha, binding, email, info.key or "")


class DcoCheck:
    id = DCO_MISSING
    ids: tuple[str, ...] = (id,)
    description = "Developer Certificate of Origin: a Signed-off-by trailer by the author (policy require_dco)"

    def run(self, ctx: CheckContext) -> list[Finding]:
        if not ctx.policy.require_dco:
            return []
        findings: list[Finding] = []
        for report in ctx.commits:
            commit = report.commit
            # Merges carry no sign-off when git or a forge makes them; the commits they join are checked.
            if commit.is_merge:
                continue
            # As the DCO bots do: a sign-off counts when its e-mail is the author's (names vary in spelling,
            # and real sign-offs carry suffixes such as `(github: user)`).
            author_email = commit.author.email.strip().lower()
            signoffs = [parse_ident(value) for value in commit.trailer_values("signed-off-by")]
            if author_email and any(s is not None and s[1] == author_email for s in signoffs):
                continue
            found = f" (sign-offs: {', '.join(v for v in commit.trailer_values('signed-off-by'))})" if signoffs else ""
            findings.append(rule(DCO_MISSING).finding(
                f"no Signed-off-by trailer by the author {commit.author}{found}; the policy requires the DCO",
                commit=commit.sha, enforced=True,
                fix="sign off as the author: `git commit --amend --no-edit -s` (or `git rebase --signoff`)",
            ).with_fingerprint(commit.sha))
        return findings

