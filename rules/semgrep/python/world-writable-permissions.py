import os
import stat
from pathlib import Path


def positives(path, upload_dir):
    # ruleid: python-world-writable-permissions
    os.chmod(path, 0o777)
    # ruleid: python-world-writable-permissions
    os.chmod(path, 0o666)
    # ruleid: python-world-writable-permissions
    os.makedirs(upload_dir, mode=0o777, exist_ok=True)
    # ruleid: python-world-writable-permissions
    Path(path).chmod(0o777)
    # ruleid: python-world-writable-permissions
    os.chmod(path, stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)
    # ruleid: python-world-writable-permissions
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o666)
    # ruleid: python-world-writable-permissions
    os.chmod(path, 511)
    return fd


def negatives(path, upload_dir, mode):
    # ok: python-world-writable-permissions
    os.chmod(path, 0o600)
    # ok: python-world-writable-permissions
    os.chmod(path, 0o755)
    # ok: python-world-writable-permissions
    os.makedirs(upload_dir, mode=0o750, exist_ok=True)
    # ok: python-world-writable-permissions
    Path(path).chmod(0o644)
    # ok: python-world-writable-permissions
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    # ok: python-world-writable-permissions
    os.chmod(path, mode)
