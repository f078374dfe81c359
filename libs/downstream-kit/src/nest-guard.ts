/** Nest integration: a guard built on the same verifier and HTTP mapping as the Express
 *  middleware, a global module that owns one verifier (one JWKS cache per process, whichever
 *  modules use the guard), and an explicit opt-out decorator for public routes. */
import {
  createParamDecorator,
  HttpException,
  Inject,
  Injectable,
  Module,
  Optional,
  SetMetadata,
  type CanActivate,
  type CustomDecorator,
  type DynamicModule,
  type ExecutionContext,
  type FactoryProvider,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { GatehouseClaims } from './gatehouse-claims';
import {
  attachClaims,
  authFailureResponse,
  type GatehouseAuthHooks,
  type GatehouseRequestFields,
} from './http-auth.util';
import { extractToken, type TokenSource } from './token-extractor';
import { TokenRejectedError } from './token-rejected.exception';
import {
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './token-verifier';

export const GATEHOUSE_TOKEN_VERIFIER = Symbol('GATEHOUSE_TOKEN_VERIFIER');
export const GATEHOUSE_AUTH_OPTIONS = Symbol('GATEHOUSE_AUTH_OPTIONS');
const PUBLIC_ROUTE = 'gatehouse:public-route';

export type GatehouseAuthModuleOptions = TokenVerifierOptions & GatehouseAuthHooks;

export interface GatehouseAuthModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly inject?: FactoryProvider['inject'];
  readonly useFactory: (
    ...deps: never[]
  ) => GatehouseAuthModuleOptions | Promise<GatehouseAuthModuleOptions>;
}

/** Marks a handler or controller as reachable without a token; the guard is then a no-op. */
export const GatehousePublic = (): CustomDecorator<string> => SetMetadata(PUBLIC_ROUTE, true);

/** `@GatehouseUser() user: GatehouseClaims` in a guarded handler. */
export const GatehouseUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): GatehouseClaims | undefined =>
    context.switchToHttp().getRequest<GatehouseRequestFields>().user,
);

@Injectable()
export class GatehouseAuthGuard implements CanActivate {
  // Reflector is stateless; constructing it keeps `createGatehouseAuthGuard` free of DI.
  private readonly reflector = new Reflector();

  constructor(
    @Inject(GATEHOUSE_TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Optional() @Inject(GATEHOUSE_AUTH_OPTIONS) private readonly hooks: GatehouseAuthHooks = {},
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets) === true) {
      return true;
    }
    // Tokens only travel in HTTP requests; anything else (RPC, WebSocket) is refused, not waved
    // through, if the guard is ever bound there.
    if (context.getType() !== 'http') return false;
    const req = context.switchToHttp().getRequest<TokenSource & object>();
    try {
      attachClaims(req, await this.verifier.verify(extractToken(req)));
      return true;
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) throw error;
      this.hooks.onRejected?.(error);
      const { status, body } = authFailureResponse(error.reason);
      throw new HttpException({ ...body }, status);
    }
  }
}

/** A guard without the module, e.g. `app.useGlobalGuards(createGatehouseAuthGuard(options))`. */
export function createGatehouseAuthGuard(options: GatehouseAuthModuleOptions): GatehouseAuthGuard {
  return new GatehouseAuthGuard(createTokenVerifier(options), options);
}

@Module({})
export class GatehouseAuthModule {
  static forRoot(options: GatehouseAuthModuleOptions): DynamicModule {
    return GatehouseAuthModule.build({ provide: GATEHOUSE_AUTH_OPTIONS, useValue: options }, []);
  }

  /** For options read from a validated config namespace, e.g. `inject: [ConfigService]`. */
  static forRootAsync(options: GatehouseAuthModuleAsyncOptions): DynamicModule {
    return GatehouseAuthModule.build(
      {
        provide: GATEHOUSE_AUTH_OPTIONS,
        useFactory: options.useFactory,
        inject: options.inject ?? [],
      },
      options.imports ?? [],
    );
  }

  private static build(
    optionsProvider: Provider,
    imports: NonNullable<ModuleMetadata['imports']>,
  ): DynamicModule {
    return {
      module: GatehouseAuthModule,
      // Global so `@UseGuards(GatehouseAuthGuard)` works in any feature module with one verifier.
      global: true,
      imports,
      providers: [
        optionsProvider,
        {
          provide: GATEHOUSE_TOKEN_VERIFIER,
          useFactory: (options: GatehouseAuthModuleOptions): TokenVerifier =>
            createTokenVerifier(options),
          inject: [GATEHOUSE_AUTH_OPTIONS],
        },
        GatehouseAuthGuard,
      ],
      exports: [GATEHOUSE_AUTH_OPTIONS, GATEHOUSE_TOKEN_VERIFIER, GatehouseAuthGuard],
    };
  }
}
