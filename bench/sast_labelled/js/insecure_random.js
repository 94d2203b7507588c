const crypto = require('crypto');

function resetToken() {
  // vuln: insecure-random
  const token = Math.random().toString(36).slice(2);
  return token;
}

function sessionId() {
  // vuln: insecure-random
  const sessionId = Math.floor(Math.random() * 1e16).toString(16);
  return sessionId;
}

function safeToken() {
  // safe: insecure-random
  return crypto.randomBytes(32).toString('hex');
}

function jitter() {
  // safe: insecure-random
  return Math.random() * 100;
}

module.exports = { resetToken, sessionId, safeToken, jitter };
