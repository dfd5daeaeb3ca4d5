import { ConfigError } from '@rapport/platform';
import { loadEmbeddedConfig } from './config';

describe('embedded configuration', () => {
  it('defaults to 127.0.0.1:3000 and ./.rapport', () => {
    expect(loadEmbeddedConfig({})).toEqual({ port: 3000, host: '127.0.0.1', dataDir: './.rapport', pgPort: undefined, logLevel: 'info', sessionIdleMinutes: 30 });
  });

  it('reads every variable, port 0 included', () => {
    const config = loadEmbeddedConfig({
      RAPPORT_PORT: '0',
      RAPPORT_HOST: '0.0.0.0',
      RAPPORT_DATA_DIR: '/var/lib/rapport',
      RAPPORT_PG_PORT: '6543',
      LOG_LEVEL: 'debug',
      RAPPORT_SESSION_IDLE_MINUTES: '5',
    });
    expect(config).toEqual({ port: 0, host: '0.0.0.0', dataDir: '/var/lib/rapport', pgPort: 6543, logLevel: 'debug', sessionIdleMinutes: 5 });
  });

  it('names each bad variable', () => {
    let error: unknown;
    try {
      loadEmbeddedConfig({ RAPPORT_PORT: 'http', RAPPORT_PG_PORT: '70000', LOG_LEVEL: 'loud', RAPPORT_SESSION_IDLE_MINUTES: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['LOG_LEVEL', 'RAPPORT_PG_PORT', 'RAPPORT_PORT', 'RAPPORT_SESSION_IDLE_MINUTES']);
    expect((error as Error).message).toContain('RAPPORT_PORT: expected an integer 0–65535, got "http"');
  });
});
