import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { loadStoreSelection } from '@rapport/event-store';
import { formatMasterKeys, generateMasterKeys, loadMasterKeysFromEnv } from '@rapport/personal-data';
import { loadBusConfig } from '@rapport/kafka';
import { loadIngestConfig } from '@rapport/ingest';
import { loadRelayConfig } from '@rapport/relay';
import { loadTimelineConfig } from '@rapport/timeline';
import { loadCasesServiceConfig } from '@rapport/cases';

/*
 * CI has no Docker, so `docker compose config` and `kubectl --dry-run` cannot run. Instead
 * the files are parsed with `yaml`, checked against the focused JSON Schemas in
 * deploy/schemas (only the fields Rapport uses, not the full upstream specifications), and
 * cross-checked: references between objects, files the images need, and every process's
 * environment passed through the same validation the process runs at boot.
 */

const root = join(__dirname, '../..');
const deploy = join(root, 'deploy');
const base = join(deploy, 'k8s/base');
const ajv = new Ajv({ allErrors: true, strict: false });
const schema = (name: string) => ajv.compile(JSON.parse(readFileSync(join(deploy, 'schemas', name), 'utf8')));

type Env = Record<string, string>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What an operator exports before `docker compose up`: the variables compose requires (`${NAME:?message}`), never committed. */
const OPERATOR: Env = { RAPPORT_MASTER_KEYS: formatMasterKeys(generateMasterKeys('main-1')), RAPPORT_MASTER_KEY_ID: 'main-1' };

/** Compose's `${NAME:-default}` and `${NAME:?message}` interpolation, with only the operator's variables set. */
function interpolate(value: unknown): string {
  return String(value).replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, operator?: string, fallback?: string) =>
    operator === '?' ? (OPERATOR[name] ?? `(compose refuses to start: ${fallback})`) : (fallback ?? ''),
  );
}

const entryFile = (args: readonly string[]) => args.find((arg) => /\.(ts|cjs)$/.test(arg));

describe('deploy/docker-compose.yml', () => {
  const compose: Json = parse(readFileSync(join(deploy, 'docker-compose.yml'), 'utf8'), { merge: true });
  const services: Record<string, Json> = compose.services;
  const environment = (name: string): Env =>
    Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([key, value]) => [key, interpolate(value)]));
  const rapportServices = Object.keys(services).filter((name) => services[name].image === 'rapport:local');

  it('matches the compose schema: every service has an image or a build, and a healthcheck', () => {
    const validate = schema('compose.schema.json');
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('runs the whole scaled stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['cases-api', 'cases-projector', 'gateway', 'ingest', 'kafka', 'kurrentdb', 'migrate', 'postgres', 'relay', 'timeline-api', 'timeline-projector'].sort(),
    );
    expect(services.kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  it('builds Rapport images from an existing Dockerfile and starts existing entry points', () => {
    for (const name of rapportServices) {
      const { build, command } = services[name];
      expect(existsSync(join(deploy, build.context, build.dockerfile))).toBe(true);
      const entry = entryFile(command);
      expect(entry && existsSync(join(root, entry)) ? entry : `missing entry point for ${name}: ${String(entry)}`).toBe(entry);
    }
  });

  it('depends only on services that exist, and waits for the one-shot migration to succeed', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(`${name} -> ${dependency}: ${dependency in services}`).toBe(`${name} -> ${dependency}: true`);
    }
    for (const name of rapportServices.filter((n) => n !== 'migrate')) {
      expect(services[name].depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  it('gives every Rapport process an environment its own boot-time validation accepts', () => {
    for (const name of rapportServices) {
      const env = environment(name);
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
      expect(() => loadStoreSelection(env)).not.toThrow();
      expect(() => loadBusConfig(env)).not.toThrow();
      if (name !== 'migrate') expect(Number(env.PORT)).toBeGreaterThan(0);
    }
    expect(loadBusConfig(environment('timeline-projector')).mode).toBe('kafka');
    expect(loadBusConfig(environment('timeline-api')).mode).toBe('none');
    expect(loadRelayConfig(environment('relay'))).toMatchObject({ PORT: 3003, kafka: { brokers: ['kafka:9092'] } });
    expect(loadIngestConfig(environment('ingest'))).toMatchObject({ PORT: 3001 });
    expect(loadTimelineConfig(environment('timeline-api'))).toMatchObject({ PORT: 3002, RUN_PROJECTIONS: false });
    expect(loadTimelineConfig(environment('timeline-projector'))).toMatchObject({ PORT: 3004, RUN_PROJECTIONS: true });
    // Cases: one projector (and scheduler) on Kafka, an HTTP reader that never connects to it.
    expect(loadCasesServiceConfig(environment('cases-projector'))).toMatchObject({ PORT: 3006, RUN_PROJECTIONS: true, bus: { mode: 'kafka' } });
    expect(loadCasesServiceConfig(environment('cases-api'))).toMatchObject({ PORT: 3005, RUN_PROJECTIONS: false, bus: { mode: 'none' } });
    // Personal data: the processes that seal or open it must be given the master keys by the operator; the relay carries ciphertext only.
    for (const name of ['ingest', 'timeline-api', 'timeline-projector', 'cases-api', 'cases-projector']) {
      expect(services[name].environment).toMatchObject({ RAPPORT_MASTER_KEYS: expect.stringMatching(/^\$\{RAPPORT_MASTER_KEYS:\?/), RAPPORT_MASTER_KEY_ID: expect.stringMatching(/^\$\{RAPPORT_MASTER_KEY_ID:\?/) });
    }
    expect(services.relay.environment).not.toHaveProperty('RAPPORT_MASTER_KEYS');
    // The KurrentDB switch documented in deploy/README.md must pass the same checks.
    expect(loadStoreSelection({ ...environment('ingest'), RAPPORT_EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://kurrentdb:2113?tls=false' })).toEqual({
      kind: 'eventstoredb',
      url: 'esdb://kurrentdb:2113?tls=false',
    });
  });

  it('routes the gateway to services and ports that exist', () => {
    const gateway = readFileSync(join(deploy, 'gateway.conf'), 'utf8');
    const targets = [...gateway.matchAll(/proxy_pass http:\/\/([a-z-]+):(\d+)/g)].map(([, host, port]) => ({ host, port }));
    expect(targets.length).toBeGreaterThanOrEqual(4);
    expect(gateway).toMatch(/location \/v1\/cases +\{ proxy_pass http:\/\/cases-api:3005; \}/);
    for (const { host, port } of targets) expect(`${host}:${environment(host).PORT}`).toBe(`${host}:${port}`);
  });

  it('copies only files that exist into the image', () => {
    const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap(([, list]) => list.split(' ')).filter((path) => path !== '.');
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) expect(`${source}: ${existsSync(join(root, source))}`).toBe(`${source}: true`);
    // Every workspace's package.json, or `npm ci` in the image fails on the lock file.
    const patterns: string[] = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
    const workspaces = patterns.flatMap((pattern) =>
      pattern.endsWith('/*') ? readdirSync(join(root, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`) : [pattern],
    );
    for (const workspace of workspaces.filter((path) => existsSync(join(root, path, 'package.json')))) expect(sources).toContain(`${workspace}/package.json`);
  });
});

describe('deploy/k8s/base', () => {
  const kustomization: Json = parse(readFileSync(join(base, 'kustomization.yaml'), 'utf8'));
  const objects: Json[] = kustomization.resources.flatMap((file: string) =>
    parseAllDocuments(readFileSync(join(base, file), 'utf8')).map((document) => {
      expect(document.errors).toEqual([]);
      return document.toJS() as Json;
    }),
  );
  const byKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const named = (kind: string, name: string) => byKind(kind).find((object) => object.metadata.name === name);
  const podSpecs = () => [...byKind('Deployment'), ...byKind('Job')].map((object) => ({ name: object.metadata.name as string, spec: object.spec.template.spec as Json }));

  it('lists exactly the manifest files that exist, and matches the kustomization schema', () => {
    const validate = schema('kustomization.schema.json');
    expect(validate(kustomization) ? [] : validate.errors).toEqual([]);
    const files = readdirSync(base).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('has apiVersion, kind and metadata.name on every object, and each kind in its shape', () => {
    const validate = schema('k8s.schema.json');
    for (const object of objects) expect({ object: `${object.kind}/${object.metadata?.name}`, errors: validate(object) ? [] : validate.errors }).toEqual({ object: `${object.kind}/${object.metadata?.name}`, errors: [] });
    expect(byKind('Deployment').map((object) => object.metadata.name).sort()).toEqual(['cases-api', 'cases-projector', 'ingest', 'relay', 'timeline-api', 'timeline-projector']);
    expect(byKind('Job')).toHaveLength(1);
  });

  it('selects what the templates label: Deployments their pods, Services a Deployment and one of its named ports', () => {
    for (const deployment of byKind('Deployment')) expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    for (const service of byKind('Service')) {
      const target = byKind('Deployment').find((deployment) => Object.entries(service.spec.selector).every(([key, value]) => deployment.spec.template.metadata.labels[key] === value));
      expect(target?.metadata.name).toBe(service.metadata.name);
      const portNames = target!.spec.template.spec.containers.flatMap((container: Json) => container.ports.map((port: Json) => port.name));
      for (const port of service.spec.ports) expect(portNames).toContain(port.targetPort);
    }
  });

  it('routes the Ingress to Services and ports that exist', () => {
    const paths = byKind('Ingress').flatMap((ingress) => ingress.spec.rules.flatMap((rule: Json) => rule.http.paths));
    expect(paths.map((path: Json) => path.path)).toEqual(expect.arrayContaining(['/v1/events', '/v1/customers', '/v1/admin', '/v1/cases', '/v1/complaints', '/v1/callbacks', '/v1/service']));
    for (const { path, backend } of paths) {
      const service = named('Service', backend.service.name);
      expect(`${path} -> ${backend.service.name}:${backend.service.port.number} ${service ? 'found' : 'missing'}`).toBe(`${path} -> ${backend.service.name}:${backend.service.port.number} found`);
      expect(service!.spec.ports.map((port: Json) => port.port)).toContain(backend.service.port.number);
    }
  });

  it('scales the projectors no further than the topic has partitions', () => {
    const [hpa] = byKind('HorizontalPodAutoscaler');
    expect(named(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name)?.metadata.name).toBe('timeline-projector');
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    expect(hpa.spec.maxReplicas).toBeLessThanOrEqual(Number(named('ConfigMap', 'rapport-kafka')!.data.KAFKA_TOPIC_PARTITIONS));
  });

  it('runs existing entry points with ConfigMaps and Secrets that exist, and environments that pass boot validation', () => {
    for (const { name, spec } of podSpecs()) {
      for (const container of spec.containers) {
        expect(container.image).toBe(kustomization.images[0].name);
        const entry = entryFile([...(container.command ?? []), ...(container.args ?? [])]);
        expect(entry && existsSync(join(root, entry)) ? entry : `missing entry point for ${name}: ${String(entry)}`).toBe(entry);
        const env: Env = {};
        for (const source of container.envFrom ?? []) {
          const ref = source.configMapRef ?? source.secretRef;
          const object = named(source.configMapRef ? 'ConfigMap' : 'Secret', ref.name);
          expect(`${name} -> ${ref.name}: ${object ? 'found' : 'missing'}`).toBe(`${name} -> ${ref.name}: found`);
          Object.assign(env, object!.data ?? object!.stringData);
        }
        for (const { name: key, value } of container.env ?? []) env[key] = value;
        // The Secret's master key is a placeholder that must not boot; a real one (as an overlay gives it) must.
        if (env.RAPPORT_MASTER_KEYS !== undefined) {
          expect(() => loadMasterKeysFromEnv(env)).toThrow(/RAPPORT_MASTER_KEYS/);
          Object.assign(env, OPERATOR);
        }
        expect(env.DATABASE_URL).toMatch(/^postgres:\/\//);
        expect(() => loadStoreSelection(env)).not.toThrow();
        expect(() => loadBusConfig(env)).not.toThrow();
        const own = { relay: loadRelayConfig, ingest: loadIngestConfig, 'timeline-api': loadTimelineConfig, 'timeline-projector': loadTimelineConfig, 'cases-api': loadCasesServiceConfig, 'cases-projector': loadCasesServiceConfig }[name];
        if (own) expect(() => own(env)).not.toThrow();
      }
    }
  });
});
