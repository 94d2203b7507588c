import jinja2
from django.utils.safestring import mark_safe
from flask import Flask, request

app = Flask(__name__)


def bio_html(user):
    # vuln: xss
    return mark_safe("<p>" + user.bio + "</p>")


def render_env():
    # vuln: xss
    return jinja2.Environment(loader=jinja2.FileSystemLoader("templates"), autoescape=False)


def greeting(name):
    # vuln: xss
    return mark_safe(f"<b>Hello {name}</b>")


def safe_mark():
    # safe: xss
    return mark_safe("<br>")


def safe_env():
    # safe: xss
    return jinja2.Environment(loader=jinja2.FileSystemLoader("templates"), autoescape=True)
