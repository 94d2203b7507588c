const jwt = require('jsonwebtoken');

function currentUser(req) {
  const token = req.headers.authorization.split(' ')[1];
  // ruleid: js-jwt-decode-without-verify
  const claims = jwt.decode(token);
  return claims.sub;
}

const requireAdmin = async (req, res, next) => {
  // ruleid: js-jwt-decode-without-verify
  const payload = jwt.decode(req.cookies.session);
  if (payload && payload.role === 'admin') return next();
  return res.status(403).end();
};

function verified(req) {
  const token = req.headers.authorization.split(' ')[1];
  // ok: js-jwt-decode-without-verify
  const { header } = jwt.decode(token, { complete: true });
  const key = keys[header.kid];
  return jwt.verify(token, key, { algorithms: ['RS256'] });
}

const middleware = (req, res, next) => {
  try {
    req.user = jwt.verify(req.cookies.session, process.env.JWT_SECRET, { algorithms: ['HS256'] });
    // ok: js-jwt-decode-without-verify
    req.tokenInfo = jwt.decode(req.cookies.session);
    next();
  } catch (e) {
    res.status(401).end();
  }
};

const keys = {};
module.exports = { currentUser, requireAdmin, verified, middleware };
