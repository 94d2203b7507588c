"""`gatekeeper demo`: the gate on a throwaway server, with the real `remote:` output of real pushes.

In a temporary directory it creates a bare "server" repository with the pre-receive hook installed
(built-in default policy) and clones of it, then pushes three times:
1. a desktop commit: accepted;
2. a commit from a phone (Origin-Device: mobile, AI-assisted) that leaks an AWS key and has no
   review: rejected, with the reasons;
3. the fix: the branch rebuilt from origin/main (the leaky commit never landed, so it is simply
   dropped), the corrected file committed from the phone, reviewed and merged by someone else who
   pushes it with a `Reviewed-by:` trailer: accepted.
Everything is local and offline; the sandbox ignores the user's git configuration and gatekeeper
environment. Exit 0 when every step behaved as expected, 1 otherwise (saying which step).
"""

from __future__ import annotations

import os
import secrets
import shutil
import string
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from gatekeeper.config import default_policy
from gatekeeper.git import Workdir, git_environment
from gatekeeper.modes.install import install
from gatekeeper.modes.tag import set_trailers

_SCRUB_PREFIXES = ("GATEKEEPER_", "GITHUB_", "GL_", "GITEA_", "GIT_PUSH_OPTION", "REMOTE_USER")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str
    login: str


DANA = Person("Dana Desk", "dana@example.com", "dana")
MO = Person("Mo Bile", "mo@example.com", "mo")
RITA = Person("Rita Reviewer", "rita@example.com", "rita")


def fake_aws_key() -> tuple[str, str]:
    """An AWS-key-shaped pair made up at runtime (never a real or documented example key)."""
    key_id = "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
    alphabet = string.ascii_letters + string.digits + "+/"
    secret = "".join(secrets.choice(alphabet) for _ in range(40))
    return key_id, secret


class Sandbox:
    """git in the demo's directory, isolated from the user's config, hooks and gatekeeper settings."""

    def __init__(self, root: Path, out: TextIO) -> None:
        self.root = root
        self.out = out
        home = root / "home"
        home.mkdir()
        env = {k: v for k, v in git_environment(inherit_git_env=False).items()
               if not k.startswith(_SCRUB_PREFIXES) and k != "SSH_ORIGINAL_COMMAND"}
        env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
                    "GIT_CONFIG_GLOBAL": os.devnull, "NO_COLOR": "1"})
        self.env = env

    def git(self, cwd: Path, who: Person | None = None, extra: Mapping[str, str] | None = None) -> Workdir:
        env = dict(self.env)
        if who is not None:
            env.update({"GIT_AUTHOR_NAME": who.name, "GIT_AUTHOR_EMAIL": who.email,
                        "GIT_COMMITTER_NAME": who.name, "GIT_COMMITTER_EMAIL": who.email})
        env.update(extra or {})
        return Workdir(cwd, env=env, timeout=60.0)

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def commit(self, clone: Path, who: Person, files: Mapping[str, str], message: str,
               trailers: tuple[tuple[str, str], ...] = ()) -> str:
        git = self.git(clone, who)
        for name, content in files.items():
            path = clone / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            git.add(name)
        if trailers:
            message = set_trailers(message, trailers)
        git.commit(message)
        return git.resolve("HEAD")

    def push(self, clone: Path, who: Person, args: tuple[str, ...], extra: Mapping[str, str] | None = None,
             shown_env: str = "") -> tuple[int, str]:
        git = self.git(clone, who, extra)
        self.say(f"  $ {shown_env}git push {' '.join(args)}")
        code, text = git.push(*args, timeout=60.0)
        for line in text.splitlines():
            # git pads sideband lines with spaces to overwrite progress output; they carry nothing.
            if line.strip() and not line.startswith("To "):
                self.say(f"    {line.rstrip()}")
        return code, text


def run_demo(*, keep: bool = False, out: TextIO | None = None) -> int:
    out = sys.stdout if out is None else out
    root = Path(tempfile.mkdtemp(prefix="gatekeeper-demo-"))
    try:
        return _demo(Sandbox(root, out))
    finally:
        if keep:
            out.write(f"\n(kept the demo directory: {root})\n")
        else:
            shutil.rmtree(root, ignore_errors=True)


def _demo(box: Sandbox) -> int:
    from gatekeeper.scan import build_scanners

    root = box.root
    server, desk, work, review = (root / "server.git", root / "dana-desktop", root / "mo-phone",
                                  root / "rita-laptop")
    has_secrets = "secrets" in build_scanners(default_policy())

    box.say("gatekeeper demo: a throwaway git server with the gate installed, and three pushes.")
    box.say(f"  sandbox: {root}")
    box.git(root).init_bare(server, branch="main")
    result = install(server, "pre-receive", user_config=False)
    box.say("  $ gatekeeper install --hook pre-receive --repo server.git")
    box.say(f"    installed {result.path.relative_to(root)} (built-in default policy: main is protected; "
            "mobile commits need a review)")
    box.git(root).clone(server, desk)
    if not has_secrets:
        box.say("\n  NOTE: this build has no secrets scanner yet, so the gate cannot recognise the leaked key "
                "and fails closed on every push; steps 1 and 2 will not behave as designed.")

    # 1. A desktop commit.
    box.say("\n[1/3] Dana commits from her desktop and pushes to main.")
    first = box.commit(desk, DANA, {"README.md": "# payments service\n",
                                    "app/config.py": "REGION = 'eu-west-1'\n"}, "Start the payments service\n")
    code, _ = box.push(desk, DANA, ("origin", "main"))
    if code != 0 or _server_tip(box, server) != first:
        return _unexpected(box, "step 1: the desktop push was not accepted")
    box.say("  -> accepted, as expected: a desktop commit with nothing to flag.")

    # 2. A mobile, AI-assisted commit that leaks a key, without review.
    key_id, secret = fake_aws_key()
    box.say("\n[2/3] Mo asks the coding assistant on his phone to connect to S3 and pushes straight to main.")
    box.say("  His phone tags the commit: with GATEKEEPER_CLIENT=termux/0.118 set once, `gatekeeper tag "
            "--assisted-by codex-mobile/0.3`")
    box.say("  adds Origin-Device: mobile, Origin-Client: termux/0.118 and Assisted-by: codex-mobile/0.3.")
    box.git(root).clone(server, work)
    leaky = (f"REGION = 'eu-west-1'\nAWS_ACCESS_KEY_ID = '{key_id}'\nAWS_SECRET_ACCESS_KEY = '{secret}'\n")
    mobile = (("Origin-Device", "mobile"), ("Origin-Client", "termux/0.118"), ("Assisted-by", "codex-mobile/0.3"))
    bad = box.commit(work, MO, {"app/config.py": leaky}, "Connect to S3\n", mobile)
    before = _server_tip(box, server)
    code, text = box.push(work, MO, ("origin", "main"))
    expected = ["review/missing"] + (["secrets/"] if has_secrets else [])
    missing = [rule for rule in expected if rule not in text]
    if code == 0 or _server_tip(box, server) != before or missing:
        why = f" (missing from the output: {', '.join(missing)})" if missing else ""
        return _unexpected(box, f"step 2: the leaky mobile push was not rejected for its reasons{why}")
    box.say("  -> rejected, as expected: the key never reached the server, and a mobile change to main needs "
            "a review.")

    # 3. The fix, reviewed.
    box.say("\n[3/3] The fix. The leaky commit never landed, so Mo drops it instead of stacking a fix on top")
    box.say("  (a later 'remove key' commit would still carry the key in history):")
    box.say("  $ git reset --hard origin/main")
    box.git(work).reset_hard("origin/main")
    fixed_text = "import os\n\nREGION = 'eu-west-1'\nAWS_ACCESS_KEY_ID = os.environ['AWS_ACCESS_KEY_ID']\n"
    fixed = box.commit(work, MO, {"app/config.py": fixed_text}, "Read the S3 credentials from the environment\n",
                       mobile)
    box.say(f"  Mo commits the corrected file from his phone ({fixed[:12]}, Origin-Device: mobile) and asks Rita "
            "to review it;")
    box.say("  Rita fetches it, reviews it and merges it with a `Reviewed-by:` trailer, then pushes. The pusher's "
            "identity")
    box.say("  comes from the server (forge user, SSH forced command); here GATEKEEPER_PUSHER plays that part.")
    box.git(root).clone(server, review)
    rita = box.git(review, RITA)
    rita.fetch(str(work), "main")
    rita.merge("FETCH_HEAD", f"Merge Mo's S3 configuration fix\n\nReviewed-by: {RITA.name} <{RITA.email}>")
    merge = rita.resolve("HEAD")
    code, text = box.push(review, RITA, ("origin", "main"), {"GATEKEEPER_PUSHER": RITA.login},
                          shown_env="GATEKEEPER_PUSHER=rita ")
    if code != 0 or _server_tip(box, server) != merge or bad in _server_log(box, server):
        return _unexpected(box, "step 3: the fixed, reviewed change was not accepted")
    box.say("  -> accepted, as expected: scanned clean, and reviewed by someone who did not write it.")
    box.say("")
    box.say("demo result: every step behaved as expected. Next: `gatekeeper install --hook pre-receive --repo "
            "<your bare repo>` (see docs/hooks.md).")
    return 0


def _unexpected(box: Sandbox, problem: str) -> int:
    box.say(f"  -> UNEXPECTED: {problem.split(': ', 1)[1]}.")
    box.say(f"\ndemo result: NOT as expected ({problem}); the remaining steps build on this one, so the demo "
            "stops here.")
    return 1


def _server_tip(box: Sandbox, server: Path) -> str | None:
    return box.git(server).try_resolve("refs/heads/main")


def _server_log(box: Sandbox, server: Path) -> set[str]:
    git = box.git(server)
    return set(git.rev_list(["refs/heads/main"])) if git.try_resolve("refs/heads/main") else set()
