"""History: rev-list walks, `git log` streams (NUL-separated formats and `--pretty=raw`) parsed into
Commits, ancestry and merge bases, parents, and the commits a ref update brings."""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import time
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from gatekeeper.errors import GitError, UsageError
from gatekeeper.git._runner import Runner, _check_rev_token, _first_line
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Commit, Person, RefKind, RefUpdate, is_sha, is_zero
from gatekeeper.trailers import parse_trailers

_LOG_FIELDS = ("%H", "%P", "%an", "%ae", "%at", "%cn", "%ce", "%ct", "%B")
_LOG_FORMAT = "%x00".join(_LOG_FIELDS)
# One commit of a raw log: (sha, parents, author, author_time, committer, commit_time, message, signed).
RawParts = tuple[str, tuple[str, ...], Person, int, Person, int, str, bool]
_REMOTE_NAME = lazy(r"\A[A-Za-z0-9._-]{1,100}\Z")


@dataclass
class SinceWindow:
    """History.since_window's answer."""

    commits: set[str]  # the window
    backdated: int  # commits in it dated before the cutoff, for being above a commit after it
    rests_on: int  # commits outside it (older ones of the range, or its excluded side) with a child in it
    cutoff: int  # the date as git read it, seconds since the epoch (a relative date read again could differ)


@dataclass(frozen=True)
class Landing:
    """How a commit reached one protected tip: `point`, the oldest commit on the tip's first-parent line whose
    history holds it (the commit itself when it was committed onto the line, else the merge that brought it),
    and `holds`, its landings on the other tips that `point` has in its history."""

    ref: str
    point: str
    holds: frozenset[str]


# History as numbers: (id → number, number → id, where each commit's parents begin in the links, how many, links).
_Graph = tuple[dict[bytes, int], list[bytes], "array[int]", "array[int]", "array[int]"]
# A walked tip: (the positions it claimed itself: an array for the first tip, else a dict; the tip whose line
# its own meets, or -1; the depth where they meet, or -1; its own line above that, oldest first; its rules, per
# other walked tip: the depths on that tip's line it reached (rising) and the positions that reached them
# (each claims everything the line commit at that depth holds)).
_Claims = tuple["array[int] | dict[int, int]", int, int, list[int], dict[int, tuple[list[int], list[int]]]]


class _OverBudget(Exception):
    """The landing walk spent its work budget."""


class History(Runner):
    """Questions about commits and their ancestry."""

    def rev_list(self, include: Sequence[str], exclude: Sequence[str] = (), *, exclude_all: bool = False,
                 oldest_first: bool = False) -> list[str]:
        if not include:
            return []
        stdin = _range_input(include, exclude)
        args = ["rev-list", "--stdin"]
        if oldest_first:
            args += ["--topo-order", "--reverse"]
        if exclude_all:
            args += ["--not", "--all"]
        return self._out(*args, input=stdin).split()

    def iter_log(self, include: Sequence[str], exclude: Sequence[str] = (), *,
                 exclude_all: bool = False, reverse: bool = True, no_walk: bool = False) -> Iterator[Commit]:
        """Commits of `include ^exclude` (oldest first), streamed from one `git log` process.
        `no_walk`: exactly the commits named in `include`, in that order."""
        if not include:
            return
        stdin = _range_input(include, exclude)
        args = ["log", "-z", f"--format={_LOG_FORMAT}", "--no-color", "--stdin"]
        if no_walk:
            args.append("--no-walk=unsorted")
        else:
            args.append("--topo-order")
        if reverse and not no_walk:
            args.append("--reverse")
        if exclude_all:
            args += ["--not", "--all"]
        with self._process(args, stdin, "log", "check that the revisions exist") as (out, argv):
            yield from _parse_log_stream(out, argv)

    def commits(self, include: Sequence[str], exclude: Sequence[str] = (), *,
                exclude_all: bool = False) -> list[Commit]:
        return list(self.iter_log(include, exclude, exclude_all=exclude_all))

    def with_git_text(self, commits: Sequence[Commit]) -> list[Commit]:
        """Commits read from raw records, their identities and message replaced by what git's own format gives
        (iter_log: `%an %ae %cn %ce %B`, re-encoded to UTF-8 as the gate reads them) — for the commits whose
        records declare an encoding (declares_encoding); parents, times and the signature stay as stored."""
        if not commits:
            return []
        decoded = {c.sha: c for c in self.iter_log([c.sha for c in commits], no_walk=True)}
        return [dataclasses.replace(c, author=g.author, committer=g.committer, message=g.message, trailers=g.trailers)
                if (g := decoded.get(c.sha)) is not None else c for c in commits]

    def iter_raw_log(self, include: Sequence[str], exclude: Sequence[str] = (), *, since: str | None = None,
                     every_ref: bool = False) -> Iterator[tuple[Commit, bool]]:
        """(commit, signed) for `include ^exclude` (newest first, git's default order, streamed as git
        walks): one `git log -z --pretty=raw` process, whose raw headers say whether a commit carries a
        signature (`gpgsig*`) without verifying it. `every_ref`: all branches, tags and remote-tracking
        refs (not `--all`, which would walk notes commits too)."""
        for parts in self.iter_raw_parts(include, exclude, since=since, every_ref=every_ref):
            yield commit_from_parts(parts), parts[7]

    def iter_raw_parts(self, include: Sequence[str], exclude: Sequence[str] = (), *, since: str | None = None,
                       every_ref: bool = False) -> Iterator[RawParts]:
        """iter_raw_log's records before a Commit is built (no trailer parsing): (sha, parents, author,
        author_time, committer, commit_time, message, signed); `commit_from_parts` makes the Commit."""
        people: dict[bytes, Person] = {}
        for batch in self.iter_raw_records(include, exclude, since=since, every_ref=every_ref):
            for raw in batch:
                yield raw_parts(raw, people)

    def iter_raw_records(self, include: Sequence[str], exclude: Sequence[str] = (), *, since: str | None = None,
                         every_ref: bool = False, no_walk: bool = False,
                         touching: tuple[str, set[str]] | None = None) -> Iterator[list[bytes]]:
        """The records of `git log -z --pretty=raw` unparsed, in batches as git writes them (newest first): a
        reader of whole histories looks at the bytes first and parses (`raw_parts`) only what it needs.
        `no_walk`: exactly the commits named in `include`, in that order.

        `touching=(path, found)`: the same walk also says which commits change `path` against their first parent
        (what path_changes reads): each such commit's id is added to `found` before its record is yielded. git
        does it in the same process (`--full-history --sparse` keeps every commit and every parent as they are;
        `--name-only --diff-merges=first-parent` names the path under the commits that change it), so nothing
        later than the record is needed to know it — the tree diffs run in git's idle time while the reader
        works (red71: a second walk cost the audit a fifth at 100,000 commits)."""
        stdin = _range_input(include, exclude)
        _check_since(since)
        if not include and not every_ref:
            return
        # --encoding=none: each record as the object stores it. git would otherwise re-encode the WHOLE record,
        # headers included, from the encoding a commit declares: with `encoding IBM037` or `UTF-16` every header
        # came out as one line of mojibake, and a signed phone commit read as unsigned, with no parents and no
        # author (red71). raw_parts decodes the declared encoding's text fields itself.
        args = ["log", "-z", "--pretty=raw", "--encoding=none", "--no-notes", "--no-color", "--no-abbrev", "--stdin"]
        if every_ref:
            args += ["--branches", "--tags", "--remotes"]
        if since is not None:
            args.append(f"--since={since}")
        if no_walk:
            args.append("--no-walk=unsorted")
        if touching is not None:
            # (--root and --no-relative: a repository's log.showRoot=false or diff.relative cannot hide a root
            # commit's names or change which paths are named.)
            args += ["--full-history", "--sparse", "--name-only", "--diff-merges=first-parent", "--no-renames",
                     "--root", "--no-relative", "--", touching[0]]
        with self._process(args, stdin, "log", "check that the revisions exist and the repository is "
                           "intact (`git fsck`)", wide=True) as (out, _):
            # A record that is not a commit fails in its parser (raw_parts).
            yield from (_raw_batches(out) if touching is None else _touching_batches(out, touching[1]))

    def decoded_records(self, shas: Sequence[str]) -> dict[str, bytes]:
        """The `git log -z --pretty=raw` records of these commits as git itself reads them: the whole object
        re-encoded from its declared `encoding` to UTF-8 (the `i18n.logOutputEncoding` every call here sets),
        headers included — the buffer git parses `%an %ae %B` from — its first `encoding` header dropped when
        git re-encoded it. (iter_raw_records reads the objects as stored.) identity_doubt compares the two."""
        if not shas:
            return {}
        found: dict[str, bytes] = {}
        args = ["log", "-z", "--pretty=raw", "--no-notes", "--no-color", "--no-abbrev", "--stdin", "--no-walk=unsorted"]
        with self._process(args, _range_input(shas, ()), "log", "check that the commits exist and the repository "
                           "is intact (`git fsck`)", wide=True) as (out, _):
            for batch in _raw_batches(out):
                for record in batch:
                    record = record.lstrip(b"\n")
                    found[record[7 : record.find(b"\n")].decode("ascii", "replace")] = record
        return found

    def path_commits(self, include: Sequence[str], exclude: Sequence[str], path: str, *,
                     every_ref: bool = False) -> set[str]:
        """The commits of a range (as iter_raw_records walks it) that may change `path`: every commit whose
        tree differs there from its parent's, and every merge not the same there as all of its parents
        (`--full-history`, no parent rewriting), so a superset of what path_changes finds for them."""
        stdin = _range_input(include, exclude)
        if not include and not every_ref:
            return set()
        args = ["rev-list", "--stdin", "--full-history", "--no-renames"]
        if every_ref:
            args += ["--branches", "--tags", "--remotes"]
        return {sha for sha in self._out(*args, "--", path, input=stdin).split() if is_sha(sha)}

    def check_since(self, since: str) -> None:
        """UsageError unless git makes out a date in `since`, and a YYYY-MM-DD one names a day that exists. git's
        `--since` reads a date it cannot make out as "now" (`--since=yesterdy`: an empty window that looks like a
        quiet history); its careful reading, the one expiry dates get, says when it understood nothing. A date in
        the future is a date (an empty window, as asked)."""
        fix = "pass --since with a date such as 2026-01-31 or '6 months ago'"
        _check_since(since)
        careful = self._run("-c", f"gatekeeper.since={since}", "config", "--type=expiry-date", "gatekeeper.since",
                            check=False)
        stamp = careful.stdout.decode("ascii", "replace").strip()
        if careful.returncode != 0 or not stamp.isdigit():
            raise UsageError(f"git cannot read {since!r} as a date", fix)
        day = _ISO_DAY.match(since.strip())
        if day is not None:
            # (git reads the calendar leniently: 2026-13-45 is a date a week from now, 2026-02-30 is March 2nd.)
            try:
                dt.date(int(day["y"]), int(day["m"]), int(day["d"]))
            except ValueError:
                raise UsageError(f"{since!r}: there is no such day", fix) from None

    def since_window(self, include: Sequence[str], exclude: Sequence[str], since: str, *,
                     every_ref: bool = False) -> SinceWindow:
        """The commits of a range (as iter_raw_records walks it without a date) that `--since` means: those
        whose commit time is at or after the date as git reads it (`rev-parse --since`, the same parsing as
        `git log --since`), and every commit above one of them, whatever time it carries — a commit is made
        after its parents, so one dated earlier than a parent in the window is backdated (a parent outside the
        range, on its excluded side, counts by its own time: red36). git's own `--since` stops walking at a
        commit dated before the date: one backdated commit on top of a branch would hide every commit under it.
        Also counts the commits the window rests on (outside it — older commits of the range, or the range's
        excluded side — and parents of commits in it): one where history enters the window; more where branches
        started before the date were merged or pushed since — their older commits may have reached the branches
        inside the window, which no date shows (the caller says so; red39: an excluded side's crossing counts).
        GitError when git cannot walk the whole range (a missing object anywhere in it)."""
        stdin = _range_input(include, exclude)
        _check_since(since)
        answer = self._out("rev-parse", f"--since={since}").strip()
        if not answer.startswith("--max-age=") or not answer[10:].isdigit():
            raise GitError(f"git did not read {since!r} as a date", "pass a date such as 2026-01-31 or '6 months ago'")
        found = SinceWindow(set(), 0, 0, int(answer[10:]))
        if not include and not every_ref:
            return found
        window, cutoff = found.commits, found.cutoff
        # Parents before children (--reverse of the topological order; --boundary's commits, the excluded
        # parents of commits in the range, come first): a commit's place is known from its own time and its
        # parents' places.
        args = ["rev-list", "--reverse", "--topo-order", "--boundary", "--timestamp", "--parents", "--stdin"]
        if every_ref:
            args += ["--branches", "--tags", "--remotes"]
        boundary: set[str] = set()  # the excluded parents of commits in the range
        after: set[str] = set()  # those of them dated at or after the cutoff
        under: set[str] = set()  # commits outside the window (in the range or on its excluded side) with a child in it
        for line in self._stream(args, stdin, "rev-list"):
            fields = line.decode("ascii", "replace").split()
            is_boundary = len(fields) >= 2 and fields[1].startswith("-")
            sha = fields[1][1:] if is_boundary else fields[1] if len(fields) >= 2 else ""
            if not fields[0].isdigit() or not is_sha(sha):
                raise GitError("could not parse git rev-list output", "check the repository with `git fsck`")
            parents = fields[2:]
            if is_boundary:
                boundary.add(sha)
                if int(fields[0]) >= cutoff:
                    after.add(sha)
                continue
            if int(fields[0]) < cutoff:
                if not any(parent in window or parent in after for parent in parents):
                    continue
                found.backdated += 1
            window.add(sha)
            under.update(p for p in parents if p not in window)
        found.rests_on = len(under)
        return found

    def merge_bases(self, a: str, b: str) -> list[str]:
        """Every best common ancestor of a and b (`merge-base --all`); empty when they share none."""
        _check_rev_token(a)
        _check_rev_token(b)
        proc = self._run("merge-base", "--all", a, b, check=False)
        return [s for s in proc.stdout.decode().split() if is_sha(s)] if proc.returncode == 0 else []

    def shared_starts(self, tip: str, others: Sequence[str]) -> list[str] | None:
        """Commits whose histories together are exactly the commits of `tip` that are also in the history of
        one of `others` (what the merge bases of `tip` with each of them span), from one walk: `[tip]` when
        one of `others` holds all of `tip`, else the boundary of `tip --not others` (each such commit is in
        `others`' history, a parent of a commit only `tip` has, and every shared commit is under one) — empty
        when they share nothing. One `rev-list` for any number of `others` (a `merge-base --all` per branch
        cost 15 ms each: 5 s on a repository with 360 release branches). None when git cannot answer (a
        missing object): the caller asks pair by pair."""
        if not others:
            return []
        proc = self._run("rev-list", "--boundary", "--stdin", input=_range_input((tip,), tuple(others)),
                         check=False)
        if proc.returncode != 0:
            return None
        out = proc.stdout.decode("ascii", "replace").split()
        if not out:
            return [tip]
        return [entry[1:] for entry in out if entry.startswith("-") and is_sha(entry[1:])]

    def remote_fork_point(self, tip: str, remote: str | None = None) -> str | None:
        """Where the commits of `tip` leave what this clone knows of `remote` (its remote-tracking refs; all
        remotes when None or not a plain remote name): `tip` itself when every commit is known already, the
        one boundary commit, the octopus merge base of several (a few known commits judged again, never
        fewer), None when nothing known is reachable (the whole history is new)."""
        pattern = f"--remotes={remote}" if remote and _REMOTE_NAME.match(remote) else "--remotes"
        out = self._out("rev-list", "--boundary", tip, "--not", pattern)
        boundary = [entry[1:] for entry in out.split() if entry.startswith("-") and is_sha(entry[1:])]
        if not out.strip():
            return tip  # nothing new: every commit is already on the remote
        if len(boundary) == 1:
            return boundary[0]
        if boundary:
            proc = self._run("merge-base", "--octopus", *boundary, check=False)
            sha = proc.stdout.decode().strip()
            return sha if proc.returncode == 0 and is_sha(sha) else None
        return None

    def merge_base(self, a: str, b: str) -> str | None:
        _check_rev_token(a)
        _check_rev_token(b)
        proc = self._run("merge-base", a, b, check=False)
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and is_sha(sha) else None

    def independent(self, shas: Sequence[str]) -> tuple[str, ...]:
        """`shas` without those that are an ancestor of another of them (`merge-base --independent`, one process),
        in the order given."""
        for sha in shas:
            _check_rev_token(sha)
        if len(shas) < 2:
            return tuple(shas)
        kept = set(self._run("merge-base", "--independent", *shas).stdout.decode("ascii", "replace").split())
        return tuple(s for s in dict.fromkeys(shas) if s in kept)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = self._run("merge-base", "--is-ancestor", ancestor, descendant, check=False)
        if proc.returncode not in (0, 1):
            raise GitError(f"cannot compare {ancestor[:12]} and {descendant[:12]}: "
                           f"{_first_line(proc.stderr.decode('utf-8', 'replace'))}",
                           "the objects may be missing; fetch the full history")
        return proc.returncode == 0

    def landings(self, shas: Sequence[str], tips: Mapping[str, str]) -> dict[str, tuple[Landing, ...]] | None:
        """How each of `shas` reached the protected `tips` (ref → commit id, as read at the start): on every
        tip whose history holds it, the oldest commit on that tip's first-parent line whose history holds it
        (the commit itself when it was committed onto the line, else the merge that brought it), and which of
        its landings on the other tips that one holds. Found from the commit ids, never from ref names (a tag
        or branch named like a protected ref has no say), with one `rev-list --parents` walk of all the tips,
        walked in the order given. None when git cannot walk them, or the tips' histories are too tangled to
        trace within the work budget (below)."""
        wanted = [s for s in dict.fromkeys(shas) if is_sha(s)]
        heads = [(ref, sha) for ref, sha in tips.items() if is_sha(sha)]  # walked in this order
        if not wanted or not heads:
            return {}
        graph = self._parent_graph(sorted({sha for _, sha in heads}))
        if graph is None:
            return None
        try:
            return self._walk_landings(wanted, heads, graph)
        except _OverBudget:
            return None

    def _walk_landings(self, wanted: list[str], heads: list[tuple[str, str]],
                       graph: _Graph) -> dict[str, tuple[Landing, ...]]:
        index, names, start, count, links = graph
        heads_walked: list[tuple[str, int]] = []
        # Each tip's first-parent line, numbered by depth (a commit's position is how many first parents lie
        # below it, so lines that meet agree below where they meet), and for each commit of the tip's history
        # the position of the oldest line commit that reaches it: the line commit at position p holds exactly
        # the commits claimed at p or before. Work already done is shared, so that a tip costs about its own
        # commits: a line that runs into one already walked (a release branch cut from main) takes what lies
        # below that point as it is (`base`, `fork`), and a walk that reaches a commit on another walked line
        # (a merge of main) claims everything that commit holds at once (`rules`: that line, that depth, the
        # position), without walking it again. A tip walked whole first keeps its claims in an array, the
        # others in dicts of their own commits. What is left unbounded (tips whose histories meet only off any
        # walked line) is held to a work budget: past it nothing counts as found (None).
        on_line = array("i", [-1]) * len(names)  # commit -> the first walked tip whose line holds it
        depth = array("i", [-1]) * len(names)
        walked: list[_Claims] = []
        budget = [10 * len(names) + 1_000_000]

        def claim(t: int, commit: int) -> int:
            """The position at which tip t first reaches `commit` (-1: never). Iterative, and each tip is asked
            once per call (a history of tips that each merge several others would otherwise cost a call per
            path: exponential), each step paid from the budget."""
            memo: dict[int, int] = {}
            stack = [t]
            while stack:
                u = stack[-1]
                own, base, fork, _, rules = walked[u]
                if base >= 0:
                    if base not in memo:
                        stack.append(base)
                        continue
                    if 0 <= memo[base] <= fork:
                        memo[u] = memo[base]
                        stack.pop()
                        continue
                p = own[commit] if isinstance(own, array) else own.get(commit, -1)
                if p < 0:
                    missing = [other for other in rules if other not in memo]
                    if missing:
                        stack.extend(missing)
                        continue
                    for other, (reaches, positions) in rules.items():
                        there = memo[other]
                        if there >= 0:
                            i = bisect_left(reaches, there)  # the first (oldest) rule that reaches that far
                            if i < len(reaches) and (p < 0 or positions[i] < p):
                                p = positions[i]
                budget[0] -= 1
                if budget[0] < 0:
                    raise _OverBudget
                memo[u] = p
                stack.pop()
            return memo[t]

        def line_at(t: int, position: int) -> int:
            while True:
                _, base, fork, line, _ = walked[t]
                if position > fork:
                    return line[position - fork - 1]
                t = base

        for ref, tip in heads:
            at = index.get(tip.encode("ascii"))
            if at is None:  # an annotated tag: walked from the commit it peels to
                peeled = self.resolve_commit(tip)
                at = index.get(peeled.encode("ascii")) if peeled else None
            line: list[int] = []
            while at is not None and start[at] >= 0 and on_line[at] < 0:
                line.append(at)
                at = links[start[at]] if count[at] else None
            line.reverse()
            t = len(walked)
            base, fork = (on_line[at], depth[at]) if at is not None and on_line[at] >= 0 else (-1, -1)
            own: array[int] | dict[int, int] = array("i", [-1]) * len(names) if not walked else {}
            rules: dict[int, tuple[list[int], list[int]]] = {}
            for offset, point in enumerate(line):
                on_line[point] = t
                depth[point] = fork + 1 + offset
            walked.append((own, base, fork, line, rules))
            whole = isinstance(own, array) and base < 0
            for offset, point in enumerate(line):
                position = fork + 1 + offset
                stack = [point]
                while stack:
                    commit = stack.pop()
                    budget[0] -= 1
                    if budget[0] < 0:
                        raise _OverBudget
                    if whole:
                        if own[commit] >= 0:
                            continue
                    elif claim(t, commit) >= 0:
                        continue
                    elif on_line[commit] >= 0 and on_line[commit] != t:
                        # Later rules to one tip reach higher on its line: a lower commit there is held by
                        # an earlier one, so it is claimed and never comes here.
                        reaches, positions = rules.setdefault(on_line[commit], ([], []))
                        reaches.append(depth[commit])
                        positions.append(position)
                        continue
                    own[commit] = position
                    if start[commit] >= 0:
                        first = start[commit]
                        stack.extend(links[first:first + count[commit]])
            heads_walked.append((ref, t))
        result: dict[str, tuple[Landing, ...]] = {}
        for sha in wanted:
            target = index.get(sha.encode("ascii"))
            if target is None:
                continue
            reached = [(ref, t, p) for ref, t in heads_walked if (p := claim(t, target)) >= 0]
            points = [(ref, t, p, line_at(t, p)) for ref, t, p in reached]
            distinct = list(dict.fromkeys(point for _, _, _, point in points))  # tips cut later share one
            found = []
            for ref, t, mine, point in points:
                held = frozenset(names[other].decode("ascii") for other in distinct
                                 if other != point and 0 <= claim(t, other) <= mine)
                found.append(Landing(ref, names[point].decode("ascii"), held))
            if found:
                result[sha] = tuple(found)
        return result

    def first_parent_line(self, head: str, count: int) -> list[str]:
        """The first `count` commits of `head`'s first-parent line, `head` first; [] when git cannot walk it."""
        _check_rev_token(head)
        proc = self._run("rev-list", "--first-parent", f"--max-count={max(0, count)}", head, "--", check=False)
        if proc.returncode != 0:
            return []
        return [line for line in proc.stdout.decode("ascii", "replace").split() if is_sha(line)]

    def first_parent_holds(self, old: str, new: str) -> bool:
        """Whether `old` is on `new`'s first-parent line (`new` reached from it by first parents only): the
        oldest first-parent commit of `new` that `old` does not reach has `old` as its first parent. False
        when git cannot tell (the caller refuses)."""
        _check_rev_token(old)
        _check_rev_token(new)
        if old == new:
            return True
        proc = self._run("rev-list", "--first-parent", "--parents", "--reverse", new, f"^{old}", check=False)
        rows = proc.stdout.decode("ascii", "replace").split("\n", 1) if proc.returncode == 0 else []
        first = rows[0].split() if rows else []
        return len(first) >= 2 and first[1] == old

    def on_first_parent_lines(self, shas: Iterable[str], tips: Sequence[str]) -> set[str]:
        """Those of `shas` on the first-parent line of one of `tips` (commit ids): committed onto that branch
        itself. One `rev-list --first-parent` (git's own walk, which is what a landing walk in Python would
        otherwise do for each of them); an empty set when git cannot walk it."""
        wanted = {s for s in shas if is_sha(s)}
        heads = [t for t in dict.fromkeys(tips) if is_sha(t)]
        if not wanted or not heads:
            return set()
        targets = {s.encode("ascii") for s in wanted}
        found: set[bytes] = set()
        try:
            with self._process(["rev-list", "--first-parent", "--stdin"], "".join(f"{t}\n" for t in heads).encode(),
                               "rev-list", "") as (out, _):
                # Read in blocks and matched as sets (a line at a time in Python was most of the cost).
                rest = b""
                while block := out.read(1 << 20):
                    ids = (rest + block).split(b"\n")
                    rest = ids.pop()
                    found.update(targets.intersection(ids))
                found.update(targets.intersection(rest.split()))
        except (GitError, OSError):
            return set()
        return {sha.decode("ascii") for sha in found}

    def merge_adds_nothing(self, sha: str) -> bool:
        """Whether the two-parent merge `sha` records exactly the tree git's own merge of its parents gives
        (`merged_tree`): an "evil merge", with changes of its own, does not; nor does a conflicted merge, an
        octopus or a commit that is not a merge."""
        if not is_sha(sha):
            return False
        try:
            parents = self.parents([sha]).get(sha, ())
        except GitError:
            return False  # not here: it cannot be shown to add nothing
        if len(parents) != 2:
            return False
        recorded = self.tree_id(sha)
        return recorded is not None and self.merged_tree(parents[0], parents[1]) == recorded

    def squashes(self, sha: str, head: str) -> bool:
        """Whether the one-parent commit `sha` is a squash of `head` onto its parent: its tree is git's merge of
        the two (`merged_tree`), as GitHub's squash merge writes it — the change `head` brings, nothing else."""
        if not (is_sha(sha) and is_sha(head)):
            return False
        try:
            parents = self.parents([sha]).get(sha, ())
        except GitError:
            return False
        if len(parents) != 1 or self.resolve_commit(head) != head:
            return False
        recorded = self.tree_id(sha)
        return recorded is not None and self.merged_tree(parents[0], head) == recorded

    def tree_id(self, sha: str) -> str | None:
        """The tree of commit `sha`, or None."""
        _check_rev_token(sha)
        tree = self._run("rev-parse", "--verify", "--quiet", f"{sha}^{{tree}}", check=False)
        recorded = tree.stdout.decode("ascii", "replace").strip()
        return recorded if tree.returncode == 0 and is_sha(recorded) else None

    def merged_tree(self, ours: str, theirs: str) -> str | None:
        """The tree git's own merge of two commits gives (`merge-tree --write-tree`, rename detection on as GitHub
        merges); None when it conflicts or git cannot merge them.

        merge-tree writes the merged blobs and trees into the object store (nothing else: no ref, index or
        work tree moves). It runs without work-tree attributes (no pushed merge driver or conversion)."""
        _check_rev_token(ours)
        _check_rev_token(theirs)
        try:
            with self._process(["-c", "merge.renames=true", "merge-tree", "--write-tree", "--no-messages",
                                ours, theirs], None, "merge-tree",
                               "fetch the full history (actions/checkout with fetch-depth: 0)",
                               attr_free=True) as (out, _):
                merged = out.read().decode("ascii", "replace").split("\n", 1)[0].strip()
        except GitError:
            return None  # conflicts (exit 1) or missing objects
        return merged if is_sha(merged) else None

    def resolve_commit(self, rev: str) -> str | None:
        """The commit `rev` (an id) peels to, or None."""
        _check_rev_token(rev)
        proc = self._run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        sha = proc.stdout.decode("ascii", "replace").strip()
        return sha if proc.returncode == 0 and is_sha(sha) else None

    def _parent_graph(self, tips: Sequence[str]) -> _Graph | None:
        """The history of `tips` from one streamed `rev-list --parents`, held as numbers (each commit id once,
        each parent link one machine integer: a few thousand octopus merges with thousands of parents each
        pack into a few hundred KiB, and held as lists of id strings they took gigabytes). None when git
        cannot walk it, or the walk runs past its deadline."""
        for tip in tips:
            _check_rev_token(tip)
        deadline = time.monotonic() + max(self.timeout, 600)
        index: dict[bytes, int] = {}
        names: list[bytes] = []
        start = array("q")  # commit number -> where its parents begin in `links`, -1 until its row is read
        count = array("l")  # commit number -> how many parents
        links = array("l")

        def number(sha: bytes) -> int:
            at = index.get(sha)
            if at is None:
                at = index[sha] = len(names)
                names.append(sha)
                start.append(-1)
                count.append(0)
            return at

        try:
            with self._process(["rev-list", "--parents", "--stdin"], "".join(f"{t}\n" for t in tips).encode(),
                               "rev-list", "") as (out, _):
                for row in out:
                    ids = row.split()
                    if not ids:
                        continue
                    me = number(ids[0])
                    start[me] = len(links)
                    count[me] = len(ids) - 1
                    links.extend(number(p) for p in ids[1:])
                    if time.monotonic() > deadline:
                        return None
        except (GitError, OSError):
            return None
        return index, names, start, count, links

    def new_commit_ids(self, update: RefUpdate, *, pushed: bool) -> list[str]:
        """The commits a ref update brings: `pushed` means pre-receive (exclude every existing ref)."""
        if update.kind is RefKind.DELETE or is_zero(update.new):
            return []
        if pushed:
            return self.rev_list([update.new], exclude_all=True)
        if is_zero(update.old):
            return self.rev_list([update.new], exclude_all=True)
        return self.rev_list([update.new], [update.old])

    def parents(self, shas: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Parent ids of each commit, from one `rev-list --no-walk --parents --stdin` process."""
        shas = list(dict.fromkeys(shas))
        if not shas:
            return {}
        for sha in shas:
            _check_rev_token(sha)
        out = self._out("rev-list", "--no-walk=unsorted", "--parents", "--stdin",
                       input="".join(f"{s}\n" for s in shas).encode())
        result: dict[str, tuple[str, ...]] = {}
        for line in out.splitlines():
            ids = line.split()
            if ids and is_sha(ids[0]):
                result[ids[0]] = tuple(ids[1:])
        return result

    def path_changes(self, shas: Iterable[str], path: str) -> list[tuple[str, str, str]]:
        """(commit, old blob, new blob) for each of `shas` whose diff against its first parent changes `path`
        (one `git log --no-walk`; zeros for a side that does not exist)."""
        wanted = "".join(f"{sha}\n" for sha in shas if is_sha(sha))
        if not wanted:
            return []
        proc = self._run("log", "--no-walk=unsorted", "--stdin", "--format=%x00%H", "--raw", "-z", "--no-abbrev",
                        "--no-renames", "--first-parent", "--", path, input=wanted.encode())
        found: list[tuple[str, str, str]] = []
        current: str | None = None
        tokens = proc.stdout.decode("utf-8", "replace").split("\x00")
        for index, token in enumerate(tokens):
            token = token.strip("\n")
            if is_sha(token):
                current = token
            elif token.startswith(":") and current is not None and index + 1 < len(tokens):
                fields = token[1:].split()
                if len(fields) == 5 and tokens[index + 1] == path:
                    found.append((current, fields[2], fields[3]))
        return found


def _parse_log_stream(stream: object, argv: list[str]) -> Iterator[Commit]:
    # One incremental UTF-8 decode per 64 KiB chunk (a character split across chunks is kept for the
    # next one) instead of nine bytes.decode() calls per commit.
    # (A field still being read is kept as pieces and each chunk searched once: a message of many megabytes costs
    # its length, not its length squared, as in _raw_batches.)
    read = stream.read  # type: ignore[attr-defined]
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pieces: list[str] = []
    buffer = ""
    fields: list[str] = []
    n = len(_LOG_FIELDS)
    people: dict[tuple[str, str], Person] = {}
    names: dict[str, str] = {}
    while True:
        chunk = read(1 << 16)
        text = decoder.decode(chunk, final=not chunk)
        if chunk and "\x00" not in text:
            pieces.append(text)
            continue
        pieces.append(text)
        buffer = "".join(pieces)
        pieces = []
        parts = buffer.split("\x00")
        buffer = parts.pop() if chunk else ""
        if buffer:
            pieces.append(buffer)
        if not chunk and parts == [""]:
            parts = []
        for part in parts:
            fields.append(part)
            if len(fields) == n:
                yield _commit_from_fields(fields, argv, people, names)
                fields = []
        if not chunk:
            break
    if buffer:
        fields.append(buffer)
    if len(fields) == n:
        yield _commit_from_fields(fields, argv, people, names)
    elif fields and any(fields):
        raise GitError("could not parse git log output (truncated record)", "check the repository with `git fsck`",
                       argv=tuple(argv))


def _range_input(include: Sequence[str], exclude: Sequence[str]) -> bytes:
    """`--stdin` input naming the commits of `include ^exclude`, each a revision token checked first."""
    for rev in (*include, *exclude):
        _check_rev_token(rev)
    return ("".join(f"{r}\n" for r in include) + "".join(f"^{r}\n" for r in exclude)).encode()


_ISO_DAY = lazy(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})(?![0-9])")


def _check_since(since: str | None) -> None:
    if since is not None and (not since.strip() or since.startswith("-") or any(ord(c) < 32 for c in since)):
        raise GitError(f"invalid date {since!r}", "pass a date such as 2026-01-31 or '6 months ago'")


def _raw_batches(stream: object) -> Iterator[list[bytes]]:
    """Records of `git log -z --pretty=raw` (headers as git stores them, the message indented by four
    spaces), a read's worth at a time."""
    read = stream.read  # type: ignore[attr-defined]
    # The pieces of the record still being read: each read is searched once, so a record of many megabytes costs
    # its length, not its length squared (joining and splitting all of it on every read took 14 s for one commit
    # with a 50 MB message).
    pieces: list[bytes] = []
    while True:
        chunk = read(1 << 16)
        if not chunk:
            pending = b"".join(pieces)
            if pending.strip():
                yield [pending]
            return
        if b"\x00" not in chunk:
            pieces.append(chunk)
            continue
        records = chunk.split(b"\x00")
        if pieces:
            pieces.append(records[0])
            records[0] = b"".join(pieces)
            pieces = []
        last = records.pop()
        if last:
            pieces.append(last)
        if records:
            yield records


def _touching_batches(stream: object, found: set[str]) -> Iterator[list[bytes]]:
    """_raw_batches of a walk with `--name-only -- PATH`: a commit that changes the path has its names after its
    message (the first after a blank line, in the record; the others as tokens of their own), then an empty
    token (`-z` ends the list with a second NUL). Those names are cut off the record and its id goes to `found`.
    The last record of a read waits for the next: the end of its names may not have arrived yet."""
    held: bytes | None = None
    touched = False
    for tokens in _raw_batches(stream):
        out: list[bytes] = []
        for token in tokens:
            if token.startswith((b"commit ", b"\ncommit ")):
                if held is not None:
                    out.append(_names_cut(held, found) if touched else held)
                held, touched = token, False
            elif held is not None:
                touched = True  # a name, or the empty token that ends a list of them
            elif token.strip():
                raise GitError(f"could not parse git log output near {token[:30]!r}",
                               "check the repository with `git fsck`")
        if out:
            yield out
    if held is not None:
        # The last record's names end the output with one NUL, not two: looked for in the record itself.
        yield [_names_cut(held, found)]


def _names_cut(record: bytes, found: set[str]) -> bytes:
    """A record without the names `--name-only` put after its message; its commit id added to `found` when it had
    any. git indents every line of a message (a blank one too) by four spaces, so the names begin at the first
    line after the headers that is not indented (after the blank line that separates them)."""
    raw = record.lstrip(b"\n")
    at = raw.find(b"\n\n")
    if at < 0:
        return record
    at += 2
    message = at
    while raw.startswith(b"    ", at):
        end = raw.find(b"\n", at)
        if end < 0:
            return record
        at = end + 1
    if at >= len(raw):
        return record  # nothing after the message: no names
    first = raw.find(b"\n")
    found.add(raw[7:first].decode("ascii", "replace"))
    # With no message git's record is the headers and one newline: the blank line found was the names' (red73).
    return raw[: at - 1] if at == message else raw[:at]


def commit_from_parts(parts: RawParts) -> Commit:
    sha, parents, author, author_time, committer, commit_time, message, _signed = parts
    return Commit(sha=sha, parents=parents, author=author, committer=committer, author_time=author_time,
                  commit_time=commit_time, message=message, trailers=parse_trailers(message))


def raw_parts(raw: bytes, people: dict[bytes, Person]) -> RawParts:
    """One record of `iter_raw_records` parsed; `people` shares one Person per identity across records."""
    # Header fields are found with find() rather than by splitting every line (a signature adds a dozen
    # armor lines to most forge-made commits), all in this one function: it runs once per commit of a whole
    # history, and function calls are a good part of its cost.
    if raw[:1] == b"\n":
        raw = raw.lstrip(b"\n")
    cut = raw.find(b"\n\n")
    if cut < 0:
        head, body = raw, b""
    else:
        head, body = raw[:cut], raw[cut + 2 :]
    # Object ids run to the end of their line: 40 hex digits, or 64 in a SHA-256 repository.
    first = head.find(b"\n")
    sha = head[7 : first if first >= 0 else len(head)].decode("ascii", "replace")
    if not head.startswith(b"commit ") or not is_sha(sha):
        raise GitError(f"could not parse git log output near {head[:30]!r}", "check the repository with `git fsck`")
    # Parents are the `parent` lines right after `tree`, as git reads them: a `parent` header placed later
    # (fsck --strict lets it pass) is no parent, and must not make a commit look like a merge.
    at = head.find(b"\n", first + 1) if first >= 0 else -1
    found: list[str] = []
    while at >= 0 and head.startswith(b"\nparent ", at):
        end = head.find(b"\n", at + 8)
        found.append(head[at + 8 : end if end >= 0 else len(head)].decode("ascii", "replace"))
        at = end
    parents: tuple[str, ...] = tuple(found)
    who: list[Person] = []
    when: list[int] = []
    for key in (b"\nauthor ", b"\ncommitter "):
        # The last such header, as git reads a commit (%an, %cn, and so the gate): a second `committer` line after
        # the first passes `git fsck --strict` (red71: an agent's address hidden behind a person's).
        at = head.rfind(key)
        if at < 0:
            who.append(_NOBODY)
            when.append(0)
            continue
        end = head.find(b"\n", at + 1)
        value = head[at + len(key) : end if end >= 0 else len(head)]
        close = value.rfind(b">")
        ident = value[: close + 1]
        stamp = (value[close + 1 :].split() or [b""])[0]  # (git skips any whitespace before the date: red81)
        when.append(int(stamp) if stamp.isdigit() else 0)
        person = people.get(ident)
        if person is None:
            person = person_of(ident)
            if len(people) < 100_000:
                people[ident] = person
        who.append(person)
    # The message is indented by four spaces; removed before decoding (both are ASCII, so the same text).
    message = (b"\n" + body).replace(b"\n    ", b"\n")[1:].decode("utf-8", "replace") if body else ""
    return (sha, parents, who[0], when[0], who[1], when[1], message, b"\ngpgsig" in head)


_NOBODY = Person("", "")


def declares_encoding(raw: bytes) -> bool:
    """Whether a record of iter_raw_records (read as stored) carries an `encoding` header: its identities and
    message are then not UTF-8 as stored, and only git decodes them as the gate reads them (`%an`, `%B`, with
    iconv and git's own rules for which header counts and what an unknown name means) — Git.with_git_text."""
    cut = raw.find(b"\n\n", 1)
    return b"\nencoding " in (raw if cut < 0 else raw[:cut])


def stored_object(raw: bytes) -> bytes:
    """The commit object a record of iter_raw_records was printed from, as far as the record shows it: the headers
    as stored (without git's `commit <id>` line) and the message with git's four-space indent taken off each line.
    (git prints a message only up to a NUL byte, so one holding a NUL comes back cut there, and without its trailing
    blank lines.)"""
    raw = raw.lstrip(b"\n")
    first = raw.find(b"\n")
    raw = raw[first + 1 :] if first >= 0 else b""
    cut = raw.find(b"\n\n")
    if cut < 0:
        return raw
    lines = raw[cut + 2 :].split(b"\n")
    return raw[: cut + 2] + b"\n".join(line[4:] if line.startswith(b"    ") else line for line in lines)


def person_of(ident: bytes) -> Person:
    """`Name <email>` as a raw header holds it (the time already cut off), read as git reads it (ident.c
    split_ident_line, so `%an %ae` and the gate): the e-mail from the first `<` to the first `>` after it
    (red79: `Dev <noreply@anthropic.com> <dev@corp.example>` is the agent's address to git, and was the
    person's to the audit)."""
    start = ident.find(b"<")
    end = ident.find(b">", start + 1) if start >= 0 else -1
    if end < 0:
        return _NOBODY  # git reads no name and no e-mail from it either
    return Person(ident[:start].strip().decode("utf-8", "replace"), ident[start + 1 : end].decode("utf-8", "replace"))


def _person(people: dict[tuple[str, str], Person], name: str, email: str) -> Person:
    # The same few authors recur across thousands of commits: share one immutable Person each.
    key = (name, email)
    found = people.get(key)
    if found is None:
        found = people[key] = Person(name, email)
    return found


def _commit_from_fields(text: list[str], argv: list[str], people: dict[tuple[str, str], Person],
                        names: dict[str, str]) -> Commit:
    sha = text[0].lstrip("\n")
    if not is_sha(sha):
        raise GitError(f"could not parse git log output near {sha[:20]!r}",
                       "a commit message may contain NUL bytes; inspect it with `git cat-file -p`",
                       argv=tuple(argv))
    message = text[8]
    parents = text[1].split()
    if len(parents) > 2:
        # An octopus's parent ids, shared: a few hundred merges naming the same thousands of parents (a
        # small pack) would otherwise be held as a string per link, hundreds of megabytes of them.
        parents = [names.setdefault(p, p) for p in parents]
    return Commit(
        sha=sha,
        parents=tuple(parents),
        author=_person(people, text[2], text[3]),
        committer=_person(people, text[5], text[6]),
        author_time=_int(text[4]),
        commit_time=_int(text[7]),
        message=message,
        trailers=parse_trailers(message),
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0
