"""Refs and repository settings: resolving revisions, branches and upstreams, ref listings with object
types, symbolic refs, config values, shallow/partial clones and the one fetch of exact commit ids."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.errors import GitError
from gatekeeper.git._runner import _first_line
from gatekeeper.git.objects import Objects
from gatekeeper.models import is_sha


def ref_name(raw: bytes) -> str:
    """A ref name git printed, as text: UTF-8, and each byte that is not (git takes any byte from 0x80 up) as a
    `\\xNN` escape. git refuses a backslash in ref names, so two names never read alike, and the text stays
    printable (red37: decoded with replacement, `release/\\xfe` and `release/\\xff` were one branch, and one of
    them dropped out of the audit's protected refs)."""
    return raw.decode("utf-8", "backslashreplace")


@dataclass(frozen=True, slots=True)
class RefTarget:
    """One ref and what it names: `type` of that object, `peeled` the type behind annotated tags."""

    name: str
    sha: str
    type: str
    peeled: str

    @property
    def reaches_commit(self) -> bool:
        return self.type == "commit" or (self.type == "tag" and self.peeled == "commit")


class Refs(Objects):
    """Questions about refs, revisions and the repository's settings."""

    def resolve(self, rev: str, what: str = "revision") -> str:
        """A revision as a full commit id; GitError naming the fix when it is unknown."""
        if not rev or rev.startswith("-") or any(ord(c) < 32 for c in rev):
            raise GitError(f"invalid {what} {rev!r}", "name a branch, tag or commit id")
        proc = self._run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        sha = proc.stdout.decode().strip()
        if proc.returncode != 0 or not is_sha(sha):
            fix = "check the name with `git rev-parse`"
            if self.info().shallow:
                fix = "this clone is shallow: fetch the history (`git fetch --unshallow`, or fetch-depth: 0)"
            raise GitError(f"unknown {what} {rev!r}", fix)
        return sha

    def try_resolve(self, rev: str) -> str | None:
        proc = self._run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and is_sha(sha) else None

    def try_resolve_object(self, ref: str) -> str | None:
        """The object a full ref name points at, whatever its type; None when the ref does not exist."""
        if not ref.startswith("refs/") or any(ord(c) <= 32 for c in ref):
            return None
        proc = self._run("rev-parse", "--verify", "--quiet", "--end-of-options", ref, check=False)
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and is_sha(sha) else None

    def current_branch(self) -> str | None:
        proc = self._run("symbolic-ref", "--quiet", "HEAD", check=False)
        return proc.stdout.decode().strip() or None if proc.returncode == 0 else None

    def upstream(self) -> str | None:
        """The full ref name of HEAD's upstream (e.g. refs/remotes/origin/main), if any."""
        proc = self._run("rev-parse", "--symbolic-full-name", "--verify", "--quiet", "@{upstream}", check=False)
        return proc.stdout.decode().strip() or None if proc.returncode == 0 else None

    def upstream_merge_ref(self) -> str | None:
        """The remote branch HEAD's upstream tracks, as the remote names it (refs/heads/main)."""
        branch = self.current_branch()
        if not branch or not branch.startswith("refs/heads/"):
            return None
        proc = self._run("config", "--get", f"branch.{branch[len('refs/heads/'):]}.merge", check=False)
        return proc.stdout.decode().strip() or None if proc.returncode == 0 else None

    def origin_head(self) -> str | None:
        """The remote-tracking ref `refs/remotes/origin/HEAD` names (origin's default branch, as cloned)."""
        return self.remote_head("origin")

    def remote_head(self, remote: str) -> str | None:
        """The remote-tracking ref `refs/remotes/<remote>/HEAD` names (the remote's default branch, as cloned);
        None when it names none."""
        if not remote or any(ord(c) <= 32 for c in remote):
            return None
        proc = self._run("symbolic-ref", "--quiet", f"refs/remotes/{remote}/HEAD", check=False)
        return proc.stdout.decode("utf-8", "replace").strip() or None if proc.returncode == 0 else None

    def default_branch(self) -> str | None:
        """The repository's default branch as a local or remote-tracking ref that exists."""
        head = self.origin_head()
        if head:
            return head
        for candidate in ("refs/heads/main", "refs/heads/master", "refs/remotes/origin/main",
                          "refs/remotes/origin/master"):
            if self.try_resolve(candidate):
                return candidate
        return None

    def ref_exists(self, ref: str) -> bool:
        return self._run("show-ref", "--verify", "--quiet", ref, check=False).returncode == 0

    def refs(self, *patterns: str) -> dict[str, str]:
        """Refs under any of `patterns` (all refs without one) → the object each names, in one `for-each-ref`."""
        args = ["for-each-ref", "--format=%(objectname) %(refname)", *(p for p in patterns if p)]
        result: dict[str, str] = {}
        # Split at git's newline only: str.splitlines() also breaks at U+2028, U+2029 and U+0085, which a ref
        # name may hold, and `refs/heads/main<U+2028>x` read as a second `refs/heads/main` took main's place
        # (red36). Names are read as ref_name reads them.
        for line in self._run(*args).stdout.split(b"\n"):
            sha, _, name = line.partition(b" ")
            if name:
                result[ref_name(name)] = sha.decode("ascii", "replace")
        return result

    def refs_containing(self, commit: str) -> dict[str, str]:
        """Refs whose history holds `commit` → the commit each names (`for-each-ref --contains`; an annotated
        tag's peeled commit, not the tag object)."""
        if not is_sha(commit):
            return {}
        out = self._run("for-each-ref", "--format=%(objectname) %(*objectname) %(refname)",
                        f"--contains={commit}").stdout
        result: dict[str, str] = {}
        for line in out.split(b"\n"):
            sha, _, rest = line.partition(b" ")
            peeled, _, name = rest.partition(b" ")
            if name:
                result[ref_name(name)] = (peeled or sha).decode("ascii", "replace")
        return result

    def ref_targets(self, keep: Callable[[str], bool] | None = None) -> list[RefTarget]:
        """Refs (those whose name `keep` accepts) with the type of the object each names and the type behind
        annotated tags. Names come from one `for-each-ref` that reads no object; types from one `cat-file
        --batch-check` for the kept refs only (a server with thousands of tags pays for the few it asks)."""
        out = self._run("for-each-ref", "--format=%(refname)%00%(objectname)%00").stdout
        kept: list[tuple[str, str]] = []
        for line in out.split(b"\n"):
            fields = line.split(b"\x00")
            if len(fields) < 2:
                continue
            name, sha = ref_name(fields[0]), fields[1].decode("ascii", "replace")
            if is_sha(sha) and (keep is None or keep(name)):
                kept.append((name, sha))
        if not kept:
            return []
        shas = list(dict.fromkeys(sha for _, sha in kept))
        types = self._out("cat-file", "--batch-check=%(objecttype)",
                         input="".join(f"{s}\n{s}^{{}}\n" for s in shas).encode()).splitlines()
        kinds: dict[str, tuple[str, str]] = {}
        for index, sha in enumerate(shas):
            pair = types[2 * index: 2 * index + 2]
            # "<input> missing" for an object git cannot read: neither a commit nor anything peelable.
            kind = pair[0] if pair and " " not in pair[0] else "missing"
            peeled = pair[1] if len(pair) > 1 and " " not in pair[1] else "missing"
            kinds[sha] = (kind, peeled if kind == "tag" else "")
        return [RefTarget(name, sha, *kinds[sha]) for name, sha in kept]

    def symref_targets(self, names: Sequence[str]) -> dict[str, str]:
        """For each of `names` that is a symbolic ref on this repository, the ref it finally names.

        One `for-each-ref` lists the symbolic refs that resolve; a name it does not list that does not
        exist as a ref yet (a symbolic ref to a branch not born) is asked with `symbolic-ref` alone.
        """
        out = self._run("for-each-ref", "--format=%(refname)%00%(symref)%00").stdout
        links: dict[str, str] = {}
        existing: set[str] = set()
        for line in out.split(b"\n"):
            fields = line.split(b"\x00")
            if len(fields) < 2 or not fields[0]:
                continue
            name = ref_name(fields[0])
            existing.add(name)
            if fields[1]:
                links[name] = ref_name(fields[1])
        result: dict[str, str] = {}
        for name in dict.fromkeys(names):
            target = name
            for _ in range(10):  # git itself gives up on chains deeper than 5
                if target not in links:
                    break
                target = links[target]
            if target == name and name not in existing and not name.startswith("refs/tags/"):
                proc = self._run("symbolic-ref", "--quiet", "--", name, check=False)
                resolved = ref_name(proc.stdout.rstrip(b"\n"))
                if proc.returncode == 0 and resolved.startswith("refs/"):
                    target = resolved
            if target != name:
                result[name] = target
        return result

    def config_get(self, key: str) -> str | None:
        proc = self._run("config", "--get", key, check=False)
        # (A value is whatever the clone's configuration holds, not always UTF-8: red94's remote URL ending in
        # \xff made the audit fail whole.)
        return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else None

    def config_values(self, *keys: str) -> dict[str, str]:
        """config_get of several keys in one `git config`: each key that is set → its value (the last one, as
        `--get` answers). Keys are written as git canonicalises them: section and name in lower case."""
        pattern = "^(" + "|".join(re.escape(k) for k in keys) + ")$"
        proc = self._run("config", "-z", "--get-regexp", pattern, check=False)
        found: dict[str, str] = {}
        for entry in proc.stdout.decode("utf-8", "replace").split("\0") if proc.returncode == 0 else ():
            key, _, value = entry.partition("\n")
            if key in keys:
                found[key] = value.strip()
        return found

    def remote_names(self) -> set[str]:
        """The remotes this repository's own config names (`remote.<name>.url`). Their remote-tracking refs
        are this clone's fetches; a `refs/remotes/...` ref of any other name was put there some other way (a
        push to a server, say) and stands for nobody's branch."""
        proc = self._run("config", "--get-regexp", r"^remote\..*\.url$", check=False)
        names: set[str] = set()
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            key = line.split(" ", 1)[0]
            if key.startswith("remote.") and key.endswith(".url") and len(key) > 11:
                names.add(key[7:-4])
        return names

    def set_config(self, key: str, value: str) -> None:
        """Set one value in the repository's own config (`git config key value`); GitError when git refuses."""
        if not key or key.startswith("-") or any(ord(c) < 32 for c in key):
            raise GitError(f"invalid config key {key!r}", "this is a bug in gatekeeper; please report it")
        self._run("config", key, value)

    def hooks_dir(self) -> Path:
        """Where this repository's hooks directory is (`rev-parse --git-path hooks`), absolute. core.hooksPath
        is honoured only when the config this Git reads has it (see `user_config`)."""
        path = Path(self._out("rev-parse", "--git-path", "hooks").strip())
        return path if path.is_absolute() else (self.path / path)

    def is_partial_clone(self) -> bool:
        """A clone made with --filter (it has a promisor remote): objects may be missing by design."""
        return self.config_get("extensions.partialclone") is not None

    def is_shallow(self) -> bool:
        """Shallow right now (not cached like info(): a fetch may have deepened the clone)."""
        return self._out("rev-parse", "--is-shallow-repository").strip() == "true"

    def shallow_commits(self) -> set[str]:
        """The commits a shallow clone holds without their parents (`$GIT_DIR/shallow`): git walks them as roots."""
        if not self.info().shallow:
            return set()
        path = Path(self._out("rev-parse", "--git-path", "shallow").strip())
        path = path if path.is_absolute() else self.path / path
        try:
            text = path.read_text("ascii", "replace")
        except OSError as exc:
            raise GitError(f"this clone is shallow and its list of cut-off commits cannot be read: {exc.strerror}",
                           "fetch the whole history (`git fetch --unshallow`)") from None
        return {line.strip() for line in text.splitlines() if is_sha(line.strip())}

    def fetch_ref(self, remote: str, ref: str, *, timeout: float | None = None) -> tuple[bool, str]:
        """One `git fetch` of `ref` from a configured remote into the same name here (forced: the remote's is
        the one to read); (False, git's first error line) when the remote has no such ref or the fetch failed.
        Never retried."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", remote):
            raise GitError(f"invalid remote name {remote!r}", "name a configured remote such as origin")
        if not re.fullmatch(r"refs/notes/[A-Za-z0-9][A-Za-z0-9/_.-]*", ref) or ".." in ref:
            raise GitError(f"invalid notes ref {ref!r}", "this is a bug in gatekeeper; please report it")
        proc = self._run("fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head",
                         remote, f"+{ref}:{ref}", check=False, timeout=timeout)
        return proc.returncode == 0, _first_line(proc.stderr.decode("utf-8", "replace"))

    def fetch_branch(self, remote: str, branch: str, *, timeout: float | None = None) -> tuple[bool, str]:
        """One `git fetch` of a branch from a configured remote into its remote-tracking ref (forced); never
        retried. (ok, git's first error line)."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", remote):
            raise GitError(f"invalid remote name {remote!r}", "name a configured remote such as origin")
        check = self._run("check-ref-format", f"refs/heads/{branch}", check=False)
        if check.returncode != 0 or branch.startswith("-"):
            raise GitError(f"invalid branch name {branch!r}", "this is a bug in gatekeeper; please report it")
        proc = self._run("fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head", remote,
                         f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}", check=False, timeout=timeout)
        self._info = None
        return proc.returncode == 0, _first_line(proc.stderr.decode("utf-8", "replace"))

    def fetch_commits(self, remote: str, shas: Sequence[str], *, unshallow: bool = False,
                      timeout: float | None = None) -> tuple[bool, str]:
        """One `git fetch` of exact commit ids (and `--unshallow`) from a configured remote; never retried.
        Returns (ok, first error line). Credentials are whatever the remote's config already has."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", remote):
            raise GitError(f"invalid remote name {remote!r}", "name a configured remote such as origin")
        for sha in shas:
            if not is_sha(sha):
                raise GitError(f"invalid commit id {sha!r}", "this is a bug in gatekeeper; please report it")
        args = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"]
        if unshallow:
            args.append("--unshallow")
        proc = self._run(*args, remote, *shas, check=False, timeout=timeout)
        self._info = None
        return proc.returncode == 0, _first_line(proc.stderr.decode("utf-8", "replace"))
