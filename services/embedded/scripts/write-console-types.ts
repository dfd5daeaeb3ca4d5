// Regenerates the console's API types from the embedded app's OpenAPI document (no server, no
// database); the file is only rewritten when it changes, so an unchanged API does not force a rebuild.
// With --check it writes nothing and exits 1 when the committed file is out of date.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { CONSOLE_API_TYPES, consoleApiTypes } from '../src/console-api-types';
import { buildOpenApiDocument } from '../src/openapi-document';

async function main(): Promise<void> {
  const types = await consoleApiTypes(await buildOpenApiDocument());
  const current = (() => {
    try {
      return readFileSync(CONSOLE_API_TYPES, 'utf8');
    } catch {
      return undefined;
    }
  })();
  const name = relative(process.cwd(), CONSOLE_API_TYPES);
  if (current === types) {
    console.log(`${name} is current`);
  } else if (process.argv.includes('--check')) {
    console.error(`${name} is out of date: npm run api-types -w @rapport/console`);
    process.exitCode = 1;
  } else {
    writeFileSync(CONSOLE_API_TYPES, types);
    console.log(`wrote ${name} from the OpenAPI document`);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
