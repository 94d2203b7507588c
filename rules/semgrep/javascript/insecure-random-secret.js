function generateToken(length = 32) {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) {
    // ruleid: js-insecure-random-secret
    out += chars[Math.floor(Math.random() * chars.length)];
  }
  return out;
}

const makeResetCode = () =>
  // ruleid: js-insecure-random-secret
  String(Math.floor(100000 + Math.random() * 900000));

function createUser(user) {
  // ruleid: js-insecure-random-secret
  const tempPassword = Math.random().toString(36).slice(2);
  // ruleid: js-insecure-random-secret
  user.apiKey = Math.random().toString(16).substring(2);
  // ruleid: js-insecure-random-secret
  const session = { sessionId: Math.random().toString(36), user };
  return [tempPassword, session];
}

function negatives(items) {
  // ok: js-insecure-random-secret
  const jitter = Math.random() * 100;
  // ok: js-insecure-random-secret
  const pick = items[Math.floor(Math.random() * items.length)];
  // ok: js-insecure-random-secret
  const token = require('crypto').randomBytes(32).toString('hex');
  // ok: js-insecure-random-secret
  const id = crypto.randomUUID();
  return [jitter, pick, token, id];
}

function shuffleTokens(tokens) {
  // ok: js-insecure-random-secret
  return tokens.sort(() => Math.random() - 0.5);
}
