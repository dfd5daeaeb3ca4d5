import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { checkImports, checkWorkspace, findProjects, importsOf, type Project } from './module-boundaries';

const root = join(__dirname, '..');

describe('module boundaries', () => {
  it('holds for the whole workspace', () => {
    expect(checkWorkspace(root)).toEqual([]);
  });

  it('knows every project and its layer', () => {
    const tags = Object.fromEntries(findProjects(root).map((project) => [project.packageName, project.tag]));
    expect(tags).toMatchObject({
      '@rapport/contracts': 'type:contracts',
      '@rapport/event-store': 'type:lib',
      '@rapport/ingest': 'type:service',
      '@rapport/embedded': 'type:app',
    });
  });

  describe('rules', () => {
    const project = (name: string, tag: string): Project => ({ name, packageName: `@rapport/${name}`, root: `/ws/${name}`, tag });
    const projects = [
      project('contracts', 'type:contracts'),
      project('store', 'type:lib'),
      project('ingest', 'type:service'),
      project('timeline', 'type:service'),
      project('host', 'type:app'),
    ];
    const [contracts, store, ingest, , host] = projects;
    const reasons = (from: Project, specifiers: string[]) =>
      checkImports(from, `${from.root}/src/a.ts`, specifiers, projects).map((violation) => violation.reason);

    it('contracts import nothing but zod and node built-ins', () => {
      expect(reasons(contracts, ['zod', 'node:crypto', '@rapport/store', 'pg'])).toEqual([
        'contracts (type:contracts) may not depend on store (type:lib)',
        'contracts import nothing but zod, node',
      ]);
    });

    it('libs never import services', () => {
      expect(reasons(store, ['@rapport/contracts', '@rapport/ingest/src/x'])).toEqual(['store (type:lib) may not depend on ingest (type:service)']);
    });

    it('services never import each other, not even by relative path', () => {
      expect(reasons(ingest, ['@rapport/timeline', '../../timeline/src/x', '@rapport/store', './local'])).toEqual([
        'ingest (type:service) may not depend on timeline (type:service)',
        "relative import into timeline: import '@rapport/timeline' instead",
      ]);
    });

    it('composition roots may wire services together', () => {
      expect(reasons(host, ['@rapport/ingest', '@rapport/timeline', '@rapport/store'])).toEqual([]);
    });
  });

  it('keeps the libraries\' entry points framework-free: the Nest layer has its own (`@rapport/<lib>/nest`)', () => {
    const libs = findProjects(root).filter((project) => project.tag === 'type:lib' || project.tag === 'type:contracts');
    const script = `const found = {};
      for (const name of ${JSON.stringify(libs.map((lib) => lib.packageName))}) {
        const before = new Set(Object.keys(require.cache));
        require(name);
        found[name] = Object.keys(require.cache).filter((file) => !before.has(file) && file.includes('/node_modules/@nestjs/')).length;
      }
      console.log(JSON.stringify(found));`;
    const output = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH } });
    const nestModulesLoaded = JSON.parse(output.trim().split('\n').pop()!) as Record<string, number>;
    expect(Object.keys(nestModulesLoaded)).toEqual(expect.arrayContaining(['@rapport/platform', '@rapport/projections', '@rapport/kafka']));
    expect(Object.entries(nestModulesLoaded).filter(([, count]) => count > 0)).toEqual([]);
  });

  it('finds every kind of import', () => {
    const source = `import a from 'a';\nimport { b } from "b";\nexport * from './c';\nimport 'd';\nconst e = require('e');\nawait import('f');`;
    expect(importsOf(source)).toEqual(['a', 'b', './c', 'd', 'e', 'f']);
  });
});
