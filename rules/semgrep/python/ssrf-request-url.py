from typing import Annotated
from urllib.parse import urlparse
from urllib.request import urlopen

import aiohttp
import httpx
import requests
from fastapi import Depends, FastAPI, HTTPException
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
api = FastAPI()
ALLOWED_HOSTS = {"api.github.com", "hooks.slack.com"}


@app.route("/preview")
def preview():
    url = request.args.get("url")
    # ruleid: python-ssrf-request-url
    page = requests.get(url, timeout=5)
    return page.text


@app.route("/proxy/<path:target>")
def proxy(target):
    # ruleid: python-ssrf-request-url
    return urlopen(target).read()


@app.post("/webhook-test")
def webhook_test():
    body = request.get_json()
    # ruleid: python-ssrf-request-url
    requests.request("POST", body["callback"], json={"ok": True})
    return jsonify(ok=True)


@api.get("/fetch")
async def fetch(url: str):
    async with httpx.AsyncClient() as client:
        # ruleid: python-ssrf-request-url
        response = await client.get(url)
    return response.text


@api.post("/image")
async def image(request):
    data = await request.json()
    async with aiohttp.ClientSession() as session:
        # ruleid: python-ssrf-request-url
        async with session.get(data["image_url"]) as resp:
            return await resp.read()


@app.route("/models")
def models():
    base = request.headers.get("X-Base-Url")
    # ruleid: python-ssrf-request-url
    return requests.get(f"{base}/v1/models").json()


@app.route("/warn-only")
def warn_only():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        app.logger.warning("unexpected host")
    # ruleid: python-ssrf-request-url
    return requests.get(url).text


@app.route("/user")
def user():
    # ok: python-ssrf-request-url
    return requests.get(f"https://api.github.com/users/{request.args['name']}").json()


@app.route("/search")
def search():
    query = request.args.get("q")
    # ok: python-ssrf-request-url
    return requests.get("https://api.example.com/search", params={"q": query}).json()


@app.route("/checked")
def checked():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        abort(400)
    # ok: python-ssrf-request-url
    return requests.get(url).text


@app.route("/checked-inside")
def checked_inside():
    url = request.form["url"]
    if urlparse(url).hostname in ALLOWED_HOSTS:
        # ok: python-ssrf-request-url
        return requests.post(url, json={}).text
    return "no", 400


@api.get("/validated")
async def validated(url: str):
    if not is_allowed_url(url):
        raise HTTPException(status_code=400)
    async with httpx.AsyncClient() as client:
        # ok: python-ssrf-request-url
        return (await client.get(url)).text


@api.get("/me")
async def me(settings: Annotated[dict, Depends(get_settings)]):
    # ok: python-ssrf-request-url
    return httpx.get(settings["upstream"]).json()


@app.route("/own")
def own():
    # ok: python-ssrf-request-url
    return requests.get(request.host_url + "health").text


def job(url):
    # ok: python-ssrf-request-url
    return requests.get(url).text


@app.route("/keyword")
def keyword():
    # ruleid: python-ssrf-request-url
    return requests.request(method="GET", url=request.values["target"]).text


@app.route("/other-checked")
def other_checked():
    avatar = request.args["avatar"]
    if urlparse(avatar).hostname not in ALLOWED_HOSTS:
        abort(400)
    requests.get(avatar, timeout=3)
    # ruleid: python-ssrf-request-url
    return requests.get(request.args["feed"]).text


# red164: sanitizers that did not hold


@app.route("/host-by-format")
def host_by_format():
    # ruleid: python-ssrf-request-url
    return requests.get("https://%s/api" % request.args["host"]).text


@app.route("/literal-first")
def literal_first():
    target = request.args["url"]
    # ruleid: python-ssrf-request-url
    return requests.get("https://api.example.com/" if not target else target).text


@app.route("/rechecked-name")
def rechecked_name():
    url = request.args["next"]
    if not is_allowed_url(url):
        abort(400)
    url = request.args["other"]
    # (left: a not-inside for the reassignment timed the rule out on changedetection.io's forms.py)
    # todoruleid: python-ssrf-request-url
    return requests.get(url).text


@app.route("/deny-list")
def deny_list():
    url = request.args["url"]
    if not urlparse(url).hostname in BLOCKED_HOSTS:
        # ruleid: python-ssrf-request-url
        return requests.get(url).text
    abort(403)


@app.route("/checked-in-part")
def checked_in_part():
    url = request.args["url"]
    if not is_allowed_url(url) and url.startswith("ftp:"):
        abort(400)
    # ruleid: python-ssrf-request-url
    return requests.get(url).text


@app.route("/allowed-or-anything")
def allowed_or_anything():
    url = request.args["url"]
    if is_safe_url(url) or url:
        # ruleid: python-ssrf-request-url
        return requests.get(url).text
    abort(400)
