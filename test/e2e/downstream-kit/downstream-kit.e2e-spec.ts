import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { ApiEnvelope } from '@gatehouse/contracts';
import { type GatehouseRequest, gatehouseAuth } from '@gatehouse/downstream-kit';
import { request } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';

interface LoginData {
  id: number;
  access_token: string;
}

/** A TTS-like downstream service using the kit against a real, running gateway. */
describe('the downstream kit against a running gateway', () => {
  let suite: Suite;
  let server: Server;
  let serviceUrl: string;

  beforeAll(async () => {
    suite = await Suite.start({
      label: 'kit',
      env: { GATEHOUSE_ADMIN_USERNAME: 'admin', GATEHOUSE_ADMIN_PASSWORD: 'kit-admin-password' },
    });
    const app = express();
    app.use(
      gatehouseAuth({
        jwksUrl: suite.url('auth-gateway', '/.well-known/jwks.json'),
        issuer: 'gatehouse',
        audience: 'gatehouse',
      }),
    );
    app.get('/tickets', (req, res) => {
      const { user_id, user_type } = req as GatehouseRequest;
      res.json({ user_id, user_type });
    });
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tickets`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await suite?.stop();
  });

  async function login(): Promise<LoginData> {
    const response = await request<ApiEnvelope<LoginData>>(
      suite.url('auth-gateway', '/api/v1/auth/login'),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'kit-admin-password' }),
      },
    );
    expect(response.status).toBe(200);
    return response.body.data;
  }

  it('accepts a gateway token by Bearer header and by cookie, exposing user_id and user_type', async () => {
    const { id, access_token } = await login();
    const bearer = await request(serviceUrl, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(bearer.status).toBe(200);
    expect(bearer.body).toEqual({ user_id: id, user_type: 'staff' });
    const cookie = await request(serviceUrl, {
      headers: { cookie: `access_token=${access_token}` },
    });
    expect(cookie.status).toBe(200);
  });

  it('answers seed 001 bodies for a missing or tampered token', async () => {
    const missing = await request(serviceUrl);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: 'Authentication required' });

    const { access_token } = await login();
    const [header, payload, signature] = access_token.split('.');
    const forged = Buffer.from(payload ?? '', 'base64url')
      .toString('utf8')
      .replace('"staff"', '"admin"');
    const tampered = `${header}.${Buffer.from(forged).toString('base64url')}.${signature}`;
    const rejected = await request(serviceUrl, {
      headers: { authorization: `Bearer ${tampered}` },
    });
    expect(rejected.status).toBe(401);
    expect(rejected.body).toEqual({ error: 'Invalid token' });
  });
});
