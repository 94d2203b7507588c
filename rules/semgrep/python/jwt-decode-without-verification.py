import jwt
from jose import jwt as jose_jwt

SECRET = "from-env-in-real-code"


def positives(token):
    # ruleid: python-jwt-decode-without-verification
    claims = jwt.decode(token, options={"verify_signature": False})
    # ruleid: python-jwt-decode-without-verification
    claims2 = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_signature": False, "verify_exp": True})
    # ruleid: python-jwt-decode-without-verification
    claims3 = jwt.decode(token, SECRET, verify=False)
    # ruleid: python-jwt-decode-without-verification
    claims4 = jwt.decode(token, None, algorithms=["none"])
    opts = {"verify_signature": False}
    # ruleid: python-jwt-decode-without-verification
    claims5 = jwt.decode(token, SECRET, algorithms=["HS256"], options=opts)
    # ruleid: python-jwt-decode-without-verification
    claims6 = jose_jwt.decode(token, SECRET, options={"verify_signature": False})
    return claims, claims2, claims3, claims4, claims5, claims6


def negatives(token, public_key):
    # ok: python-jwt-decode-without-verification
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    # ok: python-jwt-decode-without-verification
    claims2 = jwt.decode(token, public_key, algorithms=["RS256"], options={"verify_exp": True})
    # ok: python-jwt-decode-without-verification
    claims3 = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_aud": False})
    # ok: python-jwt-decode-without-verification
    header = jwt.get_unverified_header(token)
    return claims, claims2, claims3, header
