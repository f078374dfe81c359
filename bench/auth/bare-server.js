'use strict';
// The baseline of bench/auth: a bare Node `http` server that validates a Gatehouse access token
// the way the gateway does (jose `jwtVerify`, RS256 pinned, iss, aud, typ at+jwt, the same
// required claims and clock tolerance) and answers the claims as JSON. No framework, no session
// lookup, no logging, no metrics: the ceiling for our stack on this machine.
//
// Environment: PORT, HTTP_HOST (default 127.0.0.1), BARE_PUBLIC_KEY (base64 of the SPKI PEM),
// BARE_KID, JWT_ISSUER, JWT_AUDIENCE. GET /health answers 200 for the harness.

const http = require('node:http');
const { createPublicKey } = require('node:crypto');
const { jwtVerify } = require('jose');

const port = Number(process.env.PORT);
const host = process.env.HTTP_HOST || '127.0.0.1';
const kid = process.env.BARE_KID;
const publicKey = createPublicKey(
  Buffer.from(process.env.BARE_PUBLIC_KEY || '', 'base64').toString('utf8'),
);
const options = {
  algorithms: ['RS256'],
  issuer: process.env.JWT_ISSUER || 'gatehouse',
  audience: process.env.JWT_AUDIENCE || 'gatehouse',
  typ: 'at+jwt',
  clockTolerance: 5,
  requiredClaims: ['exp', 'iat', 'sub', 'jti'],
};
const VALIDATE_PATH = '/api/v1/users/token/validate/';

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function keyFor(header) {
  if (header.kid !== kid) throw new Error('unknown kid');
  return publicKey;
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'up' });
  if (req.method !== 'GET' || req.url !== VALIDATE_PATH)
    return send(res, 404, { error: 'Not found' });
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) {
    return send(res, 401, { error: 'Authentication required' });
  }
  jwtVerify(header.slice(7).trim(), keyFor, options).then(
    ({ payload }) =>
      payload.token_use === 'access'
        ? send(res, 200, payload)
        : send(res, 401, { error: 'Invalid token' }),
    () => send(res, 401, { error: 'Invalid token' }),
  );
});

server.listen(port, host, () => {
  console.log(JSON.stringify({ msg: `bare server listening on http://${host}:${port}` }));
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
