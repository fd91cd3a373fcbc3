import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import draft07MetaSchema from 'ajv/dist/refs/json-schema-draft-07.json';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../common/config';
import { SEARCH_ATTRIBUTES } from '../../common/search-attributes';

/*
 * temporal-docker-compose.yml must be a valid Compose file and agree with the code it runs:
 * the env vars of common/config.ts and the search attributes of common/search-attributes.ts.
 * Each check is a function returning the problems it finds; every check is run on the real
 * file (expecting none) and on a deliberately broken copy (expecting the breakage reported),
 * so no check can pass vacuously.
 */

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE_PATH = path.join(ROOT, 'temporal-docker-compose.yml');
// Vendored Compose Specification schema; tests/fixtures/compose/README.md names its source.
const SCHEMA_PATH = path.join(ROOT, 'tests/fixtures/compose/compose-spec.json');

/** The services built from ./Dockerfile, which run the app and so read common/config.ts. */
const APP_SERVICES = ['migrate', 'deploy-contracts', 'worker', 'admin-worker', 'api'];
/** The app services that hold the admin key (loadConfig(env, { adminWorker: true })); no other may. */
const ADMIN_SERVICES = ['deploy-contracts', 'admin-worker'];

const APP_READS = new Set(CONFIG_VARIABLES);

/** Values for the `${VAR:?…}` variables a user must supply, as `docker compose` would get them. */
const SAMPLE_SHELL_ENV: Record<string, string> = {
  SIGNER_PRIVATE_KEY: `0x${'5a'.repeat(32)}`,
  ADMIN_PRIVATE_KEY: `0x${'6b'.repeat(32)}`,
  SIGNER_ADDRESS: '0x00000000000000000000000000000000000000a1',
  WALLET_MASTER_SECRET: 'compose-test-wallet-master-secret-0123456789',
  ID_DERIVATION_KEY: 'compose-test-id-derivation-key-0123456789',
  WEBHOOK_SECRET_KEY: 'compose-test-webhook-secret-key-0123456789',
  JWT_SECRET: 'compose-test-jwt-secret-0123456789-abcdef',
  PII_ENCRYPTION_KEYS: JSON.stringify({ k1: Buffer.alloc(32, 7).toString('base64') }),
  PII_BLIND_INDEX_KEY: Buffer.alloc(32, 8).toString('base64'),
};

type Doc = Record<string, unknown> & { services: Record<string, Service> };
type Service = Record<string, unknown> & {
  image?: string;
  build?: unknown;
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown; disable?: boolean };
};

const clone = <T>(v: T): T => structuredClone(v);

function readComposeText(): string {
  return readFileSync(COMPOSE_PATH, 'utf8');
}

/** Parses like compose does: YAML 1.1 merge keys (`<<: *app`) and anchors resolved. */
function parseCompose(text: string): Doc {
  return parse(text, { merge: true, maxAliasCount: -1 }) as Doc;
}

/**
 * Compose's interpolation: `$$` is a literal `$`; `${VAR}`, `${VAR:-def}`, `${VAR-def}`,
 * `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}` and `$VAR`. A missing `?` variable throws.
 */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const v = env[name];
      const set = v !== undefined;
      const nonEmpty = set && v !== '';
      switch (op) {
        case undefined:
          return v ?? '';
        case ':-':
          return nonEmpty ? v! : interpolate(arg ?? '', env);
        case '-':
          return set ? v! : interpolate(arg ?? '', env);
        case ':?':
        case '?':
          if (op === ':?' ? nonEmpty : set) return v!;
          throw new Error(`required variable ${name} is missing a value: ${arg ?? ''}`);
        case ':+':
          return nonEmpty ? interpolate(arg ?? '', env) : '';
        case '+':
          return set ? interpolate(arg ?? '', env) : '';
        default:
          throw new Error(`unsupported interpolation ${match}`);
      }
    },
  );
}

function interpolateDeep<T>(value: T, env: Record<string, string | undefined>): T {
  if (typeof value === 'string') return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, env)])) as T;
  }
  return value;
}

/** A service's environment as a map; list form `KEY=value` is accepted too. */
function envOf(service: Service): Record<string, string | undefined> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const i = entry.indexOf('=');
        return i < 0 ? [entry, undefined] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? undefined : String(v)]));
}

function dependsOn(service: Service): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d?.condition ?? 'service_started']));
}

function hasHealthcheck(service: Service): boolean {
  const hc = service.healthcheck;
  if (!hc || hc.disable === true) return false;
  if (Array.isArray(hc.test)) return hc.test.length > 0 && hc.test[0] !== 'NONE';
  return typeof hc.test === 'string' && hc.test.length > 0;
}

// ---- the checks: each returns the problems it finds ----

function schemaValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { $schema?: string };
  // Ajv's default class is draft-07. The schema names its dialect as
  // https://json-schema.org/draft-07/schema, so register the draft-07 meta-schema under that
  // id too: the schema itself is then checked against draft-07 before it is compiled.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  if (schema.$schema && !ajv.getSchema(schema.$schema)) {
    ajv.addMetaSchema({ ...draft07MetaSchema, $id: schema.$schema });
  }
  return ajv.compile(schema);
}

function schemaProblems(validate: ValidateFunction, doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

function dependsOnProblems(doc: Doc): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(doc.services)) {
    for (const [target, condition] of Object.entries(dependsOn(service))) {
      const dep = doc.services[target];
      if (!dep) {
        problems.push(`${name} depends on missing service ${target}`);
        continue;
      }
      if (condition === 'service_healthy' && !hasHealthcheck(dep)) {
        problems.push(`${name} waits for ${target} to be healthy, but ${target} has no healthcheck`);
      }
      if (condition === 'service_completed_successfully' && dep.restart !== 'no' && dep.restart !== undefined) {
        problems.push(`${name} waits for ${target} to complete, but ${target} restarts (${String(dep.restart)})`);
      }
    }
  }
  return problems;
}

function appServiceProblems(doc: Doc): string[] {
  const built = Object.entries(doc.services)
    .filter(([, s]) => s.build !== undefined)
    .map(([n]) => n)
    .sort();
  const problems: string[] = [];
  if (JSON.stringify(built) !== JSON.stringify([...APP_SERVICES].sort())) {
    problems.push(`services built from the Dockerfile are [${built.join(', ')}], expected [${[...APP_SERVICES].sort().join(', ')}]`);
  }
  return problems;
}

/** Variables loadConfig() refuses to go without, given the rest of this environment. */
function requiredVariables(env: Record<string, string | undefined>, opts: { adminWorker?: boolean } = {}): string[] {
  return CONFIG_VARIABLES.filter((name) => {
    const without = { ...env, [name]: undefined };
    try {
      loadConfig(without, opts);
      return false;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.issues.some((i) => i.variable === name);
    }
  });
}

function appEnvProblems(doc: Doc, shellEnv: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const name of APP_SERVICES) {
    const service = doc.services[name];
    if (!service) {
      problems.push(`app service ${name} is missing`);
      continue;
    }
    const raw = envOf(service);
    for (const key of Object.keys(raw)) {
      if (!APP_READS.has(key)) problems.push(`${name}: ${key} is not a variable the app reads`);
    }
    let env: Record<string, string | undefined>;
    try {
      env = interpolateDeep(raw, shellEnv);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
      continue;
    }
    const admin = ADMIN_SERVICES.includes(name);
    for (const key of requiredVariables(env, { adminWorker: admin })) {
      if (env[key] === undefined || env[key] === '') problems.push(`${name}: required variable ${key} is not set`);
    }
    if (!admin && env.ADMIN_PRIVATE_KEY) problems.push(`${name}: holds ADMIN_PRIVATE_KEY, which only ${ADMIN_SERVICES.join(' and ')} may`);
    if (admin && env.SIGNER_PRIVATE_KEY) problems.push(`${name}: holds the hot key SIGNER_PRIVATE_KEY`);
    try {
      loadConfig(env, { adminWorker: admin });
    } catch (err) {
      problems.push(`${name}: loadConfig rejects the environment: ${(err as Error).message}`);
    }
  }
  return problems;
}

function imageProblems(doc: Doc): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(doc.services)) {
    const image = service.image;
    if (image === undefined) {
      if (service.build === undefined) problems.push(`${name} has neither image nor build`);
      continue;
    }
    const lastSegment = image.split('/').pop() ?? '';
    const tag = image.includes('@') ? 'digest' : lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
    if (!tag) problems.push(`${name}: image ${image} has no tag`);
    else if (tag === 'latest') problems.push(`${name}: image ${image} uses latest`);
  }
  return problems;
}

const SEARCH_ATTRIBUTE_SERVICE = 'temporal-search-attributes';

/** NAME=Type pairs in the one-shot's SEARCH_ATTRIBUTES, which its script loops over. */
function composeSearchAttributes(doc: Doc): Record<string, string> | undefined {
  const service = doc.services[SEARCH_ATTRIBUTE_SERVICE];
  const list = service && envOf(service).SEARCH_ATTRIBUTES;
  if (list === undefined) return undefined;
  return Object.fromEntries(
    list
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => {
        const [name, type] = pair.split('=');
        return [name, type ?? ''];
      }),
  );
}

function searchAttributeProblems(doc: Doc): string[] {
  const service = doc.services[SEARCH_ATTRIBUTE_SERVICE];
  if (!service) return [`service ${SEARCH_ATTRIBUTE_SERVICE} is missing`];
  const problems: string[] = [];
  const registered = composeSearchAttributes(doc);
  const expected = Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).sort(([a], [b]) => a.localeCompare(b)));
  const actual = registered && Object.fromEntries(Object.entries(registered).sort(([a], [b]) => a.localeCompare(b)));
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    problems.push(`registers ${JSON.stringify(actual)}, common/search-attributes.ts has ${JSON.stringify(expected)}`);
  }
  const script = JSON.stringify([service.entrypoint, service.command]);
  if (!/\$\$\{?SEARCH_ATTRIBUTES\b/.test(script)) problems.push('its script does not loop over $SEARCH_ATTRIBUTES');
  if (!script.includes('search-attribute create')) problems.push('its script does not run `temporal operator search-attribute create`');
  if (!service.image?.startsWith('temporalio/admin-tools:')) problems.push(`it runs ${service.image}, not temporalio/admin-tools`);
  const env = envOf(service);
  const appNamespace = envOf(doc.services.api ?? {}).TEMPORAL_NAMESPACE;
  if (env.TEMPORAL_NAMESPACE !== 'default' || env.TEMPORAL_NAMESPACE !== appNamespace) {
    problems.push(`registers in namespace ${env.TEMPORAL_NAMESPACE}, the app uses ${appNamespace}`);
  }
  return problems;
}

// ---- tests ----

describe('temporal-docker-compose.yml', () => {
  const text = readComposeText();
  const doc = parseCompose(text);
  const validate = schemaValidator();

  describe('Compose Specification schema', () => {
    it('When validated against the vendored compose-spec schema, Then it has no errors', () => {
      expect(schemaProblems(validate, interpolateDeep(doc, SAMPLE_SHELL_ENV))).toEqual([]);
    });

    it('When a service has ports as a bare number, Then the schema rejects it', () => {
      const broken = clone(doc);
      broken.services.api.ports = 3000;
      expect(schemaProblems(validate, broken).join('\n')).toMatch(/\/services\/api\/ports/);
    });

    it('When the file has an unknown top-level key, Then the schema rejects it', () => {
      const broken = { ...clone(doc), servicez: {} };
      expect(schemaProblems(validate, broken).join('\n')).toMatch(/additionalProperty.*servicez/);
    });

    it('When a depends_on condition is misspelled, Then the schema rejects it', () => {
      const broken = clone(doc);
      broken.services.api.depends_on = { temporal: { condition: 'service_healty' } };
      expect(schemaProblems(validate, broken).join('\n')).toMatch(/depends_on/);
    });
  });

  describe('depends_on', () => {
    it('When services depend on others, Then every target exists, is healthchecked for service_healthy and is one-shot for service_completed_successfully', () => {
      expect(dependsOnProblems(doc)).toEqual([]);
    });

    it('When a depends_on target is missing, Then the check reports it', () => {
      const broken = clone(doc);
      delete broken.services.redis;
      expect(dependsOnProblems(broken)).toContain('api depends on missing service redis');
    });

    it('When a service_healthy target loses its healthcheck, Then the check reports it', () => {
      const broken = clone(doc);
      delete broken.services.temporal.healthcheck;
      expect(dependsOnProblems(broken)).toContain('api waits for temporal to be healthy, but temporal has no healthcheck');
    });

    it('When api and worker start, Then they wait for migrate and deploy-contracts to complete and temporal to be healthy', () => {
      for (const name of ['api', 'worker']) {
        expect(dependsOn(doc.services[name])).toMatchObject({
          migrate: 'service_completed_successfully',
          'deploy-contracts': 'service_completed_successfully',
          temporal: 'service_healthy',
        });
      }
    });

    it('When the stack starts, Then temporal waits for a healthy postgresql', () => {
      expect(dependsOn(doc.services.temporal)).toMatchObject({ postgresql: 'service_healthy' });
    });
  });

  describe('app environment', () => {
    it('When the app services are listed, Then exactly they are built from the Dockerfile', () => {
      expect(appServiceProblems(doc)).toEqual([]);
    });

    it('When the app env is read, Then it sets every required config variable, only variables the app reads, and loadConfig accepts it', () => {
      expect(appEnvProblems(doc, SAMPLE_SHELL_ENV)).toEqual([]);
    });

    it('When the required variables are probed, Then DATABASE_URL and the production SIGNER_PRIVATE_KEY are among them', () => {
      // Guards the probe itself: if it found nothing, the check above would pass vacuously.
      const env = interpolateDeep(envOf(doc.services.api), SAMPLE_SHELL_ENV);
      expect(requiredVariables(env)).toEqual(expect.arrayContaining(['DATABASE_URL', 'SIGNER_PRIVATE_KEY']));
    });

    it('When the app env is interpolated without SIGNER_PRIVATE_KEY in the shell, Then compose would refuse to start', () => {
      expect(() => interpolateDeep(envOf(doc.services.api), {})).toThrow(/SIGNER_PRIVATE_KEY/);
    });

    it('When a required variable is dropped from the app env, Then the check reports it', () => {
      const broken = parseCompose(text.replace(/^ {2}DATABASE_URL:.*\n/m, ''));
      expect(appEnvProblems(broken, SAMPLE_SHELL_ENV)).toEqual(expect.arrayContaining(['api: required variable DATABASE_URL is not set']));
    });

    it('When the app env sets a variable the app does not read, Then the check reports it', () => {
      const broken = parseCompose(text.replace(/^ {2}LOG_LEVEL: info\n/m, '  LOG_LEVEL: info\n  TEMPORAL_HOST: temporal\n'));
      expect(appEnvProblems(broken, SAMPLE_SHELL_ENV)).toContain('worker: TEMPORAL_HOST is not a variable the app reads');
    });

    it('When the admin key reaches the payout worker, or the hot key the admin worker, Then the check reports it', () => {
      const broken = clone(doc);
      broken.services.worker.environment = { ...envOf(broken.services.worker), ADMIN_PRIVATE_KEY: SAMPLE_SHELL_ENV.ADMIN_PRIVATE_KEY };
      broken.services['admin-worker']!.environment = {
        ...envOf(broken.services['admin-worker']!),
        SIGNER_PRIVATE_KEY: SAMPLE_SHELL_ENV.SIGNER_PRIVATE_KEY,
      };
      expect(appEnvProblems(broken, SAMPLE_SHELL_ENV)).toEqual(
        expect.arrayContaining([
          'worker: holds ADMIN_PRIVATE_KEY, which only deploy-contracts and admin-worker may',
          'admin-worker: holds the hot key SIGNER_PRIVATE_KEY',
        ]),
      );
    });

    it('When an app env value is invalid, Then loadConfig rejects it and the check reports it', () => {
      const broken = parseCompose(
        text.replace('TEMPORAL_ADDRESS: temporal:7233\n  TEMPORAL_NAMESPACE', 'TEMPORAL_ADDRESS: temporal\n  TEMPORAL_NAMESPACE'),
      );
      expect(appEnvProblems(broken, SAMPLE_SHELL_ENV).join('\n')).toMatch(/api: loadConfig rejects .*TEMPORAL_ADDRESS/s);
    });

    it('When the app env is loaded, Then it points at the compose services', () => {
      const config = loadConfig(interpolateDeep(envOf(doc.services.worker), SAMPLE_SHELL_ENV));
      expect(config).toMatchObject({
        env: 'production',
        databaseUrl: 'postgresql://rahat:rahat@postgresql:5432/rahat',
        temporal: { address: 'temporal:7233', namespace: 'default', taskQueue: 'rahat' },
        chain: { rpcUrl: 'http://anvil:8545', signerKey: SAMPLE_SHELL_ENV.SIGNER_PRIVATE_KEY },
        api: { host: '0.0.0.0', port: 3000 },
        walletMasterSecret: SAMPLE_SHELL_ENV.WALLET_MASTER_SECRET,
        redis: { host: 'redis', port: 6379 },
        webhooks: { secretKey: SAMPLE_SHELL_ENV.WEBHOOK_SECRET_KEY },
        pii: {
          encryptionKeys: JSON.parse(SAMPLE_SHELL_ENV.PII_ENCRYPTION_KEYS!),
          activeKeyId: 'k1',
          blindIndexKey: SAMPLE_SHELL_ENV.PII_BLIND_INDEX_KEY,
        },
        codecCorsOrigins: ['http://localhost:8233'],
      });
    });
  });

  describe('search attributes', () => {
    it('When the admin-tools job registers search attributes, Then they are those of common/search-attributes.ts in namespace default', () => {
      expect(searchAttributeProblems(doc)).toEqual([]);
    });

    it('When the compose list drifts from common/search-attributes.ts, Then the check reports it', () => {
      const broken = parseCompose(text.replace(' DistributionStatus=Keyword', ''));
      expect(searchAttributeProblems(broken)).toHaveLength(1);
    });
  });

  describe('images', () => {
    it('When images are pulled, Then every one has a pinned tag other than latest', () => {
      expect(imageProblems(doc)).toEqual([]);
    });

    it('When an image is untagged or latest, Then the check reports it', () => {
      const broken = clone(doc);
      broken.services.redis.image = 'redis';
      broken.services.postgresql.image = 'postgres:latest';
      expect(imageProblems(broken)).toEqual(['postgresql: image postgres:latest uses latest', 'redis: image redis has no tag']);
    });
  });
});
