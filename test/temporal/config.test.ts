import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTemporalConfig, WORKFLOW_POLLERS_DEFAULT, type TemporalConfig } from '../../src/temporal/config';
import { spawnDuban } from '../helpers/process';

/** Loads with only `env` (no HOME: the machine's own temporal.toml never leaks in), collecting the warnings. */
function load(env: NodeJS.ProcessEnv): { config: TemporalConfig; warnings: string[] } {
  const warnings: string[] = [];
  const config = loadTemporalConfig(env, (line) => warnings.push(line));
  return { config, warnings };
}

describe('Temporal connection settings (@temporalio/envconfig)', () => {
  let dir: string;
  let cert: string;
  let key: string;
  let ca: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-envconfig-'));
    cert = path.join(dir, 'client.pem');
    key = path.join(dir, 'client.key');
    ca = path.join(dir, 'ca.pem');
    writeFileSync(cert, 'CERT');
    writeFileSync(key, 'KEY');
    writeFileSync(ca, 'CA');
    writeFileSync(
      path.join(dir, 'temporal.toml'),
      [
        '[profile.default]',
        'address = "default.example:7233"',
        '',
        '[profile.prod]',
        'address = "prod.tmprl.example:7233"',
        'namespace = "duban-prod"',
        '[profile.prod.tls]',
        `client_cert_path = "${cert}"`,
        `client_key_path = "${key}"`,
        'server_name = "prod.internal"',
        '[profile.prod.grpc_meta]',
        'x-team = "督查室"',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const toml = () => path.join(dir, 'temporal.toml');

  it('without any setting: the embedded dev server, namespace default, no TLS', () => {
    const { config, warnings } = load({});
    expect(config).toMatchObject({ address: undefined, namespace: 'default', tls: undefined, apiKey: undefined });
    expect(warnings).toEqual([]);
  });

  it('a temporal.toml profile selects the address, namespace, TLS files and gRPC metadata', () => {
    const { config } = load({ TEMPORAL_CONFIG_FILE: toml(), TEMPORAL_PROFILE: 'prod' });
    expect(config.address).toBe('prod.tmprl.example:7233');
    expect(config.addressSource).toBe(`profile 'prod' of ${toml()}`);
    expect(config.namespace).toBe('duban-prod');
    expect(config.tls).toEqual({
      serverNameOverride: 'prod.internal',
      serverRootCACertificate: undefined,
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
    });
    expect(config.grpcMeta).toEqual({ 'x-team': '督查室' });
    // Without TEMPORAL_PROFILE the file's default profile applies.
    expect(load({ TEMPORAL_CONFIG_FILE: toml() }).config.address).toBe('default.example:7233');
  });

  it('TEMPORAL_* variables override the profile', () => {
    const { config } = load({
      TEMPORAL_CONFIG_FILE: toml(),
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_ADDRESS: 'other.example:7233',
      TEMPORAL_NAMESPACE: 'staging',
    });
    expect(config).toMatchObject({ address: 'other.example:7233', addressSource: 'TEMPORAL_ADDRESS' });
    expect(config.namespace).toBe('staging');
  });

  it('reads the standard TLS variables and the API key (which implies TLS)', () => {
    const { config } = load({
      TEMPORAL_ADDRESS: 'cluster.example:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'cluster.internal',
    });
    expect(config.tls).toEqual({
      serverNameOverride: 'cluster.internal',
      serverRootCACertificate: Buffer.from('CA'),
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
    });
    const cloud = load({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' }).config;
    expect(cloud).toMatchObject({ tls: true, apiKey: 'k' });
  });

  it("duban's earlier TLS names still work, each with a one-line warning naming its new variable", () => {
    const { config, warnings } = load({
      TEMPORAL_ADDRESS: 'cluster.example:7233',
      TEMPORAL_TLS_CERT_PATH: cert,
      TEMPORAL_TLS_KEY_PATH: key,
      TEMPORAL_TLS_CA_PATH: ca,
    });
    expect(config.tls).toMatchObject({
      serverRootCACertificate: Buffer.from('CA'),
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
    });
    expect(warnings).toEqual([
      'duban: TEMPORAL_TLS_CERT_PATH is deprecated and will be removed in the next release: use TEMPORAL_TLS_CLIENT_CERT_PATH',
      'duban: TEMPORAL_TLS_KEY_PATH is deprecated and will be removed in the next release: use TEMPORAL_TLS_CLIENT_KEY_PATH',
      'duban: TEMPORAL_TLS_CA_PATH is deprecated and will be removed in the next release: use TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    ]);
  });

  it('with an old and a new name both set and different, the new one wins with a warning', () => {
    const other = path.join(dir, 'other.pem');
    writeFileSync(other, 'OTHER');
    const { config, warnings } = load({
      TEMPORAL_ADDRESS: 'cluster.example:7233',
      TEMPORAL_TLS_CERT_PATH: other,
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
    });
    expect(config.tls).toMatchObject({ clientCertPair: { crt: Buffer.from('CERT') } });
    expect(warnings).toEqual([
      'duban: both TEMPORAL_TLS_CERT_PATH (deprecated) and TEMPORAL_TLS_CLIENT_CERT_PATH are set and differ: TEMPORAL_TLS_CLIENT_CERT_PATH is used',
    ]);
  });

  it('an empty variable counts as unset', () => {
    expect(load({ TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: ' ' }).config).toMatchObject({
      address: undefined,
      namespace: 'default',
    });
  });

  it.each([
    [
      'a missing certificate file, by the variable that named it',
      { TEMPORAL_ADDRESS: 'c:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: '/nope/c.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/k' },
      'invalid configuration: TEMPORAL_TLS_CLIENT_CERT_PATH: no such file /nope/c.pem',
    ],
    [
      'a missing file named by an old variable, by that variable',
      { TEMPORAL_ADDRESS: 'c:7233', TEMPORAL_TLS_CERT_PATH: '/nope/c.pem', TEMPORAL_TLS_KEY_PATH: '/k' },
      'invalid configuration: TEMPORAL_TLS_CERT_PATH: no such file /nope/c.pem',
    ],
    [
      'a certificate without its key',
      { TEMPORAL_ADDRESS: 'c:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: '__CERT__' },
      'invalid configuration: TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH',
    ],
    [
      'TLS without an address',
      { TEMPORAL_API_KEY: 'k' },
      'invalid configuration: TLS or TEMPORAL_API_KEY needs TEMPORAL_ADDRESS',
    ],
    [
      'a profile the file does not have',
      { TEMPORAL_PROFILE: 'nope', TEMPORAL_CONFIG_FILE: '__TOML__' },
      "TEMPORAL_PROFILE: profile 'nope' is not in",
    ],
    [
      'a config file that is not there',
      { TEMPORAL_CONFIG_FILE: '/nope/temporal.toml' },
      'TEMPORAL_CONFIG_FILE: no such file /nope/temporal.toml',
    ],
  ])('refuses %s', (_what, env, message) => {
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v.replace('__CERT__', cert).replace('__TOML__', toml())]),
    );
    expect(() => load(resolved)).toThrow(message);
  });

  it('refuses a config file that is not TOML, naming the variable', () => {
    const bad = path.join(dir, 'bad.toml');
    writeFileSync(bad, '[profile.default\naddress = ');
    expect(() => load({ TEMPORAL_CONFIG_FILE: bad })).toThrow(`invalid configuration: TEMPORAL_CONFIG_FILE: ${bad}: `);
  });

  it('reads the default temporal.toml under the home folder', () => {
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.config', 'temporalio'), { recursive: true });
    writeFileSync(path.join(home, '.config', 'temporalio', 'temporal.toml'), '[profile.default]\nnamespace = "home"\n');
    expect(load({ HOME: home }).config).toMatchObject({ namespace: 'home', address: undefined });
    expect(load({ HOME: home, XDG_CONFIG_HOME: path.join(dir, 'elsewhere') }).config.namespace).toBe('default');
  });

  it('duban prints a deprecation warning once, and a bad profile as one line (exit 2)', async () => {
    // A bad health address stops `duban start` right after the Temporal settings are read, before any server.
    const status = spawnDuban(['start'], {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      TEMPORAL_TLS_CA_PATH: ca,
      DUBAN_DATA_DIR: dir,
      DUBAN_HEALTH_ADDRESS: 'nowhere',
    });
    expect(await status.exit).toBe(2);
    expect(status.output()).toContain('DUBAN_HEALTH_ADDRESS');
    const warned = status
      .output()
      .split('\n')
      .filter((l) => l.includes('TEMPORAL_TLS_CA_PATH is deprecated'));
    expect(warned).toHaveLength(1);
    const refused = spawnDuban(['status', '--unit', '福州市'], { TEMPORAL_CONFIG_FILE: toml(), TEMPORAL_PROFILE: 'x' });
    expect(await refused.exit).toBe(2);
    expect(refused.output().trim()).toMatch(/^duban status: invalid configuration: TEMPORAL_PROFILE: profile 'x'/);
  });
});

describe('worker capacity settings', () => {
  it('leaves each unset one to the SDK (but the pollers), reads whole numbers, and names a bad one', () => {
    expect(loadTemporalConfig({}).worker).toEqual({
      maxCachedWorkflows: undefined,
      maxConcurrentWorkflowTaskExecutions: undefined,
      maxConcurrentActivityTaskExecutions: undefined,
      maxConcurrentLocalActivityExecutions: undefined,
      workflowTaskPollerBehavior: { type: 'autoscaling', maximum: WORKFLOW_POLLERS_DEFAULT },
    });
    expect(
      loadTemporalConfig({
        DUBAN_WORKER_CACHE_SIZE: '5000',
        DUBAN_WORKFLOW_TASK_SLOTS: '80',
        DUBAN_ACTIVITY_TASK_SLOTS: '',
        DUBAN_LOCAL_ACTIVITY_SLOTS: '200',
        DUBAN_WORKFLOW_POLLERS: '40',
      }).worker,
    ).toEqual({
      maxCachedWorkflows: 5000,
      maxConcurrentWorkflowTaskExecutions: 80,
      maxConcurrentActivityTaskExecutions: undefined,
      maxConcurrentLocalActivityExecutions: 200,
      workflowTaskPollerBehavior: { type: 'autoscaling', maximum: 40 },
    });
    expect(() => loadTemporalConfig({ DUBAN_WORKFLOW_POLLERS: '1' })).toThrow(
      /invalid configuration: DUBAN_WORKFLOW_POLLERS/,
    );
    expect(() => loadTemporalConfig({ DUBAN_WORKFLOW_TASK_SLOTS: '1' })).toThrow(
      /invalid configuration: DUBAN_WORKFLOW_TASK_SLOTS/,
    );
    expect(() => loadTemporalConfig({ DUBAN_WORKER_CACHE_SIZE: 'lots' })).toThrow(
      /invalid configuration: DUBAN_WORKER_CACHE_SIZE/,
    );
  });
});
