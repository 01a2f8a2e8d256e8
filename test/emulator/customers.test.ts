import { ACCOUNT, type Harness, HOST_FORM, errorDetail, startHarness } from './support';

jest.setTimeout(30000);

/** `GET customer/{id}` and `customer/eid:{externalId}`, the look-up Oracle documents. */
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  // startHarness seeds 501 / m3ter-acme / Acme Ltd; this one has no external id.
  await harness.emulator.admin.addCustomer({ accountId: ACCOUNT, id: '502', name: 'Globex <GmbH>' });
});

afterAll(() => harness.close());

const acme = () => ({
  links: [{ rel: 'self', href: `${harness.emulator.url}/${HOST_FORM}/services/rest/record/v1/customer/501` }],
  id: '501',
  externalId: 'm3ter-acme',
  companyName: 'Acme Ltd',
  entityId: 'Acme Ltd',
});

describe('customer look-up', () => {
  it('finds a customer by external id, case-insensitively, as a singular resource', async () => {
    for (const ref of ['eid:m3ter-acme', 'eid:M3TER-ACME', '501']) {
      const response = await harness.api('GET', `customer/${ref}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/vnd.oracle.resource+json; type=singular');
      expect(await response.json()).toEqual(acme());
    }
  });

  it('omits externalId for a customer without one', async () => {
    const response = await harness.api('GET', 'customer/502');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: '502', companyName: 'Globex <GmbH>' });
    expect(body).not.toHaveProperty('externalId');
  });

  it('answers 404 NONEXISTENT_ID for an unknown id or external id, 400 for an unparsable one', async () => {
    for (const ref of ['eid:m3ter-unknown', '9999', 'eid:m3ter-acm']) {
      const response = await harness.api('GET', `customer/${ref}`);
      expect(response.status).toBe(404);
      expect((await errorDetail(response))['o:errorCode']).toBe('NONEXISTENT_ID');
    }
    expect((await harness.api('GET', 'customer/eid:acme%7Cltd')).status).toBe(400);
  });

  it('is a governed read: counted as one, and authenticated', async () => {
    const before = (await harness.emulator.admin.getStats(ACCOUNT)).requests.read;
    await harness.api('GET', 'customer/eid:m3ter-acme');
    expect((await harness.emulator.admin.getStats(ACCOUNT)).requests.read).toBe(before + 1);
    expect((await harness.api('GET', 'customer/eid:m3ter-acme', undefined, 'made-up')).status).toBe(401);
  });
});
