"""red127 - origin classification measured on real public histories, then attacked: device class (web vs pull-request
merge) and AI involvement (gatekeeper/origin/ai.py `_BODY`/`footer_agent`/`AITrailerDetector`, origin/heuristics.py
`classify_forge_commit`).

Measurement (bench-style script over /work/.mirror, not committed; `Git.iter_log` + `origin.detect`, every commit of
HEAD). Histories not used to tune the detectors: laravel/laravel, serverless/serverless, pallets/flask,
getsentry/sentry-python, supabase/supabase-js, hashicorp/consul-template, astral-sh/uv, cli/cli - 58,862 commits.

- AI labels: 279 (serverless 20, sentry-python 77, supabase-js 19, uv 163; none in the other four). Every one was
  judged from its evidence line and the 22 odd-looking ones (footer/link-only, dependency bumps, bot authors, squash
  bodies) were read whole: 279/279 are commits whose message or identity an agent tool wrote (Claude Code co-author
  and footer, Cursor / Codex / Copilot co-authors, Copilot coding agent and CodeRabbit as authors, 2 Codex task links,
  1 Claude Code web session link, "Generated with assistance from OpenAI Codex"). The 5 dependency bumps labelled AI
  carry a real `Co-authored-by: Cursor|Claude` trailer (a person fixed the bump with the agent): true positives.
  Prose mentions (CLAUDE.md changes, "Codex security review", `cursor.mogrify`, people at openai.com as co-authors,
  `https-proxy-agent` bumps) stayed human. Precision 279/279.
- AI misses, independent search of the 58,583 unlabelled commits for agent addresses, bot ids, footers, session
  links and `[bot]` identities: 0 tool-written markers missed. Not labelled, by design (prose, or the project's own
  bots, which `origins.ai_identities` is for): ~15 prose self-declarations in uv/supabase-js/sentry-python ("Mostly
  authored by Claude", "This is entirely written by Codex", "99% of the code was created by ChatGPT", "Prepared with
  help from Codex"); sentry-junior[bot] (Sentry's own agent: 2 commits, plus 1 labelled through a Claude co-author);
  astral-automations-bot[bot] (163, Codex-driven automations); 1 `Co-authored-by: codeflash-ai[bot]` (Codeflash's
  AI optimiser, id 148906541: a table gap). Recall on tool-written markers 279/279; on any statement of AI
  involvement about 279/~298 (94 %).
- Over all 36 mirrored histories (~370,000 commits) the only tool-written markers missed are finding 1's three
  commits and one "Commit generated with [cn](https://docs.continue.dev/guides/cli)" (Continue's CLI, LOW, no test);
  the only `Assisted-by:` labels on people are finding 2's.
- Web labels: 2,825 (forge/web-edit). 77 sampled (12 per history, uv has 5): mostly browser edits ("Update
  README.md", suggested changes) or API writes, as the contract says (2 serverless "(PR #N)" squashes among them). At least 116 of the 2,825 (4.1 %) are squash merges of
  pull requests whose edited message lost GitHub's "(#N)": their tree equals a pull request head's (refs/pull/*), or
  (serverless, 69 commits) the project moved the number into the body as "(PR #N)" - 68 of those 69 have the patch of
  refs/pull/N/head. Project conventions the offline heuristic cannot know (the Action asks GitHub only about
  messages that claim a merge); one of GitHub's own shapes it could know is finding 3. `web` is not in the default
  `mobile_classes`, so only policies that add it are affected.
- Mobile: no public history carries Origin-Device or any mobile client marker (the "Termux"/"Android" words in uv and
  cli are about platform support): 0 mobile labels, recall not measurable from public data.

Hostile: every AI or device signal a pusher writes is `declared` (self-asserted): a pusher who wants an AI commit
treated as human can delete the trailer, so spelling tricks that hide a trailer from gatekeeper AND from git/GitHub
(Cyrillic letters in the key, a full-width colon, a zero-width space in the address, a `#` comment line, text after
a NUL, CR-only line ends) gain nothing a deletion does not. What matters is (a) tool output gatekeeper does not read
(finding 1: honest developers' agent commits leave an `ai: block` zone's guard), and (b) text that makes a human
commit AI (finding 2) or a pull-request merge a browser edit (finding 3).

Findings (each test below fails now, for the reason its docstring names):

1. MEDIUM (miss) - origin/ai.py `_BODY`: Claude Code's footer and co-author trailer are read only at the start of a
   line. A message flattened to one line (newlines turned into double spaces by whatever passed it to
   `git commit -m`) - "feat: add X  🤖 Generated with [Claude Code](https://claude.ai/code)  Co-Authored-By: Claude
   <noreply@anthropic.com>" - is `ai: none`. Measured: 3 of 3 such commits in continuedev/continue (e9de598f10,
   e01095f52d, 9f44602f65) missed; and across ~370,000 commits of 36 histories no other line holds either marker
   after other text, so reading them mid-line costs no false positive on this corpus. An `ai: block` zone lets them
   in; `ai.scan` does not scan them. Fix: in `_BODY` also accept, after two or more spaces, the exact
   "Generated with [<agent label>](" footer and a `Co-Authored-By:` whose value is an agent identity by exact
   evidence (match_value) - both things no prose writes.
2. LOW (false positive) - origin/ai.py `AITrailerDetector`/`assisted_by_agent`: every `Assisted-by:` counts as AI,
   also one naming a person by `Name <address>` - the pre-AI meaning git.git's history uses ("Assisted-by: Junio C
   Hamano <gitster@pobox.com>", 2011; "Assisted-by: Waldek Maleska <...>", 2016): 2 of git.git's 52 AI labels are
   people. Such a commit is `ai: assisted` (blocked by an `ai: block` zone) and, with `ai.require_assisted_by`,
   gets an enforced `ai/assisted-by-missing` demanding `Assisted-by: AGENT:MODEL` of a human. Fix: an identity-form
   value whose address is no agent's (match_value) and whose name is no agent label or model ("Claude Opus 4.5 via
   Crush <crush@charm.land>" stays AI) is a human helper, no AI evidence (a pusher gains nothing: deleting the
   trailer does the same).
3. LOW (false positive, web class) - origin/heuristics.py `classify_forge_commit`: GitHub's security-advisory merge
   "Merge commit from fork" is accepted only with two parents (`_ADVISORY ... and commit.is_merge`), and the squash
   layout only when co-author lines follow the `---------` line. GitHub squash-merges a private fork's pull request
   under that same title with ONE parent, its squashed commits' sign-offs after the dashes (astral-sh/uv da659fee48,
   a security fix): labelled a browser edit (`web`), so a policy with `web` in `mobile_classes` asks the mobile rules
   of a reviewed security fix. Fix: accept the advisory title with one parent as a squash pr-merge (it is then a
   `forgeable_merge_claim` the Action confirms, as for "(#N)"), and let `_SQUASH_LAYOUT` take `Signed-off-by:`
   lines too.

Tried and held (cheap ones kept as tests at the end): a `Co-authored-by:` of an agent read in upper case, with a space
before the colon, folded onto a continuation line (space or tab), with upper-case address, spaces inside the angle
brackets, a bare address, text after the brackets, after or before a `(cherry picked from commit ...)` line,
indented, quoted (`> `), in a paragraph followed by prose (outside the trailer block), after a scissors line, after
a NUL; the bot-id forms of Copilot / Devin / claude[bot] with and without the numeric id. Footers: negated ("no
help from Copilot", "humans, not Claude"), agent labels used as names held (red120's fixes). Session links: bare,
`<link>`, `[label](link)`, bulleted, quoted, followed by a squash's dashes. Reverts of AI commits that GitHub squashed
with the reverted commit's agent co-author (Roo-Code 6d8f903b04) stay AI: conservative (a revert of a revert
re-applies AI code, 3cb2c1de66), not reported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from gatekeeper.models import AIInvolvement, DeviceClass
from tests.origin_helpers import detect_origin
from tests.repo_builder import RepoBuilder

MOBILE_AND_WEB = (DeviceClass.MOBILE, DeviceClass.TABLET, DeviceClass.WEB)
WEB_FLOW = ("GitHub", "noreply@github.com")
ANTHROPIC = "noreply@" + "anthropic.com"


_origin = detect_origin


# -- 1: a flattened message ------------------------------------------------------------------------------------------

FLATTENED = ("feat: add context usage to the status bar  \U0001f916 Generated with [Claude Code](https://claude.ai/code)"
             f"  Co-Authored-By: Claude <{ANTHROPIC}>\n")


def test_a_flattened_claude_code_message_is_ai_assisted(repo: RepoBuilder) -> None:
    """Finding 1 (MEDIUM, miss): the whole message on one line, Claude Code's footer and co-author after the subject
    (3 of 3 real commits of this shape missed); `_BODY` reads both only at a line start, so the commit is human."""
    result = _origin(repo, FLATTENED)
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == "claude-code"


ZONE_POLICY = "version: 1\nzones:\n  - name: payments\n    paths: ['pay/**']\n    ai: block\n"


def test_the_same_commit_with_its_newlines_is_blocked_by_the_zone(repo: RepoBuilder) -> None:
    """Control for finding 1: the message as Claude Code writes it (three paragraphs) is blocked by the zone."""
    base = repo.commit("policy\n", {".gatekeeper.yml": ZONE_POLICY})
    repo.commit(FLATTENED.replace("  ", "\n\n"), {"pay/fees.py": "RATE = 2\n"})
    code, data = _check(repo, base)
    assert code == 1 and any(f["rule_id"] == "policy/zone-violation" and f["blocking"] for f in data["findings"]), \
        [(f["rule_id"], f["blocking"]) for f in data["findings"]]


def test_a_flattened_message_does_not_pass_an_ai_free_zone(repo: RepoBuilder) -> None:
    """Finding 1 at the front door: `gatekeeper check` with a zone `ai: block` lets the flattened agent commit change
    the zone's file (the same commit with its newlines kept is blocked: policy/zone-violation)."""
    base = repo.commit("policy\n", {".gatekeeper.yml": ZONE_POLICY})
    repo.commit(FLATTENED, {"pay/fees.py": "RATE = 2\n"})
    code, data = _check(repo, base)
    assert code == 1 and any(f["rule_id"] == "policy/zone-violation" and f["blocking"] for f in data["findings"]), \
        [(f["rule_id"], f["blocking"]) for f in data["findings"]]


# -- 2: Assisted-by naming a person ----------------------------------------------------------------------------------

HUMAN_HELP = ("Fix \"builtin-*\" references to be \"builtin/*\"\n\nDocumentation and some comments still refer to "
              "the old file names.\n\nSigned-off-by: Pat Hord <pat@example.org>\nReviewed-by: Jo Nieder "
              "<jo@example.org>\nAssisted-by: Junio Hamano <junio@example.org>\nSigned-off-by: Junio Hamano "
              "<junio@example.org>\n")


def test_assisted_by_a_person_is_no_ai(repo: RepoBuilder) -> None:
    """Finding 2 (LOW, false positive): git.git's pre-AI `Assisted-by: Name <address>` of a person is read as AI
    assistance (`assisted_by_agent` names no agent, the detector counts it anyway)."""
    result = _origin(repo, HUMAN_HELP, author=("Pat Hord", "pat@example.org"))
    assert result.ai is AIInvolvement.NONE, result.evidence


def test_require_assisted_by_does_not_ask_a_human_for_an_agent(repo: RepoBuilder) -> None:
    """Finding 2 at the front door: with `ai.require_assisted_by` the human commit gets an enforced
    `ai/assisted-by-missing` telling its author to add `Assisted-by: AGENT:MODEL`."""
    policy = "version: 1\nai: {require_assisted_by: true}\n"
    base = repo.commit("policy\n", {".gatekeeper.yml": policy})
    repo.commit(HUMAN_HELP, {"docs/log.txt": "builtin/log.c\n"}, author=("Pat Hord", "pat@example.org"))
    _code, data = _check(repo, base)
    assert not [f for f in data["findings"] if f["rule_id"] == "ai/assisted-by-missing"], data["findings"]


@pytest.mark.parametrize("value", ["Claude Opus 4.5 via Crush <crush@charm.land>", "claude-code:opus-4.5",
                                   f"Claude <{ANTHROPIC}>", "Cursor"])
def test_assisted_by_an_agent_stays_ai(repo: RepoBuilder, value: str) -> None:
    """Held (guard for finding 2's fix): agent forms of `Assisted-by:` stay AI."""
    result = _origin(repo, f"Fix the parser\n\nAssisted-by: {value}\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence


# -- 3: the security-advisory squash ---------------------------------------------------------------------------------

ADVISORY_SQUASH = ("Merge commit from fork\n\n* feat: reject archives with improbable file names\n\nSigned-off-by: "
                   "Wil Wood <wil@example.org>\n\n* update snapshot\n\nSigned-off-by: Wil Wood <wil@example.org>\n\n"
                   "---------\n\nSigned-off-by: Wil Wood <wil@example.org>\n")


def test_a_security_advisory_squash_is_a_pull_request_merge(repo: RepoBuilder) -> None:
    """Finding 3 (LOW, false positive): GitHub's one-parent squash of a private fork's pull request ("Merge commit from
    fork", sign-offs after the dashes) is read as a browser edit, device `web`."""
    repo.commit("base\n", allow_empty=True)
    result = _origin(repo, ADVISORY_SQUASH, author=("Wil Wood", "wil@example.org"), committer=WEB_FLOW)
    sources = [e.source for e in result.evidence]
    assert result.device is not DeviceClass.WEB and "forge/pr-merge" in sources, result.evidence


# -- tried and held --------------------------------------------------------------------------------------------------

BODY = "Fix the parser\n\nThe body.\n\n"
COAUTHOR = f"Co-authored-by: Claude <{ANTHROPIC}>"


@pytest.mark.parametrize("tail", [
    COAUTHOR.upper().replace(ANTHROPIC.upper(), ANTHROPIC),
    COAUTHOR.replace(":", " :", 1),
    COAUTHOR.replace(" <", "\n <"),
    COAUTHOR.replace(" <", "\n\t<"),
    COAUTHOR.replace(ANTHROPIC, ANTHROPIC.upper()),
    f"Co-authored-by: Claude < {ANTHROPIC} >",
    f"Co-authored-by: {ANTHROPIC}",
    COAUTHOR + " (via the CLI)",
    COAUTHOR + "\n(cherry picked from commit " + "b" * 40 + ")",
    "(cherry picked from commit " + "b" * 40 + ")\n" + COAUTHOR,
    "    " + COAUTHOR,
    "> " + COAUTHOR,
    COAUTHOR + "\nand some prose after it",
    "# ------------------------ >8 ------------------------\n" + COAUTHOR,
])
def test_trailer_spellings_git_or_github_read_stay_ai(repo: RepoBuilder, tail: str) -> None:
    """Held: case, spacing, folding, cherry-pick lines, block position."""
    result = _origin(repo, BODY + tail + "\n")
    assert result.ai is AIInvolvement.ASSISTED and result.agent is not None and result.agent.id == "claude-code"


def _check(repo: RepoBuilder, base: str) -> tuple[int, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "GATEKEEPER_"))}
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--format", "json", "--base", base],
                          cwd=repo.path, capture_output=True, text=True, check=False, timeout=300, env=env)
    assert proc.returncode in (0, 1), proc.stderr[-600:]
    data: dict[str, Any] = json.loads(proc.stdout)
    return proc.returncode, data
