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


# The statement built away from the call (red130): in a branch, a helper, or kept as a template.
def built_in_branches(cur, name, admin, rows):
    if admin:
        q = f"SELECT * FROM users WHERE name = '{name}'"
    else:
        q = f"SELECT id FROM users WHERE name = '{name}'"
    # ruleid: python-sql-string-formatting
    cur.execute(q)
    sql = "SELECT id FROM users"
    if not admin:
        pass
    else:
        sql += " WHERE name = '" + name + "'"
    # ruleid: python-sql-string-formatting
    cur.execute(sql)
    try:
        stmt = "DELETE FROM sessions WHERE user = '%s'" % name
    except ValueError:
        return None
    # ruleid: python-sql-string-formatting
    cur.execute(stmt)
    if admin:
        fixed = "SELECT * FROM users WHERE name = %s"
    else:
        fixed = "SELECT id FROM users WHERE name = %s"
    # ok: python-sql-string-formatting
    cur.execute(fixed, (name,))
    return rows


def build_query(table, name):
    return f"SELECT * FROM {table} WHERE name = '{name}'"


def placeholder_query(table):
    return "SELECT * FROM users WHERE name = %s"


def built_by_a_helper(cur, name):
    # ruleid: python-sql-string-formatting
    cur.execute(build_query("users", name))
    text = build_query("users", name)
    # ruleid: python-sql-string-formatting
    cur.execute(text)
    # ok: python-sql-string-formatting
    cur.execute(placeholder_query("users"), (name,))


class UserStore:
    def _by_name(self, name):
        return "SELECT * FROM users WHERE name = '%s'" % name

    def find(self, cur, name):
        # ruleid: python-sql-string-formatting
        cur.execute(self._by_name(name))


QUERIES = {"by_name": "SELECT * FROM users WHERE name = '{name}'", "by_id": "SELECT * FROM users WHERE id = %s"}
BY_OWNER = "SELECT * FROM orders WHERE owner = '{owner}'"
GREETING = "Hello {name}, your order is ready"


def built_from_a_template(cur, name, ident, owner):
    # ruleid: python-sql-string-formatting
    cur.execute(QUERIES["by_name"].format(name=name))
    # ruleid: python-sql-string-formatting
    cur.execute(QUERIES["by_id"] % ident)
    # ruleid: python-sql-string-formatting
    cur.execute(BY_OWNER.format(owner=owner))
    # ok: python-sql-string-formatting
    cur.execute(QUERIES["by_id"], (ident,))
    # ok: python-sql-string-formatting
    cur.execute(GREETING.format(name=name))


# red134: the neighbours of those shapes, and a module semgrep reads with its other parser.
def built_in_a_loop(cur, filters, raw):
    sql = "SELECT * FROM users WHERE 1 = 1"
    for column, value in filters.items():
        sql += f" AND {column} = '{value}'"
    # ruleid: python-sql-string-formatting
    cur.execute(sql)
    try:
        int(raw)
        stmt = "SELECT * FROM users ORDER BY id"
    except ValueError:
        stmt = f"SELECT * FROM users WHERE name = '{raw}'"
    # ruleid: python-sql-string-formatting
    cur.execute(stmt)
    safe = "SELECT * FROM users WHERE 1 = 1"
    for column in filters:
        safe += " AND " + "flag" + " = %s"
    # ok: python-sql-string-formatting
    cur.execute(safe, list(filters.values()))


async def built_under_async_with(pool, lock, name):
    async with lock:
        query = f"SELECT * FROM users WHERE name = '{name}'"
    # ruleid: python-sql-string-formatting
    return await pool.fetch(query)


def calls_a_helper_defined_after_it(cur, name):
    # ruleid: python-sql-string-formatting
    cur.execute(by_name_after(name))


def by_name_after(name):
    return f"SELECT * FROM users WHERE name = '{name}'"


class Queries:
    BY_NAME = "SELECT * FROM users WHERE name = '{}'"
    BY_ID = "SELECT * FROM users WHERE id = %s"

    @staticmethod
    def by_owner(owner):
        return f"SELECT * FROM orders WHERE owner = '{owner}'"

    def find(self, cur, name, ident):
        # ruleid: python-sql-string-formatting
        cur.execute(self.BY_NAME.format(name))
        # ok: python-sql-string-formatting
        cur.execute(self.BY_ID, (ident,))


def through_the_class(cur, owner):
    # ruleid: python-sql-string-formatting
    cur.execute(Queries.by_owner(owner))


# An ORM's column operators bind the pattern as a parameter (meas145): a search box's LIKE is not SQL text.
def orm_search(db, Users, q, or_, sqlalchemy, literal_column):
    # ok: python-sql-string-formatting
    Users.query.filter(Users.name.like("%{}%".format(q))).all()
    # ok: python-sql-string-formatting
    Users.query.filter(Users.email.ilike(f"%{q}%")).order_by(Users.id.asc()).all()
    # ok: python-sql-string-formatting
    db.session.query(Users).filter(or_(Users.name.like("%" + q + "%"), Users.email.like("%" + q + "%")))
    # ok: python-sql-string-formatting
    Users.query.where(Users.handle.startswith(q + "_"))


# The same calls handed SQL text: still injection.
def orm_search_with_text(db, Users, q, sqlalchemy, literal_column):
    # ruleid: python-sql-string-formatting
    Users.query.filter("name like '%" + q + "%'").all()
    # ruleid: python-sql-string-formatting
    Users.query.filter(f"email like '%{q}%' or 1=1").all()
    # ruleid: python-sql-string-formatting
    Users.query.filter(literal_column(f"name like '{q}'")).all()
    # ruleid: python-sql-string-formatting
    Users.query.order_by(f"{q} desc").all()


# Django's compiled WHERE clause filled in as the statement's one part, its values passed as parameters (meas147,
# taiga-back): the text holds only placeholders.
def counters(connection, closing, queryset, project):
    compiler = connection.ops.compiler(queryset.query.compiler)(queryset.query, connection, None)
    queryset_where_tuple = queryset.query.where.as_sql(compiler, connection)
    where = queryset_where_tuple[0]
    where_params = queryset_where_tuple[1]
    extra_sql = """
      SELECT "projects_status"."id", (SELECT count(*) FROM "issues_issue" WHERE {where})
        FROM "projects_status"
       WHERE "projects_status"."project_id" = %s
    """.format(
        where=where
    )
    with closing(connection.cursor()) as cursor:
        # ok: python-sql-string-formatting
        cursor.execute(extra_sql, where_params + [project.id])
        rows = cursor.fetchall()
    return rows


def counters_direct(cursor, queryset, compiler, connection, project):
    where_tuple = queryset.query.where.as_sql(compiler, connection)
    where = where_tuple[0]
    params = where_tuple[1]
    sql = "SELECT count(*) FROM issues_issue WHERE {where} AND project_id = %s".format(where=where)
    # ok: python-sql-string-formatting
    cursor.execute(sql, params + [project.id])


# The same shape disguised: the request's value filled in beside the clause, the part or the statement set again
# before the call, or the clause's parameters (the values themselves) filled in as text.
def counters_and_more(connection, closing, queryset, request):
    queryset_where_tuple = queryset.query.where.as_sql(None, connection)
    where = queryset_where_tuple[0]
    where_params = queryset_where_tuple[1]
    extra_sql = "SELECT count(*) FROM issues_issue WHERE {where} AND ref = '{ref}'".format(
        where=where, ref=request.GET["ref"])
    with closing(connection.cursor()) as cursor:
        # ruleid: python-sql-string-formatting
        cursor.execute(extra_sql, where_params)


def counters_where_set_again(cursor, queryset, connection, request):
    queryset_where_tuple = queryset.query.where.as_sql(None, connection)
    where = queryset_where_tuple[0]
    where_params = queryset_where_tuple[1]
    where = request.GET["where"]
    sql = "SELECT count(*) FROM issues_issue WHERE {where}".format(where=where)
    # ruleid: python-sql-string-formatting
    cursor.execute(sql, where_params)


def counters_statement_set_again(cursor, queryset, connection, request):
    queryset_where_tuple = queryset.query.where.as_sql(None, connection)
    where = queryset_where_tuple[0]
    where_params = queryset_where_tuple[1]
    sql = "SELECT count(*) FROM issues_issue WHERE {where}".format(where=where)
    sql = "SELECT count(*) FROM issues_issue WHERE ref = '{ref}'".format(ref=request.GET["ref"])
    # ruleid: python-sql-string-formatting
    cursor.execute(sql, [])


def counters_values_as_text(connection, closing, queryset):
    queryset_where_tuple = queryset.query.where.as_sql(None, connection)
    where = queryset_where_tuple[0]
    where = queryset_where_tuple[1]
    extra_sql = "SELECT count(*) FROM issues_issue WHERE ref IN ({where})".format(where=where)
    with closing(connection.cursor()) as cursor:
        # ruleid: python-sql-string-formatting
        cursor.execute(extra_sql)


def counters_own_where(cursor, Fake, request):
    queryset_where_tuple = Fake(request).as_sql(None, None)
    where = queryset_where_tuple[0]
    where_params = queryset_where_tuple[1]
    sql = "SELECT count(*) FROM issues_issue WHERE {where}".format(where=where)
    # ruleid: python-sql-string-formatting
    cursor.execute(sql, where_params)


# red147: SQL text with no keyword before its value, or its keywords after an escaped line break.
def orm_filter_text_without_keywords(Users, q, uid):
    # ruleid: python-sql-string-formatting
    Users.query.filter("name = '" + q + "'").all()
    # ruleid: python-sql-string-formatting
    Users.query.filter(f"owner_id = {uid}").all()
    # ruleid: python-sql-string-formatting
    Users.query.filter(f"id = 1\nOR name = '{q}'").all()
    # ok: python-sql-string-formatting
    Users.query.filter(Users.id == uid, Users.name.like(f"%{q}%")).all()


# red148: the `with` form's exemption held every statement after the call in its block: the request's value executed
# on the same cursor after the counters' statement passed.
def counters_then_more(connection, closing, queryset, request):
    queryset_where_tuple = queryset.query.where.as_sql(None, connection)
    where = queryset_where_tuple[0]
    where_params = queryset_where_tuple[1]
    extra_sql = "SELECT count(*) FROM issues_issue WHERE {where}".format(where=where)
    with closing(connection.cursor()) as cursor:
        # (flagged too: the exemption holds a block of the call and its rows' fetch only)
        # todook: python-sql-string-formatting
        cursor.execute(extra_sql, where_params)
        rows = cursor.fetchall()
        ref = request.GET["ref"]
        # ruleid: python-sql-string-formatting
        cursor.execute(f"UPDATE issues_issue SET seen = 1 WHERE ref = '{ref}'")
        # ruleid: python-sql-string-formatting
        cursor.execute("DELETE FROM issues_issue WHERE ref = '" + ref + "'")
    return rows


def counters_then_percent(connection, closing, queryset, request):
    queryset_where_tuple = queryset.query.where.as_sql(None, connection)
    where = queryset_where_tuple[0]
    where_params = queryset_where_tuple[1]
    extra_sql = "SELECT count(*) FROM issues_issue WHERE {where}".format(where=where)
    with closing(connection.cursor()) as cursor:
        # (flagged too: the exemption holds a block of the call and its rows' fetch only)
        # todook: python-sql-string-formatting
        cursor.execute(extra_sql, where_params)
        # ruleid: python-sql-string-formatting
        cursor.execute("SELECT * FROM issues_issue WHERE ref = '%s'" % request.GET["ref"])


def counters_returned(connection, closing, queryset, project):
    queryset_where_tuple = queryset.query.where.as_sql(None, connection)
    where = queryset_where_tuple[0]
    where_params = queryset_where_tuple[1]
    extra_sql = "SELECT count(*) FROM issues_issue WHERE {where} AND project_id = %s".format(where=where)
    with closing(connection.cursor()) as cursor:
        # ok: python-sql-string-formatting
        cursor.execute(extra_sql, where_params + [project.id])
        return cursor.fetchall()


# red148: Django's raw SQL fragments, QuerySet.extra() and RawSQL, with the request's value formatted in. (Bandit's
# B610/B611 report every use at medium, below the mobile rule set's block_at.)
def django_extra_formatted(request, Issue, RawSQL, models):
    ref = request.GET["ref"]
    # ruleid: python-sql-string-formatting
    Issue.objects.extra(where=[f"ref = '{ref}'"])
    # ruleid: python-sql-string-formatting
    Issue.objects.filter(project=1).extra(where=["ref = '%s'" % ref, "closed = false"])
    # ruleid: python-sql-string-formatting
    Issue.objects.extra(select={"hit": "CASE WHEN ref = '{}' THEN 1 ELSE 0 END".format(ref)})
    # ruleid: python-sql-string-formatting
    Issue.objects.extra(order_by=[f"{request.GET['sort']} desc"])
    # ruleid: python-sql-string-formatting
    Issue.objects.annotate(hit=RawSQL(f"SELECT count(*) FROM notes WHERE notes.ref = '{ref}'", []))
    # ruleid: python-sql-string-formatting
    Issue.objects.annotate(hit=models.expressions.RawSQL("SELECT 1 FROM notes WHERE ref = '" + ref + "'", ()))
    clause = f"ref = '{ref}'"
    # ruleid: python-sql-string-formatting
    Issue.objects.extra(where=[clause])
    fragment = "SELECT count(*) FROM notes WHERE notes.ref = '%s'" % ref
    # ruleid: python-sql-string-formatting
    Issue.objects.annotate(hit=RawSQL(fragment, []))


def django_extra_parameters(request, Issue, RawSQL, TABLE):
    ref = request.GET["ref"]
    # ok: python-sql-string-formatting
    Issue.objects.extra(where=["ref = %s"], params=[ref])
    # ok: python-sql-string-formatting
    Issue.objects.annotate(hit=RawSQL("SELECT count(*) FROM notes WHERE notes.ref = %s", (ref,)))
    # ok: python-sql-string-formatting
    Issue.objects.extra(select={"n": "SELECT count(*) FROM notes WHERE notes.issue_id = issues_issue.id"})
    # ok: python-sql-string-formatting
    Issue.objects.extra(tables=[f"{TABLE}_archive"])
