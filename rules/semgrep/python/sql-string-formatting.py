import sqlite3

import pandas as pd
import sqlalchemy
from django.db import connection
from sqlalchemy import text

TABLE = "users"


def positives(cur, conn, engine, session, user_id, name, order, Users):
    # ruleid: python-sql-string-formatting
    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")
    # ruleid: python-sql-string-formatting
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
    # ruleid: python-sql-string-formatting
    cur.execute("DELETE FROM users WHERE name = '{}'".format(name))
    # ruleid: python-sql-string-formatting
    cur.execute("SELECT * FROM users ORDER BY " + order)
    query = f"UPDATE users SET name = '{name}' WHERE id = {user_id}"
    # ruleid: python-sql-string-formatting
    cur.execute(query)
    sql = "SELECT * FROM users WHERE 1=1"
    sql += " AND name = '" + name + "'"
    # ruleid: python-sql-string-formatting
    conn.execute(sql)
    # ruleid: python-sql-string-formatting
    session.execute(text(f"SELECT * FROM users WHERE id = {user_id}"))
    # ruleid: python-sql-string-formatting
    rows = Users.objects.raw("SELECT * FROM app_users WHERE name = '%s'" % name)
    # ruleid: python-sql-string-formatting
    df = pd.read_sql(f"SELECT * FROM orders WHERE user_id = {user_id}", engine)
    with connection.cursor() as c:
        # ruleid: python-sql-string-formatting
        c.executemany("INSERT INTO t VALUES (" + name + ", ?)", [(1,), (2,)])
    return rows, df


def negatives(cur, conn, session, user_id, name, runner, Users):
    # ok: python-sql-string-formatting
    cur.execute("SELECT * FROM users WHERE id = %s", (user_id,))
    # ok: python-sql-string-formatting
    cur.execute("SELECT * FROM users WHERE name = ?", [name])
    # ok: python-sql-string-formatting
    session.execute(text("SELECT * FROM users WHERE id = :id"), {"id": user_id})
    # ok: python-sql-string-formatting
    cur.execute("SELECT * FROM users " + "WHERE active = 1")
    # ok: python-sql-string-formatting
    cur.execute(f"SELECT COUNT(*) FROM {TABLE}")
    query = "SELECT * FROM users WHERE id = %s"
    # ok: python-sql-string-formatting
    cur.execute(query, (user_id,))
    # ok: python-sql-string-formatting
    runner.execute(f"task-{name}")
    # ok: python-sql-string-formatting
    rows = Users.objects.raw("SELECT * FROM app_users WHERE name = %s", [name])
    # ok: python-sql-string-formatting
    sqlite3.connect(f"{name}.db")
    return rows


def sqlalchemy_text(session, name, order):
    from sqlalchemy import text
    # ruleid: python-sql-string-formatting
    session.execute(text(f"SELECT * FROM users WHERE name = '{name}'"))
    # ruleid: python-sql-string-formatting
    rows = session.execute(text("SELECT * FROM items ORDER BY " + order)).fetchall()
    stmt = "DELETE FROM users WHERE id = {}".format(name)
    # ruleid: python-sql-string-formatting
    session.execute(text(stmt))
    # ok: python-sql-string-formatting
    session.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})
    return rows


def chained(db, user_id):
    # ruleid: python-sql-string-formatting
    db.engine.connect().execute("SELECT * FROM orders WHERE user_id = " + user_id)
    # ruleid: python-sql-string-formatting
    return db.session.query("SELECT id FROM t WHERE owner = '%s'" % user_id)


async def red130_methods(conn, database, spark, cur, name, table):
    import duckdb
    # ruleid: python-sql-string-formatting
    await conn.fetchrow(f"SELECT * FROM users WHERE id = {name}")
    # ruleid: python-sql-string-formatting
    await conn.fetch("SELECT id, name FROM users WHERE name LIKE '%" + name + "%'")
    # ruleid: python-sql-string-formatting
    await conn.fetchval(f"SELECT count(*) FROM {table}")
    # ruleid: python-sql-string-formatting
    spark.sql(f"SELECT * FROM sales WHERE region = '{name}'")
    # ruleid: python-sql-string-formatting
    duckdb.sql(f"SELECT * FROM 'data.parquet' WHERE city = '{name}'").df()
    # ruleid: python-sql-string-formatting
    await database.fetch_all(query=f"SELECT * FROM orders WHERE status = '{name}'")
    # ruleid: python-sql-string-formatting
    cur.execute(query=f"SELECT * FROM users WHERE name = '{name}'")
    # ok: python-sql-string-formatting
    await conn.fetchrow("SELECT * FROM users WHERE id = $1", name)
    # ok: python-sql-string-formatting
    spark.sql("SELECT * FROM sales WHERE region = :region", args={"region": name})


def red130_not_sql(query_engine, rag, index, session, topic, name):
    # ok: python-sql-string-formatting
    query_engine.query(f"Summarise what the documents say about {topic} and list the key dates.")
    # ok: python-sql-string-formatting
    rag.query(f"Explain how {topic} works and give one example from the code base.")
    # ok: python-sql-string-formatting
    index.query(f"Select the best answer from the notes about {topic}, ordered by date, where it is relevant")
    # ruleid: python-sql-string-formatting
    return session.query(f"SELECT id FROM t WHERE owner = '{name}'")
