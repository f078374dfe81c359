import { Controller, HttpCode, Param, Post, type RawBodyRequest, Req } from '@nestjs/common';
import type { Request } from 'express';
import { type ApiEnvelope, successEnvelope } from '@gatehouse/contracts';
import type { IngestResult } from '../statuses/unit-status.service';
import { WebhooksService } from './webhooks.service';

/** Inbound status webhooks from client APIs, on integration-gateway's own port. */
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post(':slug')
  @HttpCode(200)
  async receive(
    @Param('slug') slug: string,
    @Req() request: RawBodyRequest<Request>,
  ): Promise<ApiEnvelope<IngestResult>> {
    const headers: Record<string, string> = {};
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return successEnvelope(await this.webhooks.receive(slug, request.rawBody, headers));
  }
}
