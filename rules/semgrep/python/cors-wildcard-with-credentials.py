from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from flask import Flask
from flask_cors import CORS, cross_origin

app = Flask(__name__)
api = FastAPI()

# ruleid: python-cors-wildcard-with-credentials
CORS(app, supports_credentials=True)
# ruleid: python-cors-wildcard-with-credentials
CORS(app, origins="*", supports_credentials=True)
# ruleid: python-cors-wildcard-with-credentials
api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"])

# ok: python-cors-wildcard-with-credentials
CORS(app, origins=["https://app.example.com"], supports_credentials=True)
# ok: python-cors-wildcard-with-credentials
CORS(app)
# ok: python-cors-wildcard-with-credentials
api.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)
# ok: python-cors-wildcard-with-credentials
api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)


@app.route("/me")
# ruleid: python-cors-wildcard-with-credentials
@cross_origin(supports_credentials=True)
def me():
    return {"user": "x"}
