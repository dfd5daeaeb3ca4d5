import { ConfigError } from '@rapport/platform';
import { loadCasesServiceConfig } from './config';

// 32 bytes, base64: the master key every scaled process that reads or writes personal data is given.
const masterKeys = { RAPPORT_MASTER_KEYS: `main-1:${Buffer.alloc(32, 7).toString('base64')}`, RAPPORT_MASTER_KEY_ID: 'main-1' };
const base = { DATABASE_URL: 'postgres://rapport:secret@postgres:5432/rapport', ...masterKeys };

function problemsOf(environment: Record<string, string | undefined>): string[] {
  try {
    loadCasesServiceConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.variable}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('cases service configuration (its own process)', () => {
  it('reads the master keys it opens and seals personal fields with', () => {
    expect(loadCasesServiceConfig(base)).toMatchObject({
      PORT: 3005,
      RUN_PROJECTIONS: true,
      bus: { mode: 'none' },
      masterKeys: { currentId: 'main-1', keys: new Map([['main-1', Buffer.alloc(32, 7)]]) },
    });
  });

  it('refuses to boot without them, naming both variables with its own problems', () => {
    expect(problemsOf({ ...base, RAPPORT_MASTER_KEY_ID: undefined })).toEqual([expect.stringContaining('RAPPORT_MASTER_KEY_ID: required')]);
    const environment = { RUN_PROJECTIONS: 'sometimes' };
    expect(() => loadCasesServiceConfig(environment)).toThrow(/^Invalid configuration for cases:/);
    expect(problemsOf(environment).map((problem) => problem.split(':')[0])).toEqual(['DATABASE_URL', 'RUN_PROJECTIONS', 'RAPPORT_MASTER_KEYS', 'RAPPORT_MASTER_KEY_ID']);
  });
});
