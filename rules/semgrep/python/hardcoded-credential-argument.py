import os

import boto3
import psycopg2
import redis
from openai import OpenAI

SECRET_REGEX = r"[A-Za-z0-9]{32}"
TEMPLATE = "key={secret}"


def positives():
    # ruleid: python-hardcoded-credential-argument
    conn = psycopg2.connect(host="db", user="app", password="Pa55w0rd!")
    # ruleid: python-hardcoded-credential-argument
    client = OpenAI(api_key="sk-live-0123456789abcdef")
    # ruleid: python-hardcoded-credential-argument
    s3 = boto3.client("s3", aws_access_key_id="AKIAIOSFODNN7", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG")
    # ruleid: python-hardcoded-credential-argument
    r = redis.Redis(host="cache", password="redispass")
    return conn, client, s3, r


def negatives(user_password):
    # ok: python-hardcoded-credential-argument
    conn = psycopg2.connect(host="db", user="app", password=os.environ["PGPASSWORD"])
    # ok: python-hardcoded-credential-argument
    client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))
    # ok: python-hardcoded-credential-argument
    r = redis.Redis(host="cache", password="")
    # ok: python-hardcoded-credential-argument
    login(username="admin", password=user_password)
    # ok: python-hardcoded-credential-argument
    form = make_field(password_label="Password")
    # ok: python-hardcoded-credential-argument
    client2 = OpenAI(api_key="<your-api-key>")
    # ok: python-hardcoded-credential-argument
    pattern = TEMPLATE.format(secret=SECRET_REGEX)
    # ok: python-hardcoded-credential-argument
    lexer = make_field(token=";")
    return conn, client, r, form, client2, pattern, lexer


# A seed script's stand-ins and a field-name map: the value is a credential field's name (meas145).
def seed(Users, Teams, make_field, name):
    # ok: python-hardcoded-credential-argument
    Users(name=name, email=name + "@example.org", password="password")
    # ok: python-hardcoded-credential-argument
    Teams(name=name, password="test_password")
    # ok: python-hardcoded-credential-argument
    make_field(api_key="apiKey", access_token="accessToken")
    # ok: python-hardcoded-credential-argument
    make_field(password="new-password")


# A password dressed as a field name is still a password.
def dressed(Users, connect, name):
    # ruleid: python-hardcoded-credential-argument
    Users(name=name, password="password1!")
    # ruleid: python-hardcoded-credential-argument
    connect(host="db", password="my_password")
    # ruleid: python-hardcoded-credential-argument
    connect(host="db", password="test_password_2024")
    # ruleid: python-hardcoded-credential-argument
    connect(host="db", password="hunter2-staging")


def login(username, password):
    return username, password


def make_field(password_label="", token=""):
    return password_label, token


# red147: a signing secret or an API key spelt as its own word is a real, weak value.
def weak_words(make_app, connect):
    # ruleid: python-hardcoded-credential-argument
    make_app(secret_key="secret")
    # ruleid: python-hardcoded-credential-argument
    connect(host="api", api_key="api-key")
    # ruleid: python-hardcoded-credential-argument
    make_app(jwt_secret="jwt_secret")
