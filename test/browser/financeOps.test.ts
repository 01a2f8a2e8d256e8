import crypto from 'node:crypto';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { sampleBill } from '../../demo/sampleBills';
import { apiClient } from '../support/api';
import { expectSoundScreens, openBrowser, TEST_OUTPUT, type BrowserSession } from '../support/browser';
import { useFileWorld } from '../support/fileWorld';

/**
 * The console as a finance-ops user meets it in the first hour: the Bills screen (approve one or many),
 * runs and events in finance's words (colours by meaning, bills by customer, date and amount, the
 * invoice as a table, m3ter's follow-up per event, the new run after a re-run), "Check with NetSuite",
 * the account filter tried on an account, and a Credentials table that fits 1280 px with real ids.
 * Screens are saved under test-output/console-finance/.
 */
const NS = '5550917';
const CERTIFICATE_ID = 'fin-cert-1';
// NetSuite's client ids are 64 hex characters.
const CLIENT_ID = crypto.createHash('sha256').update('finance-ops').digest('hex');
const WAIT = { timeout: 60_000 };

const { h, api, keyPair, stopBeforeClosing } = useFileWorld();
let client: Awaited<ReturnType<typeof apiClient>>;
let ui: BrowserSession;
let page: Page;
const accounts: Record<string, { id: string }> = {};
let credentialId: string;
let mainConfig: { id: string };

beforeAll(async () => {
  await h.emulator.admin.createAccount({ accountId: NS });
  await h.emulator.admin.registerCertificate({ accountId: NS, certificateId: CERTIFICATE_ID, clientId: CLIENT_ID, certificatePem: keyPair.certificatePem });
  await h.emulator.admin.addItem({ accountId: NS, id: '10', name: 'Other' });
  await h.emulator.admin.addCustomField({ accountId: NS, scriptId: 'custcol_m3ter_external_line_item' });

  client = await apiClient(h, api, 'Finance Org');
  for (const [code, name, country] of [['ACME', 'Acme Corp', 'UK'], ['GLOBEX', 'Globex Ltd', 'UK'], ['ORPHAN', 'Orphan Ltd', 'UK'], ['FRANCE', 'France SA', 'FR']]) {
    const response = await client.call('POST', '/organizations/{orgId}/accounts', { code, name, emailAddress: `ap@${code!.toLowerCase()}.example`, customFields: { country } });
    expect(response.status).toBe(200);
    accounts[code!] = response.body;
  }
  for (const code of ['ACME', 'GLOBEX', 'FRANCE']) await h.emulator.admin.addCustomer({ accountId: NS, externalId: accounts[code]!.id, name: `${code} customer` });
  const credential = await client.call('POST', '/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth', { name: 'NetSuite sandbox', accountId: NS, certificateId: CERTIFICATE_ID, clientId: CLIENT_ID, privateKey: Buffer.from(keyPair.privateKeyPem).toString('base64') });
  expect(credential.status).toBe(200);
  credentialId = credential.body.id;
  const config = async (name: string, configData: Record<string, unknown>) => {
    const response = await client.call('POST', '/organizations/{orgId}/integrationconfigs', { destination: 'Netsuite', entityType: 'Bill', name, configData: { netsuiteDefaultItemId: '10', ...configData }, integrationCredentialsId: credentialId });
    expect(response.status).toBe(200);
    return response.body as { id: string };
  };
  mainConfig = await config('UK bills', { onlySendBillOnApproval: true, accountFilter: 'customFields.country == UK' });
  await config('Mapped bills', { onlySendBillOnApproval: true, useExternalMappingAccountCode: true, accountFilter: 'code == GLOBEX' });

  ui = await openBrowser({ screenshotDir: path.join(TEST_OUTPUT, 'console-finance'), origin: api.url });
  page = ui.page;
  await page.goto(`${api.url}/console`);
  await page.getByLabel('Organization id').fill(client.orgId);
  await page.getByLabel('API key').fill(client.apiKey);
  await page.getByLabel('API secret').fill(client.apiSecret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await heading('Configurations').waitFor();
}, 180_000);

stopBeforeClosing(async () => {
  await ui?.close();
});

expectSoundScreens(() => ui);

const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
const rowWith = (scope: Locator | Page, text: string | RegExp) => scope.locator('tbody tr').filter({ hasText: text });
const nav = (name: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name }).click();

async function calculatedBill(code: string, month = '2026-10'): Promise<string> {
  const billId = crypto.randomUUID();
  expect((await client.call('PUT', `/organizations/{orgId}/bills/${billId}`, sampleBill(accounts[code]!.id, { month }))).status).toBe(200);
  return billId;
}

/** Fully inside the 1280 px viewport: not cut off, not behind a horizontal scroll. */
async function expectVisibleAt1280(locator: Locator) {
  const box = await locator.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
  // Page-side code: this project's TypeScript has no DOM types.
  expect(await locator.evaluate((e: any) => { const w = e.closest('.table-wrap'); return !w || w.scrollWidth <= w.clientWidth; })).toBe(true);
}

describe('the first hour of a finance-ops user', () => {
  let acmeBill: string;
  let globexBill: string;
  let orphanBill: string;

  it('lists bills by account and status on the Bills screen, and approves one, then many', async () => {
    acmeBill = await calculatedBill('ACME');
    globexBill = await calculatedBill('GLOBEX');
    orphanBill = await calculatedBill('ORPHAN');
    await calculatedBill('ACME', '2026-11');
    await nav('Bills');
    await heading('Bills').waitFor();
    const total = sampleBill('x').lineItems.reduce((sum, l) => sum + (l.lineItemType === 'USAGE_CREDIT' ? -Number(l.subtotal) : Number(l.subtotal)), 0);
    const acmeRow = rowWith(page, 'Acme Corp').filter({ hasText: '2026-10-28' });
    await acmeRow.getByText(`${total.toFixed(2)} USD`).waitFor();
    await acmeRow.getByText('PENDING').waitFor();
    await ui.screenshot('01-bills');

    await page.getByLabel('Account').selectOption({ label: 'Acme Corp (ACME)' });
    await page.getByLabel('Status').selectOption('PENDING');
    await page.getByRole('button', { name: 'Show bills' }).click();
    await page.waitForFunction(() => { const rows: any[] = [...(globalThis as any).document.querySelectorAll('tbody tr')]; return rows.length === 2 && rows.every((r) => r.textContent.includes('Acme Corp')); });

    await rowWith(page, '2026-10-28').getByRole('button', { name: /^Approve / }).click();
    await page.getByText('Approved 1 bill').waitFor();
    await rowWith(page, '2026-10-28').waitFor({ state: 'detached' });
    expect((await client.call('GET', `/organizations/{orgId}/bills/${acmeBill}`)).body.status).toBe('APPROVED');

    await page.goto(`${api.url}/console/#/bills?status=PENDING`);
    await rowWith(page, 'Globex Ltd').getByRole('checkbox').check();
    await rowWith(page, 'Orphan Ltd').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Approve selected (2)' }).click();
    await page.getByText('Approved 2 bills').waitFor();
    for (const id of [globexBill, orphanBill]) expect((await client.call('GET', `/organizations/{orgId}/bills/${id}`)).body.status).toBe('APPROVED');
    await ui.screenshot('02-bills-approved');
  });

  it('shows runs in finance words: bills by customer, date and amount; colours by meaning; only failures in red', async () => {
    await h.settleBill(acmeBill);
    await h.settleBill(orphanBill);
    await h.settleBill(globexBill);
    await calculatedBill('FRANCE');
    await page.goto(`${api.url}/console/#/runs?config=${mainConfig.id}`);
    await heading('Integration runs').waitFor();
    const acme = rowWith(page, 'ACME · 2026-10-28').filter({ hasText: 'COMPLETE' });
    await acme.waitFor(WAIT);
    expect(await acme.getByText('COMPLETE').getAttribute('data-meaning')).toBe('good');
    const error = rowWith(page, 'ORPHAN · 2026-10-28').filter({ hasText: 'ERROR' });
    await error.waitFor(WAIT);
    expect(await error.locator('td.message').getAttribute('class')).toContain('error-text');
    const skipped = rowWith(page, 'FRANCE · 2026-10-28').filter({ hasText: 'SKIPPED' });
    await skipped.waitFor(WAIT);
    expect(await skipped.getByText('SKIPPED', { exact: true }).getAttribute('data-meaning')).toBe('neutral');
    expect(await skipped.locator('td.message').getAttribute('class')).not.toContain('error-text');
    await skipped.getByText('The Account filter customFields.country == UK is false for account FRANCE').waitFor();
    const waiting = rowWith(page, 'ACME · 2026-11-28').filter({ hasText: 'WAITING' });
    await waiting.waitFor(WAIT);
    expect(await waiting.getByText('WAITING', { exact: true }).getAttribute('data-meaning')).toBe('waiting');
    await waiting.getByText('Waiting for approval: this integration has Only send bill on approval on').waitFor();
    expect(await page.locator('tbody').textContent()).not.toMatch(/onlySendBillOnApproval|integrationCredentialsId/);
    await ui.screenshot('03-runs-by-meaning');
  });

  it('shows a run with its invoice as a table beside the raw body, and after Re-run links to the new run', async () => {
    await rowWith(page, 'ACME · 2026-10-28').filter({ hasText: 'COMPLETE' }).getByRole('link', { name: /^Details/ }).click();
    await heading(/Integration run/).waitFor();
    const invoice = page.getByRole('table', { name: 'The invoice this run sent' });
    await invoice.getByText('Platform subscription').waitFor();
    const sent = (await client.call('GET', `/organizations/{orgId}/integrationruns/Bill/${acmeBill}`)).body.data.find((r: { status: string; configId: string }) => r.status === 'COMPLETE' && r.configId === mainConfig.id);
    const body = (await client.call('GET', `/organizations/{orgId}/integrationruns/${sent.id}`)).body.invoiceBody;
    const total = body.item.items.reduce((sum: number, l: { amount: number }) => sum + l.amount, 0);
    expect(await invoice.locator('[data-total]').textContent()).toBe(total.toFixed(2));
    expect(await invoice.locator('tbody tr').count()).toBe(body.item.items.length);
    await page.getByText('Raw invoice body').waitFor();
    await page.getByText(/^ACME · 2026-10-28 · APPROVED · /).waitFor();
    await ui.screenshot('04-run-invoice-table');

    const oldUrl = page.url();
    await page.getByRole('button', { name: 'Re-run this bill' }).click();
    const link = page.getByRole('link', { name: 'go to the new run' });
    await link.waitFor(WAIT);
    await link.click();
    await page.waitForURL((url) => url.toString() !== oldUrl);
    await page.getByText('Re-run of').waitFor();
    await page.getByText('Re-run requested').waitFor({ state: 'detached' });
    await ui.screenshot('05-the-new-run');
  });

  it("offers m3ter's follow-up per event: the run, the pre-filled mapping form, the integration", async () => {
    // A refused invoice (an item NetSuite doesn't have), a missing account mapping (the mapped
    // integration) and a refused credential (a removed certificate).
    const oldItem = await client.call('POST', '/organizations/{orgId}/integrationconfigs', { destination: 'Netsuite', entityType: 'Bill', name: 'Old item', configData: { netsuiteDefaultItemId: '99', accountFilter: 'code == ACME' }, integrationCredentialsId: credentialId });
    expect(oldItem.status).toBe(200);
    const acmeAgain = await calculatedBill('ACME', '2026-12');
    await h.settleBill(acmeAgain, oldItem.body.id);
    const refusedCredential = await client.call('POST', '/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth', { name: 'Old key', accountId: NS, certificateId: 'gone', clientId: CLIENT_ID, privateKey: Buffer.from(keyPair.privateKeyPem).toString('base64') });
    const authConfig = (await client.call('POST', '/organizations/{orgId}/integrationconfigs', { destination: 'Netsuite', entityType: 'Bill', name: 'Refused bills', configData: { netsuiteDefaultItemId: '10', accountFilter: 'code == GLOBEX' }, integrationCredentialsId: refusedCredential.body.id })).body;
    const globexAgain = await calculatedBill('GLOBEX', '2026-12');
    await client.call('POST', '/organizations/{orgId}/bills/approve', { billIds: [globexAgain] });
    await h.settleBill(globexAgain);

    await nav('Events');
    await heading('Integration events').waitFor();
    const validation = rowWith(page, 'integration.validation.error').filter({ hasText: 'ACME · 2026-12-28' });
    await validation.waitFor(WAIT);
    await validation.getByText('NetSuite refused the invoice.').waitFor();
    // ORPHAN, whom NetSuite doesn't know, has one too (through UK bills); GLOBEX's is the mapped integration's.
    await rowWith(page, 'integration.missingaccountmapping.error').filter({ hasText: 'ORPHAN · 2026-10-28' }).waitFor(WAIT);
    const mapping = rowWith(page, 'integration.missingaccountmapping.error').filter({ hasText: 'GLOBEX · 2026-12-28' });
    await mapping.waitFor(WAIT);
    const auth = rowWith(page, 'integration.authentication.error').first();
    await auth.waitFor(WAIT);
    // Every row's actions within the 1280 px the console is laid out for.
    for (const row of [validation, mapping, auth]) await expectVisibleAt1280(row.getByRole('button', { name: /^Mark resolved/ }));
    expect(await page.locator('tbody').textContent()).not.toMatch(/useExternalMappingAccountCode|onlySendBillOnApproval/);
    await ui.screenshot('06-events-follow-ups');

    await validation.getByRole('link', { name: 'Go to integration run' }).click();
    await heading(/Integration run/).waitFor();
    await page.getByText(/^ACME · 2026-12-28/).waitFor();
    await page.goBack();
    await mapping.getByRole('link', { name: 'Create external mapping' }).click();
    await heading('Mapped bills').waitFor();
    const form = page.getByRole('region', { name: 'Linked external mappings' });
    expect(await form.getByLabel('Account', { exact: true }).inputValue()).toBe(accounts.GLOBEX!.id);
    await ui.screenshot('07-mapping-prefilled', form);
    await page.goBack();
    await auth.getByRole('link', { name: 'Go to integration' }).click();
    await heading('Refused bills').waitFor();
    expect(page.url()).toContain(authConfig.id);
  });

  it('checks the integration with NetSuite and names what is missing; the dry-run picker lists the bills', async () => {
    await page.goto(`${api.url}/console/#/integrations/${mainConfig.id}`);
    await heading('UK bills').waitFor();
    const check = page.getByRole('region', { name: 'Check with NetSuite' });
    await check.getByLabel('Orphan Ltd (ORPHAN)').check();
    await check.getByLabel('Acme Corp (ACME)').check();
    await check.getByRole('button', { name: 'Check with NetSuite' }).click();
    await check.getByText('1 problem a bill would fail on').waitFor();
    await check.getByText(`Account ORPHAN: NetSuite has no customer with External ID ${accounts.ORPHAN!.id}`).first().waitFor();
    await check.getByText(/Item \(netsuiteDefaultItemId\) 10 \(Other\): found/).waitFor();
    await ui.screenshot('08-check-with-netsuite', check);
    const dryRun = page.getByRole('region', { name: 'Dry run' });
    await dryRun.getByRole('option', { name: /^ACME · 2026-10-28 · APPROVED/ }).waitFor({ state: 'attached' });
    expect(await dryRun.getByRole('option', { name: 'No bills yet' }).count()).toBe(0);
  });

  it('warns about an item name and a mistyped filter field, tries the filter on an account, and drops a fixed field error', async () => {
    await page.goto(`${api.url}/console/#/integrations/new`);
    await heading('Create integration').waitFor();
    await page.getByRole('button', { name: 'Create integration' }).click();
    const nameError = page.locator('#name-error');
    await nameError.filter({ hasText: 'name is required' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('EU bills');
    await nameError.waitFor({ state: 'detached' });

    await page.getByLabel('Netsuite default item id').fill('Other');
    await page.locator('#netsuiteDefaultItemId-warning').filter({ hasText: '"Other" is not an internal id' }).waitFor();
    await page.getByLabel('Account filter').fill('customFields.contry == UK');
    await page.getByText('no account has customFields.contry; check its spelling').waitFor();
    await page.getByLabel('Account filter').fill('customFields.country == UK');
    await page.getByLabel('Try it on an account').selectOption({ label: 'France SA (FRANCE)' });
    await page.locator('#accountFilter-verdict').filter({ hasText: 'False for France SA (FRANCE): its bills would be SKIPPED' }).waitFor();
    await page.getByLabel('Try it on an account').selectOption({ label: 'Acme Corp (ACME)' });
    await page.locator('#accountFilter-verdict').filter({ hasText: 'True for Acme Corp (ACME)' }).waitFor();
    await ui.screenshot('09-form-warnings');

    await page.getByRole('button', { name: 'Create integration' }).click();
    await heading('EU bills').waitFor();
    await page.locator('#config-warnings').getByText('netsuiteDefaultItemId: "Other" is not a NetSuite internal id').waitFor();
  });

  it('fits the Credentials table at 1280 px with a 64-character client id; deleting asks first, and a refusal names the integration', async () => {
    await nav('Credentials');
    await heading('Credentials').waitFor();
    const row = rowWith(page, 'NetSuite sandbox');
    await row.getByText(CLIENT_ID).waitFor();
    for (const name of [/^Verify NetSuite sandbox/, /^Delete NetSuite sandbox/]) await expectVisibleAt1280(row.getByRole('button', { name }));
    await expectVisibleAt1280(row.locator('time'));
    await ui.screenshot('10-credentials-1280');

    await row.getByRole('button', { name: 'Delete NetSuite sandbox' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the credential NetSuite sandbox?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await client.call('GET', `/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth/${credentialId}`)).status).toBe(200);

    await row.getByRole('button', { name: 'Delete NetSuite sandbox' }).click();
    await dialog.getByRole('button', { name: 'Delete credential' }).click();
    const refusal = row.getByRole('alert');
    await refusal.filter({ hasText: 'Not deleted. This credential is in use by the integrations "UK bills", "Mapped bills"' }).waitFor();
    expect(await refusal.textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await ui.screenshot('11-credential-in-use');

    const spare = await client.call('POST', '/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth', { name: 'Spare', accountId: NS, certificateId: CERTIFICATE_ID, clientId: CLIENT_ID, privateKey: Buffer.from(keyPair.privateKeyPem).toString('base64') });
    await page.reload();
    await rowWith(page, 'Spare').getByRole('button', { name: 'Delete Spare' }).click();
    await page.getByRole('dialog', { name: 'Delete the credential Spare?' }).getByRole('button', { name: 'Delete credential' }).click();
    await rowWith(page, 'Spare').waitFor({ state: 'detached' });
    expect((await client.call('GET', `/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth/${spare.body.id}`)).status).toBe(404);
  });
});
