/** The baseline of the sync benchmark: what the raw tools take to move the same rows. One shell
 *  pipeline, timed as a whole: `ldapsearch` reads the users in pages (`-E pr=<page>/noprompt`)
 *  with the attributes the sync asks for, `ldif-to-copy.pl` turns each entry into a COPY row, and
 *  `psql \copy` loads them into a fresh scratch table of the benchmark's database. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { SetupError } from '../auth/support';

/** The sync's default field mapping (ldap-field-mapping.util.ts) plus the stable ids the adapter
 *  always adds: what one sync run reads of every entry. */
export const SYNC_ATTRIBUTES = [
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
  'objectGUID',
];

const COLUMNS = [
  'dn',
  'entryUUID',
  'uid',
  'cn',
  'sn',
  'givenName',
  'mail',
  'mobile',
  'title',
  'employeeNumber',
  'department',
];
const TABLE = 'bench_baseline_users';

export interface BaselineInput {
  root: string;
  ldapUrl: string;
  adminDn: string;
  /** A file holding the admin password (ldapsearch -y). */
  passwordFile: string;
  usersBase: string;
  filter: string;
  pageSize: number;
  databaseUrl: string;
  timeoutMs: number;
}

export interface BaselineResult {
  ms: number;
  rows: number;
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs the pipeline once on a fresh scratch table; the table is dropped afterwards. */
export async function measureBaseline(input: BaselineInput): Promise<BaselineResult> {
  const columns = COLUMNS.map((name) => name.toLowerCase());
  await withClient(input.databaseUrl, (client) =>
    client.query(
      `DROP TABLE IF EXISTS ${TABLE};
       CREATE TABLE ${TABLE} (${columns.map((name) => `${name} text`).join(', ')})`,
    ),
  );
  const ldapsearch = [
    'ldapsearch',
    '-x',
    '-LLL',
    '-o',
    'ldif-wrap=no',
    '-o',
    'nettimeout=10',
    '-H',
    input.ldapUrl,
    '-D',
    input.adminDn,
    '-y',
    input.passwordFile,
    '-b',
    input.usersBase,
    '-E',
    `pr=${input.pageSize}/noprompt`,
    input.filter,
    ...SYNC_ATTRIBUTES,
  ];
  const convert = ['perl', join(input.root, 'bench', 'ldap-sync', 'ldif-to-copy.pl'), ...columns];
  const copy = [
    'psql',
    '-X',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    '-d',
    input.databaseUrl,
    '-c',
    `\\copy ${TABLE} (${columns.join(', ')}) FROM STDIN`,
  ];
  const script = `set -euo pipefail; ${[ldapsearch, convert, copy]
    .map((argv) => argv.map(quote).join(' '))
    .join(' | ')}`;
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    execFile(
      'bash',
      ['-c', script],
      { timeout: input.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new SetupError(`baseline pipeline failed: ${stderr.slice(-600)}`));
        else resolve();
      },
    );
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rows = await withClient(input.databaseUrl, async (client) => {
    const result = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${TABLE}`);
    await client.query(`DROP TABLE ${TABLE}`);
    return Number(result.rows[0]?.count ?? 0);
  });
  return { ms, rows };
}
