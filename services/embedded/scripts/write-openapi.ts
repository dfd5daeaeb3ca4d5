// Writes the embedded app's OpenAPI document to the file named on the command line (no server, no database).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../src/openapi-document';

const out = process.argv[2];
if (!out) {
  console.error('usage: write-openapi <file.json>');
  process.exit(2);
}
buildOpenApiDocument().then(
  (document) => {
    writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`wrote ${out}: ${Object.keys(document.paths).length} paths`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
