const crypto = require('crypto');
const md5 = require('md5');
const CryptoJS = require('crypto-js');

function positives(password, user) {
  // ruleid: js-weak-password-hash
  const h1 = crypto.createHash('md5').update(password).digest('hex');
  // ruleid: js-weak-password-hash
  const h2 = crypto.createHash('sha1').update(user.password + user.salt).digest('hex');
  // ruleid: js-weak-password-hash
  const h3 = crypto.createHash('sha256').update(password, 'utf8').digest('base64');
  const hasher = crypto.createHash('md5');
  // ruleid: js-weak-password-hash
  hasher.update(req.body.newPassword);
  // ruleid: js-weak-password-hash
  const h4 = md5(password);
  // ruleid: js-weak-password-hash
  const h5 = CryptoJS.SHA256(user.pwd).toString();
  return [h1, h2, h3, hasher, h4, h5];
}

function negatives(password, body, fileBuffer) {
  // ok: js-weak-password-hash
  const etag = crypto.createHash('md5').update(body).digest('hex');
  // ok: js-weak-password-hash
  const checksum = crypto.createHash('sha256').update(fileBuffer).digest('hex');
  const salt = crypto.randomBytes(16);
  // ok: js-weak-password-hash
  const derived = crypto.scryptSync(password, salt, 64);
  return [etag, checksum, derived];
}

const req = { body: {} };
