import { EmulatorAdminError } from '../../emulator/adminClient';
import { ACCOUNT, type Harness, errorDetail, invoiceBody, startHarness, idFrom } from './support';

jest.setTimeout(30000);

/** Closed and A/R-locked accounting periods, and the account's choice for creates dated in one. */
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  const { admin } = harness.emulator;
  for (const { period } of await admin.listPeriods(ACCOUNT)) await admin.reopenPeriod(ACCOUNT, period);
  await admin.updateSettings(ACCOUNT, { closedPeriodCreates: 'refuse' });
});

afterAll(() => harness.close());

const admin = () => harness.emulator.admin;
const REMEDY = 'you cannot create, change or delete a transaction dated in it. Reopen the period, or date the transaction in an open one.';
const closedBody = (name: string) => ({
  type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1',
  title: 'Bad Request',
  status: 400,
  'o:errorDetails': [{ detail: `The accounting period ${name} is closed: ${REMEDY}`, 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'tranDate' }],
});
const lockedDetail = (name: string) => ({
  detail: `The accounting period ${name} is locked for Accounts Receivable: ${REMEDY}`,
  'o:errorCode': 'USER_ERROR',
  'o:errorPath': 'tranDate',
});
const invoiceNamed = async (externalId: string) => (await admin().listInvoices(ACCOUNT)).find((invoice) => invoice.externalId === externalId);

describe('posting period', () => {
  it('is the month of tranDate, on the REST record and in the admin list', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:period-plain', invoiceBody({ tranDate: '2026-11-30' })));
    expect(await (await harness.api('GET', `invoice/${id}`)).json()).toMatchObject({ tranDate: '2026-11-30', postingPeriod: { refName: 'Nov 2026' } });
    expect(await invoiceNamed('period-plain')).toMatchObject({ postingPeriod: { refName: 'Nov 2026' } });
  });

  it('dates a transaction sent without tranDate today, as NetSuite does, and refuses removing the date', async () => {
    const body = invoiceBody();
    delete body.tranDate;
    const id = idFrom(await harness.api('PUT', 'invoice/eid:period-undated', body));
    // The harness clock stands at 2025-01-15.
    expect(await (await harness.api('GET', `invoice/${id}`)).json()).toMatchObject({ tranDate: '2025-01-15', postingPeriod: { refName: 'Jan 2025' } });
    const removed = await harness.api('PATCH', `invoice/${id}`, { tranDate: null });
    expect(removed.status).toBe(400);
    expect(await errorDetail(removed)).toEqual({ detail: 'Please enter value(s) for: Date.', 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'tranDate' });
  });

  it('follows a change of tranDate into another open month', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:period-redated', invoiceBody({ tranDate: '2026-11-30' })));
    expect((await harness.api('PATCH', `invoice/${id}`, { tranDate: '2026-12-01' })).status).toBe(204);
    expect(await invoiceNamed('period-redated')).toMatchObject({ tranDate: '2026-12-01', postingPeriod: { refName: 'Dec 2026' } });
  });
});

describe.each([
  ['a closed period', 'closed'],
  ['an A/R-locked period', 'arLocked'],
] as const)('%s', (_label, kind) => {
  const refusal = (name: string) =>
    kind === 'closed' ? closedBody(name)['o:errorDetails'][0] : lockedDetail(name);

  it('refuses updates (PATCH and PUT) and deletes of a transaction dated in it, changing nothing', async () => {
    const externalId = `period-${kind}-update`;
    const id = idFrom(await harness.api('PUT', `invoice/eid:${externalId}`, invoiceBody({ tranDate: '2026-10-15' })));
    await admin().closePeriod(ACCOUNT, '2026-10', kind);
    const before = await invoiceNamed(externalId);

    for (const response of [
      await harness.api('PATCH', `invoice/${id}`, { memo: 'late change' }),
      await harness.api('PUT', `invoice/eid:${externalId}`, invoiceBody({ tranDate: '2026-10-15', memo: 'late change' })),
      // Moving it out of the locked month is a change too.
      await harness.api('PATCH', `invoice/${id}`, { tranDate: '2026-12-01' }),
      await harness.api('DELETE', `invoice/${id}`),
    ]) {
      expect(response.status).toBe(400);
      expect(await errorDetail(response)).toEqual(refusal('Oct 2026'));
    }
    expect(await invoiceNamed(externalId)).toEqual(before);
    expect(before?.writes).toBe(1);
  });

  it('refuses giving a transaction a tranDate in it', async () => {
    const id = idFrom(await harness.api('PUT', `creditMemo/eid:period-${kind}-redate`, invoiceBody({ tranDate: '2026-11-02' })));
    await admin().closePeriod(ACCOUNT, '2026-10', kind);
    const response = await harness.api('PATCH', `creditMemo/${id}`, { tranDate: '2026-10-31' });
    expect(response.status).toBe(400);
    expect(await errorDetail(response)).toEqual(refusal('Oct 2026'));
    expect((await admin().listCreditMemos(ACCOUNT)).find((memo) => memo.id === id)).toMatchObject({ tranDate: '2026-11-02', writes: 1 });
  });

  it('refuses creates dated in it by default, storing nothing', async () => {
    await admin().closePeriod(ACCOUNT, '2026-10', kind);
    const invoicesBefore = (await admin().listInvoices(ACCOUNT)).length;
    const memosBefore = (await admin().listCreditMemos(ACCOUNT)).length;
    for (const response of [
      await harness.api('PUT', `invoice/eid:period-${kind}-create`, invoiceBody({ tranDate: '2026-10-31' })),
      await harness.api('POST', 'invoice', invoiceBody({ tranDate: '2026-10-01' })),
      await harness.api('PUT', `creditMemo/eid:period-${kind}-create-cm`, invoiceBody({ tranDate: '2026-10-31' })),
    ]) {
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ ...closedBody('Oct 2026'), 'o:errorDetails': [refusal('Oct 2026')] });
    }
    expect((await admin().listInvoices(ACCOUNT)).length).toBe(invoicesBefore);
    expect((await admin().listCreditMemos(ACCOUNT)).length).toBe(memosBefore);
  });

  it('with closedPeriodCreates nextOpenPeriod, posts a create in the next open month, yet still refuses its changes', async () => {
    await admin().updateSettings(ACCOUNT, { closedPeriodCreates: 'nextOpenPeriod' });
    await admin().closePeriod(ACCOUNT, '2026-10', kind);
    await admin().closePeriod(ACCOUNT, '2026-11', 'closed');

    const created = await harness.api('PUT', `invoice/eid:period-${kind}-moved`, invoiceBody({ tranDate: '2026-10-20' }));
    expect(created.status).toBe(204);
    const id = idFrom(created);
    expect(await (await harness.api('GET', `invoice/${id}`)).json()).toMatchObject({ tranDate: '2026-10-20', postingPeriod: { refName: 'Dec 2026' } });

    const change = await harness.api('PUT', `invoice/eid:period-${kind}-moved`, invoiceBody({ tranDate: '2026-10-20', memo: 'change' }));
    expect(change.status).toBe(400);
    expect(await errorDetail(change)).toEqual(refusal('Oct 2026'));
    // An update naming a new date in a locked month is refused whatever the setting.
    const open = idFrom(await harness.api('PUT', `invoice/eid:period-${kind}-open`, invoiceBody({ tranDate: '2026-12-05' })));
    expect((await harness.api('PATCH', `invoice/${open}`, { tranDate: '2026-11-05' })).status).toBe(400);
  });

  it('keeps a moved posting period when the same day is sent again after reopening', async () => {
    await admin().updateSettings(ACCOUNT, { closedPeriodCreates: 'nextOpenPeriod' });
    await admin().closePeriod(ACCOUNT, '2026-10', kind);
    await harness.api('PUT', `invoice/eid:period-${kind}-resent`, invoiceBody({ tranDate: '2026-10-20' }));
    await admin().reopenPeriod(ACCOUNT, '2026-10');
    expect((await harness.api('PUT', `invoice/eid:period-${kind}-resent`, invoiceBody({ tranDate: '2026-10-20T00:00:00Z' }))).status).toBe(204);
    expect(await invoiceNamed(`period-${kind}-resent`)).toMatchObject({ postingPeriod: { refName: 'Nov 2026' }, writes: 2 });
  });

  it('allows everything again once reopened', async () => {
    const id = idFrom(await harness.api('PUT', `invoice/eid:period-${kind}-reopen`, invoiceBody({ tranDate: '2026-10-15' })));
    await admin().closePeriod(ACCOUNT, '2026-10', kind);
    expect((await harness.api('PATCH', `invoice/${id}`, { memo: 'refused' })).status).toBe(400);

    await admin().reopenPeriod(ACCOUNT, '2026-10');
    expect(await admin().listPeriods(ACCOUNT)).toEqual([]);
    expect((await harness.api('PATCH', `invoice/${id}`, { memo: 'accepted' })).status).toBe(204);
    expect((await harness.api('PUT', `creditMemo/eid:period-${kind}-reopen-cm`, invoiceBody({ tranDate: '2026-10-16' }))).status).toBe(204);
    expect((await harness.api('DELETE', `invoice/${id}`)).status).toBe(204);
  });
});

it('refuses a change of a transaction posted in a period locked after a moved create', async () => {
  await admin().updateSettings(ACCOUNT, { closedPeriodCreates: 'nextOpenPeriod' });
  await admin().closePeriod(ACCOUNT, '2026-10', 'closed');
  const id = idFrom(await harness.api('PUT', 'invoice/eid:period-posted-later', invoiceBody({ tranDate: '2026-10-20' })));
  await admin().reopenPeriod(ACCOUNT, '2026-10');
  await admin().closePeriod(ACCOUNT, '2026-11', 'arLocked');
  const response = await harness.api('PATCH', `invoice/${id}`, { memo: 'x' });
  expect(response.status).toBe(400);
  expect(await errorDetail(response)).toEqual(lockedDetail('Nov 2026'));
});

describe('admin API for periods', () => {
  it('lists locked periods oldest first with their names, and reports the setting on the account', async () => {
    expect(await admin().closePeriod(ACCOUNT, '2026-11', 'arLocked')).toEqual({ period: '2026-11', refName: 'Nov 2026', kind: 'arLocked' });
    await admin().closePeriod(ACCOUNT, '2025-12', 'closed');
    await admin().closePeriod(ACCOUNT, '2026-11', 'closed');
    expect(await admin().listPeriods(ACCOUNT)).toEqual([
      { period: '2025-12', refName: 'Dec 2025', kind: 'closed' },
      { period: '2026-11', refName: 'Nov 2026', kind: 'closed' },
    ]);
    await admin().reopenPeriod(ACCOUNT, '2027-01');
    expect((await admin().getAccount(ACCOUNT)).closedPeriodCreates).toBe('refuse');
    expect((await admin().updateSettings(ACCOUNT, { closedPeriodCreates: 'nextOpenPeriod' })).closedPeriodCreates).toBe('nextOpenPeriod');
  });

  it('refuses malformed periods, kinds and settings with 400', async () => {
    await expect(admin().closePeriod(ACCOUNT, '2026-13', 'closed')).rejects.toMatchObject({ status: 400 });
    await expect(admin().closePeriod(ACCOUNT, 'Nov 2026', 'closed')).rejects.toBeInstanceOf(EmulatorAdminError);
    await expect(admin().closePeriod(ACCOUNT, '2026-11', 'allLocked' as never)).rejects.toMatchObject({ status: 400 });
    await expect(admin().updateSettings(ACCOUNT, { closedPeriodCreates: 'warn' as never })).rejects.toMatchObject({ status: 400 });
    await expect(admin().closePeriod('999', '2026-11', 'closed')).rejects.toMatchObject({ status: 404 });
  });
});
