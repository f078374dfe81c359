import { type INestMicroservice, Controller } from '@nestjs/common';
import { MessagePattern, Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { DomainError, ErrorCode, type PingReply, RPC_PATTERNS } from '@gatehouse/contracts';
import { RedisServer } from '@gatehouse/testing/redis-server';
import { AllExceptionsFilter } from '../http/all-exceptions.filter';
import { requestContext } from '../logging/request-context';
import { MetricsService } from '../metrics/metrics.service';
import { redisTransportOptions } from '../redis/redis-options';
import { RpcClient } from './rpc-client';

@Controller()
class FakeLdapSync {
  static failWith?: DomainError;

  @MessagePattern(RPC_PATTERNS.ldap.ping)
  ping(payload: { meta: { requestId: string } }): PingReply {
    if (FakeLdapSync.failWith) throw FakeLdapSync.failWith;
    return { app: 'fake', nonce: payload.meta.requestId, uptime: 0 };
  }
}

describe('RpcClient over a real Redis', () => {
  let redis: RedisServer;
  let server: INestMicroservice;
  let client: RpcClient;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const moduleRef = await Test.createTestingModule({ controllers: [FakeLdapSync] }).compile();
    server = moduleRef.createNestMicroservice({
      transport: Transport.REDIS,
      options: redisTransportOptions(redis.url),
    });
    server.useGlobalFilters(new AllExceptionsFilter());
    server.useLogger(false);
    await server.listen();
    client = new RpcClient('ldap-sync', redis.url, 500, new MetricsService());
    await client.onApplicationBootstrap();
  });

  afterAll(async () => {
    await client?.onApplicationShutdown();
    await server?.close();
    await redis?.stop();
  });

  afterEach(() => {
    FakeLdapSync.failWith = undefined;
  });

  it('sends the payload in an envelope carrying the current request id', async () => {
    const reply = await requestContext.run({ requestId: 'req-42' }, () =>
      client.send(RPC_PATTERNS.ldap.ping, {}),
    );
    expect(reply).toEqual({ app: 'fake', nonce: 'req-42', uptime: 0 });
  });

  it('turns a domain error of the peer back into the same domain error', async () => {
    FakeLdapSync.failWith = new DomainError(ErrorCode.LdapSyncInProgress, 'busy');
    const error = await client.send(RPC_PATTERNS.ldap.ping, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'LDAP_005', status: 409, message: 'busy' });
  });

  it('answers PEER_TIMEOUT when nobody serves the pattern, after the deadline and no later', async () => {
    const started = Date.now();
    const error = await client
      .send(RPC_PATTERNS.integration.ping, {}, { timeoutMs: 300 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ErrorCode.PeerTimeout, status: 503 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('answers PEER_UNAVAILABLE quickly when Redis itself is down, and recovers after', async () => {
    await redis.stop();
    const started = Date.now();
    const error = await client.send(RPC_PATTERNS.ldap.ping, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect([ErrorCode.PeerUnavailable, ErrorCode.PeerTimeout]).toContain(
      (error as DomainError).code,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    await redis.start();
    const deadline = Date.now() + 15000;
    let reply: PingReply | undefined;
    while (!reply && Date.now() < deadline) {
      reply = await client.send(RPC_PATTERNS.ldap.ping, {}).catch(() => undefined);
      if (!reply) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(reply?.app).toBe('fake');
  });
});
