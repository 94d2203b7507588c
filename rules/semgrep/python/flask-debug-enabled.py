import os

from flask import Flask
from werkzeug.serving import run_simple

app = Flask(__name__)

# ruleid: python-flask-debug-enabled
app.debug = True
# ruleid: python-flask-debug-enabled
app.config["DEBUG"] = True
# ruleid: python-flask-debug-enabled
app.config.update(DEBUG=True, TESTING=False)

# ok: python-flask-debug-enabled
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG") == "1"
# ok: python-flask-debug-enabled
app.debug = False


def serve_dev():
    # ruleid: python-flask-debug-enabled
    run_simple("localhost", 5000, app, use_debugger=True)


if __name__ == "__main__":
    # ruleid: python-flask-debug-enabled
    app.run(host="127.0.0.1", port=5000, debug=True)
    # ok: python-flask-debug-enabled
    app.run(port=5000)
    # ok: python-flask-debug-enabled
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
