import type { Sql } from '@rapport/projections';
import type { FastifyReply } from 'fastify';
import { survivorOf } from './queries';

export interface MergedAnswer {
  readonly customerId: string;
  readonly mergedInto: string;
  readonly location: string;
}

/**
 * A read of a merged customer answers 307 to the same path under its survivor, with a body
 * that says so; undefined when `customerId` is not merged. 307, not 308: an unmerge undoes it.
 */
export async function redirectIfMerged(db: Sql, customerId: string, reply: FastifyReply, path: (survivor: string) => string): Promise<MergedAnswer | undefined> {
  const survivor = await survivorOf(db, customerId);
  if (survivor === undefined) return undefined;
  const location = path(encodeURIComponent(survivor));
  reply.status(307).header('location', location);
  return { customerId, mergedInto: survivor, location };
}
