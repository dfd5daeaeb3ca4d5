import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The layering of ARCHITECTURE.md, by Nx tag: contracts import nothing, libs never import
 * services, services never import each other. Composition roots (type:app) wire services
 * together; end-to-end tests (type:e2e) may import anything.
 */
export const ALLOWED: Record<string, readonly string[]> = {
  'type:contracts': [],
  'type:lib': ['type:contracts', 'type:lib'],
  'type:service': ['type:contracts', 'type:lib'],
  'type:app': ['type:contracts', 'type:lib', 'type:service', 'type:app'],
  'type:e2e': ['type:contracts', 'type:lib', 'type:service', 'type:app', 'type:e2e'],
};

/** What the contracts' code may import: the schema language and Node's built-ins (for the schema export). Their tests may use test tools. */
export const CONTRACTS_MAY_IMPORT = ['zod', 'node'];

export interface Project {
  name: string;
  packageName: string;
  root: string;
  tag: string;
}

export interface Violation {
  file: string;
  specifier: string;
  reason: string;
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

export function findProjects(workspaceRoot: string): Project[] {
  const roots = ['contracts', 'test', ...['libs', 'services'].flatMap((group) => subfolders(join(workspaceRoot, group)).map((name) => `${group}/${name}`))];
  return roots
    .filter((root) => existsSync(join(workspaceRoot, root, 'project.json')))
    .map((root) => {
      const project = JSON.parse(readFileSync(join(workspaceRoot, root, 'project.json'), 'utf8')) as { name: string; tags?: string[] };
      const pkg = JSON.parse(readFileSync(join(workspaceRoot, root, 'package.json'), 'utf8')) as { name: string };
      const tags = (project.tags ?? []).filter((tag) => tag in ALLOWED);
      if (tags.length !== 1) throw new Error(`${root}/project.json needs exactly one of the tags ${Object.keys(ALLOWED).join(', ')}`);
      return { name: project.name, packageName: pkg.name, root: resolve(workspaceRoot, root), tag: tags[0] };
    });
}

export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(IMPORT)) found.push(match[1] ?? match[2] ?? match[3] ?? match[4]);
  return found;
}

/** Checks one file's import specifiers against the rules; `file` is an absolute path inside `from`. */
export function checkImports(from: Project, file: string, specifiers: string[], projects: Project[]): Violation[] {
  const violations: Violation[] = [];
  for (const specifier of specifiers) {
    let target: Project | undefined;
    if (specifier.startsWith('.')) {
      const resolved = resolve(dirname(file), specifier);
      if (resolved === from.root || resolved.startsWith(from.root + sep)) continue;
      target = projects.find((project) => resolved === project.root || resolved.startsWith(project.root + sep));
      if (!target) {
        violations.push({ file, specifier, reason: 'relative import leaves its project' });
        continue;
      }
      violations.push({ file, specifier, reason: `relative import into ${target.name}: import '${target.packageName}' instead` });
      continue;
    }
    target = projects.find((project) => specifier === project.packageName || specifier.startsWith(`${project.packageName}/`));
    if (!target) {
      const bare = specifier.startsWith('node:') ? 'node' : specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
      const testFile = /\.spec\.ts$/.test(file);
      if (from.tag === 'type:contracts' && !testFile && !CONTRACTS_MAY_IMPORT.includes(bare)) {
        violations.push({ file, specifier, reason: `contracts import nothing but ${CONTRACTS_MAY_IMPORT.join(', ')}` });
      }
      continue;
    }
    if (target === from) continue;
    if (!ALLOWED[from.tag].includes(target.tag)) {
      violations.push({ file, specifier, reason: `${from.name} (${from.tag}) may not depend on ${target.name} (${target.tag})` });
    } else if (from.tag === 'type:service' && target.tag === 'type:service') {
      violations.push({ file, specifier, reason: 'services meet only through events and HTTP' });
    }
  }
  return violations;
}

export function checkWorkspace(workspaceRoot: string): Violation[] {
  const projects = findProjects(workspaceRoot);
  return projects.flatMap((project) =>
    sourceFiles(project.root).flatMap((file) => checkImports(project, file, importsOf(readFileSync(file, 'utf8')), projects)).map((violation) => ({
      ...violation,
      file: relative(workspaceRoot, violation.file),
    })),
  );
}

function subfolders(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder).filter((name) => statSync(join(folder, name)).isDirectory()) : [];
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|cjs|mjs)$/.test(name) ? [path] : [];
  });
}
