import type { FastifyReply } from 'fastify';
import type { Sql } from '../database';
import { survivorIn } from '../merges';

export interface MergedAnswer {
  readonly customerId: string;
  readonly mergedInto: string;
  readonly location: string;
}

/**
 * A read of a merged customer answers 307 to the same path under its survivor, with a body
 * that says so; undefined when `customerId` is not merged (by the `merges` table in `schema`).
 * 307, not 308: an unmerge undoes it.
 */
export async function redirectIfMerged(
  db: Sql,
  schema: string,
  customerId: string,
  reply: FastifyReply,
  path: (survivor: string) => string,
): Promise<MergedAnswer | undefined> {
  const survivor = await survivorIn(db, schema, customerId);
  if (survivor === undefined) return undefined;
  const location = path(encodeURIComponent(survivor));
  reply.status(307).header('location', location);
  return { customerId, mergedInto: survivor, location };
}
