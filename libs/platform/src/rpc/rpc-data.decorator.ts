import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError, ErrorCode } from '@gatehouse/contracts';

/** The `data` of an RPC envelope, validated like an HTTP body by the global validation pipe
 *  (which runs on custom decorators). A message without an envelope is refused. */
export const RpcData = createParamDecorator((_: unknown, context: ExecutionContext): unknown => {
  const payload: unknown = context.switchToRpc().getData();
  if (typeof payload !== 'object' || payload === null || !('data' in payload)) {
    throw new DomainError(ErrorCode.ValidationFailed, 'RPC payload must be {meta, data}', [
      { field: 'data', message: 'data is required' },
    ]);
  }
  return payload.data ?? {};
});
