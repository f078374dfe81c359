import { Inject } from '@nestjs/common';

/** The undici Agent every outbound client-API call goes through (guarded-agent.ts). */
export const OUTBOUND_AGENT = Symbol('OUTBOUND_AGENT');
export const InjectOutboundAgent = (): ParameterDecorator => Inject(OUTBOUND_AGENT);
