from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from flask import Flask, redirect, request, url_for

app = Flask(__name__)
ALLOWED = {"/home", "/settings"}


@app.route("/login")
def login():
    # ruleid: python-open-redirect
    return redirect(request.args.get("next"))


@app.route("/logout")
def logout():
    target = request.form["return_to"]
    # ruleid: python-open-redirect
    return redirect(target)


def django_view(request):
    nxt = request.GET.get("next", "/")
    # ruleid: python-open-redirect
    return HttpResponseRedirect(nxt)


def django_checked(request):
    nxt = request.GET.get("next", "/")
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        # ok: python-open-redirect
        return HttpResponseRedirect(nxt)
    return HttpResponseRedirect("/")


@app.route("/go")
def go():
    page = request.args.get("page")
    if page in ALLOWED:
        # ok: python-open-redirect
        return redirect(page)
    # ok: python-open-redirect
    return redirect(url_for("index"))
