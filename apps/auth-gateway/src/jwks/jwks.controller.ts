import { Controller, Get, Header } from '@nestjs/common';
import type { JWK } from 'jose';
import { Public } from '../guards/auth.decorators';
import { TokenService } from '../tokens/token.service';

/** The public keys downstreams verify access tokens with (current and, during a rotation, the
 *  previous ones). Empty in the shared-key HS256 mode: that key is never published. */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly tokens: TokenService) {}

  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Promise<{ keys: JWK[] }> {
    return this.tokens.jwks();
  }
}
