import { Pool } from 'pg';
import mysql from 'mysql2/promise';

const pool = new Pool();
const TABLE = 'users';

export async function positives(req: any, conn: mysql.Connection, knex: any, prisma: any, db: any) {
  // ruleid: js-sql-string-building
  const a = await pool.query(`SELECT * FROM users WHERE id = ${req.params.id}`);
  // ruleid: js-sql-string-building
  const [rows] = await conn.execute("SELECT * FROM users WHERE email = '" + req.body.email + "'");
  let sql = 'SELECT * FROM orders WHERE 1=1';
  sql += ` AND status = '${req.query.status}'`;
  // ruleid: js-sql-string-building
  const b = await pool.query(sql);
  const q = `DELETE FROM sessions WHERE user_id = ${req.user.id}`;
  // ruleid: js-sql-string-building
  db.run(q);
  // ruleid: js-sql-string-building
  const c = await knex('users').whereRaw(`name = '${req.query.name}'`);
  // ruleid: js-sql-string-building
  const d = await prisma.$queryRawUnsafe(`SELECT * FROM users WHERE name = '${req.query.name}'`);
  return [a, rows, b, c, d];
}

export async function negatives(req: any, db: any, api: any, knex: any, tools: any[]) {
  // ok: js-sql-string-building
  const a = await pool.query('SELECT * FROM users WHERE id = $1', [req.params.id]);
  // ok: js-sql-string-building
  const b = await pool.query(`SELECT * FROM ${TABLE} WHERE active = true`);
  // ok: js-sql-string-building
  const c = await api.get(`/users/${req.params.id}`);
  // ok: js-sql-string-building
  db.run('UPDATE users SET seen = 1 WHERE id = ?', req.params.id);
  // ok: js-sql-string-building
  const d = await knex('users').where({ name: req.query.name });
  // ok: js-sql-string-building
  const e = await pool.query('SELECT * FROM users ' + 'WHERE active = true');
  // ok: js-sql-string-building
  const f = await Promise.all(tools.map(async (t) => `Ask the user or request further input for ${t.name}`));
  return [a, b, c, d, e, f];
}

export async function prose(db: any, req: any) {
  // ruleid: js-sql-string-building
  await db.query('UPDATE users SET name = "' + req.body.name + '" WHERE id = 1');
  // ruleid: js-sql-string-building
  await db.all(`select id from users where name like '%${req.query.q}%'`);
  // ruleid: js-sql-string-building
  await db.query(`GRANT SELECT ON reports TO ${req.body.user}`);
  // ruleid: js-sql-string-building
  await db.query(`/* list */ SELECT * FROM users ORDER BY ${req.query.sort}`);
}

export async function chained(db: any, knex: any, id: string, name: string) {
  // ruleid: js-sql-string-building
  const [rows] = await db.promise().query('SELECT * FROM users WHERE id = ' + id);
  // ruleid: js-sql-string-building
  await knex('users').whereRaw(`name = '${name}'`);
  // ruleid: js-sql-string-building
  await getConnection().query(`DELETE FROM sessions WHERE user = ${id}`);
  // ok: js-sql-string-building
  await db.promise().query('SELECT * FROM users WHERE id = ?', [id]);
  return rows;
}

export async function otherClients(req: any, db: any, repo: any, sequelize: any) {
  // ruleid: js-sql-string-building
  const rows = await db.any(`SELECT * FROM users WHERE name = '${req.query.name}'`);
  // ruleid: js-sql-string-building
  const one = await db.oneOrNone('SELECT * FROM users WHERE id = ' + req.params.id);
  // ruleid: js-sql-string-building
  const found = await repo.createQueryBuilder('user').where(`user.name = '${req.query.name}'`).getMany();
  // ruleid: js-sql-string-building
  const count = sequelize.literal(`(SELECT COUNT(*) FROM posts WHERE posts.owner = '${req.query.owner}')`);
  // ok: js-sql-string-building
  const safe = await repo.createQueryBuilder('user').where('user.name = :name', { name: req.query.name }).getMany();
  const qb = repo.createQueryBuilder('post');
  // ok: js-sql-string-building
  qb.where(`${qb.alias}.title LIKE :q`, { q: `%${req.query.q}%` });
  // ruleid: js-sql-string-building
  qb.andWhere(`post.owner = '${req.query.owner}' AND post.status = :s`, { s: 'open' });
  // ruleid: js-sql-string-building
  qb.where(`user.id = '${req.params.id}'`, {});
  const cond = `user.name = '${req.query.name}'`;
  // ruleid: js-sql-string-building
  qb.where(cond);
  // ruleid: js-sql-string-building
  qb.where(`user.id = :id AND ${req.query.filter}`, { id: 1 });
  // ruleid: js-sql-string-building
  qb.andWhere(`u.name ILIKE ${req.query.pattern}`, {});
  return [rows, one, found, count, safe];
}

// red130: `.get/.each/.run/.query` are every API's names, and limit/from/order/select/and are English words
export async function notSql(axios: any, http: any, api: any, agent: any, engine: any, db: any, req: any, $: any) {
  // ok: js-sql-string-building
  const a = await axios.get(`${req.query.base}/items?page=${req.query.page}&limit=${req.query.limit}`);
  // ok: js-sql-string-building
  const b = http.get(`/items/search?from=${req.query.term}&order=desc&select=name,email`);
  // ok: js-sql-string-building
  const c = await api.get('/api/users/' + req.params.id + '?order=desc&limit=50');
  // ok: js-sql-string-building
  $('.card').each(function (i: number, el: any) { $(el).attr('aria-label', 'Show details for ' + el.title); });
  // ok: js-sql-string-building
  const d = await agent.run(`Summarise the latest news about ${req.query.topic} and list the three most important points.`);
  // ok: js-sql-string-building
  const e = await engine.query(`Explain where ${req.query.feature} is used and select the best example from the docs`);
  // ruleid: js-sql-string-building
  const f = db.get(`SELECT * FROM users WHERE id = ${req.params.id}`);
  // ruleid: js-sql-string-building
  db.each('/* list */ SELECT name FROM users WHERE team = ' + req.query.team, () => {});
  return [a, b, c, d, e, f];
}

// meas148: a LIKE pattern bound by a builder inside a where's condition or callback (drizzle, kysely) is a value,
// not SQL text; the same value with a quote, a column or a keyword beside it is SQL text again
export async function likeValues(db: any, query: any, eb: any, sql: any, qb: any, knex: any, q: string, req: any) {
  const comp = q.length ? notLike : like;
  // ok: js-sql-string-building
  db.select({ id: links.id }).from(links).where(and(eq(links.userId, req.user.id), comp(links.url, `%${req.query.url}%`)));
  // ok: js-sql-string-building
  query.where((e: any) => e('users.name', 'ilike', `%${req.query.q}%`).or('groups.name', 'ilike', `%${req.query.q}%`));
  // ok: js-sql-string-building
  query.where((e: any) => e(sql`f_unaccent(name)`, 'ilike', sql`f_unaccent(${'%' + req.query.q + '%'})`).or(sql`f_unaccent(description)`, 'ilike', sql`f_unaccent(${'%' + req.query.q + '%'})`));
  // ok: js-sql-string-building
  db.select().from(users).where(or(ilike(users.name, req.query.q + '%'), ilike(users.email, '%' + req.query.q)));
  // ruleid: js-sql-string-building
  qb.where(`user.name LIKE '%${req.query.q}%'`);
  // ruleid: js-sql-string-building
  query.where((e: any) => e.and([e('id', '=', 1)]).or(`name LIKE '%${req.query.q}%'`, {}));
  // ruleid: js-sql-string-building
  db.query("SELECT * FROM users WHERE name LIKE '" + `%${req.query.q}%` + "'");
  // ruleid: js-sql-string-building
  knex.whereRaw("name LIKE '" + req.query.q + "%");
  // ruleid: js-sql-string-building
  db.query("SELECT * FROM users WHERE name LIKE " + '%' + req.query.q + '%');
  // ruleid: js-sql-string-building
  qb.where(() => `user.name = '${req.query.q}'`);
  // ruleid: js-sql-string-building
  qb.where(`%${"' OR name = '" + req.query.q}%`);
  // ruleid: js-sql-string-building
  query.where((e: any) => sql.raw(`name = '${req.query.q}'`));
  return [comp];
}

// meas148: a typed sql tag binds its values like the untyped one; another tag, or text after it, does not
export function typedTags(eb: any, db: any, ref: any, q: string, req: any) {
  // ok: js-sql-string-building
  eb.selectFrom('spaces').where(({ or }: any) => or([sql<boolean>`${ref('spaces.id')} = (SELECT pages.space_id FROM pages WHERE pages.id = ${ref('favorites.pageId')})`]));
  // ok: js-sql-string-building
  db.query(sql<number>`SELECT count(*) FROM users WHERE name LIKE ${req.query.q + '%'}`);
  // ok: js-sql-string-building
  db.query(Prisma.sql<number>`SELECT count(*) FROM users WHERE id = ${req.params.id}`);
  // ruleid: js-sql-string-building
  db.query(raw<string>`SELECT * FROM users WHERE id = ${req.params.id}`);
  // ruleid: js-sql-string-building
  db.query(sql<string>`SELECT * FROM users WHERE name = '` + req.query.name + `'`);
  // ruleid: js-sql-string-building
  db.query(`SELECT * FROM users WHERE id = ${sql<string>`${req.params.id}`}`);
  return q;
}

// meas148: text built inside a sql tag's interpolation is a value the tag binds, or a name it quotes; text handed to
// the tag's raw escape hatch, or concatenated outside the tag, is SQL text
export async function nestedInTag(pool: any, tenants: any[], table: string, req: any) {
  // ok: js-sql-string-building
  await pool.query(sql`insert into public.organizations (id, name) values ${sql.join(tenants.map((t) => sql`(${`t-${t.id}`}, ${req.body.name})`), sql`, `)}`);
  // ok: js-sql-string-building
  await pool.query(sql`delete from ${sql.identifier([table])} where ${sql.identifier([req.query.kind + '_id'])} = ${req.params.id}`);
  // ruleid: js-sql-string-building
  await pool.query(sql`select * from users where ${sql.raw(`name = '${req.query.name}'`)}`);
  // ruleid: js-sql-string-building
  await pool.query(sql`select * from users where ${sql.unsafe("name = '" + req.query.name + "'")}`);
  // ruleid: js-sql-string-building
  await pool.query(sql`select * from users` + ` where name = '${req.query.name}'`);
  // ruleid: js-sql-string-building
  await pool.query(`select * from users where name = '${req.query.name}' and ${sql`x`}`);
}

// red149: the same wildcard pattern put into SQL text by hand (formatted into '%s', replaced for a marker, joined or
// concatenated onto the statement) is SQL text between the statement's own quotes; in a values array it is bound
declare const util: any, sprintf: any, mysql: any;
export async function likeFormatted(db: any, knex: any, qb: any, req: any) {
  const q = req.query.q;
  // ruleid: js-sql-string-building
  await db.query(util.format("SELECT * FROM users WHERE name LIKE '%s'", `%${req.query.q}%`));
  // ruleid: js-sql-string-building
  await db.query(sprintf("SELECT id FROM posts WHERE title LIKE '%s'", '%' + q + '%'));
  // ruleid: js-sql-string-building
  await db.query("SELECT * FROM users WHERE name LIKE ':q'".replace(':q', `%${q}%`));
  // ruleid: js-sql-string-building
  await db.query("SELECT * FROM users WHERE name LIKE '$q' OR email LIKE '$q'".replaceAll('$q', `${q}%`));
  // ruleid: js-sql-string-building
  await db.query(["SELECT * FROM users WHERE name LIKE '", `%${req.query.q}%`, "'"].join(''));
  // ruleid: js-sql-string-building
  await db.query("SELECT * FROM users WHERE name LIKE '".concat(`%${q}`, "'"));
  // ruleid: js-sql-string-building
  knex('users').whereRaw(util.format("name LIKE '%s'", q + '%'));
  const text = util.format("SELECT * FROM users WHERE name LIKE '%s'", `%${q}%`);
  // ruleid: js-sql-string-building
  await db.query(text);
  // ok: js-sql-string-building
  await db.query(mysql.format('SELECT * FROM users WHERE name LIKE ?', [`%${q}%`]));
  // ok: js-sql-string-building
  await db.query('SELECT * FROM users WHERE name LIKE $1', [`%${q}%`]);
  return qb;
}

// red149: text built for a tag's raw escape hatch is SQL text inside a sql tag's interpolation too, a `%` pattern as well;
// a values array a raw call binds is not
export async function rawInTag(db: any, knex: any, qb: any, req: any) {
  // ruleid: js-sql-string-building
  await db.execute(sql`SELECT * FROM users ORDER BY ${sql.raw(`${req.query.sort} ${req.query.order}`)}`);
  // ruleid: js-sql-string-building
  await db.execute(sql`SELECT * FROM users WHERE name LIKE '${sql.raw(`%${req.query.q}%`)}'`);
  // ruleid: js-sql-string-building
  await db.execute(sql`SELECT id FROM posts ORDER BY ${sql.raw(req.query.sort + ' DESC')}`);
  // ok: js-sql-string-building
  await db.execute(sql`SELECT * FROM users WHERE name LIKE ${`%${req.query.q}%`}`);
  // ok: js-sql-string-building
  qb.where(knex.raw('name LIKE ?', [`%${req.query.q}%`]));
  // ok: js-sql-string-building
  await db.execute(sql`SELECT * FROM users WHERE name = ${util.format('%s', req.query.q + '%')}`);
}
