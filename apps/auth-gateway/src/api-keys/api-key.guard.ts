import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { type ApiKeyRecord, ApiKeyRepository } from './api-key.repository';

export interface ApiKeyRequest extends Request {
  apiKey: ApiKeyRecord;
}

/** `X-API-Key` for internal callers (seed 001's HDTS lookup). A key in the query string is refused
 *  even when valid: URLs end up in logs. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ApiKeyRequest>();
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key.length < 16 || key.length > 256) {
      throw new DomainError(ErrorCode.Unauthenticated, 'Invalid or missing API key');
    }
    const record = await this.keys.findActive(key);
    if (!record) throw new DomainError(ErrorCode.Unauthenticated, 'Invalid or missing API key');
    req.apiKey = record;
    return true;
  }
}
