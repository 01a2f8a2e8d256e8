import crypto from 'node:crypto';
import { apiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

const { h, api } = useFileWorld();

type Operation = { method: string; path: string };

/** Every operation the OpenAPI document lists under an organization. */
async function organizationOperations(): Promise<Operation[]> {
  const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/organizations/{orgId}'))
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
}

/** Fills every path parameter but orgId with a well-formed id, so routing and validation pass. */
function fill(path: string, orgId: string): string {
  return path.replace('{orgId}', orgId).replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'entityType' ? 'Bill' : name === 'entity' ? 'Account' : name === 'system' ? 'Netsuite' : name === 'externalTable' ? 'Customer' : crypto.randomUUID()));
}

describe('tenancy, for every route of the API', () => {
  it("org A's token reaches nothing of org B's: every operation on B's path answers 404, without touching B", async () => {
    const a = await apiClient(h, api);
    const b = await apiClient(h, api);
    const operations = await organizationOperations();
    expect(operations.length).toBeGreaterThan(40);
    for (const { method, path } of operations) {
      const response = await fetch(`${api.url}${fill(path, b.orgId)}`, {
        method,
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
      });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
    }
    // B's organization is untouched.
    expect((await b.call('GET', '/organizations/{orgId}/integrationconfigs')).body.data).toEqual([]);
    expect((await b.call('GET', '/organizations/{orgId}/accounts')).body.data).toEqual([]);
  });

  it('every operation needs a bearer token', async () => {
    const a = await apiClient(h, api);
    for (const { method, path } of await organizationOperations()) {
      const response = await fetch(`${api.url}${fill(path, a.orgId)}`, { method });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
    }
  });
});
