import sqlite3

from flask import request
from sqlalchemy import text


def find_user(conn: sqlite3.Connection, name):
    cur = conn.cursor()
    # vuln: sql-injection
    cur.execute(f"SELECT id, email FROM users WHERE name = '{name}'")
    return cur.fetchone()


def search(db, term):
    query = "SELECT * FROM products WHERE title LIKE '%" + term + "%'"
    # vuln: sql-injection
    return db.execute(query).fetchall()


def delete(session, item_id):
    # vuln: sql-injection
    session.execute(text("DELETE FROM items WHERE id = %s" % item_id))


def report(engine):
    col = request.args["sort"]
    with engine.connect() as conn:
        # vuln: sql-injection
        return conn.execute(text(f"SELECT * FROM orders ORDER BY {col}")).all()


def safe_param(conn, name):
    # safe: sql-injection
    return conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()


def safe_text(session, item_id):
    # safe: sql-injection
    return session.execute(text("SELECT * FROM items WHERE id = :id"), {"id": item_id}).all()
