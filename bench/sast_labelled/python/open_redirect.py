from django.http import HttpResponseRedirect
from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.route("/signin")
def signin():
    next_url = request.args.get("next", "/")
    # vuln: open-redirect
    return redirect(next_url)


def sso_callback(request):
    # vuln: open-redirect
    return HttpResponseRedirect(request.GET["return_to"])


@app.route("/safe")
def safe():
    # safe: open-redirect
    return redirect(url_for("dashboard"))


@app.route("/fixed")
def fixed():
    # safe: open-redirect
    return redirect("/home")
