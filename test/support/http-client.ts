/** A small JSON-over-HTTP helper for tests: never throws on a status, always bounded in time. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function request<T = unknown>(
  url: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<JsonResponse<T>> {
  const { timeoutMs = 5000, ...rest } = init;
  const response = await fetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/** The status of GET url, or 0 when nothing answers. */
export async function statusOf(url: string, timeoutMs = 2000): Promise<number> {
  try {
    return (await request(url, { timeoutMs })).status;
  } catch {
    return 0;
  }
}
