import mysql from 'mysql2/promise';
import express from 'express';

const app = express();
const pool = mysql.createPool({ host: 'db', user: 'app', database: 'shop' });

app.get('/products', async (req, res) => {
  const category = req.query.category as string;
  // vuln: sql-injection
  const [rows] = await pool.query(`SELECT * FROM products WHERE category = '${category}'`);
  res.json(rows);
});

app.get('/user/:id', async (req, res) => {
  // vuln: sql-injection
  const [rows] = await pool.execute('SELECT * FROM users WHERE id = ' + req.params.id);
  res.json(rows);
});

export async function orderBy(db: any, column: string) {
  const sql = `SELECT * FROM orders ORDER BY ${column}`;
  // vuln: sql-injection
  return db.query(sql);
}

app.post('/login', async (req, res) => {
  const users = req.app.locals.db.collection('users');
  // vuln: sql-injection
  const user = await users.findOne({ name: req.body.name, password: req.body.password });
  res.json(!!user);
});

app.get('/safe/:id', async (req, res) => {
  // safe: sql-injection
  const [rows] = await pool.execute('SELECT * FROM users WHERE id = ?', [req.params.id]);
  res.json(rows);
});

export async function count(db: any) {
  // safe: sql-injection
  return db.query('SELECT COUNT(*) FROM orders');
}
