const { exec, execSync, spawn } = require('child_process');
const shell = require('shelljs');
const express = require('express');
const router = express.Router();

router.post('/thumbnail', (req, res) => {
  const { image } = req.body;
  // vuln: command-injection
  exec(`convert uploads/${image} -resize 200x200 thumbs/${image}`, (err) => res.sendStatus(err ? 500 : 200));
});

router.get('/whois', (req, res) => {
  // vuln: command-injection
  const out = execSync('whois ' + req.query.domain).toString();
  res.type('text').send(out);
});

router.get('/search', (req, res) => {
  const term = req.query.term;
  // vuln: command-injection
  const child = spawn('grep', ['-r', term, '/srv/docs'], { shell: true });
  child.stdout.pipe(res);
});

router.get('/git', (req, res) => {
  // vuln: command-injection
  const result = shell.exec(`git log --oneline ${req.query.branch}`, { silent: true });
  res.send(result.stdout);
});

function buildCmd(userArg) {
  // vuln: command-injection
  return execSync(`zip -r out.zip ${userArg}`);
}

router.get('/safe', (req, res) => {
  // safe: command-injection
  const child = spawn('grep', ['-r', req.query.term, '/srv/docs']);
  child.stdout.pipe(res);
});

function uptime() {
  // safe: command-injection
  return execSync('uptime').toString();
}

module.exports = { router, buildCmd, uptime };
