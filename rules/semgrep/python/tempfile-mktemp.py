import tempfile
from tempfile import mktemp


def positives(data):
    # ruleid: python-tempfile-mktemp
    path = tempfile.mktemp(suffix=".json")
    with open(path, "w") as fh:
        fh.write(data)
    # ruleid: python-tempfile-mktemp
    other = mktemp()
    return path, other


def negatives(data):
    # ok: python-tempfile-mktemp
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        fh.write(data)
    # ok: python-tempfile-mktemp
    fd, path = tempfile.mkstemp()
    # ok: python-tempfile-mktemp
    tmpdir = tempfile.mkdtemp()
    return fh.name, fd, path, tmpdir
