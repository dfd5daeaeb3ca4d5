import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
const CLI = join(REPO_ROOT, 'services/cli/bin/rapport.js');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rapport …` to completion as a user would (CI=true: plain progress lines). */
export function rapport(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, CI: 'true', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RuntimeInfo {
  readonly pid: number;
  readonly url: string;
  readonly databaseUrl: string;
}

/** A `rapport up` running in its own process, as `npm start` runs it. */
export class RunningRapport {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  private constructor(env: Record<string, string>, processGroup: boolean) {
    // The heap flags npm start passes, so that `up` runs in this very process (no relaunch).
    // A process group of its own stands for a terminal's foreground group, which Ctrl-C signals as a whole.
    this.child = spawn(process.execPath, ['--max-old-space-size=192', CLI, 'up'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, detached: processGroup });
    this.child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts `rapport up` on `dataDir` and waits until it has written runtime.json. */
  static async start(
    dataDir: string,
    env: Record<string, string> = {},
    timeoutMs = 90_000,
    { processGroup = false } = {},
  ): Promise<{ rapport: RunningRapport; runtime: RuntimeInfo }> {
    const rapport = new RunningRapport({ RAPPORT_DATA_DIR: dataDir, RAPPORT_PORT: '0', LOG_LEVEL: 'warn', ...env }, processGroup);
    let exitCode: number | null | undefined;
    void rapport.exited.then((code) => (exitCode = code));
    const runtimeFile = join(dataDir, 'runtime.json');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`rapport up exited with ${exitCode}:\n${rapport.stdout}\n${rapport.stderr}`);
      if (existsSync(runtimeFile)) {
        const runtime = JSON.parse(await readFile(runtimeFile, 'utf8')) as RuntimeInfo;
        if (runtime.pid === rapport.pid) {
          // The banner follows runtime.json by a moment.
          while (!rapport.stdout.includes('Ctrl-C to stop') && Date.now() < deadline) await sleep(50);
          return { rapport, runtime };
        }
      }
      await sleep(100);
    }
    rapport.child.kill('SIGKILL');
    throw new Error(`rapport up did not start within ${timeoutMs} ms:\n${rapport.stdout}\n${rapport.stderr}`);
  }

  /** Ctrl-C in a terminal: SIGINT to the whole process group (started with `processGroup`); waits for the exit code. */
  async interruptGroup(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) process.kill(-this.pid, 'SIGINT');
    return this.exited;
  }

  /** SIGKILL to Node alone, as an out-of-memory kill would; its children are left as they are. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** Sends `signal` and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
