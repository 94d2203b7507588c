const jwt = require('jsonwebtoken');

function positives(token, key, payload) {
  // ruleid: js-jwt-none-algorithm
  const a = jwt.verify(token, key, { algorithms: ['HS256', 'none'] });
  // ruleid: js-jwt-none-algorithm
  const b = jwt.sign(payload, '', { algorithm: 'none' });
  // ruleid: js-jwt-none-algorithm
  const c = jwt.verify(token, null, { algorithms: ['HS256'] });
  return [a, b, c];
}

function negatives(token, key, payload) {
  // ok: js-jwt-none-algorithm
  const a = jwt.verify(token, key, { algorithms: ['HS256'] });
  // ok: js-jwt-none-algorithm
  const b = jwt.sign(payload, key, { algorithm: 'RS256', expiresIn: '1h' });
  return [a, b];
}
