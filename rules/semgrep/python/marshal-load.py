import json
import marshal
from marshal import loads


def positives(sock, fh):
    # ruleid: python-marshal-load
    payload = marshal.loads(sock.recv(4096))
    # ruleid: python-marshal-load
    cached = marshal.load(fh)
    # ruleid: python-marshal-load
    code = loads(fh.read())
    return payload, cached, code


def negatives(obj, fh):
    # ok: python-marshal-load
    blob = marshal.dumps(obj)
    # ok: python-marshal-load
    data = json.load(fh)
    return blob, data
