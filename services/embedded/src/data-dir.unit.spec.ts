import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirLayout, lockDataDir, readRuntime, writeRuntime, type DataDirLayout } from './data-dir';
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
});
