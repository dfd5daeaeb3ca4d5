import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';

/** The console's generated API types, committed beside its hand-written client. */
export const CONSOLE_API_TYPES = join(__dirname, '..', '..', 'console', 'src', 'api', 'schema.d.ts');

/** The TypeScript the console is typed with, generated from the platform's OpenAPI document. */
export async function consoleApiTypes(document: OpenAPIObject): Promise<string> {
  const ast = await openapiTS(document as unknown as OpenAPI3);
  return COMMENT_HEADER + astToString(ast);
}
