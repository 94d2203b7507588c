"""Checks on the refs a push moves, whatever they point at: refs git itself gives a meaning to.

`refs/replace/*` makes git show another object in place of the one named (a decoy commit, a blob
without the key, a policy file from somewhere else). gatekeeper never honours replacements (gatekeeper.git
runs every command with GIT_NO_REPLACE_OBJECTS), but every other reader of the repository does — a
reviewer's `git log`, a CI checkout — so a push that creates, moves or deletes one is refused unless
`pre_receive.allow_replace_refs` says otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatekeeper.catalogue import rule
from gatekeeper.models import Finding

if TYPE_CHECKING:
    from gatekeeper.checks import CheckContext

REPLACE_PREFIX = "refs/replace/"
REPLACE_REF = rule("policy/replace-ref")


class ReplaceRefCheck:
    id = REPLACE_REF.id
    ids: tuple[str, ...] = (id,)
    description = "pushes that create, move or delete refs/replace/* (object substitution)"

    def run(self, ctx: CheckContext) -> list[Finding]:
        if ctx.policy.pre_receive.allow_replace_refs:
            return []
        findings: list[Finding] = []
        for update in ctx.updates:
            if not update.ref.startswith(REPLACE_PREFIX):
                continue
            action = update.kind.value
            findings.append(REPLACE_REF.finding(
                f"{action} of {update.ref}: replace refs make every git reader see another object in place of the "
                "one named", enforced=True,
                fix="push the real commits instead; replace refs are refused unless the policy sets "
                    "pre_receive.allow_replace_refs: true",
            ).with_fingerprint(update.ref, update.old, update.new))
        return findings
