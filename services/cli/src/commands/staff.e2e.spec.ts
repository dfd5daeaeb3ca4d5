import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiKeyStore, createLogger, StaffStore } from '@rapport/platform';
import { createHttpApp, PlatformModule } from '@rapport/platform/nest';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';

const CLI = join(__dirname, '../../bin/rapport.js');

function rapport(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, CI: 'true', RAPPORT_API_KEY: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

describe('rapport staff create|list|disable|reset-password against the staff admin API', () => {
  let database: TestDatabase;
  let pool: Pool;
  let app: NestFastifyApplication;
  let staff: StaffStore;
  let target: string[];
  let supportKey: string;

  beforeAll(async () => {
    database = await createTestDatabase('cli_staff');
    pool = new Pool({ connectionString: database.url, max: 4 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    staff = new StaffStore(pool, 'rapport_auth', { scrypt: { N: 2 ** 10, r: 8, p: 1 } });
    await staff.migrate();
    const adminKey = (await apiKeys.create({ role: 'admin', name: 'ops' })).key;
    supportKey = (await apiKeys.create({ role: 'support', name: 'desk' })).key;
    @Module({ imports: [PlatformModule.forRoot({ apiKeys, staff, serviceName: 'cli-staff' })] })
    class StaffAdminModule {}
    app = await createHttpApp(StaffAdminModule, { logger: createLogger({ level: 'silent', serviceName: 'cli-staff' }), shutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    target = ['--url', `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, '--key', adminKey];
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await database?.drop();
  });

  it('creates an account with a generated password printed once, which signs in', async () => {
    const created = await rapport(['staff', 'create', '--email', 'eve@example.com', '--name', 'Eve Desk', '--role', 'support', ...target]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Created eve@example\.com \(Eve Desk, role support, id [0-9a-f-]{36}\)\./);
    const password = /password: (\S+)/.exec(created.stdout)![1]!;
    expect(password).toHaveLength(20);
    const { session } = await staff.signIn('eve@example.com', password);
    expect(session.staff.role).toBe('support');
  }, 30_000);

  it('reads a chosen password from standard input, lists, disables and resets', async () => {
    const created = await rapport(['staff', 'create', '--email', 'fay@example.com', '--name', 'Fay', '--role', 'analyst', '--password', '-', ...target], 'chosen by fay 123\n');
    expect(created.code).toBe(0);
    expect(created.stdout).not.toContain('password:');
    await expect(staff.signIn('fay@example.com', 'chosen by fay 123')).resolves.toBeDefined();

    const disabled = await rapport(['staff', 'disable', 'fay@example.com', ...target]);
    expect(disabled.stdout).toContain('Disabled fay@example.com');
    const list = await rapport(['staff', 'list', ...target]);
    expect(list.stdout.split('\n')[0]).toMatch(/^EMAIL\s+ROLE\s+STATUS\s+NAME$/);
    expect(list.stdout).toMatch(/eve@example\.com\s+support\s+active\s+Eve Desk/);
    expect(list.stdout).toMatch(/fay@example\.com\s+analyst\s+disabled\s+Fay/);
    await expect(staff.signIn('fay@example.com', 'chosen by fay 123')).rejects.toThrow('wrong');

    const reset = await rapport(['staff', 'reset-password', 'fay@example.com', '--json', ...target]);
    expect(reset.code).toBe(0);
    const answer = JSON.parse(reset.stdout) as { disabled: boolean; password: string };
    expect(answer.disabled).toBe(false);
    await expect(staff.signIn('fay@example.com', answer.password)).resolves.toBeDefined();
  }, 60_000);

  it('reports bad input and refused keys as errors, not stack traces', async () => {
    const short = await rapport(['staff', 'create', '--email', 'gil@example.com', '--name', 'Gil', '--role', 'support', '--password', 'short', ...target]);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('POST /v1/admin/staff: 400');
    expect(short.stderr).toContain('password: must be at least 12 characters');
    const role = await rapport(['staff', 'create', '--email', 'gil@example.com', '--name', 'Gil', '--role', 'emitter', ...target]);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('unknown staff role "emitter"');
    const missing = await rapport(['staff', 'disable', 'nobody@example.com', ...target]);
    expect(missing.stderr).toContain("404 No staff account 'nobody@example.com'.");
    const notAdmin = await rapport(['staff', 'list', target[0]!, target[1]!, '--key', supportKey]);
    expect(notAdmin.stderr).toContain('403');
  }, 60_000);
});
