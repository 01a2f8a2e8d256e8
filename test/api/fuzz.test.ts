import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { apiClient } from '../support/api';
import { ensurePythonTools } from '../support/python';
import { useFileWorld } from '../support/fileWorld';

const run = promisify(execFile);
const { h, api } = useFileWorld();
let python: string;

beforeAll(async () => {
  python = ensurePythonTools();
}, 300_000);

describe('the OpenAPI document', () => {
  it('validates against the OpenAPI specification', async () => {
    const file = path.join(h.tmpDir, 'openapi.json');
    await writeFile(file, await (await fetch(`${api.url}/openapi.json`)).text());
    const { stdout } = await run(python, ['-m', 'openapi_spec_validator', file]);
    expect(stdout).toContain('OK');
  });

  it('validates, and schema-driven fuzzing finds no 5xx and no response that contradicts it', async () => {
    const client = await apiClient(h, api);
    const schemathesis = path.join(path.dirname(python), 'schemathesis');
    // One worker: with two threads, hypothesis's ast.parse trips CPython 3.11's AST recursion counter
    // (gh-106905, "AST constructor recursion depth mismatch") and schemathesis reports a runtime error.
    const result = await run(
      schemathesis,
      ['--config-file', path.join(__dirname, '..', 'python', 'schemathesis.toml'), 'run', `${api.url}/openapi.json`, '--phases', 'examples,coverage,fuzzing', '--workers', '1', '--seed', '1', '--max-failures', '20'],
      { env: { ...process.env, API_TOKEN: client.token, ORG_ID: client.orgId, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' }, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
    if ('code' in result && result.code) throw new Error(`schemathesis found problems:\n${output.slice(-12_000)}`);
    expect(output).toMatch(/passed|No issues found/i);
    // The private key, the API secret or a token never shows up as an example in the document.
    const doc = await (await fetch(`${api.url}/openapi.json`)).text();
    expect(doc).not.toContain('PRIVATE KEY');
    expect(doc).not.toContain(client.apiSecret);
  }, 900_000);
});
