const jwt = require('jsonwebtoken');

function auth(req, publicKey) {
  const token = req.headers.authorization.split(' ')[1];
  // ruleid: js-jwt-verify-without-algorithms
  const claims = jwt.verify(token, publicKey);
  // ruleid: js-jwt-verify-without-algorithms
  jwt.verify(token, publicKey, { audience: 'api' }, (err, decoded) => decoded);
  // ruleid: js-jwt-verify-without-algorithms
  jwt.verify(token, publicKey, (err, decoded) => decoded);
  // ok: js-jwt-verify-without-algorithms
  const safe = jwt.verify(token, publicKey, { algorithms: ['RS256'] });
  return [claims, safe];
}
