import os
import socket
from http.server import HTTPServer, SimpleHTTPRequestHandler

import uvicorn
from flask import Flask

app = Flask(__name__)


def positives():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # ruleid: python-bind-all-interfaces
    s.bind(("0.0.0.0", 8080))
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    # ruleid: python-bind-all-interfaces
    s6.bind(("", 9000))
    # ruleid: python-bind-all-interfaces
    httpd = HTTPServer(("", 8000), SimpleHTTPRequestHandler)
    # ruleid: python-bind-all-interfaces
    app.run(host="0.0.0.0", port=5000)
    # ruleid: python-bind-all-interfaces
    uvicorn.run("main:app", host="0.0.0.0", port=8000)
    return httpd


def negatives():
    s = socket.socket()
    # ok: python-bind-all-interfaces
    s.bind(("127.0.0.1", 8080))
    # ok: python-bind-all-interfaces
    app.run(host="127.0.0.1")
    # ok: python-bind-all-interfaces
    uvicorn.run("main:app", host=os.environ.get("HOST", "127.0.0.1"))
    # ok: python-bind-all-interfaces
    httpd = HTTPServer(("localhost", 8000), SimpleHTTPRequestHandler)
    return httpd
