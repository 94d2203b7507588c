"""Red team red105: origin judgments (AI-assisted, web-edited, mobile) measured on real agent-heavy histories
that had not been measured before, each wrong class then reproduced here with SYNTHETIC commits through the real
code path (`gatekeeper audit` in-process as JSON, or `gatekeeper check` with an AI-free zone).

Measured: `gatekeeper audit --format json --list-cap 100000` on the default branch of five bare mirrors, against an
independent plain-git classification (`git log` author / committer / every `Co-authored-by:` line / "Generated
with|by" lines / vendor markers, web-flow committer, a deliberately broad agent word list), every disagreement and
every gate-only class read by hand against DESIGN.md §3 and gatekeeper/origin/agents.py's exact-evidence rule:

| history (HEAD)                      | commits | gate AI | AI FP | AI FN          | gate web | web FP |
|-------------------------------------|--------:|--------:|------:|---------------:|---------:|-------:|
| anthropics/claude-code (5cfc0a19)   |     734 |      74 |     0 | 0 (+1 prose)   |       25 |      1 |
| cline/cline (21cb8d25)              |   7,082 |     392 |   109 | 23             |      103 | 14 (+7 likely) |
| OpenHands/OpenHands (d6fab190)      |   5,548 |     996 |     0 | 0 (+1 judgment)|       11 |      0 |
| anthropics/claude-code-action       |     763 |     181 |     0 | 0              |        1 |      0 |
| RooCodeInc/Roo-Code                 |   7,048 |     649 |     0 | 0 by contract  |      262 |      1 |

Agreement: AI 21,175 commits, 132 wrong (99.38 %) — all of them in cline; web 21,175 commits, 16 wrong (99.92 %).
No commit of the five carries Origin-Device / Assisted-by / Generated-by trailers: no mobile signal to measure
(0 mobile by both). Review evidence: every web-flow "(#N)" / "Merge pull request #N" commit's PR number matched the
subject's (14,981 forge merges: claude-code 154, cline 4,598, OpenHands 5,520, claude-code-action 410, Roo-Code
4,299), except the two of finding 3b; "(#N)" subjects committed by a person locally (84 in cline, e.g. 65b3977b)
are `none`, as designed.

Findings (each test below FAILS now for the reason its docstring names):

1. MEDIUM (false positive, AI) — origin/agents.py lists `cline@example.com` as Cline. It is the identity Cline's
   evaluation harness writes into the workspace's local git config (src/services/test/GitHelper.ts,
   `initializeGitRepository`: user.name "Cline Evaluation", user.email cline@example.com); run in a developer's
   own clone it left them committing as it for months — "addressing aras comments", "merge conflicts",
   "changeset", "Update CHANGELOG.md for version 3.18.5", a release PR by github-actions[bot]. 109 of cline's 392
   AI-labelled commits (28 %) rest on that co-author alone (author pashpashpash 51, Ara 35, github-actions 8, ...),
   all with model "Cline Evaluation". An example.com address is a placeholder any script writes, the opposite of
   "evidence nobody else carries"; under `zones: ai: block` a person's change is refused. (The same address on 5
   Roo-Code commits of 2024-12, name "Cline", is plausibly the agent: the address cannot tell them apart.)
   Fix: drop the address (a project can add it with origins.ai_identities); never match a reserved domain
   (example.com/.org/.net, .example, .invalid, .test, .local).
2. MEDIUM (miss, AI) — Cline's cloud agent is missing from the table: its GitHub App cline-cloud[bot] (id
   276134852: "the GitHub App token this sandbox provides") authored 7 squash-merged PRs on main, 6 labelled `none`
   (80b3b034 "docs: remove duplicate GLM-5.3 rows…", d2b674bb, 26ee3abf, ...); its co-author lines `Cline Bot
   <bot@cline.bot>` / `Cline <bot@cline.bot>`, `Cline Cloud Agent <cline-cloud-agent@users.noreply.github.com>`,
   `Cline <cline@users.noreply.github.com>` and `Cline Agent <cline-agent@users.noreply.github.com>` (15 commits
   from 2026-06 on, 2 authored by it, committer Dominic Cooney) are missed too: 23 of the 25 commits with any of
   them are `none`. Tests cover the bot id and bot@cline.bot; the legacy user-form addresses are a judgment call
   (a user login, not an App) and are only listed here.
3. MEDIUM (false positive, web) — origin/heuristics.py classify_forge_commit: any web-flow commit that is not a
   two-parent "Merge pull request #N" nor ends "(#N)" is a browser edit (device `web`, which the default policy
   gives the mobile rules). (a) GitHub's own squash layout — "* commit subject" bullets, the "---------" line
   GitHub writes before the co-author trailers — with a title the merger edited or the API set without "(#N)":
   14 of cline's 103 "web edits" (fde23706 "feat: scaffold ACP module…", 6f8627bb, b0b9a662, eleven
   "vX Release Notes" PRs of github-actions[bot]); 7 more single-commit squashes whose only body line is the same
   person's other address as `Co-authored-by` (7470d234, e80c3d3c, ...) are likely the same. (b) a single-parent
   "Merge pull request #2779 from anthropics/ashwin/triage" (claude-code 80ddbcd9; Roo-Code 9c3c9356 #2427): a
   squash whose title kept the merge-button text: web edit, review evidence `none`, though the subject names the PR.
4. LOW (wrong field) — agents.py `_model_from_name` reports any display name that is not a label as the model:
   "OpenHands Bot" (5), "OpenDevinBot" (3), "OpenHands-GPT-5" / "OpenHands-Claude" / "OpenHands-Gemini" (6, the
   agent's name before the model), "Cline Evaluation" (118), "Copilot Autofix powered by AI" (cline 3, OpenHands 1,
   Roo-Code 5).
   Claude-Generated-By's `Claude Code (cli/claude-opus-4-5=100%)` gives model "cli/claude-opus-4-5=100%" (claude-code
   3, claude-code-action 6): the model is claude-opus-4-5. DESIGN §10: evidence records "the model … when known".

Judged and NOT counted as errors (by the contract, names never make an agent): "Automated security fix generated by
Orbis Security AI" in prose (claude-code c128568d, no identity); Roo-Code's early cloud agent committing as
"roomote" / "Roomote Bot" / "Roomote Agent" with a person's address chris@roocode.com (20 commits); "Devin
<165725058+devin-cognition@…>" (OpenHands abe0b9fd, a user account, 2024-04); sandbox placeholders "AI Assistant
<assistant@example.com>", "OH <openhands@example.com>", "ThoughtfulRobot <robot@example.com>" (1 each); mintlify[bot]
doc edits and aikido-autofix[bot] dependency bumps (not coding agents, correctly none).

Tried and held (no test): prose that names agents ("Fix Claude Code provider…", "flagged by codex too",
"generated by getFileMentionFromPath", "[Feature] Support .cursorrules") — none labelled; dependabot bumps and
"Revert …" squashes are AI only where a real agent co-author sits in the squash (OpenHands' lock-file fixes,
`Co-authored-by: openhands`), never by title; "Update <path>" suggestion commits stay web edits; web-edit vs
pr-merge for every two-parent merge and "(#N)" squash of the five histories; ellipsis / greptile / Copilot review
suggestions; `Claude-Generated-By:` and `Claude-Session:` in and outside the trailer block; Claude model names with
"(1M context)"; openhands@all-hands.dev / opendevin@all-hands.dev authors (generated) and co-authors (assisted).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.cli import run as gatekeeper_cli
from gatekeeper.models import ExitCode
from tests.audit_helpers import audit
from tests.repo_builder import RepoBuilder

DEV = ("Dana Developer", "dana@example.org")
WEB_FLOW = ("GitHub", "noreply@github.com")
CLINE_CLOUD = ("cline-cloud[bot]", "276134852+cline-cloud[bot]@users.noreply.github.com")

AI_ZONE_POLICY = """\
version: 1
origins: {mobile_classes: [mobile, tablet, web], undeclared: desktop}
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [], block_at: high}
  default: {scanners: [], block_at: critical}
zones:
  - {name: payments, paths: ["src/payments/**"], ai: block}
pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}
"""


def _repo(tmp_path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("root\n", {"README.md": "x\n"}, author=DEV, committer=DEV)
    return repo


def _last(capsys: pytest.CaptureFixture[str], repo: RepoBuilder) -> dict[str, Any]:
    data = audit(capsys, repo.path)
    head = repo.head()
    return next(c for c in data["commits"] if c["sha"] == head)


def _sources(commit: dict[str, Any]) -> list[str]:
    return [e["source"] for e in commit["origin"]["evidence"]]


# -- 1. cline@example.com, the evaluation harness's placeholder identity, is no agent ----------------------------

def test_cline_evaluation_placeholder_coauthor_is_not_ai(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """cline/cline d30e4d01 shape: a release PR squash whose commits a developer made under the identity the
    evaluation harness had written into their clone's git config. The audit calls it AI-assisted (agent cline,
    model "Cline Evaluation") on the address `cline@example.com` alone — 109 such commits on cline's main."""
    repo = _repo(tmp_path)
    repo.commit("v3.18.5 Release Notes (#4704)\n\n* changeset version bump\n\n* Update CHANGELOG.md for version "
                "3.18.5\n\n---------\n\nCo-authored-by: Cline Evaluation <cline@example.com>\n",
                {"CHANGELOG.md": "## 3.18.5\n"}, author=DEV, committer=DEV)
    commit = _last(capsys, repo)
    assert commit["ai"]["involvement"] == "none", commit["ai"]


def test_cline_evaluation_author_does_not_trip_an_ai_free_zone(tmp_path: Path) -> None:
    """The same identity as the author ("addressing aras comments", pashpashpash's commits of 2025-05 under it):
    `gatekeeper check` calls the person's commit AI-generated, and the zone's `ai: block` refuses it."""
    repo = _repo(tmp_path)
    base = repo.head()
    ident = ("Cline Evaluation", "cline@example.com")
    repo.commit("addressing aras comments\n", {"src/payments/pay.py": "AMOUNT = 1\n"}, author=ident, committer=ident)
    policy = tmp_path / "policy.yml"
    policy.write_text(AI_ZONE_POLICY)
    out = tmp_path / "verdict.json"
    code = gatekeeper_cli(["check", "--repo", str(repo.path), "--base", base, "--head", "HEAD", "--policy",
                           str(policy), "--format", "json", "--output", str(out)])
    verdict = json.loads(out.read_text())
    assert verdict["commits"][0]["origin"]["ai"] == "none", verdict["commits"][0]["origin"]
    assert "policy/zone-violation" not in [f["rule_id"] for f in verdict["findings"]]
    assert code == ExitCode.OK


# -- 2. Cline's cloud agent identities are missing ---------------------------------------------------------------

def test_cline_cloud_bot_author_is_an_agent(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """cline/cline 80b3b034: a PR the Cline cloud agent opened as its GitHub App cline-cloud[bot] (id 276134852),
    squash-merged on GitHub. No entry in the agent table: involvement `none` (6 of its 7 commits on main)."""
    repo = _repo(tmp_path)
    repo.commit("docs: remove duplicate GLM-5.3 rows in ClinePass tables (#13449)\n\nCo-authored-by: "
                f"{CLINE_CLOUD[0]} <{CLINE_CLOUD[1]}>\n", {"docs/pass.md": "rows\n"},
                author=CLINE_CLOUD, committer=WEB_FLOW)
    commit = _last(capsys, repo)
    assert commit["ai"]["involvement"] == "generated", commit["ai"]
    assert [a["id"] for a in commit["ai"]["agents"]] == ["cline"], commit["ai"]


def test_cline_bot_coauthor_is_an_agent(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """cline/cline b919a7e8 / 26ee3abf: `Co-authored-by: Cline Bot <bot@cline.bot>` (also "Cline <bot@cline.bot>"),
    the vendor's own bot address on the cloud agent's commits: involvement `none`."""
    repo = _repo(tmp_path)
    repo.commit("fix(core): stabilize Windows SDK tests (#12722)\n\n* fix(core): stabilize Windows SDK tests\n\n"
                "---------\n\nCo-authored-by: Cline Bot <bot@cline.bot>\nCo-authored-by: Dana Developer "
                "<dana@example.org>\n", {"src/sdk.ts": "export const x = 1\n"}, author=DEV, committer=WEB_FLOW)
    commit = _last(capsys, repo)
    assert commit["ai"]["involvement"] == "assisted", commit["ai"]
    assert [a["id"] for a in commit["ai"]["agents"]] == ["cline"], commit["ai"]


# -- 3. GitHub squash merges without "(#N)" read as browser edits ------------------------------------------------

def test_squash_layout_without_pr_number_is_no_web_edit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """cline/cline fde23706: GitHub's squash message (the PR's commits as "* " bullets, the "---------" line GitHub
    puts before the co-authors) under a title without "(#N)". The audit files it as a browser edit: class `web`,
    `forge/web-edit` (14 of cline's 103 web edits are this layout)."""
    repo = _repo(tmp_path)
    repo.commit("feat: scaffold ACP module and install @agentclientprotocol/sdk\n\n"
                "* feat: scaffold ACP module and install @agentclientprotocol/sdk\n\n"
                "* feat(acp): implement CliAcpAgent with initialize and newSession handlers\n\n"
                "* test(acp): cover the session handlers\n\n---------\n\n"
                "Co-authored-by: Sam Second <sam@example.org>\n", {"src/acp/index.ts": "export {}\n"},
                author=DEV, committer=WEB_FLOW)
    commit = _last(capsys, repo)
    assert commit["class"] != "web", commit["origin"]
    assert "forge/web-edit" not in _sources(commit), commit["origin"]["evidence"]
    assert "forge/pr-merge" in _sources(commit), commit["origin"]["evidence"]


def test_single_parent_merge_pull_request_subject_is_a_pr_merge(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    """anthropics/claude-code 80ddbcd9, Roo-Code 9c3c9356: a one-parent web-flow commit titled "Merge pull request
    #2779 from anthropics/ashwin/triage" (a squash that kept the merge button's title). The audit: web edit, review
    evidence `none`, PR number lost — though the subject names the pull request."""
    repo = _repo(tmp_path)
    repo.commit("Merge pull request #2779 from anthropics/ashwin/triage\n\nrefactor: Replace custom GitHub actions "
                "with claude-code-base-action\n", {".github/workflows/triage.yml": "on: issues\n"},
                author=DEV, committer=WEB_FLOW)
    commit = _last(capsys, repo)
    assert commit["class"] != "web", commit["origin"]
    assert commit["review"]["pr"] == 2779, commit["review"]
    assert commit["review"]["evidence"] == "forge-pr-merge", commit["review"]


# -- 4. the model field holds display names ----------------------------------------------------------------------

@pytest.mark.parametrize("coauthor", [
    "OpenHands Bot <openhands@all-hands.dev>",
    "OpenDevinBot <bot@opendevin.com>",
    "Copilot Autofix powered by AI <62310815+github-advanced-security[bot]@users.noreply.github.com>",
])
def test_agent_display_name_is_not_a_model(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           coauthor: str) -> None:
    """OpenHands / cline / Roo-Code co-author lines whose name is the agent's or product's name, not a model: the
    audit reports it as the model ("OpenHands Bot", "OpenDevinBot", "Copilot Autofix powered by AI")."""
    repo = _repo(tmp_path)
    repo.commit(f"Fix the resolver (#42)\n\nCo-authored-by: {coauthor}\n", {"a.py": "A = 1\n"},
                author=DEV, committer=DEV)
    commit = _last(capsys, repo)
    assert commit["ai"]["involvement"] == "assisted", commit["ai"]
    assert [a["model"] for a in commit["ai"]["agents"]] == [None], commit["ai"]


def test_claude_generated_by_names_the_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """anthropics/claude-code, claude-code-action: `Claude-Generated-By: Claude Code (cli/claude-opus-4-5=100%)` —
    the share of the change each model wrote. The audit's model is the whole parenthesis,
    "cli/claude-opus-4-5=100%", instead of claude-opus-4-5."""
    repo = _repo(tmp_path)
    repo.commit("fix: pin the action's CLI version\n\nClaude-Generated-By: Claude Code (cli/claude-opus-4-5=100%)\n",
                {"action.yml": "name: x\n"}, author=DEV, committer=DEV)
    commit = _last(capsys, repo)
    assert [(a["id"], a["model"]) for a in commit["ai"]["agents"]] == [("claude-code", "claude-opus-4-5")], \
        commit["ai"]
