"""Red team red65: review of cb73aa5..f739c4f (--ignore-submodules=none on every diff command, attribute-free
re-merge and move diff, decision-log anchors and PostgreSQL URL redaction).

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the secure or
correct behaviour (it passes once fixed). Real repositories, real pushes into a bare repository with the installed
hook, the real decision-log code (libpq really parses each URL: the connection is attempted to 127.0.0.1:1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.audit.decisionlog import LogError, open_log
from gatekeeper.audit.logformat import redact_location, url_secrets
from tests.hook_helpers import Server, make_server, spush
from tests.repo_builder import RepoBuilder
from tests.test_red50_hostile import AI_ZONE_SERVER_POLICY, COPILOT
from tests.test_red57_hostile import _ENV

# -- 1. logformat._userinfo stops at the first `?`: a password holding `?` is no longer a password --------------------

# Both are URLs libpq takes (it reads the user part up to the first `@` or `/`; `?` is no delimiter there, and a
# database name may hold `@`): open_log really tries 127.0.0.1:1 with them.
QMARK_PASSWORD = "postgresql://gk:Zq9?Kx7wPv2@127.0.0.1:1/gatekeeper"
AT_IN_DBNAME = "postgresql://127.0.0.1:1/team@db?password=Zq9Kx7wPv2secret"


@pytest.mark.parametrize(("url", "secret"), [(QMARK_PASSWORD, "Zq9?Kx7wPv2"), (AT_IN_DBNAME, "Zq9Kx7wPv2secret")])
def test_open_log_never_prints_the_password_of_a_url_libpq_accepts(url: str, secret: str) -> None:
    """Problem (regression of d33f7c8, red62's redaction rework): `_userinfo` takes the user part "up to the last
    `@` before any `?`". A password with an unencoded `?` (common in generated passwords; libpq reads it as part of
    the password, since only `@` and `/` end its look-ahead for the user part) has no `@` before the `?`: the URL
    is read as having no user part, `_redact_one` leaves the whole `user:password@host` as the host, and
    `url_secrets` returns nothing to mask. `cannot connect to decision log postgresql://gk:Zq9?Kx7wPv2@127.0.0.1:1/…`
    — the password in clear in the hook's warning (shown to every pusher over the sideband), `log verify`,
    the audit's `log_stats`. Before d33f7c8 it printed `gk:***@`.

    Second form: a URL with no user part whose database name holds an `@` and whose password is a query
    parameter: the `@` in the path is taken as the end of a user part, the `?password=` becomes part of the "host",
    its value is neither redacted (redact_location does not run the conninfo `password=` pass) nor in url_secrets.
    Before d33f7c8 it printed `password=***`.

    Severity: medium (a credential of the log database printed where pushers and CI logs see it; needs an
    operator's URL of that shape). Secure behaviour: no message names the password."""
    with pytest.raises(LogError) as caught:
        open_log(url, timeout=2)
    message = f"{caught.value.message} {caught.value.fix}"
    assert "127.0.0.1" in message and "port 1 failed" in message, message  # libpq took the URL and connected
    assert secret not in message, f"the decision log error prints the password: {message}"


@pytest.mark.parametrize(("url", "secret"), [(QMARK_PASSWORD, "Zq9?Kx7wPv2"), (AT_IN_DBNAME, "Zq9Kx7wPv2secret"),
                                             ("postgresql://gk:s3c#r?et99@db.internal/gk", "s3c#r?et99")])
def test_redact_location_and_url_secrets_cover_a_password_holding_a_question_mark(url: str, secret: str) -> None:
    """The same problem at the unit level (PostgresStore.target is redact_location(url); its error masking is
    url_secrets(url)): the password is printed by redact_location and missing from url_secrets. Medium."""
    assert secret not in redact_location(url), redact_location(url)
    assert secret in url_secrets(url), url_secrets(url)


# -- 2. Runner._attr_free splits single-path location variables on `:` ------------------------------------------------

BASE = "def pay(amount):\n    amount = int(amount)\n    log(amount)\n    return amount\n"
FIXED = "def pay(amount):\n    assert amount is not None\n    amount = int(amount)\n    log(amount)\n    return amount\n"


def _clean_agent_merge(root_name: str, tmp_path: Path) -> tuple[Server, RepoBuilder, str]:
    """`pay/**` zone (ai: block). A person fixes pay/c.py on main; an agent's branch `docs` (pushed) changes only
    README.md. The agent merges `docs` into main as git does: the merge differs from its second parent in the zone
    (so merge_resolution re-merges it) but resolved nothing there, and lands nothing of the agent's in the zone."""
    server = make_server(tmp_path / root_name, policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    work.commit("pay: v1\n", {"pay/c.py": BASE})
    work.branch("docs")
    work.commit("docs: more\n\n" + COPILOT, {"README.md": "hello\nmore\n"})
    work.checkout("main")
    fixed = work.commit("pay: refuse a missing amount\n", {"pay/c.py": FIXED})
    assert spush(server, work, "origin", "main", "docs").code == 0
    work.git("merge", "-q", "--no-ff", "--no-commit", "docs", env=_ENV)
    work.git("commit", "-q", "-m", "Merge branch 'docs'\n\n" + COPILOT, env=_ENV)
    assert work.git("show", "HEAD:pay/c.py") == FIXED.rstrip("\n")
    return server, work, fixed


def test_control_a_clean_agent_merge_is_allowed_by_the_hook(tmp_path: Path) -> None:
    """Control: the agent's automatic merge of a person's zone change passes the hook (merge_resolution re-merges
    it in the quarantine, attribute-free, and finds nothing resolved by hand)."""
    server, work, _ = _clean_agent_merge("srv", tmp_path)
    pushed = spush(server, work, "origin", "main")
    assert pushed.code == 0, pushed.remote_text


def test_hook_on_a_repository_path_with_a_colon_re_merges_in_the_quarantine(tmp_path: Path) -> None:
    """Problem: `Runner._attr_free` rewrites GIT_OBJECT_DIRECTORY, GIT_QUARANTINE_PATH, GIT_COMMON_DIR and
    GIT_ALTERNATE_OBJECT_DIRECTORIES by splitting each on os.pathsep (`:`). The first three are single paths, and
    receive-pack C-quotes an alternate that holds `:` (`"/srv/a:b.git/./objects"`). On a server repository whose
    path holds a `:` (`/srv/git/team:payments.git`) every piece becomes a bogus path: git finds no object
    directory and every attribute-free call fails inside the hook. Since 7381462 that includes merge_resolution
    (GitError → every zone path of the merge counts: an agent's clean merge of a person's zone change is refused
    as policy/zone-violation), renames (`git diff failed: error: unknown switch 'r'`) and moved_additions (None:
    a moved file's lines all count as new) — on top of the patch streams that already used it.

    Severity: low-medium (fails closed: false refusals / wrong attribution, no bypass; needs a `:` in the repository
    path). Correct behaviour: the same verdict as in a path without `:` (the control above)."""
    server, work, _ = _clean_agent_merge("team:payments", tmp_path)
    pushed = spush(server, work, "origin", "main")
    assert pushed.code == 0, f"the hook refuses the clean agent merge only because of the ':' in its path: " \
                             f"{pushed.remote_text}"
