"""The only package that runs git: one private hardened runner and one small method per git question.

Everything is read through git's machine formats (NUL-separated `log`, `diff-tree -z`,
`cat-file --batch`), never by parsing human output. The runner sets LANG=C, isolates the user's
global and system git config, forces the few config values that would change machine output,
times out, and raises GitError carrying argv, exit code and stderr.

Inside pre-receive the pushed objects exist only in the quarantine directory that git names through
GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES / GIT_QUARANTINE_PATH, so those variables are
kept (`inherit_git_env=True`); a local check drops them so `--repo` means what it says.

Every call reads the real objects: replace refs (`refs/replace/*`, which a pusher could create to substitute a
decoy for any commit, tree or blob) and graft files are ignored (GIT_NO_REPLACE_OBJECTS set, GIT_GRAFT_FILE
pointed at an empty file so $GIT_DIR/info/grafts is never read, GIT_REPLACE_REF_BASE dropped), and the user's
and the system's attribute files are not read. The commands whose output attributes change (patches: a `-diff`
or `binary` attribute, a diff driver, turns a file's lines into "Binary files differ") run with no work tree
and no index at all (see `_attr_free`), so neither a work tree's `.gitattributes` nor one in the pushed tree
can hide lines from the scanners, in any mode.

Layout: `_runner` (private: argv, environment, timeouts, errors; processes start through
gatekeeper.process, in their own process group), `objects` (cat-file readers, types, sizes, trees),
`refs` (revisions, refs, repository config), `history` (rev-list and log streams, raw-log parsing),
`diff` (diff-tree file lists and patches), `notes`, `repo` (`Git`, assembled from those) and `workdir`
(`Workdir`: the clones gatekeeper writes to — `gatekeeper tag`'s amend, the demo's sandbox). Callers
outside this package ask named questions; none passes git arguments (tests/test_architecture.py).
"""

from __future__ import annotations

from gatekeeper.git._runner import RepoInfo, git_environment, out_of_memory
from gatekeeper.git.history import (
    Landing,
    RawParts,
    commit_from_parts,
    declares_encoding,
    person_of,
    raw_parts,
    stored_object,
)
from gatekeeper.git.notes import NOTES_REF, BrokenNotes
from gatekeeper.git.objects import BlobReader, NulScan, TreeEntry
from gatekeeper.git.refs import RefTarget
from gatekeeper.git.repo import Git, classify_update
from gatekeeper.git.workdir import Workdir
from gatekeeper.models import is_sha, is_zero

__all__ = [
    "NOTES_REF",
    "BlobReader",
    "BrokenNotes",
    "Git",
    "Landing",
    "NulScan",
    "RawParts",
    "RefTarget",
    "RepoInfo",
    "TreeEntry",
    "Workdir",
    "classify_update",
    "commit_from_parts",
    "declares_encoding",
    "git_environment",
    "is_sha",
    "is_zero",
    "out_of_memory",
    "person_of",
    "raw_parts",
    "stored_object",
]
