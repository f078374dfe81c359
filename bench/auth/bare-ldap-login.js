'use strict';
// The LDAP-login baseline of bench/auth: a bare search-then-bind loop with ldapjs, no framework,
// no RPC, no database, no session. Each login: connect, bind as the service account, search the
// user by uid under the user base, connect again and bind as the DN found with the user's
// password, unbind both. BENCH_LDAP_CONCURRENCY loops run side by side for a warm-up, then for
// BENCH_LDAP_SECONDS; prints one JSON line (BareLdapLoginResult in ldap-login.ts). Exits 1 when
// the very first login fails (nothing worth measuring). Run by run.ts as a process of its own.
//
// Environment: BENCH_LDAP_URL, BENCH_LDAP_SERVICE_DN, BENCH_LDAP_SERVICE_PASSWORD,
// BENCH_LDAP_USER_BASE, BENCH_LDAP_USERNAME, BENCH_LDAP_PASSWORD, BENCH_LDAP_CONCURRENCY,
// BENCH_LDAP_SECONDS, BENCH_LDAP_WARMUP_SECONDS (default 0), BENCH_LDAP_TIMEOUT_MS (default 5000,
// ldap_configs.timeout_ms's default).

const { performance } = require('node:perf_hooks');
const ldap = require('ldapjs');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const url = required('BENCH_LDAP_URL');
const serviceDn = required('BENCH_LDAP_SERVICE_DN');
const servicePassword = required('BENCH_LDAP_SERVICE_PASSWORD');
const userBase = required('BENCH_LDAP_USER_BASE');
const username = required('BENCH_LDAP_USERNAME');
const password = required('BENCH_LDAP_PASSWORD');
const concurrency = Number(required('BENCH_LDAP_CONCURRENCY'));
const seconds = Number(required('BENCH_LDAP_SECONDS'));
const warmupSeconds = Number(process.env.BENCH_LDAP_WARMUP_SECONDS || '0');
const timeoutMs = Number(process.env.BENCH_LDAP_TIMEOUT_MS || '5000');
// The attributes ldap-sync asks for with the default field mapping, plus the entry's UUID.
const ATTRIBUTES = [
  'uid',
  'cn',
  'mail',
  'mobile',
  'department',
  'title',
  'employeeNumber',
  'givenName',
  'sn',
  'entryUUID',
];
// The test directory's uids need no escaping (RFC 4515); refuse anything that would.
if (!/^[A-Za-z0-9._-]+$/.test(username)) throw new Error('BENCH_LDAP_USERNAME must be plain');
const filter = `(uid=${username})`;

function describe(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/** Resolves with a connected client; every client keeps an 'error' listener for its whole life
 *  (ldapjs emits socket errors at any time, and an unheard one would kill the process). */
function connect() {
  return new Promise((resolve, reject) => {
    const client = ldap.createClient({
      url,
      connectTimeout: timeoutMs,
      timeout: timeoutMs,
      reconnect: false,
    });
    let settled = false;
    const fail = (error) => {
      if (settled) return;
      settled = true;
      client.destroy();
      reject(error instanceof Error ? error : new Error(describe(error)));
    };
    client.on('error', fail);
    for (const event of ['connectError', 'connectRefused', 'connectTimeout', 'setupError']) {
      client.once(event, fail);
    }
    client.once('connect', () => {
      if (settled) return;
      settled = true;
      resolve(client);
    });
  });
}

function bind(client, dn, secret) {
  return new Promise((resolve, reject) => {
    client.bind(dn, secret, (error) => (error ? reject(error) : resolve()));
  });
}

function search(client) {
  return new Promise((resolve, reject) => {
    const options = { filter, scope: 'sub', attributes: ATTRIBUTES, sizeLimit: 2 };
    client.search(userBase, options, (error, res) => {
      if (error) return reject(error);
      const dns = [];
      res.on('searchEntry', (entry) => dns.push(entry.pojo.objectName));
      res.on('error', reject);
      res.on('end', (result) =>
        result && result.status !== 0
          ? reject(new Error(`search ended with LDAP result ${result.status}`))
          : resolve(dns),
      );
    });
  });
}

function close(client) {
  return new Promise((resolve) => {
    client.unbind(() => {
      client.destroy();
      resolve();
    });
  });
}

async function login() {
  const service = await connect();
  try {
    await bind(service, serviceDn, servicePassword);
    const dns = await search(service);
    if (dns.length !== 1) throw new Error(`(uid=${username}) matched ${dns.length} entries`);
    const user = await connect();
    try {
      await bind(user, dns[0], password);
    } finally {
      await close(user);
    }
  } finally {
    await close(service);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round(sorted[rank]);
}

function round(ms) {
  return Math.round(ms * 100) / 100;
}

async function phase(phaseSeconds) {
  const latencies = [];
  let errors = 0;
  let firstError;
  const started = performance.now();
  const end = started + phaseSeconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await login();
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= describe(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors, elapsed: (performance.now() - started) / 1000, firstError };
}

async function main() {
  await login();
  if (warmupSeconds > 0) await phase(warmupSeconds);
  const measured = await phase(seconds);
  const sorted = measured.latencies.sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  const result = {
    loginsPerSecond: Math.round((sorted.length / measured.elapsed) * 10) / 10,
    ok: sorted.length,
    errors: measured.errors,
    seconds: Math.round(measured.elapsed * 100) / 100,
    concurrency,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length > 0 ? round(sum / sorted.length) : 0,
    maxMs: round(sorted[sorted.length - 1] ?? 0),
    ...(measured.firstError ? { firstError: measured.firstError } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bare-ldap-login: ${describe(error)}\n`);
    process.exit(1);
  },
);
