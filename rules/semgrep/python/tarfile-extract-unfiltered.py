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



def unfiltered(upload, dest):
    with tarfile.open(upload) as tar:
        # ruleid: python-tarfile-extract-unfiltered
        tar.extractall(dest, filter=None)
        # ruleid: python-tarfile-extract-unfiltered
        tar.extractall(dest, filter=tarfile.fully_trusted_filter)
