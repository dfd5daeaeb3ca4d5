import { utcInstant } from '@rapport/contracts';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Client } from 'pg';

// The content hash takes occurredAt as utcInstant gives it; that must be the instant a read model's
// timestamptz keeps, or two spellings PostgreSQL stores alike would be told apart (or the reverse).
describe('utcInstant against PostgreSQL timestamptz', () => {
  let database: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase('utc_instant');
    client = new Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  async function postgresInstants(values: readonly string[]): Promise<string[]> {
    const { rows } = await client.query<{ instant: string }>(
      `SELECT to_char(value::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS instant
         FROM unnest($1::text[]) WITH ORDINALITY AS input(value, n) ORDER BY n`,
      [values],
    );
    return rows.map((row) => row.instant);
  }

  it('gives the instant PostgreSQL stores, for chosen and for generated spellings', async () => {
    const chosen = [
      '2024-01-01T10:00:00Z',
      '2024-01-01T11:00:00+01:00',
      '2023-12-31T23:30:00-10:30',
      '2024-02-29T23:59:59.99999999-15:59',
      '2024-01-01T10:59:59.9999996+01:00',
      '2024-01-01T10:00:00.0000005Z',
      '2024-01-01T10:00:00.0000015Z',
      '2024-01-01T10:00:00.0000025Z',
      '2024-01-01T10:00:00.1234565Z',
      '1900-01-01T00:00:00.000000001Z',
      '9999-12-31T23:59:58.9999995Z',
    ];
    let seed = 7;
    const next = (below: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % below);
    const two = (value: number) => String(value).padStart(2, '0');
    const generated = Array.from({ length: 300 }, () => {
      const fraction = next(4) === 0 ? '' : `.${Array.from({ length: 1 + next(12) }, () => next(10)).join('')}`;
      const zone = next(3) === 0 ? 'Z' : `${next(2) ? '+' : '-'}${two(next(16))}:${two(next(60))}`;
      return `${1950 + next(100)}-${two(1 + next(12))}-${two(1 + next(28))}T${two(next(24))}:${two(next(60))}:${two(next(60))}${fraction}${zone}`;
    });
    const values = [...chosen, ...generated];
    expect(values.map(utcInstant)).toEqual(await postgresInstants(values));
  });
});
