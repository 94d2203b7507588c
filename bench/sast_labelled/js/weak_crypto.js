const crypto = require('crypto');

function hashPassword(password) {
  // vuln: weak-crypto
  return crypto.createHash('md5').update(password).digest('hex');
}

function encrypt(text, secret) {
  // vuln: weak-crypto
  const cipher = crypto.createCipher('aes192', secret);
  return cipher.update(text, 'utf8', 'hex') + cipher.final('hex');
}

function encryptEcb(key, buf) {
  // vuln: weak-crypto
  return crypto.createCipheriv('aes-256-ecb', key, null).update(buf);
}

function checksum(buf) {
  // safe: weak-crypto
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function safeHash(password, salt) {
  // safe: weak-crypto
  return crypto.scryptSync(password, salt, 64).toString('hex');
}

module.exports = { hashPassword, encrypt, encryptEcb, checksum, safeHash };
