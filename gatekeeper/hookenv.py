"""What the server tells a pre-receive hook about a push: forge metadata, pusher and push options.

GitHub Enterprise Server, GitLab and Gitea each set their own variables in the hook environment
(documented values only; see docs/hooks.md). They are set by the server, not by the pusher, so the
engine may treat them as verified evidence. Plain git servers set none of them: there the pusher's
identity comes from `GATEKEEPER_PUSHER` (set by the administrator, e.g. in an SSH forced command or
the web server in front of `git http-backend`) or the CGI `REMOTE_USER` of an authenticated HTTP push.

Everything read here is bounded and stripped of control characters: push options in particular are
typed by the pusher.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gatekeeper.lazy_regex import lazy
from gatekeeper.origin.base import ForgeInfo
from gatekeeper.sanitize import safe

# GHES GITHUB_VIA values (docs: "Creating a pre-receive hook script").
GHES_WEB_EDIT = ("blob#save", "blob edit", "git repo contents api")
GHES_PR_MERGE = ("pull request merge button", "pull request merge api", "merge")
# Gitea GITEA_PUSH_TRIGGER value for a pull request merged into its base branch.
GITEA_PR_MERGE = ("pr-merge-to-base", "pr-merge")

MAX_PUSH_OPTIONS = 100
MAX_OPTION_LENGTH = 1000
MAX_IDENTITY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Pusher:
    """Who pushed, as the server authenticated them; `source` names the variable it came from."""

    login: str
    source: str
    email: str | None = None


def _get(env: Mapping[str, str], name: str, limit: int = MAX_IDENTITY_LENGTH) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    cleaned = safe(value, limit=limit).strip()
    return cleaned or None


_ADDRESS = lazy(r"[^@\s<>\",;:()\[\]]+@[^@\s<>\",;:()\[\]]+")


def _address(value: str | None) -> str | None:
    """A server-named address: bare, or git's `Name <address>` (the address). Anything else (a list, a mailto: link)
    is no address: taken whole, it is no spelling of anyone, and a pusher with "an address" vouches for a claim on
    a signed commit (red152)."""
    if value is None:
        return None
    text = value.strip()
    if text.endswith(">") and "<" in text:
        text = text[text.rindex("<") + 1 : -1].strip()
    return text if _ADDRESS.fullmatch(text) else None


def is_gitlab(env: Mapping[str, str]) -> bool:
    """GitLab runs hooks with GL_ID / GL_PROTOCOL set; its UI shows only `GL-HOOK-ERR:` lines."""
    return bool(env.get("GL_ID") or env.get("GL_PROTOCOL"))


def is_ghes(env: Mapping[str, str]) -> bool:
    return bool(env.get("GITHUB_VIA") or env.get("GITHUB_USER_LOGIN"))


def is_gitea(env: Mapping[str, str]) -> bool:
    return bool(env.get("GITEA_PUSHER_NAME") or env.get("GITEA_PUSH_TRIGGER")
                or env.get("SSH_ORIGINAL_COMMAND") == "gitea-internal")


def forge_from_env(env: Mapping[str, str]) -> ForgeInfo:
    """The forge metadata of this push; `forge="git"` (no metadata) for a plain git server."""
    if is_ghes(env):
        via = _get(env, "GITHUB_VIA")
        via_key = (via or "").strip().lower()
        return ForgeInfo(
            forge="github",
            user=_get(env, "GITHUB_USER_LOGIN"),
            via=via,
            web_edit=via_key in GHES_WEB_EDIT,
            pr_merge=via_key in GHES_PR_MERGE,
            pr_author=_get(env, "GITHUB_PULL_REQUEST_AUTHOR_LOGIN"),
            repo=_get(env, "GITHUB_REPO_NAME"),
        )
    if is_gitlab(env):
        protocol = _get(env, "GL_PROTOCOL")
        return ForgeInfo(
            forge="gitlab",
            user=_get(env, "GL_USERNAME"),
            via=protocol,
            # GL_PROTOCOL=web: the Web IDE, the file editor, or a merge made in the UI.
            web_edit=(protocol or "").lower() == "web",
            repo=_get(env, "GL_PROJECT_PATH") or _get(env, "GL_REPOSITORY"),
        )
    if is_gitea(env):
        trigger = _get(env, "GITEA_PUSH_TRIGGER")
        internal = env.get("SSH_ORIGINAL_COMMAND") == "gitea-internal"
        pr_merge = (trigger or "").lower() in GITEA_PR_MERGE
        owner, name = _get(env, "GITEA_REPO_USER_NAME"), _get(env, "GITEA_REPO_NAME")
        return ForgeInfo(
            forge="gitea",
            user=_get(env, "GITEA_PUSHER_NAME"),
            via=trigger or ("gitea-internal" if internal else None),
            # Gitea's own pushes (web editor, merges) arrive as `gitea-internal`; a merge is not an edit.
            web_edit=internal and not pr_merge,
            pr_merge=pr_merge,
            repo=f"{owner}/{name}" if owner and name else name,
        )
    return ForgeInfo(forge="git")


def pusher_from_env(env: Mapping[str, str]) -> Pusher | None:
    """The authenticated pusher. Forge variables win; GATEKEEPER_PUSHER / REMOTE_USER on plain git.

    GATEKEEPER_PUSHER (and GATEKEEPER_PUSHER_EMAIL, the pusher's address) must be set by the server, never by the
    client: do not let sshd AcceptEnv them.
    """
    for name, forge_check in (("GITHUB_USER_LOGIN", is_ghes), ("GL_USERNAME", is_gitlab),
                              ("GITEA_PUSHER_NAME", is_gitea)):
        if forge_check(env):
            login = _get(env, name)
            email = _address(_get(env, "GITEA_PUSHER_EMAIL")) if name == "GITEA_PUSHER_NAME" else None
            return Pusher(login, name, email) if login else None
    for name in ("GATEKEEPER_PUSHER", "REMOTE_USER"):
        login = _get(env, name)
        if login:
            # GATEKEEPER_PUSHER_EMAIL (server-set, like GATEKEEPER_PUSHER): the address the pusher's login stands
            # for, without which a login cannot be compared with a signer's address (review/reviewed_by.py).
            # A login with an `@` in it is still a login, not the pusher's address: a Kerberos principal
            # (`jdoe@CORP.EXAMPLE.COM`, mod_auth_gssapi's REMOTE_USER) or a userPrincipalName is nobody's mail, and
            # taken for one it let the signer's own push vouch for his signed commit (red152).
            address = _address(_get(env, "GATEKEEPER_PUSHER_EMAIL")) if name == "GATEKEEPER_PUSHER" else None
            return Pusher(login, name, address)
    return None


def push_options_from_env(env: Mapping[str, str]) -> tuple[str, ...]:
    """`git push -o` values (GIT_PUSH_OPTION_COUNT / GIT_PUSH_OPTION_<n>), bounded and sanitized.

    Raises ValueError when the count is not a number (the environment is then not git's).
    """
    raw = env.get("GIT_PUSH_OPTION_COUNT")
    if raw is None or raw.strip() == "":
        return ()
    try:
        count = int(raw)
    except ValueError:
        raise ValueError(f"GIT_PUSH_OPTION_COUNT is not a number: {safe(raw, limit=40)!r}") from None
    if count < 0:
        raise ValueError(f"GIT_PUSH_OPTION_COUNT is negative: {count}")
    options = []
    for index in range(min(count, MAX_PUSH_OPTIONS)):
        value = env.get(f"GIT_PUSH_OPTION_{index}")
        if value is not None:
            options.append(safe(value, limit=MAX_OPTION_LENGTH))
    return tuple(options)
