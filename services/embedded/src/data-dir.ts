import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DataDirBusyError } from './errors';

/** Where the embedded platform keeps its files, all under one data directory. */
export interface DataDirLayout {
  readonly root: string;
  /** The PostgreSQL cluster. */
  readonly postgres: string;
  /** Held by whichever process runs PostgreSQL on this directory. */
  readonly lock: string;
  /** Written once the HTTP server listens: how other commands reach the running platform. */
  readonly runtime: string;
  readonly devKeys: string;
  /** One dev staff account per role, with its password, for signing in to the console. */
  readonly devStaff: string;
  /** PostgreSQL's own log: it runs in a session of its own, apart from the terminal. */
  readonly postgresLog: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const root = resolve(dataDir);
  return {
    root,
    postgres: join(root, 'pg'),
    lock: join(root, 'rapport.pid'),
    runtime: join(root, 'runtime.json'),
    devKeys: join(root, 'dev-keys.json'),
    devStaff: join(root, 'dev-staff.json'),
    postgresLog: join(root, 'postgres.log'),
  };
}

export interface RuntimeInfo {
  readonly pid: number;
  readonly url: string;
  readonly databaseUrl: string;
}

interface LockOwner {
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the data directory; as root, lets the `postgres` user PostgreSQL runs as reach the cluster inside. */
export async function prepareDataDir(layout: DataDirLayout): Promise<void> {
  await mkdir(layout.root, { recursive: true });
  if (process.getuid?.() === 0) {
    const { mode } = await stat(layout.root);
    if ((mode & 0o001) === 0) await chmod(layout.root, (mode & 0o7777) | 0o011);
  }
}

/**
 * Takes the data directory for this process. A lock left by a process that no longer
 * runs is taken over; one held by a live process is refused with its pid and command.
 */
export async function lockDataDir(layout: DataDirLayout, command: string): Promise<{ release(): Promise<void> }> {
  const owner: LockOwner = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await createWhole(layout.lock, JSON.stringify(owner));
      return {
        release: async () => {
          const current = await readLock(layout);
          if (current?.pid === process.pid) await rm(layout.lock, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readLock(layout);
      if (holder && holder.pid !== process.pid && isProcessAlive(holder.pid)) {
        throw new DataDirBusyError(layout.root, holder.pid, holder.command, layout.lock);
      }
      await rm(layout.lock, { force: true });
    }
  }
  throw new Error(`could not lock ${layout.root}: ${layout.lock} keeps reappearing`);
}

async function readLock(layout: DataDirLayout): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(layout.lock, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, command: String(parsed.command ?? 'rapport'), startedAt: String(parsed.startedAt) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pid of a PostgreSQL still running on the cluster from an earlier run whose process
 * was killed without stopping it; undefined when there is none.
 */
export async function strayPostgresPid(layout: DataDirLayout): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(layout.postgres, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs the PostgreSQL server of this cluster (`postgres -D <cluster>`), not some program that reused the pid. */
export async function isOurPostmaster(pid: number, layout: DataDirLayout): Promise<boolean> {
  const args = await commandLine(pid);
  const dataDirFlag = args.indexOf('-D');
  return args.length > 0 && basename(args[0]) === 'postgres' && dataDirFlag > 0 && resolve(args[dataDirFlag + 1] ?? '') === layout.postgres;
}

async function commandLine(pid: number): Promise<string[]> {
  const proc = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (proc !== undefined) return proc.split('\0').filter((arg) => arg !== '');
  // No /proc (macOS): ps prints the command line with spaces between arguments.
  const { execFile } = await import('node:child_process');
  const listed = await new Promise<string>((done) => execFile('ps', ['-o', 'command=', '-p', String(pid)], (error, stdout) => done(error ? '' : stdout)));
  return listed.trim().split(/\s+/).filter((arg) => arg !== '');
}

export async function writeRuntime(layout: DataDirLayout, runtime: RuntimeInfo): Promise<void> {
  await replaceWhole(layout.runtime, `${JSON.stringify(runtime, null, 2)}\n`);
}

// Other processes poll these files: they must see the old content or the new, never a half-written file.

const scratchFile = (file: string) => `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;

/** Writes `file` (owner-only) in one step: through a scratch file renamed over it. */
export async function replaceWhole(file: string, content: string): Promise<void> {
  const scratch = scratchFile(file);
  try {
    await writeFile(scratch, content, { mode: 0o600 });
    await rename(scratch, file);
  } finally {
    await rm(scratch, { force: true });
  }
}

/** Like replaceWhole, but readable by all and failing with EEXIST, changing nothing, when `file` exists. */
async function createWhole(file: string, content: string): Promise<void> {
  const scratch = scratchFile(file);
  try {
    await writeFile(scratch, content, { mode: 0o644 });
    await link(scratch, file);
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    // A file system without hard links (FAT, some shared folders): exclusive create, then write.
    await writeFile(file, content, { mode: 0o644, flag: 'wx' });
  } finally {
    await rm(scratch, { force: true });
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** The running platform on this data directory, if its process is still alive. */
export async function readRuntime(dataDir: string): Promise<RuntimeInfo | undefined> {
  try {
    const runtime = JSON.parse(await readFile(dataDirLayout(dataDir).runtime, 'utf8')) as RuntimeInfo;
    return typeof runtime.pid === 'number' && isProcessAlive(runtime.pid) ? runtime : undefined;
  } catch {
    return undefined;
  }
}

export async function removeRuntime(layout: DataDirLayout): Promise<void> {
  await rm(layout.runtime, { force: true });
}
