import shelve
import sqlite3


def positives(upload_path):
    # ruleid: python-shelve-open
    with shelve.open(upload_path) as db:
        return dict(db)


def positives_flag(name):
    # ruleid: python-shelve-open
    db = shelve.open(name, flag="r")
    return db


def negatives(path):
    # ok: python-shelve-open
    conn = sqlite3.connect(path)
    return conn
