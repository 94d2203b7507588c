const { exec, execSync, spawn, spawnSync } = require('child_process');
const cp = require('child_process');
const shell = require('shelljs');
const execa = require('execa');
const express = require('express');
const app = express();

app.get('/ping', (req, res) => {
  // ruleid: js-command-injection-user-input
  exec(`ping -c 1 ${req.query.host}`, (err, out) => res.send(out));
});

app.post('/convert', (req, res) => {
  const { file } = req.body;
  // ruleid: js-command-injection-user-input
  const out = execSync('convert ' + file + ' out.png');
  res.send(out);
});

app.get('/grep', (req, res) => {
  const pattern = req.query.q;
  // ruleid: js-command-injection-user-input
  const child = spawn('grep', [pattern, 'log.txt'], { shell: true });
  child.stdout.pipe(res);
});

app.get('/run', (req, res) => {
  // ruleid: js-command-injection-user-input
  const r = cp.spawnSync(req.query.cmd, { shell: true });
  res.send(r.stdout);
});

app.get('/sh', (req, res) => {
  // ruleid: js-command-injection-user-input
  spawn('sh', ['-c', 'ls ' + req.query.dir]);
  res.end();
});

app.get('/shelljs', (req, res) => {
  // ruleid: js-command-injection-user-input
  shell.exec(`git log --author=${req.query.author}`);
  res.end();
});

app.get('/execa', async (req, res) => {
  // ruleid: js-command-injection-user-input
  await execa.command(`tar czf ${req.params.name}.tgz data`);
  res.end();
});

export async function POST(request) {
  const body = await request.json();
  // ruleid: js-command-injection-user-input
  execSync(`git clone ${body.repo}`);
  return new Response('ok');
}

app.get('/safe-array', (req, res) => {
  // ok: js-command-injection-user-input
  const child = spawn('grep', [req.query.q, 'log.txt']);
  child.stdout.pipe(res);
});

app.get('/safe-execfile', (req, res) => {
  // ok: js-command-injection-user-input
  cp.execFile('ping', ['-c', '1', req.query.host], (e, out) => res.send(out));
});

app.get('/allow', (req, res) => {
  const tool = req.query.tool;
  if (['ls', 'df'].includes(tool)) {
    // ok: js-command-injection-user-input
    exec(tool, (e, out) => res.send(out));
  }
});

app.get('/const', (req, res) => {
  // ok: js-command-injection-user-input
  exec('uptime', (e, out) => res.send(out));
});

app.get('/number', (req, res) => {
  const n = parseInt(req.query.n, 10);
  // ok: js-command-injection-user-input
  execSync(`seq ${n}`);
  res.end();
});
