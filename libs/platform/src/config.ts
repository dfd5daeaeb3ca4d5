import { z } from 'zod';

/** Configuration could not be read: the message names every bad variable and why. */
export class ConfigError extends Error {
  readonly code = 'CONFIG';

  constructor(
    readonly problems: readonly { variable: string; message: string }[],
    serviceName?: string,
  ) {
    super(
      `Invalid configuration${serviceName ? ` for ${serviceName}` : ''}:\n` +
        problems.map((problem) => `  ${problem.variable}: ${problem.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the environment once. Empty strings count as unset, so
 * `PORT=` falls back to the default instead of failing as "not an integer".
 */
export function loadConfig<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  env: Env = process.env,
  serviceName?: string,
): Readonly<z.infer<z.ZodObject<Shape>>> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return Object.freeze(result.data);

  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(root)';
    const raw = input[variable];
    const message = raw === undefined ? 'required, not set' : `${issue.message}, got ${shown(variable, raw)}`;
    return { variable, message };
  });
  throw new ConfigError(problems, serviceName);
}

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|KEY/i;

/** Echoes the bad value so the operator sees the typo, but never a secret or URL credentials. */
function shown(variable: string, raw: string): string {
  if (SECRET_NAME.test(variable)) return '(hidden)';
  const withoutCredentials = raw.replace(/\/\/([^:/@\s]+):[^@/\s]*@/, '//$1:***@');
  const short = withoutCredentials.length > 80 ? `${withoutCredentials.slice(0, 77)}...` : withoutCredentials;
  return JSON.stringify(short);
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field schemas shared by every service's config.ts; messages read well after "NAME: ". */
export const env = {
  port: (fallback: number) =>
    z
      .string()
      .default(String(fallback))
      .refine((value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65535, {
        message: 'expected an integer 1–65535',
      })
      .transform(Number),
  int: (options: { min?: number; max?: number; default?: number } = {}) => {
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
    const base = options.default === undefined ? z.string() : z.string().default(String(options.default));
    return base
      .refine((value) => /^-?\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
        message: `expected an integer ${min}–${max}`,
      })
      .transform(Number);
  },
  boolean: (fallback: boolean) =>
    z
      .string()
      .default(String(fallback))
      .refine((value) => /^(true|false|1|0|yes|no)$/i.test(value), { message: 'expected true or false' })
      .transform((value) => /^(true|1|yes)$/i.test(value)),
  url: (protocols: readonly string[]) =>
    z.string().refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `expected a ${protocols.join(' or ')} URL` },
    ),
  postgresUrl: () => env.url(['postgres', 'postgresql']),
  host: (fallback: string) => z.string().default(fallback),
  logLevel: (fallback: LogLevel = 'info') =>
    z
      .string()
      .default(fallback)
      .refine((value): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value), {
        message: `expected one of ${LOG_LEVELS.join(', ')}`,
      })
      .transform((value) => value as LogLevel),
};

/**
 * Runs several configuration readers and throws one ConfigError listing the problems of all
 * of them, so that an operator fixes the environment in one go.
 */
export function loadConfigs<T extends Record<string, () => unknown>>(readers: T, serviceName?: string): { [K in keyof T]: ReturnType<T[K]> } {
  const problems: ConfigError['problems'][number][] = [];
  const values: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(readers)) {
    try {
      values[name] = read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, serviceName);
  return values as { [K in keyof T]: ReturnType<T[K]> };
}
