import tarfile
import zipfile


def positives(upload, dest):
    # ok: python-tarfile-extract-unfiltered
    with tarfile.open(upload) as tar:
        # ruleid: python-tarfile-extract-unfiltered
        tar.extractall(dest)
    archive = tarfile.open(upload, "r:gz")
    # ruleid: python-tarfile-extract-unfiltered
    archive.extract("config.yml", path=dest)
    # ruleid: python-tarfile-extract-unfiltered
    tarfile.open(upload).extractall(path=dest)
    with tarfile.open(upload) as tar2:
        # ruleid: python-tarfile-extract-unfiltered
        tar2.extractall(dest, filter="fully_trusted")


def negatives(upload, dest, zf):
    with tarfile.open(upload) as tar:
        # ok: python-tarfile-extract-unfiltered
        tar.extractall(dest, filter="data")
    with tarfile.open(upload) as tar2:
        # ok: python-tarfile-extract-unfiltered
        tar2.extractall(dest, filter=tarfile.data_filter)
    # ok: python-tarfile-extract-unfiltered
    zf.extractall(dest)


def unpack(archive, dest):
    # ruleid: python-tarfile-extract-unfiltered
    archive.extractall(dest)


class Bundle:
    def __init__(self, path):
        self.tar = tarfile.TarFile.open(path)

    def unpack(self, dest):
        # ruleid: python-tarfile-extract-unfiltered
        self.tar.extractall(dest)


def chained(path, dest):
    # ruleid: python-tarfile-extract-unfiltered
    tarfile.TarFile(path).extractall(dest)


def zips(path, dest):
    with zipfile.ZipFile(path) as bundle:
        # ok: python-tarfile-extract-unfiltered
        bundle.extractall(dest)
    # ok: python-tarfile-extract-unfiltered
    zipfile.ZipFile(path).extractall(dest)
