import marshal
import pickle

import yaml
from flask import request


def load_session(blob):
    # vuln: deserialization
    return pickle.loads(blob)


def upload():
    # vuln: deserialization
    data = yaml.load(request.data, Loader=yaml.Loader)
    return data


def load_code(raw):
    # vuln: deserialization
    return marshal.loads(raw)


def ruamel_config(text):
    from ruamel.yaml import YAML
    # vuln: deserialization
    return YAML(typ="unsafe").load(text)


def safe_yaml(text):
    # safe: deserialization
    return yaml.safe_load(text)


def safe_yaml2(text):
    # safe: deserialization
    return yaml.load(text, Loader=yaml.SafeLoader)
