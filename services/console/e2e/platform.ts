import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
const CLI = join(REPO_ROOT, 'services/cli/bin/rapport.js');
export const CHROMIUM = '/usr/bin/chromium';
// shared/ sits beside the repository clone.
export const RETAIL_FILE = join(REPO_ROOT, '..', 'shared/data/online-retail.csv.gz');

/** Why the browser suite cannot run here, or undefined when it can. */
export function browserUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (apt-get install -y chromium)`;
  const probe = spawnSync(CHROMIUM, ['--headless', '--no-sandbox', '--version'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.status !== 0) return `${CHROMIUM} does not start: ${(probe.stderr || probe.error?.message || '').trim().split('\n')[0]}`;
  if (!existsSync(RETAIL_FILE)) return `the Online Retail file is missing at ${RETAIL_FILE}`;
  return undefined;
}

export interface StaffLogin {
  readonly email: string;
  readonly password: string;
}

/** A `rapport up` in its own data directory on a free port, as `npm start` runs it. */
export class Platform {
  url = '';
  keys: Record<string, string> = {};
  staff: Record<'support' | 'analyst' | 'admin', StaffLogin> = {} as never;
  private child?: ChildProcess;
  private output = '';

  private constructor(readonly dataDir: string) {}

  static async start(): Promise<Platform> {
    const dataDir = await mkdtemp(join(tmpdir(), 'rapport-console-'));
    // As root, PostgreSQL runs as `postgres` and must be able to reach <dataDir>/pg.
    await chmod(dataDir, 0o755);
    const platform = new Platform(dataDir);
    const env = { ...process.env, RAPPORT_DATA_DIR: dataDir, RAPPORT_PORT: '0', LOG_LEVEL: 'warn' };
    platform.child = spawn(process.execPath, ['--max-old-space-size=192', CLI, 'up'], { cwd: REPO_ROOT, env });
    platform.child.stdout!.on('data', (chunk: Buffer) => (platform.output += chunk.toString()));
    platform.child.stderr!.on('data', (chunk: Buffer) => (platform.output += chunk.toString()));
    const deadline = Date.now() + 120_000;
    while (!platform.output.includes('Ctrl-C to stop')) {
      if (platform.child.exitCode !== null) throw new Error(`rapport up exited with ${platform.child.exitCode}:\n${platform.output}`);
      if (Date.now() > deadline) throw new Error(`rapport up did not start:\n${platform.output}`);
      await sleep(100);
    }
    const runtime = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8')) as { url: string };
    platform.url = runtime.url;
    platform.keys = JSON.parse(await readFile(join(dataDir, 'dev-keys.json'), 'utf8'));
    platform.staff = JSON.parse(await readFile(join(dataDir, 'dev-staff.json'), 'utf8'));
    return platform;
  }

  get banner(): string {
    return this.output;
  }

  /** Runs another `rapport` command against this platform. */
  run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, CI: 'true', RAPPORT_DATA_DIR: this.dataDir } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  async call(method: 'GET' | 'POST', path: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child!.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * Writes the Online Retail rows of one customer to a plain CSV (header included) and returns
 * its path with the customer's order count and net spend in pence, straight from the file.
 */
export async function customerSlice(customerId: string, dir: string): Promise<{ file: string; orders: number; netPence: number }> {
  const lines = createInterface({ input: createReadStream(RETAIL_FILE).pipe(createGunzip()), crlfDelay: Infinity });
  const kept: string[] = [];
  const invoices = new Map<string, number>();
  let header: string[] | undefined;
  for await (const line of lines) {
    if (!header) {
      header = line.replace(/^\uFEFF/, '').split(',');
      kept.push(line);
      continue;
    }
    // Counted from the end: a quoted description may hold commas, the last five columns never do.
    const cells = line.split(',');
    const customer = cells[cells.length - 2]!.replace(/\.0$/, '');
    if (customer !== customerId) continue;
    kept.push(line);
    const invoice = cells[0]!;
    const quantity = Number(cells[cells.length - 5]);
    const unitPrice = Number(cells[cells.length - 3]);
    invoices.set(invoice, (invoices.get(invoice) ?? 0) + quantity * Math.round(unitPrice * 100));
  }
  const file = join(dir, `online-retail-${customerId}.csv`);
  await writeFile(file, `${kept.join('\n')}\n`);
  let orders = 0;
  let netPence = 0;
  for (const [invoice, pence] of invoices) {
    if (!invoice.startsWith('C')) orders += 1;
    netPence += pence;
  }
  return { file, orders, netPence };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}
