import type { z } from 'zod';
import { ValidationError } from './errors';

/**
 * Validates request input (a body, a query) against `schema`; a failure is a 400 whose every
 * problem names its field: `unknown field` for an extra key, `required` for a missing one.
 * `prefix` names where the input sits, e.g. `rules` for a document inside a body.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, prefix = ''): z.output<T> {
  const result = schema.safeParse(input ?? undefined);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: [prefix, ...issue.path, key].filter(Boolean).join('.'), message: 'unknown field' }))
        : [{ path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'), message: valueAt(input, issue.path) === undefined ? 'required' : issue.message }],
    ),
  );
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
