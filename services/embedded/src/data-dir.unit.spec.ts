import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirLayout, isOurPostmaster, isProcessAlive, lockDataDir, readRuntime, replaceWhole, strayPostgresPid, writeRuntime, type DataDirLayout } from './data-dir';
import { DataDirBusyError } from './errors';

describe('data directory lock and runtime file', () => {
  let layout: DataDirLayout;

  beforeEach(async () => {
    layout = dataDirLayout(await mkdtemp(join(tmpdir(), 'rapport-datadir-')));
  });

  afterEach(() => rm(layout.root, { recursive: true, force: true }));

  /** A pid that certainly belongs to no running process: a child that has already exited. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    return child.pid!;
  }

  it('lets one holder in, refuses a second while the first lives, and frees on release', async () => {
    const lock = await lockDataDir(layout, 'rapport up');
    expect(JSON.parse(await readFile(layout.lock, 'utf8'))).toMatchObject({ pid: process.pid, command: 'rapport up' });

    // Another live process holding the lock is simulated by the parent of this one.
    await writeFile(layout.lock, JSON.stringify({ pid: process.ppid, command: 'rapport keys', startedAt: 'x' }));
    const refusal = lockDataDir(layout, 'rapport up');
    await expect(refusal).rejects.toBeInstanceOf(DataDirBusyError);
    await expect(refusal).rejects.toThrow(`is in use by "rapport keys" (pid ${process.ppid})`);

    await writeFile(layout.lock, JSON.stringify({ pid: process.pid, command: 'rapport up', startedAt: 'x' }));
    await lock.release();
    const again = await lockDataDir(layout, 'rapport keys');
    expect(JSON.parse(await readFile(layout.lock, 'utf8'))).toMatchObject({ pid: process.pid, command: 'rapport keys' });
    await again.release();
  });

  it('replaces a file whole, so that a reader polling it sees the old content or the new, never part of it', async () => {
    const file = join(layout.root, 'polled.json');
    const versions = Array.from({ length: 50 }, (_, n) => JSON.stringify({ n, padding: 'x'.repeat(256 * 1024) }));
    await replaceWhole(file, versions[0]);
    let writing = true;
    const reads: number[] = [];
    const reader = (async () => {
      while (writing) reads.push((JSON.parse(await readFile(file, 'utf8')) as { n: number }).n);
    })();
    for (const version of versions.slice(1)) await replaceWhole(file, version);
    writing = false;
    await reader;

    expect(reads.length).toBeGreaterThan(0);
    expect(reads).toEqual([...reads].sort((a, b) => a - b));
    expect(await readdir(layout.root)).toEqual(['polled.json']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const pid = await deadPid();
    await writeFile(layout.lock, JSON.stringify({ pid, command: 'rapport up', startedAt: 'x' }));
    const lock = await lockDataDir(layout, 'rapport up');
    expect(JSON.parse(await readFile(layout.lock, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('reads runtime.json only while its process runs', async () => {
    await writeRuntime(layout, { pid: process.pid, url: 'http://127.0.0.1:3000', databaseUrl: 'postgres://x@127.0.0.1:54329/rapport' });
    expect(await readRuntime(layout.root)).toEqual({ pid: process.pid, url: 'http://127.0.0.1:3000', databaseUrl: 'postgres://x@127.0.0.1:54329/rapport' });

    await writeRuntime(layout, { pid: await deadPid(), url: 'http://127.0.0.1:3000', databaseUrl: 'postgres://x' });
    expect(await readRuntime(layout.root)).toBeUndefined();
  });

  it('tells our cluster\'s PostgreSQL from another program that reused the pid in postmaster.pid', async () => {
    // A live process that is no PostgreSQL at all, named by a stale pid file.
    const foreign = spawn(process.execPath, ['-e', 'setTimeout(() => undefined, 60000)']);
    try {
      await mkdir(layout.postgres);
      await writeFile(join(layout.postgres, 'postmaster.pid'), `${foreign.pid}\n${layout.postgres}\n`);
      expect(await strayPostgresPid(layout)).toBe(foreign.pid);
      expect(await isOurPostmaster(foreign.pid!, layout)).toBe(false);
      expect(isProcessAlive(foreign.pid!)).toBe(true);
    } finally {
      foreign.kill();
    }
  });
});
