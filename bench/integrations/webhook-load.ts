/** Load generator for signed webhooks, run as its own process by run.ts: WEBHOOK_CONCURRENCY
 *  loops each POST a Standard-Webhooks-signed unit update (a fresh id, signature and status per
 *  request) to WEBHOOK_URL for WEBHOOK_SECONDS, over keep-alive connections, then print one JSON
 *  line. */
import { Agent, request } from 'undici';
import { Webhook } from 'standardwebhooks';

const STATUSES = ['Available', 'Reserved', 'Hold', 'Sold', 'Unreleased', 'NotForSale', 'Announced'];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const url = required('WEBHOOK_URL');
  const webhook = new Webhook(required('WEBHOOK_SECRET'));
  const concurrency = Number(process.env.WEBHOOK_CONCURRENCY ?? 32);
  const seconds = Number(process.env.WEBHOOK_SECONDS ?? 10);
  const units = Number(process.env.WEBHOOK_UNITS ?? 1000);
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let sequence = 0;
  let firstError: string | undefined;
  const send = async (): Promise<void> => {
    sequence += 1;
    const id = `msg_${process.pid}_${sequence}`;
    const payload = JSON.stringify({
      type: 'unit.updated',
      timestamp: new Date().toISOString(),
      data: { id: `U${sequence % units}`, status: STATUSES[sequence % STATUSES.length] },
    });
    const now = new Date();
    const response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': webhook.sign(id, now, payload),
      },
      body: payload,
    });
    const text = await response.body.text();
    if (response.statusCode >= 200 && response.statusCode < 300) ok += 1;
    else {
      non2xx += 1;
      firstError ??= `HTTP ${response.statusCode}: ${text.slice(0, 200)}`;
    }
  };
  const warmUntil = Date.now() + 1000;
  const loop = async (until: number): Promise<void> => {
    while (Date.now() < until) {
      try {
        await send();
      } catch (error: unknown) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => loop(warmUntil)));
  ok = 0;
  non2xx = 0;
  errors = 0;
  const started = performance.now();
  const until = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, () => loop(until)));
  const elapsed = (performance.now() - started) / 1000;
  await agent.close();
  console.log(
    JSON.stringify({
      eventsPerSecond: Math.round(ok / elapsed),
      ok,
      non2xx,
      errors,
      seconds: Math.round(elapsed * 10) / 10,
      concurrency,
      ...(firstError ? { firstError } : {}),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
