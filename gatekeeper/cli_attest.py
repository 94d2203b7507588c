"""`gatekeeper attest REV` and `gatekeeper attest verify REV`: source provenance and SLSA Source VSAs.

Thin: parse options, call modes/attest.py or attest/verify.py, print the outcome, return an ExitCode.
`attest` is a group whose default action takes the revision (`attest REV`), so `attest verify REV`
and `attest REV` both read as the contract names them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from gatekeeper.models import ExitCode


class _DefaultGroup(click.Group):
    """A group that runs its `create` command when the first argument is not a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


@click.group("attest", cls=_DefaultGroup)
def attest() -> None:
    """Sign a SLSA Source provenance + VSA for a revision (`attest REV`), or verify one (`attest verify REV`).

    Attestations are git notes under refs/notes/gatekeeper/attestations. On a server, `gatekeeper install`
    adds a post-receive hook that attests every accepted protected tip with the key in $GATEKEEPER_ATTEST_KEY.
    """


@attest.command("create")
@click.argument("rev")
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True)
@click.option("--ref", help="The ref the revision is admitted to (default: the current branch).")
@click.option("--key", type=click.Path(path_type=Path), help="Private signing key (default: $GATEKEEPER_ATTEST_KEY).")
@click.option("--previous", help="The previous attested tip (default: the newest attested ancestor).")
@click.option("--start", is_flag=True, help="Begin continuity at this revision (no attested ancestor needed).")
@click.option("--policy", "policy_file", type=click.Path(path_type=Path),
              help="Policy to judge with (default: .gatekeeper.yml as committed at the previous tip).")
def create(rev: str, repo: Path, ref: str | None, key: Path | None, previous: str | None, start: bool,
           policy_file: Path | None) -> int:
    """Judge previous..REV and attest REV (exit 0 written, 2 usage, 3 config, 4 could not evaluate)."""
    from gatekeeper.modes.attest import run_attest

    admission = run_attest(repo, rev, ref=ref, key=key, previous=previous, start=start, policy_file=policy_file,
                           env=os.environ)
    click.echo(f"attested {admission.ref} at {admission.revision}: SLSA Source level {admission.level.level}"
               + (f" + {', '.join(admission.level.properties)}" if admission.level.properties else ""))
    if admission.level.reasons:
        # (Why the level is not higher, or why it was lowered: not a contradiction of the properties above.)
        click.echo(f"  not level {admission.level.level + 1} because:" if admission.level.level < 4 else "  notes:")
    for reason in admission.level.reasons:
        click.echo(f"  - {reason}")
    return ExitCode.OK


@attest.command("verify")
@click.argument("rev")
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True)
@click.option("--key", "keys", multiple=True, type=click.Path(path_type=Path),
              help="Trusted public key (PEM or OpenSSH); repeatable. Default: $GATEKEEPER_ATTEST_KEY.")
@click.option("--level", "min_level", type=click.IntRange(0, 4), help="Fail unless the revision is at this level.")
@click.option("--resource", "resource_uri", metavar="URI",
              help="The repository the attestations must be for (their VSA's resourceUri, e.g. "
              "git+https://git.example.com/org/app). Default: $GATEKEEPER_RESOURCE_URI; unset: not checked.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(rev: str, repo: Path, keys: tuple[Path, ...], min_level: int | None, resource_uri: str | None,
           fmt: str) -> int:
    """Check REV's attestation: signature, subject, chain of levels back to a start. Exit 0 verified, 1 not."""
    from gatekeeper.attest.verify import verify_revision
    from gatekeeper.git import Git
    from gatekeeper.modes.attest import verify_keys
    from gatekeeper.sanitize import safe

    git = Git(repo)
    sha = git.resolve(rev)
    from gatekeeper.attest.admission import RESOURCE_ENV

    result = verify_revision(git, sha, verify_keys(list(keys), os.environ), min_level=min_level,
                             resource_uri=resource_uri or os.environ.get(RESOURCE_ENV) or None)
    if fmt == "json":
        doc: dict[str, Any] = {
            "revision": result.revision, "verified": result.verified, "level": result.level,
            "verifiedLevels": (result.vsa or {}).get("predicate", {}).get("verifiedLevels", []) if result.verified
            else [],
            "resourceUri": result.resource_uri, "verifierId": result.verifier_id,
            "chain": [{"revision": link.revision, "ref": link.ref, "level": link.level,
                       "properties": list(link.properties), "start": link.start, "keyIds": list(link.key_ids),
                       "timeVerified": link.time} for link in result.chain],
            "problems": list(result.problems),
            "vsa": result.vsa if result.verified else None,
        }
        click.echo(json.dumps(doc, sort_keys=True))
    elif result.verified:
        props = f" + {', '.join(result.properties)}" if result.properties else ""
        click.echo(f"PASSED: {sha} is SLSA Source level {result.level}{props}; chain of {len(result.chain)} "
                   f"attestation(s) verified back to a recorded start or a level-1 revision")
    else:
        click.echo(f"FAILED: {sha} could not be verified")
        for problem in result.problems:
            click.echo(f"  {safe(problem, limit=400)}")
    return ExitCode.OK if result.verified else ExitCode.BLOCKED
