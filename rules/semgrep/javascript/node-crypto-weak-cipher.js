const crypto = require('crypto');

function legacy(text, password) {
  // ruleid: js-node-crypto-weak-cipher
  const cipher = crypto.createCipher('aes-256-cbc', password);
  return cipher.update(text, 'utf8', 'hex') + cipher.final('hex');
}

function ecb(key, data) {
  // ruleid: js-node-crypto-weak-cipher
  const c = crypto.createCipheriv('aes-128-ecb', key, null);
  return Buffer.concat([c.update(data), c.final()]);
}

function des(key, iv, data) {
  // ruleid: js-node-crypto-weak-cipher
  return crypto.createCipheriv('des-ede3-cbc', key, iv).update(data);
}

function zeroIv(key, data) {
  // ruleid: js-node-crypto-weak-cipher
  const c = crypto.createCipheriv('aes-256-cbc', key, Buffer.alloc(16, 0));
  return c.update(data);
}

function good(key, data) {
  const iv = crypto.randomBytes(12);
  // ok: js-node-crypto-weak-cipher
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, c.update(data), c.final(), c.getAuthTag()]);
}
