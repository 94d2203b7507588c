"""What the pre-receive hook records of each outcome, in both stores: the JSON-lines audit file
(`--audit-log` / GATEKEEPER_AUDIT_LOG) and the hash-chained decision log.

Every outcome is recorded — a decision, a timeout, a legacy hook's refusal, a push that could not be
evaluated — with the pusher, the push options and the forge metadata. An audit file that cannot be
written is a warning to the pusher; a decision log the policy requires (`log: {required: true}`) that
cannot be written raises LogError, and the hook then fails closed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from gatekeeper.audit import decisionlog as dlog
from gatekeeper.audit.jsonl import append_audit, audit_record
from gatekeeper.hookenv import forge_from_env
from gatekeeper.models import ExitCode, Verdict
from gatekeeper.origin.base import ForgeInfo
from gatekeeper.sanitize import safe


def record_outcome(*, event: str, exit_code: int, verdict: Verdict | None, error: str | None,
                   audit_log: Path | None, decision_log: dlog.Destination | None, repository: str,
                   pusher: str | None, forge: ForgeInfo | None, push_options: Sequence[str],
                   say: Callable[[str], None], timeout: float, lines: Sequence[tuple[str, str, str, str]] = (),
                   commits: Sequence[str] | None = None, bypass: Mapping[str, str | None] | None = None) -> None:
    """Record one outcome of the hook. `say` tells the pusher about a store that could not be written;
    `timeout` bounds the wait for the decision log (what is left of the hook's budget). Without a verdict (a
    timeout, an error): `lines` the `(old, new, ref, kind)` the push asked for (kind empty until classified),
    `commits` those it brought when known, `bypass` who broke the glass and why when the watchdog accepted by
    bypass."""
    push_options = logged_options(push_options)
    if bypass is not None and bypass.get("reason"):
        bypass = {**bypass, "reason": logged_options([bypass["reason"] or ""])[0]}  # as the options are kept
    # A ref's name is the pusher's text: a key in it is kept redacted, as the verdict shows it (red58).
    lines = [(old, new, _redacted(ref), kind) for old, new, ref, kind in lines]
    refs = [{"ref": ref, "old": old, "new": new, "kind": kind or None} for old, new, ref, kind in lines]
    if audit_log is not None:
        record = audit_record(event=event, exit_code=exit_code, verdict=verdict, pusher=pusher, forge=forge,
                              push_options=tuple(push_options), error=error)
        if verdict is None:
            record.update(refs=refs, commits=None if commits is None else list(commits),
                          bypass=None if bypass is None else dict(bypass))
        try:
            append_audit(audit_log, record)
        except OSError as exc:
            say(f"gatekeeper: warning: could not write the audit log: {safe(str(exc), limit=200)}\n")
    dest = decision_log
    if dest is None or (dest.target is None and dest.problem is None and not dest.required):
        return
    detail: dict[str, Any] = {"error": error, "push_options": list(push_options),
              "forge": None if forge is None else {"forge": forge.forge, "via": forge.via, "repo": forge.repo}}
    if verdict is not None:
        entry = dlog.entry_from_verdict(verdict, repository=repository, event=event, exit_code=exit_code,
                                        pusher=pusher, detail=detail)
    else:
        if bypass is not None:
            detail["bypass"] = dict(bypass)
        entry = dlog.Entry(repository=repository, mode="pre-receive", event=event,
                           decision="allow" if exit_code == ExitCode.OK else ("error" if event == "error" else "block"),
                           exit_code=exit_code, pusher=pusher, detail=detail,
                           refs=tuple((ref, old, new, kind) for old, new, ref, kind in lines),
                           commits=tuple(commits or ()))
    dlog.record(dest, entry, lambda text: say(safe(text, limit=300) + "\n"), timeout=timeout)


def repository_name(env: Mapping[str, str], repo: Path) -> str:
    """How the decision log names this repository: the forge's name for it, else its git directory."""
    forge = forge_from_env(env)
    if forge is not None and forge.repo:
        return f"{forge.forge}:{safe(forge.repo, limit=200)}"
    git_dir = env.get("GIT_DIR")
    base = Path(git_dir) if git_dir else repo
    try:
        return dlog.path_name((base if base.is_absolute() else Path.cwd() / base).resolve())
    except OSError:
        return dlog.path_name(base)


def _redacted(text: str) -> str:
    from gatekeeper.scan.common import redact_secrets

    return redact_secrets(text)


def logged_options(options: Sequence[str]) -> list[str]:
    """The push options as both stores keep them: each read by the secrets detector and cut at the first
    secret, shown redacted (`git push -o ci.variable=DEPLOY_TOKEN=…` is GitLab's documented way to hand a
    CI job a variable: the log must not keep what the gate keeps out of the repository)."""
    if not options:
        return []
    from gatekeeper.scan.common import redact_secrets

    return [redact_secrets(option) for option in options]
