import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config';

const schema = z.object({
  DATABASE_URL: env.postgresUrl(),
  PORT: env.port(3001),
  HOST: env.host('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  BATCH_SIZE: env.int({ min: 1, max: 1000, default: 100 }),
  DOCS: env.boolean(true),
  API_KEY: z.string().min(10, 'expected at least 10 characters').optional(),
});

function failure(environment: Record<string, string>): ConfigError {
  try {
    loadConfig(schema, environment, 'ingest');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns typed values with defaults applied', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://u:p@localhost:5432/db', PORT: '8080', DOCS: 'no' });
    expect(config).toEqual({
      DATABASE_URL: 'postgres://u:p@localhost:5432/db',
      PORT: 8080,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      BATCH_SIZE: 100,
      DOCS: false,
    });
  });

  it('returns a frozen object', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://localhost/db' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { DATABASE_URL: 'postgres://localhost/db', PORT: '' }).PORT).toBe(3001);
  });

  it('names the bad port and echoes its value', () => {
    const error = failure({ DATABASE_URL: 'postgres://localhost/db', PORT: 'abc' });
    expect(error.message).toContain('PORT: expected an integer 1–65535, got "abc"');
    expect(error.message).toContain('for ingest');
  });

  it.each(['0', '65536', '3.5', '-1'])('rejects port %s', (port) => {
    expect(failure({ DATABASE_URL: 'postgres://localhost/db', PORT: port }).problems).toEqual([
      { variable: 'PORT', message: `expected an integer 1–65535, got "${port}"` },
    ]);
  });

  it('reports every bad variable at once, missing ones as not set', () => {
    const error = failure({ LOG_LEVEL: 'loud', BATCH_SIZE: '5000' });
    expect(error.problems).toEqual([
      { variable: 'DATABASE_URL', message: 'required, not set' },
      { variable: 'LOG_LEVEL', message: 'expected one of fatal, error, warn, info, debug, trace, silent, got "loud"' },
      { variable: 'BATCH_SIZE', message: 'expected an integer 1–1000, got "5000"' },
    ]);
  });

  it('hides URL passwords and secret-looking variables in messages', () => {
    const error = failure({ DATABASE_URL: 'mysql://admin:hunter2@db/x', API_KEY: 'short' });
    expect(error.message).toContain('DATABASE_URL: expected a postgres or postgresql URL, got "mysql://admin:***@db/x"');
    expect(error.message).toContain('API_KEY: expected at least 10 characters, got (hidden)');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('short');
  });

  it('ignores variables the schema does not declare', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://localhost/db', UNRELATED: 'x' });
    expect(config).not.toHaveProperty('UNRELATED');
  });
});
