import { spawnSync } from 'node:child_process';

const PROBE = `require(process.argv[1]).getContainerRuntimeClient()
  .then(() => process.exit(0), (error) => { console.log(error.message); process.exit(1); })`;

let cached: { reason: string | undefined } | undefined;

/**
 * Why Testcontainers cannot run here, or undefined when a container runtime answers.
 * Jest decides what to skip synchronously, so the lookup runs in a child process (once per worker).
 */
export function whyNoDocker(): string | undefined {
  if (cached) return cached.reason;
  const probe = spawnSync(process.execPath, ['-e', PROBE, require.resolve('testcontainers')], { encoding: 'utf8', timeout: 60_000 });
  const reason = probe.status === 0 ? undefined : (probe.stdout || probe.stderr || 'the container runtime lookup timed out').trim().split('\n')[0];
  cached = { reason };
  return reason;
}

/**
 * `describe` for suites that need real servers in containers: where no Docker engine is
 * reachable the suite is reported as skipped, with the reason in its title and one log line.
 */
export function describeWithDocker(title: string, suite: () => void): void {
  const reason = whyNoDocker();
  if (reason === undefined) {
    describe(title, suite);
    return;
  }
  console.info(`${title}: skipped, no Docker engine (${reason})`);
  describe.skip(`${title} (skipped: no Docker engine — ${reason})`, suite);
}
