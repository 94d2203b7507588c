import hashlib


def positives(password, salt):
    # ruleid: python-fast-hash-for-password
    stored = hashlib.sha256(password.encode()).hexdigest()
    # ruleid: python-fast-hash-for-password
    stored2 = hashlib.sha512((salt + password).encode()).hexdigest()
    # ruleid: python-fast-hash-for-password
    stored3 = hashlib.new("sha256", password.encode()).hexdigest()
    return stored, stored2, stored3


def negatives(password, body, token):
    # ok: python-fast-hash-for-password
    digest = hashlib.sha256(body).hexdigest()
    # ok: python-fast-hash-for-password
    lookup = hashlib.sha256(token.encode()).hexdigest()
    # ok: python-fast-hash-for-password
    derived = hashlib.pbkdf2_hmac("sha256", password.encode(), b"salt", 600_000)
    # ok: python-fast-hash-for-password
    kdf = hashlib.scrypt(password.encode(), salt=b"salt", n=2**14, r=8, p=1)
    return digest, lookup, derived, kdf
