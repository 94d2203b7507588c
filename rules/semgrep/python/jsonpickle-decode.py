import json

import jsonpickle


def positives(request, text):
    # ruleid: python-jsonpickle-decode
    obj = jsonpickle.decode(request.get_data(as_text=True))
    # ruleid: python-jsonpickle-decode
    other = jsonpickle.decode(text, keys=True)
    return obj, other


def negatives(obj, text):
    # ok: python-jsonpickle-decode
    encoded = jsonpickle.encode(obj)
    # ok: python-jsonpickle-decode
    parsed = json.loads(text)
    return encoded, parsed
