import os

import jwt
import psycopg2
from flask import Flask

app = Flask(__name__)

# vuln: hardcoded-secret
app.config["JWT_SECRET_KEY"] = "jwt-signing-key-2024"
# vuln: hardcoded-secret
DB_PASSWORD = "Winter2024!db"


def connect():
    # vuln: hardcoded-secret
    return psycopg2.connect(host="db", user="app", password="s3cr3t-Pg-pw")


def token(user_id):
    # vuln: hardcoded-secret
    return jwt.encode({"sub": user_id}, "my-secret", algorithm="HS256")


def safe_env():
    # safe: hardcoded-secret
    return psycopg2.connect(host="db", user="app", password=os.environ["DB_PASSWORD"])


# safe: hardcoded-secret
PASSWORD_FIELD = "password"
