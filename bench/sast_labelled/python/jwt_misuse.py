import jwt


def claims(token):
    # vuln: jwt-misuse
    return jwt.decode(token, options={"verify_signature": False})


def claims2(token, key):
    # vuln: jwt-misuse
    return jwt.decode(token, key, algorithms=["HS256"], verify=False)


def safe_claims(token, key):
    # safe: jwt-misuse
    return jwt.decode(token, key, algorithms=["HS256"])
