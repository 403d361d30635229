/**
 * The container files, read as text: nothing here runs Docker (the build machines have no engine and no compose
 * plugin), so these are the properties a review found broken, checked where they are written.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { ports?: string[]; environment?: Record<string, string>; build?: string }>;
};

/** Dockerfile instructions in order, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe('Dockerfile', () => {
  it('builds on the current long-term-support Node line', () => {
    expect(instructions[0]).toMatch(/^FROM node:26-/);
  });

  it('gives /data to the user the process runs as, before declaring the volume', () => {
    const chown = instructions.findIndex((l) => /^RUN .*chown (-R )?node:node \/data/.test(l));
    const volume = instructions.findIndex((l) => l === 'VOLUME /data');
    const user = instructions.findIndex((l) => l === 'USER node');
    expect(chown).toBeGreaterThan(-1);
    expect(volume).toBeGreaterThan(chown);
    expect(user).toBeGreaterThan(-1);
  });

  it('serves the dashboard on the container interface, not only its loopback', () => {
    expect(dockerfile).toMatch(/DUBAN_HTTP_HOST=0\.0\.0\.0/);
    expect(instructions).toContain('EXPOSE 8080');
  });
});

describe('docker-compose.yml', () => {
  const published = Object.entries(compose.services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p]));

  it('publishes every port on the host loopback only', () => {
    expect(published.length).toBeGreaterThan(0);
    for (const [name, port] of published) expect(`${name} ${port}`).toMatch(/^\S+ 127\.0\.0\.1:\d+:\d+$/);
  });

  it('publishes the dashboard', () => {
    const duban = Object.values(compose.services).find((s) => s.build !== undefined);
    expect(duban?.ports).toContain('127.0.0.1:8080:8080');
  });

  it('has no default database password', () => {
    const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    const uses = [...text.matchAll(/\$\{POSTGRES_PASSWORD([^}]*)\}/g)].map((m) => m[1]);
    expect(uses.length).toBeGreaterThanOrEqual(3);
    for (const rest of uses) expect(rest).toMatch(/^:\?/);
  });
});
