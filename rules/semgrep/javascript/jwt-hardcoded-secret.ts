import jwt from 'jsonwebtoken';

const SECRET = 'my-super-secret-key';

export function positives(userId: string, token: string) {
  // ruleid: js-jwt-hardcoded-secret
  const t = jwt.sign({ sub: userId }, 'secret123', { expiresIn: '1h' });
  // ruleid: js-jwt-hardcoded-secret
  const claims = jwt.verify(token, process.env.JWT_SECRET || 'dev-secret');
  // ruleid: js-jwt-hardcoded-secret
  const t2 = jwt.sign({ sub: userId }, SECRET);
  return [t, claims, t2];
}

export function negatives(userId: string, token: string, key: string) {
  // ok: js-jwt-hardcoded-secret
  const t = jwt.sign({ sub: userId }, process.env.JWT_SECRET as string, { expiresIn: '1h' });
  // ok: js-jwt-hardcoded-secret
  const claims = jwt.verify(token, key, { algorithms: ['HS256'] });
  return [t, claims];
}

export function noImport(jwtLib: any, userId: string) {
  // ruleid: js-jwt-hardcoded-secret
  return jwtLib.sign({ sub: userId }, 'passed-in-library-secret');
}
