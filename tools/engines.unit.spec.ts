import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minVersion, satisfies } from 'semver';

const root = join(__dirname, '..');

interface LockFile {
  readonly packages: Record<string, { readonly engines?: { readonly node?: string } }>;
}

describe('Node.js engines', () => {
  // npm ci only warns (EBADENGINE) about a package that needs a newer Node; on the oldest Node we promise it may then fail at run time.
  it('every locked package runs on the oldest Node.js the root package.json accepts', () => {
    const floor = minVersion((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node);
    expect(floor?.version).toBe('20.19.0');
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as LockFile;
    const tooNew = Object.entries(lock.packages)
      .filter(([, entry]) => entry.engines?.node !== undefined && !satisfies(floor!, entry.engines.node))
      .map(([path, entry]) => `${path} needs node ${entry.engines!.node}`);
    expect(tooNew).toEqual([]);
  });
});
