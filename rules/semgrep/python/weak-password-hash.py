import hashlib
from hashlib import md5


def positives(password, user, salt):
    # ruleid: python-weak-password-hash
    digest = hashlib.md5(password.encode()).hexdigest()
    # ruleid: python-weak-password-hash
    digest2 = hashlib.sha1((salt + user.password).encode("utf-8")).hexdigest()
    # ruleid: python-weak-password-hash
    digest3 = md5(password.encode()).hexdigest()
    # ruleid: python-weak-password-hash
    digest4 = hashlib.new("md5", password.encode()).hexdigest()
    h = hashlib.sha1()
    # ruleid: python-weak-password-hash
    h.update(user.pwd.encode())
    return digest, digest2, digest3, digest4, h.hexdigest()


def negatives(password, data, fh):
    # ok: python-weak-password-hash
    etag = hashlib.md5(data).hexdigest()
    # ok: python-weak-password-hash
    checksum = hashlib.sha1(fh.read()).hexdigest()
    # ok: python-weak-password-hash
    derived = hashlib.pbkdf2_hmac("sha256", password.encode(), b"salt", 600_000)
    h = hashlib.md5()
    # ok: python-weak-password-hash
    h.update(data)
    return etag, checksum, derived, h
