import { z } from 'zod';
import { STAFF_ROLES } from '../auth/staff';
import { ValidationError } from '../errors';

const text = (max: number) => z.string({ error: 'must be a string' }).min(1, 'required').max(max, `must be at most ${max} characters`);

export const signInBody = z.strictObject({ email: text(254), password: text(256) });
export const createStaffBody = z.strictObject({
  email: text(254),
  name: text(200),
  role: z.enum(STAFF_ROLES, { error: `must be one of ${STAFF_ROLES.join(', ')}` }),
  /** Left out: a random one is generated and returned once. */
  password: text(256).optional(),
});
export const resetPasswordBody = z.strictObject({ password: text(256).optional() });

/** Validates a request body; every problem names its field. */
export function parseBody<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input ?? undefined);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'unknown field' }))
        : [{ path: issue.path.join('.'), message: issue.path.length === 0 ? 'must be a JSON object' : issue.message }],
    ),
  );
}
