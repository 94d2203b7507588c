"""What commits change: `diff-tree --raw -z` file lists and -U0 patches, streamed. Patches run
attribute-free (see Runner._attr_free) so no `.gitattributes` can turn lines into "Binary files differ"."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence

from gatekeeper.errors import GitError
from gatekeeper.git._runner import _check_rev_token
from gatekeeper.git.objects import Objects
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import ZERO_SHA, FileChange, FileStatus, display_path, is_sha, is_zero

# Patch output whose shape does not depend on repository config: no colour, no external diff or
# textconv drivers (which would run programs), fixed prefixes, no renames, no context lines, paths
# from the top of the repository whatever `diff.relative` says.
_PATCH_OPTIONS = ("-p", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
                  "--src-prefix=a/", "--dst-prefix=b/", "--full-index", "--no-relative")

# A merge's combined diff costs git one tree comparison per parent, and a parent costs a pusher 41 bytes
# that delta-compress to almost nothing: a push of 300 merges naming the same 3,000 commits as parents
# (a small pack) held a scan for 20 s. A merge with more parents than this, and a range with more boundary
# commits, is compared with its first this-many parents (boundary commits) only. A line none of those has
# counts as added: a superset of what the full combined diff shows (a line only a later parent has shows
# too), so such a merge is scanned for more, never for less.
WIDE_MERGE_PARENTS = 16

_PACK_WINDOW = 32 << 20
_PACK_LIMIT = 256 << 20


class Diffs(Objects):
    """Questions about what commits and ranges change."""

    def changed_files(self, shas: Iterable[str]) -> dict[str, tuple[FileChange, ...]]:
        """Paths each commit changed with blob ids, from one `diff-tree --stdin -r -z` process.

        Non-merge commits are diffed against their parent (root commits against the empty tree);
        merges use the combined diff (`-c`), i.e. only paths that differ from every parent, which is
        where a merge itself introduces content (conflict resolutions, evil merges); a merge with more
        than WIDE_MERGE_PARENTS parents, against its first WIDE_MERGE_PARENTS.
        """
        shas = list(dict.fromkeys(shas))
        if not shas:
            return {}
        stdin = self._diff_input(shas)
        raw = self._run("diff-tree", "--stdin", "-r", "-z", "--root", "-c", "--no-renames", "--no-ext-diff",
                       "--raw", input=stdin).stdout
        return _parse_diff_tree(raw, shas)

    def changed_files_each_parent(self, shas: Iterable[str], paths: Sequence[str]) -> dict[str, tuple[FileChange, ...]]:
        """Paths under `paths` (literal prefixes) that each commit changed against ANY of its parents.

        Unlike `changed_files` (the combined diff of a merge hides a path that matches one parent), a
        merge is diffed against every parent (`-m`): a merge that takes an old version of a file from
        one side shows up (a merge with more than WIDE_MERGE_PARENTS parents: its first WIDE_MERGE_PARENTS).
        Each entry's `new_blob`/`new_mode` is the commit's own version. One process.
        """
        shas = list(dict.fromkeys(shas))
        if not shas or not paths:
            return {s: () for s in shas}
        stdin = self._diff_input(shas)
        raw = self._run("diff-tree", "--stdin", "-r", "-z", "--root", "-m", "--no-renames", "--no-ext-diff", "--raw",
                       "--", *(f":(literal){p}" for p in paths), input=stdin).stdout
        return _parse_diff_tree(raw, shas)

    def misread_entries(self, commits: Sequence[tuple[str, tuple[str, ...]]]) -> list[tuple[str, bytes, str]]:
        """(commit, raw path, "twice" | "unsorted" | "slash" | "empty") for each entry of a tree these commits bring
        that git reads two ways: a name the tree holds twice (fsck's `duplicateEntries`), one out of git's order
        (`treeNotSorted`), or one with a `/` inside (`fullPathname`); or an empty directory (read by nothing).
        No git command writes such a tree — `git mktree` keeps duplicates, `hash-object -t tree --literally` writes
        anything — and receive-pack stores it unless receive.fsckObjects is set. Every lookup by name (`rev:path`:
        which `.gitattributes` a path has) reads the first of two entries, and stops at the first name past the one
        it wants (so misses one listed too late), while a checkout writes every entry, the last of two (red160: a
        harmless `.gitattributes` first and `working-tree-encoding=IBM037` second, or one listed after `deploy/`,
        and a clone held the AWS key the scan never saw).

        `commits` are (id, parents). The trees they bring are those `rev-list --objects` reaches from them and not
        from their parents outside the set (blobs filtered out: one line a tree); one `cat-file --batch` reads
        them. Only a misread tree is placed (`_tree_places`), so the usual cost is two processes."""
        wanted = {c: parents for c, parents in commits if is_sha(c)}
        if not wanted:
            return []
        # (A wide merge's parents are many links to few commits: each distinct one is looked at once.)
        outside = [p for p in dict.fromkeys(p for parents in wanted.values() for p in parents) if p not in wanted]
        kinds = self.object_types(outside) if outside else {}  # (a shallow clone's boundary parents are absent)
        stdin = "".join(f"{c}\n" for c in wanted) + "".join(f"^{p}\n" for p in kinds if kinds[p] == "commit")
        # (`--missing=allow-any`: a partial clone's absent tree is neither fetched nor an error here; the scan's own
        # missing-object findings name it, and no checkout can write what is not there.)
        listed = self._out("rev-list", "--objects", "--no-object-names", "--filter=blob:none", "--missing=allow-any",
                           "--stdin", input=stdin.encode())
        trees = [sha for sha in dict.fromkeys(listed.split()) if is_sha(sha) and sha not in wanted]
        misread: dict[str, list[tuple[bytes, str]]] = {}
        for tree, (kind, data) in self.read_objects(trees).items():
            if kind == "tree" and data is not None and (problems := _tree_problems(data, len(tree) // 2)):
                misread[tree] = problems  # (a missing tree: the scan's own missing-object findings name it)
        if not misread:
            return []
        places = self._tree_places([(c, parents[0] if parents else None) for c, parents in wanted.items()])
        return [(commit, directory + b"/" + name if directory else name, problem)
                for tree, problems in misread.items()
                for commit, directory in [places.get(tree, (next(iter(wanted)), b"(a directory)"))]
                for name, problem in problems]

    def misread_tree(self, tree: str) -> list[tuple[bytes, str]]:
        """(raw path, problem) for each entry git reads two ways in `tree` or any tree beneath it (as
        misread_entries, for a tree a ref names outside any commit: red161). One `rev-list --objects` names the
        trees, one `cat-file --batch` reads them."""
        if not is_sha(tree):
            return []
        listed = self._run("rev-list", "--objects", "--filter=blob:none", "--missing=allow-any", tree).stdout
        where: dict[str, bytes] = {}
        for line in listed.split(b"\n"):
            oid, _, path = line.partition(b" ")
            sha = oid.decode("ascii", "replace")
            if is_sha(sha):
                where.setdefault(sha, path)
        found: list[tuple[bytes, str]] = []
        for sha, (kind, data) in self.read_objects(where).items():
            if kind == "tree" and data is not None:
                directory = where[sha]
                found.extend((directory + b"/" + name if directory else name, problem)
                             for name, problem in _tree_problems(data, len(sha) // 2))
        return found

    def _tree_places(self, commits: Sequence[tuple[str, str | None]]) -> dict[str, tuple[str, bytes]]:
        """Tree id → (the first of `commits` that brings it, its directory): each commit's root tree, and each tree
        its diff against its first parent shows written (`diff-tree -r -t`; a tree equal to the first parent's is
        that parent's). Read only once a tree is misread: the diff lists every file too."""
        places: dict[str, tuple[str, bytes]] = {}
        roots = self._out("log", "--no-walk=unsorted", "--stdin", "--format=%H %T",
                          input="".join(f"{c}\n" for c, _ in commits).encode())
        for line in roots.splitlines():
            commit, _, tree = line.partition(" ")
            if is_sha(commit) and is_sha(tree):
                places.setdefault(tree, (commit, b""))
        stdin = "".join(f"{c} {p}\n" if p else f"{c}\n" for c, p in commits).encode()
        raw = self._run("diff-tree", "--stdin", "-r", "-t", "-z", "--root", "--no-renames", "--no-ext-diff", "--raw",
                        input=stdin).stdout
        for commit, tree, path in _changed_trees(raw):
            places.setdefault(tree, (commit, path))
        return places

    def merge_resolution(self, sha: str) -> tuple[str, ...]:
        """Display paths at which a two-parent merge's tree differs from git's own re-merge of its parents
        (`--remerge-diff`): what the merge's author chose beyond the automatic merge — conflict resolutions and
        changes of their own, and a side's version taken over the one the automatic merge keeps, which the
        combined diff (`changed_files`) cannot show as it equals one parent (red53). One process per merge: in
        one `git log` of several, git frees each shown commit's parents, and a later merge that descends from
        it is re-merged from a wrong base (red59: phantom conflicts, and a revert hidden). git re-merges in
        memory and keeps none of its temporary objects. GitError when git cannot re-merge it (an octopus,
        which git skips, red57; a failure; output this cannot read): the caller fails closed.

        Attribute-free, as the hook's bare repository is (red61): in a clone git's re-merge reads the work
        tree's `.gitattributes`, where `binary`, `-merge` or `merge=union` (even in a file a commit of the
        audited history added) made a merge that dropped a side's zone change look automatic to `check`, the
        Action and the audit, and a `merge=<driver>` ran a configured command on the pushed contents."""
        proc = self._run(*_remerge_args(sha, "--name-only", "-z"), check=False, attr_free=True)
        head, sep, rest = proc.stdout.partition(b"\x00")
        if proc.returncode != 0 or not sep or not _remerged(head, sha):
            raise _remerge_failed(sha)
        # The paths follow the header, the first after a newline; a path holds any byte but NUL.
        rest = rest[1:] if rest.startswith(b"\n") else rest
        return tuple(display_path(p) for p in rest.split(b"\x00") if p)

    def remerge_patch(self, sha: str, *, big_file_threshold: int) -> Iterator[bytes]:
        """Lines of the -U0 patch from git's own re-merge of a two-parent merge's parents to the merge: what
        `merge_resolution` names, with the lines (the same git question, one process per merge for the same
        reason). A path git could not merge cleanly gets a `remerge CONFLICT (...)` line among its patch's
        headers: its re-merged version holds both sides between conflict markers, so a side's line the merge
        kept there is no `+` line of this patch (added_lines.merge_additions reads such a path otherwise).
        GitError when git cannot re-merge it (an octopus, a failure, output this cannot read)."""
        lines = self._stream(["-c", f"core.bigFileThreshold={max(big_file_threshold, 1)}",
                              *_remerge_args(sha, "-p", *_PATCH_OPTIONS), *self._pathspec()[1:]], None, "log",
                             attr_free=True)
        if not _remerged(next(lines, b"").rstrip(b"\n"), sha):
            close = getattr(lines, "close", None)
            if close is not None:
                close()
            raise _remerge_failed(sha)
        return lines

    def changed_paths_between(self, old: str, new: str, paths: Sequence[str]) -> list[str]:
        """Display paths under `paths` (literal) whose content differs between two revisions."""
        _check_rev_token(old)
        _check_rev_token(new)
        if not paths:
            return []
        proc = self._run("diff-tree", "-r", "-z", "--name-only", "--no-renames", old, new, "--",
                        *(f":(literal){p}" for p in paths), check=False)
        if proc.returncode != 0:
            raise GitError(f"could not compare {old[:12]} and {new[:12]}", "check the repository with `git fsck`")
        return [display_path(p) for p in proc.stdout.split(b"\x00") if p]

    def commit_patches(self, shas: Sequence[str], *, big_file_threshold: int,
                       memory: int | None = None) -> Iterator[bytes]:
        """Lines of each commit's own patch (-U0), streamed from one `diff-tree --stdin` process.

        Each commit's output starts with a line holding its id. Non-merges are diffed against their
        parent (root commits against the empty tree); merges get the dense combined diff (`--cc`), one
        `+`/`-`/space column per parent (beyond WIDE_MERGE_PARENTS parents: for the first
        WIDE_MERGE_PARENTS). Files over `big_file_threshold` bytes are shown by git as binary
        (core.bigFileThreshold), so a huge blob never streams through here.

        git's combined diff of a merge can cost memory quadratic in a file's lines (a lock file of 68,000 lines
        in both parents, 7,000 in the merge, took git 24 GB in a real history): `memory` caps git's address space
        (GitError, `out_of_memory`, past it), and the scanners then read what is left one parent at a time
        (added_lines.iter_commit_additions, pair_patches).
        """
        shas = list(dict.fromkeys(shas))
        if not shas:
            return iter(())
        stdin = self._diff_input(shas)
        # Under a memory cap, git maps packs in small windows (its defaults, 1 GiB windows up to 8 GiB, would use a
        # large repository's address space for mapping alone and fail a diff that needs little).
        windows = [] if memory is None else ["-c", f"core.packedGitWindowSize={_PACK_WINDOW}",
                                             "-c", f"core.packedGitLimit={_PACK_LIMIT}"]
        return self._stream([*windows, "-c", f"core.bigFileThreshold={max(big_file_threshold, 1)}", "diff-tree",
                             "--stdin", "-r", "--root", "--cc", *_PATCH_OPTIONS, *self._pathspec()], stdin,
                            "diff-tree", attr_free=True, memory=memory)

    def merge_parents(self, shas: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The merges among `shas`, each with the parents a diff of it compares (all of them; beyond
        WIDE_MERGE_PARENTS, the first ones `_diff_input` names too), from one `rev-list --no-walk --parents`
        process, a line at a time (a wide merge's thousands of parent ids are split no further than needed)."""
        for sha in shas:
            _check_rev_token(sha)
        if not shas:
            return {}
        found: dict[str, tuple[str, ...]] = {}
        for line in self._stream(["rev-list", "--no-walk=unsorted", "--parents", "--stdin"],
                                 "".join(f"{s}\n" for s in shas).encode(), "rev-list"):
            spaces = line.count(b" ")
            if spaces < 2:
                continue
            keep = _parents_per_line(line.find(b" ")) if spaces > WIDE_MERGE_PARENTS else spaces
            ids = line.rstrip(b"\n").split(b" ", keep + 1)[: keep + 1]
            found[ids[0].decode("ascii", "replace")] = tuple(i.decode("ascii", "replace") for i in ids[1:])
        return found

    def pair_patches(self, pairs: Sequence[tuple[str, str | None]], *, big_file_threshold: int,
                     paths: Sequence[bytes] | None = None) -> Iterator[bytes]:
        """Lines of the -U0 patch of each (commit, parent) pair, from one `diff-tree --stdin` process, in order: a
        pair with no parent is the commit against its own parent (root commits: the empty tree), one with a parent
        is the commit against that parent alone (how a merge is read, one parent at a time). Each pair's output
        starts with a line holding the commit's id, also when the pair differs in nothing (`--always`), so the
        reader knows which pair each patch belongs to. `paths`: only these (literal, from the top), for every pair."""
        for sha, parent in pairs:
            _check_rev_token(sha)
            if parent is not None:
                _check_rev_token(parent)
        if not pairs:
            return iter(())
        stdin = "".join(f"{sha}\n" if parent is None else f"{sha} {parent}\n" for sha, parent in pairs).encode()
        spec = self._pathspec() if paths is None else [
            "--", *(f":(top,literal){os.fsdecode(p)}" for p in paths), *self._pathspec()[2:]]
        return self._stream(["-c", f"core.bigFileThreshold={max(big_file_threshold, 1)}", "diff-tree", "--stdin",
                             "--always", "-r", "--root", *_PATCH_OPTIONS, *spec], stdin, "diff-tree",
                            attr_free=True)

    def range_patch(self, bases: Sequence[str], head: str, *, big_file_threshold: int) -> Iterator[bytes]:
        """Lines of the net patch (-U0) from the range's boundary commit to its head: against the empty tree with
        no boundary (every line at head is new), else `git diff base head`. (With several boundary commits the
        lines none of them has are read one boundary at a time, as a merge's are: added_lines.range_additions —
        a combined diff's memory is quadratic in a file's lines.)"""
        if len(bases) > 1:
            raise ValueError("range_patch compares head with one boundary commit at most")
        for rev in (*bases, head):
            _check_rev_token(rev)
        threshold = ["-c", f"core.bigFileThreshold={max(big_file_threshold, 1)}"]
        args = ["diff", *_PATCH_OPTIONS, bases[0] if bases else self.empty_tree(), head]
        return self._stream([*threshold, *args, *self._pathspec()], None, "diff", attr_free=True)

    def range_files(self, bases: Sequence[str], head: str) -> tuple[FileChange, ...]:
        """Paths whose content at `head` differs from the boundary commit(s), with head's blob and mode
        (combined with several boundaries: only paths that differ from every one of them; beyond
        WIDE_MERGE_PARENTS of them, from every one of the first WIDE_MERGE_PARENTS)."""
        bases = bases[:WIDE_MERGE_PARENTS]
        for rev in (*bases, head):
            _check_rev_token(rev)
        common = ["diff", "--raw", "-z", "-r", "--no-renames", "--no-abbrev", "--no-ext-diff", "--no-textconv",
                  "--no-relative"]
        if not bases:
            args = [*common, self.empty_tree(), head]
        elif len(bases) == 1:
            args = [*common, bases[0], head]
        else:
            args = [*common, "-c", head, *bases]
        raw = self._run(*args, *self._pathspec()).stdout
        return _parse_diff_tree(head.encode() + b"\x00" + raw, [head]).get(head, ())

    def renames(self, old: str, new: str) -> dict[bytes, bytes]:
        """Paths of `old` that git's rename and copy detection (`-M -C`, its default 50 % similarity) finds at
        another path in `new`: old raw path -> new raw path (one per old path)."""
        for rev in (old, new):
            _check_rev_token(rev)
        raw = self._run("diff", "--raw", "-z", "-r", "-M", "-C", "--no-abbrev", "--no-ext-diff", "--no-textconv",
                        "--no-relative", old, new, *self._pathspec(), attr_free=True).stdout
        tokens = raw.split(b"\x00")
        found: dict[bytes, bytes] = {}
        i = 0
        while i < len(tokens):
            token = tokens[i]
            i += 1
            if not token.startswith(b":"):
                continue
            status = token.split()[-1] if token.split() else b""
            if status[:1] in (b"R", b"C"):  # two paths follow
                if i + 1 < len(tokens):
                    found.setdefault(tokens[i], tokens[i + 1])
                i += 2
            else:
                i += 1
        return found

    def moved_additions(self, base: str, head: str, old: bytes, new: bytes) -> tuple[int, ...] | None:
        """The line numbers of `new` at `head` that differ from `old` at `base`, when git's rename detection
        pairs the two (a file the range moved: its added lines are what the range changed, not all of it);
        None when it does not (then every line of `new` is new). Attribute-free (red61): in a clone, or the
        Action's checkout of a pull request, a `.gitattributes` saying `-diff` turned the patch into "Binary
        files differ", read as a move that added nothing."""
        for rev in (base, head):
            _check_rev_token(rev)
        proc = self._run("diff", "-M", "-U0", "--no-ext-diff", "--no-textconv", "--no-color", "--no-relative",
                         base, head, "--", f":(top,literal){os.fsdecode(old)}", f":(top,literal){os.fsdecode(new)}",
                         check=False, attr_free=True)
        if proc.returncode != 0 or b"\nrename from " not in proc.stdout:
            return None
        lines: list[int] = []
        for line in proc.stdout.split(b"\n"):
            hunk = _HUNK.match(line) if line.startswith(b"@@ ") else None
            if hunk is not None:
                start, count = int(hunk.group(1)), int(hunk.group(2) or b"1")
                lines.extend(range(start, start + count))
        return tuple(lines)

    def _diff_input(self, shas: Sequence[str]) -> bytes:
        """`diff-tree --stdin` input for `shas`: each id alone (git diffs it against its own parents), but a
        wide merge as `<id> <parent 1> ... <parent WIDE_MERGE_PARENTS>`, which git diffs against those only.
        The parents come from one `rev-list --no-walk --parents` process, read a line at a time and each
        line split no further than that: a wide merge's thousands of parent ids are what this guards
        against (a thousand merges of 3,000 parents print 120 MB)."""
        for sha in shas:
            _check_rev_token(sha)
        first: dict[str, str] = {}
        for line in self._stream(["rev-list", "--no-walk=unsorted", "--parents", "--stdin"],
                                 "".join(f"{s}\n" for s in shas).encode(), "rev-list"):
            if line.count(b" ") > WIDE_MERGE_PARENTS:
                keep = _parents_per_line(line.find(b" "))
                ids = line.split(b" ", keep + 1)[: keep + 1]
                first[ids[0].decode("ascii", "replace")] = b" ".join(ids).decode("ascii", "replace")
        lines = [first.get(s, s) for s in shas]
        if any(len(text) + 1 >= _STDIN_LINE for text in lines):  # the newline is read into the buffer too
            raise GitError("a diff-tree input line is too long for git to read whole",
                           "report this: it would have left a commit unscanned")
        return "".join(f"{text}\n" for text in lines).encode()


def _remerge_args(sha: str, *options: str) -> list[str]:
    """`git log` of one merge against git's own re-merge of its parents, headed `\\x01<id> <parent> <parent>`."""
    _check_rev_token(sha)
    return ["log", "-1", "--no-walk", "--remerge-diff", *options, "--no-renames", "--no-ext-diff", "--no-textconv",
            "--format=%x01%H %P", sha, "--"]


def _remerged(head: bytes, sha: str) -> bool:
    """Whether git's output starts with the header of `sha` as a two-parent merge (anything else: not re-merged)."""
    fields = head.decode("ascii", "replace").split()
    return fields[:1] == ["\x01" + sha] and len(fields) == 3


def _remerge_failed(sha: str) -> GitError:
    return GitError(f"git could not re-merge the parents of merge {sha[:12]} to see how it was resolved",
                    "check the repository with `git fsck`")


# git (2.39 at least) reads `diff-tree --stdin` lines into a 1,000-byte buffer: a longer line is cut in two,
# the first piece dropped without a word and the commit left undiffed. 17 SHA-256 ids make 1,105 bytes.
_STDIN_LINE = 1000


def _parents_per_line(id_length: int) -> int:
    """How many of a wide merge's parents fit on one `diff-tree --stdin` line beside its id: WIDE_MERGE_PARENTS
    for SHA-1 ids, 14 for SHA-256 ones (still a superset of the full combined diff's lines)."""
    return max(1, min(WIDE_MERGE_PARENTS, (_STDIN_LINE - 2 - id_length) // (id_length + 1)))


_STATUS = {"A": FileStatus.ADDED, "M": FileStatus.MODIFIED, "D": FileStatus.DELETED, "T": FileStatus.TYPE_CHANGED}


# A `diff-tree --raw -z` record (`:<mode> <mode> <id> <id> <status>\0<path>\0`) or a commit's id heading its records.
_RAW_RECORD = lazy(rb":[0-7]+ ([0-7]+) [0-9a-f]+ ([0-9a-f]+) [A-Z][0-9]*\x00([^\x00]*)\x00|([0-9a-f]+)\x00")
# A tree object's entries, `<mode> <name>\0<id>`, as git's tree reader takes them (the id: 20 or 32 raw bytes); the
# parse is unique (a name ends at its first NUL), so a tree the whole pattern matches has exactly the entries found.
_TREE_ENTRY = {size: re.compile(rb"([0-7]+) ([^\x00]*)\x00.{%d}" % size, re.DOTALL) for size in (20, 32)}
_TREE_WHOLE = {size: re.compile(rb"(?:[0-7]+ [^\x00]*\x00.{%d})*" % size, re.DOTALL) for size in (20, 32)}
_FILE_MODES = frozenset({b"100644", b"100755", b"120000", b"160000"})  # git's own; any other is read by its bits
# The empty tree's id (SHA-1, SHA-256), as a tree object holds it.
_EMPTY_TREE = {20: bytes.fromhex("4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
               32: bytes.fromhex("6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321")}


def _empty_directories(tree: bytes, id_bytes: int) -> list[bytes]:
    """Names of a raw tree's entries that are the empty tree: an empty directory, which git never writes from an
    index (only a tree made by hand holds one). A checkout writes nothing there, so no patch shows the name, and
    nothing that reads patches reads it, while every clone fetches it in the tree (red163: a key as its name)."""
    empty = _EMPTY_TREE.get(id_bytes)
    if empty is None or empty not in tree:  # (one C-speed search: almost every tree stops here)
        return []
    names: list[bytes] = []
    at = 0
    while at < len(tree):
        space = tree.find(b" ", at)
        end = tree.find(b"\x00", space + 1) if space >= 0 else -1
        if end < 0:
            break
        if _is_directory(tree[at:space]) and tree[end + 1 : end + 1 + id_bytes] == empty:
            names.append(tree[space + 1 : end])
        at = end + 1 + id_bytes
    return names


def _changed_trees(raw: bytes) -> list[tuple[str, str, bytes]]:
    """(commit, tree id, raw path) of each tree that `diff-tree --stdin -r -t -z --raw` output shows written (not
    deleted). Records are read one after another, each whole (a path of 40 hex digits is no commit's heading)."""
    found: list[tuple[str, str, bytes]] = []
    commit = ""
    at = 0
    for match in _RAW_RECORD.finditer(raw):
        if match.start() != at:
            raise GitError("could not parse git diff-tree output", "check the repository with `git fsck`")
        at = match.end()
        if match.group(4) is not None:
            commit = match.group(4).decode("ascii")
        elif match.group(1) == b"040000" and commit and not is_zero(tree := match.group(2).decode("ascii")):
            found.append((commit, tree, match.group(3)))
    if at != len(raw.rstrip(b"\n")):
        raise GitError("could not parse git diff-tree output", "check the repository with `git fsck`")
    return found


def _tree_problems(tree: bytes, id_bytes: int) -> list[tuple[bytes, str]]:
    """(name, "twice" | "unsorted" | "slash" | "empty") for each entry of a raw tree object git reads two ways: a name
    held more than once (whatever the modes: git's fsck counts a file and a directory of one name too), one listed
    after a name git sorts later (a directory's name sorts as if it ended in `/`), or one holding a `/` (a checkout
    writes `deploy/.gitattributes` named so in the root tree as that path; a lookup by name looks inside `deploy`); and
    an empty directory, whose name no patch shows (_empty_directories). A tree the pattern does not read whole is read
    entry by entry."""
    entries: list[tuple[bytes, bytes]] = []
    if id_bytes in _TREE_ENTRY and _TREE_WHOLE[id_bytes].fullmatch(tree):
        entries = _TREE_ENTRY[id_bytes].findall(tree)
    else:
        at = 0
        while at < len(tree):
            space = tree.find(b" ", at)
            end = tree.find(b"\x00", space + 1) if space >= 0 else -1
            if end < 0:
                break  # a truncated tree: git cannot read past this either
            entries.append((tree[at:space], tree[space + 1 : end]))
            at = end + 1 + id_bytes
    keys = [name if mode in _FILE_MODES else name + b"/" if _is_directory(mode) else name for mode, name in entries]
    names = [name for _, name in entries]
    problems: dict[bytes, str] = dict.fromkeys(_empty_directories(tree, id_bytes), "empty")
    if len(set(names)) == len(names) and keys == sorted(keys) and not any(b"/" in name for name in names):
        return list(problems.items())
    seen: set[bytes] = set()
    for index, (key, name) in enumerate(zip(keys, names, strict=True)):
        if b"/" in name:
            problems.setdefault(name, "slash")
        elif name in seen:
            problems.setdefault(name, "twice")
        elif index and key < keys[index - 1]:
            problems.setdefault(name, "unsorted")
        seen.add(name)
    return list(problems.items())


def _is_directory(mode: bytes) -> bool:
    """Whether git reads a tree entry's mode as a directory's (its octal digits, any leading zeros)."""
    try:
        return int(mode, 8) & 0o170000 == 0o040000
    except ValueError:
        return False


def _parse_diff_tree(raw: bytes, shas: list[str]) -> dict[str, tuple[FileChange, ...]]:
    # Paths stay bytes until display_path: a lossy decode would let two names that differ only in
    # undecodable bytes (creds\xfe.txt, creds\xff.txt) share one key.
    result: dict[str, list[FileChange]] = {s: [] for s in shas}
    tokens = raw.split(b"\x00")
    current: str | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i].decode("ascii", "replace")
        i += 1
        if not token:
            continue
        if token.startswith(":"):
            if current is None or i >= len(tokens):
                break
            path = tokens[i]
            i += 1
            colons = len(token) - len(token.lstrip(":"))
            fields = token[colons:].split()
            # `colons` parents: modes (parents + 1), ids (parents + 1), status letters.
            parents = colons
            modes = fields[: parents + 1]
            ids = fields[parents + 1 : 2 * parents + 2]
            status_field = fields[2 * parents + 2] if len(fields) > 2 * parents + 2 else "X"
            letter = status_field[0] if parents == 1 else ("A" if set(status_field) == {"A"} else "M")
            if ids[-1] == ZERO_SHA or modes[-1] == "000000":
                letter = "D"
            result.setdefault(current, []).append(FileChange(
                path=display_path(path),
                status=_STATUS.get(letter, FileStatus.OTHER),
                old_blob=ids[0],
                new_blob=ids[-1],
                old_mode=modes[0],
                new_mode=modes[-1],
                raw_path=path,
            ))
        elif is_sha(token.strip()):
            current = token.strip()
    return {k: tuple(v) for k, v in result.items()}


_HUNK = lazy(rb"@@ -\S+ \+(\d+)(?:,(\d+))? @@")  # a -U0 hunk header: where the new side's lines start, how many
