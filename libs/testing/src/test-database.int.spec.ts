import { Client } from 'pg';
import { createTestDatabase } from './test-database';

describe('test databases', () => {
  it('gives each caller its own empty database on the embedded server', async () => {
    const [a, b] = await Promise.all([createTestDatabase('harness'), createTestDatabase('harness')]);
    try {
      expect(a.name).not.toEqual(b.name);
      const client = new Client({ connectionString: a.url });
      await client.connect();
      const { rows } = await client.query<{ db: string; version: string }>('SELECT current_database() AS db, version() AS version');
      await client.end();
      expect(rows[0].db).toBe(a.name);
      expect(rows[0].version).toMatch(/^PostgreSQL \d+/);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});
