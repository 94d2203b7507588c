import os

import jwt
from flask import Flask

app = Flask(__name__)
# ruleid: python-jwt-hardcoded-secret
app.config["JWT_SECRET_KEY"] = "super-secret-jwt-key"
# ok: python-jwt-hardcoded-secret
app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]


def issue(user_id):
    # ruleid: python-jwt-hardcoded-secret
    return jwt.encode({"sub": user_id}, "secret", algorithm="HS256")


def check(token):
    # ruleid: python-jwt-hardcoded-secret
    return jwt.decode(token, "secret", algorithms=["HS256"])


def fallback(user_id):
    # ruleid: python-jwt-hardcoded-secret
    return jwt.encode({"sub": user_id}, os.environ.get("JWT_KEY", "dev-key"), algorithm="HS256")


def good(user_id, token):
    key = os.environ["JWT_KEY"]
    # ok: python-jwt-hardcoded-secret
    t = jwt.encode({"sub": user_id}, key, algorithm="HS256")
    # ok: python-jwt-hardcoded-secret
    return t, jwt.decode(token, key, algorithms=["HS256"])
