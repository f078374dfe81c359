import { type ArgumentsHost, BadRequestException, NotFoundException } from '@nestjs/common';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { requestContext } from '../logging/request-context';
import { HttpExceptionFilter } from './http-exception.filter';

interface Captured {
  status?: number;
  body?: Record<string, unknown>;
}

function hostCapturing(captured: Captured): ArgumentsHost {
  const res = {
    headersSent: false,
    getHeader: () => undefined,
    setHeader: () => undefined,
    status(code: number) {
      captured.status = code;
      return this;
    },
    json(body: Record<string, unknown>) {
      captured.body = body;
      return this;
    },
  };
  const req = { headers: {} };
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => res, getRequest: () => req }),
  } as unknown as ArgumentsHost;
}

function answer(exception: unknown): Captured {
  const captured: Captured = {};
  requestContext.run({ requestId: 'req-1' }, () =>
    new HttpExceptionFilter().catch(exception, hostCapturing(captured)),
  );
  return captured;
}

describe('HttpExceptionFilter', () => {
  it('maps a domain error by its code, with its fields', () => {
    const result = answer(
      new DomainError(ErrorCode.LdapSyncInProgress, undefined, [{ field: 'x', message: 'y' }]),
    );
    expect(result.status).toBe(409);
    expect(result.body).toMatchObject({
      code: 'LDAP_005',
      message: '同步任务进行中',
      data: null,
      extensions: { requestId: 'req-1', errors: [{ field: 'x', message: 'y' }] },
    });
  });

  it('maps an unknown route to a 404 envelope', () => {
    const result = answer(new NotFoundException('Cannot GET /nope'));
    expect(result.status).toBe(404);
    expect(result.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', message: 'Cannot GET /nope' });
  });

  it('maps a body-parser JSON failure to MALFORMED_REQUEST without echoing the body', () => {
    const result = answer(new BadRequestException('Unexpected token } in JSON at position 9'));
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ code: 'MALFORMED_REQUEST' });
    expect(JSON.stringify(result.body)).not.toContain('position 9');
  });

  it('hides an unexpected error behind a 500 with the request id', () => {
    const result = answer(new Error('connection string postgres://secret@db'));
    expect(result.status).toBe(500);
    expect(result.body).toMatchObject({
      code: 'INTERNAL_ERROR',
      extensions: { requestId: 'req-1' },
    });
    expect(JSON.stringify(result.body)).not.toContain('secret');
  });
});
