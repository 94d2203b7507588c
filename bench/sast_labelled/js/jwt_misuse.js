const jwt = require('jsonwebtoken');

function auth(req, res, next) {
  const token = req.headers.authorization;
  // vuln: jwt-misuse
  req.user = jwt.decode(token);
  next();
}

function verifyAny(token, key) {
  // vuln: jwt-misuse
  return jwt.verify(token, key, { algorithms: ['none', 'HS256'] });
}

function verifyNoAlg(token, publicKey) {
  // vuln: jwt-misuse
  return jwt.verify(token, publicKey);
}

function safeVerify(token, publicKey) {
  // safe: jwt-misuse
  return jwt.verify(token, publicKey, { algorithms: ['RS256'] });
}

module.exports = { auth, verifyAny, verifyNoAlg, safeVerify };
