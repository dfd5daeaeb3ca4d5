import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { asyncApiDocument, eventJsonSchema, PUBLISHED_EVENT_TYPES, requiredEntry } from './json-schemas';

// Writes `<Type>.v<N>.schema.json` for every version of every type, and `asyncapi.json`.
// Usage: node -r @swc-node/register contracts/src/export-schemas.ts [outDir]
export function exportSchemas(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, document: unknown) => {
    const file = join(outDir, name);
    writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
    written.push(file);
  };
  for (const type of PUBLISHED_EVENT_TYPES) {
    const entry = requiredEntry(type);
    for (const version of entry.versions) write(`${type}.v${version}.schema.json`, eventJsonSchema(entry, version));
  }
  write('asyncapi.json', asyncApiDocument());
  return written;
}

if (require.main === module) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : join(__dirname, '..', 'schemas', 'generated');
  for (const file of exportSchemas(outDir)) console.log(`wrote ${file}`);
}
