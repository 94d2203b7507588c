from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
# vuln: cors
CORS(app, origins="*", supports_credentials=True)

api = Flask("api")
# safe: cors
CORS(api, origins=["https://app.example.com"], supports_credentials=True)
