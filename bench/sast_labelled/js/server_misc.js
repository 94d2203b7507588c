const fs = require('fs');
const serialize = require('node-serialize');
const libxmljs = require('libxmljs');
const express = require('express');
const cookieParser = require('cookie-parser');

const app = express();
app.use(cookieParser());

app.get('/prefs', (req, res) => {
  const raw = Buffer.from(req.cookies.prefs || '', 'base64').toString('utf8');
  // vuln: deserialization
  const prefs = serialize.unserialize(raw);
  res.json(prefs);
});

app.post('/feed', express.text({ type: 'application/xml' }), (req, res) => {
  // vuln: xxe
  const xml = libxmljs.parseXmlString(req.body, { noent: true, noblanks: true });
  res.json({ items: xml.find('//item').length });
});

function exportReport(dir, csv) {
  // vuln: file-permissions
  fs.writeFileSync(`${dir}/report.csv`, csv, { mode: 0o666 });
  // safe: file-permissions
  fs.writeFileSync(`${dir}/report.sig`, csv, { mode: 0o600 });
}

app.get('/safe-prefs', (req, res) => {
  // safe: deserialization
  const prefs = JSON.parse(Buffer.from(req.cookies.prefs || '', 'base64').toString('utf8'));
  res.json(prefs);
});

app.post('/safe-feed', express.text({ type: 'application/xml' }), (req, res) => {
  // safe: xxe
  const xml = libxmljs.parseXmlString(req.body, { noblanks: true });
  res.json({ items: xml.find('//item').length });
});

module.exports = { app, exportReport };
