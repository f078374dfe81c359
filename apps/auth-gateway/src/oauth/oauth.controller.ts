import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../guards/auth.decorators';
import { OAuthError } from './oauth.error';
import { OAuthService } from './oauth.service';

/** The token endpoint answers RFC 6749 bodies, not the management envelope. */
@Controller('api/v1/oauth')
export class OAuthController {
  constructor(private readonly oauth: OAuthService) {}

  @Public()
  @Post('token')
  @HttpCode(200)
  async token(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    try {
      const answer = await this.oauth.token({
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body: req.body as unknown,
        address: req.ip ?? 'unknown',
      });
      res.status(200).json(answer);
    } catch (error: unknown) {
      if (!(error instanceof OAuthError)) throw error;
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      res.status(error.status).json({ error: error.error, error_description: error.description });
    }
  }
}
