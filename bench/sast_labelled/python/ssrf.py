import ipaddress
import socket
from urllib.parse import urlparse

import httpx
import requests
from fastapi import APIRouter
from flask import Blueprint, abort, jsonify, request
from pydantic import BaseModel

bp = Blueprint("tools", __name__)
router = APIRouter()
OPENAI_BASE = "https://api.openai.com/v1"
ALLOWED_FEED_HOSTS = {"news.ycombinator.com", "lobste.rs"}


class ScrapeIn(BaseModel):
    url: str


@bp.route("/api/link-preview")
def link_preview():
    target = request.args.get("url", "")
    # vuln: ssrf
    html = requests.get(target, timeout=10, headers={"User-Agent": "preview-bot"}).text
    return jsonify(title=html[:80])


@router.post("/recipes/scrape")
async def scrape(body: ScrapeIn):
    async with httpx.AsyncClient(follow_redirects=True) as client:
        # vuln: ssrf
        page = await client.get(body.url)
    return {"length": len(page.text)}


@bp.post("/api/llm/proxy")
def llm_proxy():
    payload = request.get_json(force=True)
    base = payload.get("base_url") or OPENAI_BASE
    # vuln: ssrf
    upstream = requests.post(base + "/chat/completions", json=payload["body"], timeout=60)
    return upstream.json()


@bp.route("/api/weather")
def weather():
    city = request.args["city"]
    # safe: ssrf
    return requests.get(f"https://api.open-meteo.com/v1/forecast?city={city}", timeout=5).json()


@bp.route("/api/feed")
def feed():
    url = request.args["url"]
    parsed = urlparse(url)
    if parsed.hostname not in ALLOWED_FEED_HOSTS or parsed.scheme != "https":
        abort(400, "feed host not allowed")
    # safe: ssrf
    return requests.get(url, timeout=10).text


@router.get("/models")
async def list_models():
    async with httpx.AsyncClient() as client:
        # safe: ssrf
        r = await client.get(f"{OPENAI_BASE}/models")
    return r.json()


def resolve_public(host: str) -> bool:
    return not ipaddress.ip_address(socket.gethostbyname(host)).is_private
