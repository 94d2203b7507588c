import hashlib
import os


def store_password(user, password):
    # vuln: weak-crypto
    user.password_hash = hashlib.md5(password.encode()).hexdigest()


def check_password(user, password):
    # vuln: weak-crypto
    return hashlib.sha1(password.encode()).hexdigest() == user.password_hash


def hash_pw(pw, salt):
    # vuln: weak-crypto
    return hashlib.sha256((salt + pw).encode()).hexdigest()


def etag(body):
    # safe: weak-crypto
    return hashlib.sha256(body).hexdigest()


def safe_password(password):
    salt = os.urandom(16)
    # safe: weak-crypto
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
