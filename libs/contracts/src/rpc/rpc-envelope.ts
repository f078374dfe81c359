/** Every RPC payload travels in this envelope so the caller's request id (and later its tenant
 *  and identity) reach the handler's logs. */
export interface RpcMeta {
  requestId: string;
  /** Epoch ms after which the caller has given up; handlers may skip work past it. */
  deadline?: number;
}

export interface RpcRequest<T> {
  meta: RpcMeta;
  data: T;
}

/** What an RPC handler sends back when it fails with a known error. */
export interface RpcErrorPayload {
  code: string;
  message: string;
  status: number;
  fields?: { field: string; message: string }[];
}

export function isRpcErrorPayload(value: unknown): value is RpcErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.code === 'string' &&
    typeof candidate.message === 'string' &&
    typeof candidate.status === 'number'
  );
}
