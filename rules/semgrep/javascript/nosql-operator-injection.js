const express = require('express');
const User = require('./models/user');

const app = express();
app.use(express.json());

app.post('/login', async (req, res) => {
  const { username, password } = req.body;
  // ruleid: js-nosql-operator-injection
  const user = await User.findOne({ username, password: password });
  res.json({ ok: Boolean(user) });
});

app.get('/orders', async (req, res) => {
  // ruleid: js-nosql-operator-injection
  const orders = await db.collection('orders').find({ status: req.query.status }).toArray();
  res.json(orders);
});

app.post('/login-safe', async (req, res) => {
  const username = String(req.body.username);
  // ok: js-nosql-operator-injection
  const user = await User.findOne({ username: username });
  res.json({ ok: Boolean(user) });
});

app.get('/orders-safe', async (req, res) => {
  // ok: js-nosql-operator-injection
  const orders = await db.collection('orders').find({ status: 'open' }).toArray();
  res.json(orders);
});

const db = { collection: () => ({ find: () => ({ toArray: async () => [] }) }) };
