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


def login(username, password):
    return username, password


def make_field(password_label="", token=""):
    return password_label, token
