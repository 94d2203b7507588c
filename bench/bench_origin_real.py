"""Benchmark and agreement check: gatekeeper's per-commit AI classification and trailers on real histories,
against an independent count taken with plain git.

For every commit of each public history under GATEKEEPER_REAL_REPOS (default /work/.mirror; bare
repositories at <owner>+<name>/repo, read-only):
  (a) gatekeeper: `Git.iter_log` (its own trailer parser) + `origin.detect` — AI level and agent id;
  (b) plain git: `git log --format=%an %ae %cn %ce %(trailers:only,unfold) %B`, classified by the small,
      separately written rules below (exact addresses and bot ids, the `(aider)` suffix, trailer keys,
      vendor lines, "Generated with [agent]" footers), and git's own trailers;
  (c) the matcher gatekeeper used before (names and e-mail fragments as substrings), as the baseline.

Prints, per history: commits, trailer agreement (gatekeeper vs %(trailers)), AI agreement (a vs b), the
counts by level, (c)'s count and how many of those (a) and (b) call human, the time of (a)'s detection
against the time of the `git log` it reads — and every disagreement, commit by commit.

Run from the repository root: `python bench/bench_origin_real.py [--repos DIR] [--limit N]`.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gatekeeper import origin
from gatekeeper.git import Git
from gatekeeper.models import DeviceClass
from gatekeeper.origin.base import OriginContext

# -- (b) the independent count: plain data, plain string tests -----------------------------------------

EMAILS = {
    "noreply@anthropic.com": "claude-code", "copilot@github.com": "copilot", "cursoragent@cursor.com": "cursor",
    "codex@openai.com": "codex", "noreply@openai.com": "codex", "junie@jetbrains.com": "junie",
    "openhands@all-hands.dev": "openhands", "amp@ampcode.com": "amp",
    "noreply@cline.bot": "cline", "noreply@opencode.ai": "opencode", "aider@aider.chat": "aider",
    "noreply@aider.chat": "aider", "noreply@aider.dev": "aider",
    "209825114+claude[bot]@users.noreply.github.com": "claude-code",
    "198982749+copilot@users.noreply.github.com": "copilot", "175728472+copilot@users.noreply.github.com": "copilot",
    "223556219+copilot@users.noreply.github.com": "copilot",
    "158243242+devin-ai-integration[bot]@users.noreply.github.com": "devin",
    "161369871+google-labs-jules[bot]@users.noreply.github.com": "jules",
    "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com": "codex",
    "176961590+gemini-code-assist[bot]@users.noreply.github.com": "gemini",
    "qwen-coder@alibabacloud.com": "qwen-code", "crush@charm.land": "crush",
    # 2026-12-05, from gemini-cli, OpenHands, cline, Roo-Code, browser-use and commit text in public repositories
    "218312386+gemini-cli[bot]@users.noreply.github.com": "gemini",
    "gemini-cli[bot]@users.noreply.github.com": "gemini",
    "opendevin@all-hands.dev": "openhands", "opendevin@opendevin.ai": "openhands", "bot@opendevin.com": "openhands",
    "62310815+github-advanced-security[bot]@users.noreply.github.com": "copilot",
    "cline@example.com": "cline", "roomote@roocode.com": "roo-code",
    "219738659+roomote[bot]@users.noreply.github.com": "roo-code",
    "219738659+roomote-v0[bot]@users.noreply.github.com": "roo-code",
    "65095814+ellipsis-dev[bot]@users.noreply.github.com": "ellipsis",
    "165735046+greptile-apps[bot]@users.noreply.github.com": "greptile",
    "191113872+cubic-dev-ai[bot]@users.noreply.github.com": "cubic",
    "192081515+codebeaver-ai[bot]@users.noreply.github.com": "codebeaver",
    "136622811+coderabbitai[bot]@users.noreply.github.com": "coderabbit",
    "58596630+sourcery-ai[bot]@users.noreply.github.com": "sourcery",
    "agent@replit.com": "replit", "agent@warp.dev": "warp", "noreply@z.ai": "glm",
    "v0[bot]@users.noreply.github.com": "v0",
    "189301087+windsurf-bot[bot]@users.noreply.github.com": "windsurf",
    "208079219+amazon-q-developer[bot]@users.noreply.github.com": "amazon-q",
    "138933559+factory-droid[bot]@users.noreply.github.com": "factory",
    # 2026-12-06, from charmbracelet/crush and continuedev/continue
    "noreply@crush.charm.land": "crush", "noreply@termai.io": "crush",
    "noreply@continue.dev": "continue", "agent@continue.dev": "continue",
    "230936708+continue[bot]@users.noreply.github.com": "continue",
    "continue[bot]@users.noreply.github.com": "continue",
    "230944351+continue-staging[bot]@users.noreply.github.com": "continue",
    "continue-staging[bot]@users.noreply.github.com": "continue",
    # 2026-12-06 (fix133o), from langchain-ai/langgraph and pydantic/pydantic-ai
    "215916821+open-swe[bot]@users.noreply.github.com": "open-swe",
    "148906541+codeflash-ai[bot]@users.noreply.github.com": "codeflash",
    "154288675+hyperlint-ai[bot]@users.noreply.github.com": "hyperlint",
    # 2026-12-07 (fix135o), from jellyfin's and documenso's histories
    "clio-agent@sisyphuslabs.ai": "sisyphus", "claude@anthropic.com": "claude-code",
    # 2026-12-07 (origin148), from spec-kit, langfuse, beads and trigger.dev (claude-code-action's co-author, its
    # App login under github-actions' id)
    "noreply@augmentcode.com": "augment", "code@blackbox.ai": "blackbox", "contact@tilework.tech": "nori",
    "omx@oh-my-codex.dev": "omx", "ox@sageox.ai": "sageox",
    "184448029+depthfirst-app[bot]@users.noreply.github.com": "depthfirst",
    "41898282+claude[bot]@users.noreply.github.com": "claude-code",
    # 2026-12-07 (origin150), from letta, stagehand and crewAI (Letta Code's address and its Action's account, Mastra
    # Code's address, Copilot Autofix's code-quality App)
    "noreply@letta.com": "letta-code", "248085862+letta-code@users.noreply.github.com": "letta-code",
    "noreply@mastra.ai": "mastra-code",
    "223894421+github-code-quality[bot]@users.noreply.github.com": "copilot",
    # 2026-12-07 (origin160), from vibe-kanban, ccusage and Peekaboo (Vibe Kanban's fallback identity, Pullfrog's and
    # Codegen's Apps)
    "noreply@vibekanban.com": "vibe-kanban", "226033991+pullfrog[bot]@users.noreply.github.com": "pullfrog",
    "131295404+codegen-sh[bot]@users.noreply.github.com": "codegen-sh",
    # 2026-12-07 (origin161), from CodexBar and gptme (Codex's App as co-author, Craft Agents' co-author, Lovable's App)
    "215057067+openai-codex[bot]@users.noreply.github.com": "codex", "agents-noreply@craft.do": "craft-agents",
    "159125892+gpt-engineer-app[bot]@users.noreply.github.com": "lovable",
}
# 2026-12-07 (origin161): the title Lovable's App commits a person's own code-editor edit under (no agent's work).
OWN_EDITS = {"lovable": ("Code edited in Lovable Code Editor",)}
# 2026-12-07 (origin160): a tool's mark at a title's end, before a squash's number ("… (Vibe Kanban) (#3389)").
TITLE_MARKS = {"(vibe kanban)": "vibe-kanban", "(vibe-kanban)": "vibe-kanban"}
FOOTERS = {"claude code": "claude-code", "devin": "devin", "amp": "amp", "cline": "cline", "opencode": "opencode",
           "cursor": "cursor", "codex": "codex", "copilot": "copilot", "aider": "aider", "continue": "continue",
           "crush": "crush", "termai": "crush", "claude": "claude-code", "open swe": "open-swe",
           "deep agents": "deepagents", "sisyphus": "sisyphus", "nori": "nori", "letta code": "letta-code",
           # 2026-12-07 (origin161): Coder's Mux (cmux before, Xum since), "_Generated with `mux` • Model: `…`_"
           "mux": "mux", "cmux": "mux", "xum": "mux"}
# 2026-12-06 (fix133o): the same footer with the verbs other agents write — "Made with [Cursor](…)", "Made by [Open
# SWE](…)", "Created with [Deep Agents CLI](…)", "(Written by Copilot)", "Created by yours truly: __Gemini Code__".
FOOTER_VERBS = tuple(f"{verb} {how} " for verb in ("generated", "made", "created", "written") for how in ("with", "by"))
# 2026-12-07 (fix135o): oh-my-opencode's "Ultraworked with [Sisyphus](…)", Orbis Security AI's "Automated security fix
# generated by Orbis Security AI", and Copilot Workspace's "For more details, open the [Copilot Workspace session](…)."
FOOTER_VERBS += ("ultraworked with ",)
FOOTER_PREFIXES = ("automated security fix ", "automated fix ")
WORKSPACE_LINE = re.compile(r"(?:^|\n)[ \t>*-]*for\s+more\s+details,\s+open\s+the\s+\[copilot\s+workspace\s+session\]"
                            r"\(https://copilot-workspace\.githubnext\.com/[^()\s]+\)\.?[ \t]*(?:\n|$)", re.I)
# 2026-12-06 (red119): a footer naming the agent after other words ("Generated with assistance from OpenAI Codex.",
# "Generated by yours truly __Gemini Code__"), or before the product's words ("Claude CLI"); and the session links
# Codex cloud and Claude Code on the web write on a line of their own.
FOOTER_NAMES = {"openai codex": "codex", "codex": "codex", "claude": "claude-code", "claude code": "claude-code",
                "github copilot": "copilot", "copilot": "copilot", "gemini": "gemini", "cursor": "cursor",
                "open swe": "open-swe", "deep agents": "deepagents", "sisyphus": "sisyphus",
                "orbis security ai": "orbis"}
FOOTER_PRODUCT_WORDS = ("cli", "code", "agent")
SESSION_LINKS = {"https://chatgpt.com/codex/tasks/task_": "codex", "https://claude.ai/code/session_": "claude-code"}
MARKER_AGENTS = {"claude-session": "claude-code", "claude-generated-by": "claude-code", "copilot-session": "copilot",
                 "amp-thread-id": "amp", "replit-commit-session-id": "replit"}
RANK = {"none": 0, "assisted": 1, "generated": 2}


def _email(value: str) -> str:
    if "<" in value and ">" in value:
        return value[value.index("<") + 1:value.rindex(">")].strip().lower()
    return value.strip().lower()


def plain_git_classify(an: str, ae: str, cn: str, ce: str, trailers: list[tuple[str, str]],
                       body: str) -> tuple[str, str | None]:
    level, agent = "none", None

    deferred: list[str | None] = []  # footers name the agent only where nothing else of their level does (origin161)

    def bump(new_level: str, new_agent: str | None) -> None:
        nonlocal level, agent
        if RANK[new_level] > RANK[level]:
            level, agent = new_level, new_agent or agent
        elif agent is None and RANK[new_level] == RANK[level]:
            agent = new_agent
    subject = body.strip().split("\n", 1)[0]
    if ae.lower() in EMAILS and subject not in OWN_EDITS.get(EMAILS[ae.lower()], ()):
        bump("generated", EMAILS[ae.lower()])
    elif an.rstrip().endswith("(aider)"):
        bump("assisted", "aider")
    elif an.strip().lower() in {"devin-ai-integration[bot]", "google-labs-jules[bot]", "copilot-swe-agent[bot]",
                                "chatgpt-codex-connector[bot]", "gemini-code-assist[bot]", "claude[bot]"}:
        bump("generated", None)
    if ce.lower() in EMAILS and (cn, ce) != (an, ae) and subject not in OWN_EDITS.get(EMAILS[ce.lower()], ()):
        bump("assisted", EMAILS[ce.lower()])
    for line in body.splitlines():
        text = line.strip().lstrip(">*- ").strip()
        key, sep, value = text.partition(":")
        key, value = key.strip().lower(), value.strip()
        if sep and key == "co-authored-by" and _email(value) in EMAILS:
            bump("assisted", EMAILS[_email(value)])
        elif sep and key == "co-authored-by" and value.lower().startswith(("gemini-code-assist[bot] ",)):
            bump("assisted", "gemini")
        elif sep and key == "co-authored-by" and value.lower().startswith(("open-swe[bot] ",)):
            bump("assisted", "open-swe")
        elif sep and key == "generated-by" and value:
            bump("generated", None)
        elif sep and key == "assisted-by" and value and not _person(value):
            bump("assisted", None)
        elif sep and key in MARKER_AGENTS and value:
            bump("assisted", MARKER_AGENTS[key])
        elif sep and key == "agent-logs-url" and value:
            bump("assisted", "copilot" if "github.com/" in value and "/sessions/" in value else None)
        elif sep and key == "made-with" and value.lower() in FOOTERS:
            bump("assisted", FOOTERS[value.lower()])
        elif sep and key == "replit-commit-author" and value.lower().startswith("agent"):
            bump("generated", "replit")
        elif sep and key.startswith("entire-") and value:
            bump("assisted", "entire")
        link = text.strip("<>")
        # (origin150: also a label's end alone, "Task](…)", where a squash wrapped "[Codex\nTask](…)")
        if "](" in link and link.endswith(")") and "[" not in link[1:link.index("](")]:
            link = link[link.index("](") + 2:-1]
        for prefix, link_agent in SESSION_LINKS.items():
            rest = link[len(prefix):]
            if link.lower().startswith(prefix) and rest and all(ch.isalnum() or ch in "_-" for ch in rest):
                bump("assisted", link_agent)
        footer = re.sub(r"^[\W_]+", "", text)  # (origin150: any emoji before it — Letta Code's 🐾, 👾, 🐙)
        for prefix in FOOTER_PREFIXES:
            if footer.lower().startswith(prefix):
                footer = footer[len(prefix):]
        if footer.lower().startswith(FOOTER_VERBS):
            said = footer.split(" ", 2)[2].replace("_", " ").replace("*", " ").strip(" .!)]").split()
            while len(said) > 1 and said[-1].lower() in FOOTER_PRODUCT_WORDS:
                said.pop()
            for name, footer_agent in FOOTER_NAMES.items():
                size = len(name.split())
                tail = said[-size:]
                if " ".join(tail).lower() == name and (len(said) == size or tail[0][:1].isupper()):
                    deferred.append(footer_agent)
        # (origin161: a label in backquotes, shell-escaped or not, and the fields after it: "`mux` • Model: …")
        lowered = text.lower().replace("\\`", "").replace("`", "")
        for name, footer_agent in FOOTERS.items():
            if re.sub(r"^[\W_]+", "", lowered).startswith((f"generated with [{name}]", f"generated with {name}",
                                                    f"generated by [{name}",
                                                    *(f"{verb}[{name}" for verb in FOOTER_VERBS[2:]))):
                deferred.append(footer_agent)
        # 2026-12-06 (red127): a flattened message — its line breaks turned into two spaces or written as a literal
        # backslash-n — read piece by piece after the first: only a co-author of an agent's address and the
        # "Generated with [agent](link)" footer, each a whole piece.
        for piece in re.split(r"[ \t]{2,}|\\n", line.rstrip())[1:]:
            key, sep, value = piece.partition(":")
            if sep and key.strip().lower() == "co-authored-by" and value.strip().endswith(">") \
                    and _email(value) in EMAILS:
                bump("assisted", EMAILS[_email(value)])
            said = piece.lstrip("🤖 ").lower()
            for name, footer_agent in FOOTERS.items():
                if re.fullmatch(rf"generated with \[{re.escape(name)}\]\([^)\s]+\)", said):
                    deferred.append(footer_agent)
    if WORKSPACE_LINE.search(body):
        bump("assisted", "copilot")
    for footer_agent in deferred:
        bump("assisted", footer_agent)
    # Last: the title mark names the tool that ran the agent, the co-author the agent itself.
    title = body.strip().split("\n", 1)[0].strip().lower()
    title = re.sub(r" \(#[1-9][0-9]*\)$", "", title)
    for mark, mark_agent in TITLE_MARKS.items():
        if title.endswith(mark) and title[:-len(mark)].rstrip(" \t") != title[:-len(mark)]:
            bump("assisted", mark_agent)
    return level, agent


def _person(value: str) -> bool:
    """2026-12-06 (red127): `Assisted-by: Name <address>` naming a person (git.git's pre-agent use): an address no
    agent writes, a name with no digit, bot login, " via " or agent name."""
    name, sep, rest = value.strip().partition("<")
    name = name.strip()
    return bool(sep and name and rest.endswith(">") and "@" in rest and _email(value) not in EMAILS
                and not any(ch.isdigit() for ch in name) and "[bot]" not in name and " via " not in name.lower()
                and name.lower() not in FOOTERS and name.lower() not in FOOTER_NAMES)


# -- (c) the previous matcher: needles as substrings of names and e-mails -------------------------------

OLD_NEEDLES = ("claude", "noreply@anthropic.com", "copilot", "codex", "openai", "cursor", "devin", "gemini",
               "google-labs-jules", "aider", "amazon q", "windsurf", "codeium", "openhands", "sweep-ai")
_OLD = re.compile("|".join(rf"(?<![a-z0-9]){re.escape(n)}(?![a-z0-9])" if n.isalpha() else re.escape(n)
                           for n in OLD_NEEDLES))


def old_classify(an: str, ae: str, trailers: list[tuple[str, str]]) -> bool:
    if _OLD.search(f"{an} <{ae}>".lower()) or an.rstrip().endswith("(aider)"):
        return True
    return any(k.lower() in ("co-authored-by", "assisted-by", "generated-by") and (
        k.lower() != "co-authored-by" or _OLD.search(v.lower())) for k, v in trailers)


# -- the run ---------------------------------------------------------------------------------------------

def _parse_trailers(text: str) -> list[tuple[str, str]]:
    return [(line.partition(": ")[0], line.partition(": ")[2]) for line in text.split("\n") if line]


@dataclass
class Comparison:
    path: Path
    commits: int = 0
    trailer_diff: list[str] = field(default_factory=list)
    ai_diff: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    levels: Counter[str] = field(default_factory=Counter)
    agents: Counter[str] = field(default_factory=Counter)
    old_flagged: int = 0
    old_human: int = 0
    plain_ms: float = 0.0
    log_ms: float = 0.0
    detect_ms: float = 0.0


def compare(path: Path, rev: str = "HEAD", limit: int | None = None) -> Comparison:
    """gatekeeper vs the plain-git count on every commit reachable from `rev` (newest `limit` when given)."""
    out = Comparison(path)
    argv = ["git", "-C", str(path), "log", "--format=%H%x00%an%x00%ae%x00%cn%x00%ce%x00%(trailers:only,unfold)"
            "%x00%B%x00", *(["-n", str(limit)] if limit else []), rev]
    started = time.perf_counter()
    raw = subprocess.run(argv, capture_output=True, check=True).stdout.decode("utf-8", "replace")
    out.plain_ms = (time.perf_counter() - started) * 1000
    parts = raw.split("\x00")
    plain: dict[str, tuple[str, str | None, list[tuple[str, str]], bool]] = {}
    for i in range(0, len(parts) - 7, 7):
        sha, an, ae, cn, ce, trailers_text, body = parts[i:i + 7]
        trailers = _parse_trailers(trailers_text)
        level, agent = plain_git_classify(an, ae, cn, ce, trailers, body)
        plain[sha.strip()] = (level, agent, trailers, old_classify(an, ae, trailers))

    git = Git(path)
    started = time.perf_counter()
    commits = list(git.iter_log([rev]))
    if limit:
        commits = [c for c in commits if c.sha in plain]
    out.log_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    ctx = OriginContext()
    ours = {c.sha: (c, origin.detect(c, ctx, (DeviceClass.MOBILE, DeviceClass.TABLET))[0]) for c in commits}
    out.detect_ms = (time.perf_counter() - started) * 1000

    for sha, (commit, result) in ours.items():
        level, agent, trailers, old = plain[sha]
        out.levels[result.ai.value] += 1
        if result.agent:
            out.agents[result.agent.id] += 1
        if [(t.key, t.value) for t in commit.trailers] != trailers:
            out.trailer_diff.append(sha)
        ours_agent = result.agent.id if result.agent else None
        if result.ai.value != level or (agent is not None and ours_agent != agent):
            out.ai_diff.append((sha, f"{result.ai.value}/{ours_agent}", f"{level}/{agent}",
                                "; ".join(f"{e.source}: {e.detail}" for e in result.evidence if e.ai is not None)[:200],
                                commit.subject[:60]))
        if old:
            out.old_flagged += 1
            out.old_human += result.ai.value == "none" and level == "none"
    out.commits = len(ours)
    return out


def report(c: Comparison) -> None:
    n = c.commits
    print(f"\n== {c.path.parent.name}: {n} commits")
    print(f"   trailers: {n - len(c.trailer_diff)}/{n} agree with git log %(trailers) "
          f"({100 * (n - len(c.trailer_diff)) / max(n, 1):.2f} %)")
    print(f"   AI level+agent: {n - len(c.ai_diff)}/{n} agree with the plain-git count "
          f"({100 * (n - len(c.ai_diff)) / max(n, 1):.2f} %)")
    print(f"   gatekeeper levels: {dict(c.levels)}; agents: {dict(c.agents.most_common())}")
    print(f"   previous substring matcher: {c.old_flagged} commits flagged AI "
          f"({100 * c.old_flagged / max(n, 1):.1f} %), {c.old_human} of them human by both gatekeeper and plain git")
    print(f"   time: git log (gatekeeper's read) {c.log_ms:.0f} ms, origin detection {c.detect_ms:.0f} ms "
          f"(ratio {c.detect_ms / max(c.log_ms, 1):.2f}); plain git log with %(trailers) {c.plain_ms:.0f} ms")
    for sha in c.trailer_diff:
        print(f"   TRAILERS DIFFER {sha}")
    for sha, ours_txt, plain_txt, why, subject in c.ai_diff:
        print(f"   AI DIFFERS {sha} gatekeeper={ours_txt} plain={plain_txt} [{subject}] {why}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", default=os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
    parser.add_argument("--limit", type=int, default=None, help="newest N commits of each history")
    args = parser.parse_args()
    repos = sorted(p / "repo" for p in Path(args.repos).iterdir() if (p / "repo").is_dir()) \
        if Path(args.repos).is_dir() else []
    if not repos:
        print(f"no histories under {args.repos} (bare repositories at <owner>+<name>/repo)")
        return 2
    total = trailers = ai = 0
    for repo in repos:
        result = compare(repo, limit=args.limit)
        report(result)
        total, trailers, ai = total + result.commits, trailers + len(result.trailer_diff), ai + len(result.ai_diff)
    print(f"\nall: {total} commits; trailers agree on {total - trailers} ({100 * (total - trailers) / total:.3f} %), "
          f"AI classification on {total - ai} ({100 * (total - ai) / total:.3f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
