import crypto from 'node:crypto';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { disableConfig } from '../../db/configs';
import { sampleBill } from '../../demo/sampleBills';
import { apiClient } from '../support/api';
import { expectSoundScreens, openBrowser, TEST_OUTPUT, type BrowserSession } from '../support/browser';
import { useFileWorld } from '../support/fileWorld';

/**
 * The console driven in headless Chromium through the guide's flow, against the same API m3ter's SDK
 * uses: sign in, configure a NetSuite integration on the Create page, create a credential from the
 * PEM file, connect it (CONNECTED), then watch an approved bill's run COMPLETE and a failing bill's
 * event get resolved. Each screen is saved under test-output/console/.
 */
const NS = '5550900';
const CERTIFICATE_ID = 'console-cert-1';
const CLIENT_ID = 'console-client-1';
const WAIT = { timeout: 60_000 };

const { h, api, keyPair, stopBeforeClosing } = useFileWorld();
let client: Awaited<ReturnType<typeof apiClient>>;
let ui: BrowserSession;
let page: Page;
let acme: { id: string };
let orphan: { id: string };
let configId: string;
let goodBillId: string;
let failingBillId: string;

beforeAll(async () => {
  // The NetSuite side, as the guide's "Setting Up your NetSuite System" leaves it.
  await h.emulator.admin.createAccount({ accountId: NS });
  await h.emulator.admin.registerCertificate({ accountId: NS, certificateId: CERTIFICATE_ID, clientId: CLIENT_ID, certificatePem: keyPair.certificatePem });
  await h.emulator.admin.addItem({ accountId: NS, id: '10', name: 'Other' });
  await h.emulator.admin.addCustomField({ accountId: NS, scriptId: 'custcol_m3ter_external_line_item' });

  // The m3ter side through the API: an account NetSuite knows as a customer, one it doesn't, a user.
  client = await apiClient(h, api, 'Console Org');
  const account = async (code: string, name: string) => {
    const response = await client.call('POST', '/organizations/{orgId}/accounts', { code, name, emailAddress: `ap@${code.toLowerCase()}.example`, customFields: { country: 'UK' } });
    expect(response.status).toBe(200);
    return response.body as { id: string };
  };
  acme = await account('ACME', 'Acme Corp');
  orphan = await account('ORPHAN', 'Orphan Ltd');
  await h.emulator.admin.addCustomer({ accountId: NS, externalId: acme.id, name: 'Acme Corp' });
  expect((await client.call('POST', '/organizations/{orgId}/users', { email: 'ap-lead@example.com', firstName: 'Ada', lastName: 'Lead' })).status).toBe(200);

  ui = await openBrowser({ screenshotDir: path.join(TEST_OUTPUT, 'console'), origin: api.url });
  page = ui.page;
}, 180_000);

stopBeforeClosing(async () => {
  await ui?.close();
});

expectSoundScreens(() => ui);

// Page-side code is written as strings or with globalThis: this project's TypeScript has no DOM types.
/** Waits until keyboard focus is on the element with this id (focus moves right after the screen changes). */
// Predicates as functions, not strings: a string is evaluated with eval, which the console's CSP refuses.
const focusReaches = (id: string) => page.waitForFunction((wanted) => (globalThis as any).document.activeElement?.id === wanted, id);
const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
const rowWith = (table: Locator | Page, text: string | RegExp) => table.locator('tbody tr').filter({ hasText: text });

/** A bill as m3ter's billing engine sends it once calculated, through the API. */
async function calculatedBill(accountId: string): Promise<string> {
  const billId = crypto.randomUUID();
  expect((await client.call('PUT', `/organizations/{orgId}/bills/${billId}`, sampleBill(accountId))).status).toBe(200);
  return billId;
}

/** A user approving bills, through the API. */
async function approve(billId: string): Promise<void> {
  expect((await client.call('POST', '/organizations/{orgId}/bills/approve', { billIds: [billId] })).status).toBe(200);
}

describe("the console, through the guide's screens", () => {
  it('signs in with the API key and secret; the token stays in the tab session, never in a URL', async () => {
    await page.goto(`${api.url}/console`);
    await heading('Sign in to the console').waitFor();
    await page.getByLabel('Organization id').fill(client.orgId);
    await page.getByLabel('API key').fill(client.apiKey);
    await page.getByLabel('API secret').fill('not-the-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'invalid API key or secret' }).waitFor();
    await page.getByLabel('API secret').fill(client.apiSecret);
    await ui.screenshot('01-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await heading('Configurations').waitFor();
    await page.getByText('No NetSuite integration yet').waitFor();
    const stored = await page.evaluate<string>('Object.values(sessionStorage).join(" ")');
    const token = /"token":"([^"]+)"/.exec(stored)?.[1];
    expect(token).toBeTruthy();
    expect(page.url()).not.toContain(token!);
    expect(page.url()).not.toContain(client.apiSecret);
    expect(await page.evaluate('JSON.stringify(localStorage)')).toBe('{}');
    await ui.screenshot('02-configurations-empty');
  });

  it('configures a new NetSuite integration on the Create page, with field errors beside the fields', async () => {
    // Keyboard only: the menu opens with Enter and focuses its one entry; Escape closes it back onto the button.
    const configureNew = page.getByRole('button', { name: /Configure new integration/ });
    await configureNew.focus();
    await page.keyboard.press('Enter');
    await focusReaches('integrate-netsuite-bills');
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'Integrate bills with NetSuite' }).waitFor({ state: 'hidden' });
    expect(await configureNew.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Integrate bills with NetSuite' }).waitFor();
    await focusReaches('integrate-netsuite-bills');
    await page.keyboard.press('Enter');

    await heading('Create integration').waitFor();
    await page.getByText('Entity type Bill').waitFor();
    for (const panel of ['Global configuration', 'Entity configuration', 'External system configuration']) await page.getByRole('heading', { level: 2, name: panel }).waitFor();

    await page.getByLabel('Name', { exact: true }).fill('Bills to NetSuite');
    await page.getByRole('group', { name: 'Integration disabled notification users' }).getByLabel('Ada Lead <ap-lead@example.com>').check();
    await page.getByLabel('Only send bill on approval').check();
    // The account filter is checked by the API's parser while typed.
    const filter = page.getByLabel('Account filter');
    await filter.fill('customFields != null AND customFields.country ==');
    await page.locator('#accountFilter-error').filter({ hasText: /at position \d+, expected/ }).waitFor();
    expect(await filter.getAttribute('aria-invalid')).toBe('true');
    await ui.screenshot('03-account-filter-checked', page.getByRole('region', { name: 'Entity configuration' }));
    await filter.fill('customFields != null AND customFields.country = = UK');
    await page.getByText('The expression is valid.').waitFor();

    // Saved without the one required setting: the API's message appears beside that field.
    await page.getByRole('button', { name: 'Create integration' }).click();
    const defaultItemError = page.locator('#netsuiteDefaultItemId-error');
    await defaultItemError.filter({ hasText: 'netsuiteDefaultItemId is required' }).waitFor();
    await focusReaches('netsuiteDefaultItemId');
    await ui.screenshot('04-create-field-error');

    await page.getByLabel('Netsuite default item id').fill('10');
    await page.getByRole('button', { name: 'Create integration' }).click();
    await heading('Bills to NetSuite').waitFor();
    const configs = (await client.call('GET', '/organizations/{orgId}/integrationconfigs')).body.data;
    expect(configs).toHaveLength(1);
    configId = configs[0].id;
    expect(configs[0].configData).toMatchObject({ onlySendBillOnApproval: true, netsuiteDefaultItemId: '10', accountFilter: 'customFields != null AND customFields.country = = UK', integrationDisabledNotificationUsers: [expect.any(String)] });
  });

  it('shows the details page with the not-connected warning and the configuration id to copy', async () => {
    await page.getByText('is not connected to your NetSuite system yet').waitFor();
    await page.getByText('NOT CONNECTED').first().waitFor();
    expect(await page.locator('#config-id').textContent()).toBe(configId);
    await page.getByRole('button', { name: 'Copy configuration id' }).click();
    await page.getByText('Copied to the clipboard').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(configId);
    await page.getByText('ap-lead@example.com').waitFor();
    await ui.screenshot('05-details-not-connected');
  });

  it('creates a NetSuite credential from the PEM file, verified by NetSuite, showing its fingerprint and never the key', async () => {
    await page.getByRole('button', { name: 'Add credential' }).click();
    const dialog = page.getByRole('dialog', { name: 'Select one credential' });
    await dialog.getByText('No NetSuite credential yet').waitFor();
    await dialog.getByRole('link', { name: 'Create one on the Credentials page' }).click();
    await heading('Credentials').waitFor();

    await page.getByLabel('Name', { exact: true }).fill('NetSuite sandbox');
    await page.getByLabel('Account Id').fill(`${NS}`);
    await page.getByLabel('Client Id').fill('someone-elses-client');
    await page.getByLabel('Certificate Id').fill(CERTIFICATE_ID);
    await page.getByLabel(/Upload Netsuite credentials/).setInputFiles(keyPair.privateKeyPath);
    await page.getByRole('button', { name: 'Save credential' }).click();
    // NetSuite refuses the wrong client id: its reason is shown and nothing is stored.
    await page.getByRole('alert').filter({ hasText: 'NetSuite refused the credential' }).waitFor();
    expect((await client.call('GET', '/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth')).body.data).toEqual([]);

    await page.getByLabel('Client Id').fill(CLIENT_ID);
    await page.getByRole('button', { name: 'Save credential' }).click();
    await page.getByText('Saved NetSuite sandbox').waitFor();
    const [credential] = (await client.call('GET', '/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth')).body.data;
    await rowWith(page, 'NetSuite sandbox').filter({ hasText: credential.keyFingerprint }).waitFor();
    await page.getByRole('button', { name: 'Verify NetSuite sandbox with NetSuite' }).click();
    await page.getByText(`NetSuite issued an access token for account ${NS}`).waitFor();
    const html = await page.content();
    expect(html).not.toContain('PRIVATE KEY');
    expect(html).not.toContain(keyPair.privateKeyPem.split('\n')[1]!);
    await ui.screenshot('06-credentials');
  });

  it('connects the credential with Add credential → Select one credential → Confirm, and shows CONNECTED', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Integrations' }).click();
    await heading('Configurations').waitFor();
    const row = rowWith(page, 'Bills to NetSuite');
    await row.getByText('NOT CONNECTED').waitFor();
    await row.getByText('No runs yet').waitFor();
    await ui.screenshot('07-configurations-grid');

    await row.getByRole('link', { name: 'Bills to NetSuite' }).click();
    await heading('Bills to NetSuite').waitFor();
    await page.getByRole('button', { name: 'Add credential' }).click();
    const dialog = page.getByRole('dialog', { name: 'Select one credential' });
    await dialog.getByLabel(/NetSuite sandbox/).check();
    await ui.screenshot('08-select-one-credential');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.locator('.title-row').getByText('CONNECTED', { exact: true }).waitFor();
    await page.getByText('is not connected to your NetSuite system yet').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Update credential' }).waitFor();
    await page.getByRole('button', { name: 'Disconnect' }).waitFor();
    expect((await client.call('GET', `/organizations/{orgId}/integrationconfigs/${configId}`)).body.authorized).toBe(true);
    await ui.screenshot('09-details-connected');
  });

  it("shows an approved bill's run COMPLETE on the details page, with the NetSuite id linking to the invoice", async () => {
    // The integration sends on approval only: the calculated bill's run waits for it.
    goodBillId = await calculatedBill(acme.id);
    const runs = page.getByRole('region', { name: 'Recent runs' });
    await rowWith(runs, goodBillId).filter({ hasText: 'WAITING' }).waitFor(WAIT);
    await approve(goodBillId);
    const complete = rowWith(runs, goodBillId).filter({ hasText: 'COMPLETE' });
    await complete.waitFor(WAIT);
    expect(await rowWith(runs, goodBillId).count()).toBe(1);

    const invoice = (await h.emulator.admin.listInvoices(NS)).find((i) => i.externalId?.endsWith(goodBillId.replace(/-/g, '')));
    expect(invoice).toBeDefined();
    const link = complete.getByRole('link', { name: new RegExp(`^${invoice!.id}`) });
    const run = (await client.call('GET', `/organizations/{orgId}/integrationruns/Bill/${goodBillId}`)).body.data.find((r: { status: string }) => r.status === 'COMPLETE');
    expect(await link.getAttribute('href')).toBe(run.url);
    expect(await link.getAttribute('target')).toBe('_blank');
    await ui.screenshot('10-details-run-complete');
  });

  it('previews a bill in the dry run: every filter, the invoice body and every decision', async () => {
    const dryRun = page.getByRole('region', { name: 'Dry run' });
    await dryRun.getByLabel('Bill').focus();
    await dryRun.getByLabel('Bill').selectOption(goodBillId);
    await dryRun.getByRole('button', { name: 'Preview' }).click();
    await dryRun.getByText('SEND', { exact: true }).waitFor();
    await dryRun.getByText('accountFilter', { exact: false }).first().waitFor();
    const body = await dryRun.getByLabel('Invoice body a send would PUT').textContent();
    expect(JSON.parse(body!)).toMatchObject({ externalId: expect.stringMatching(/^m3ter-/) });
    await dryRun.locator('table.decisions tbody tr').first().waitFor();
    await ui.screenshot('11-dry-run', dryRun);
  });

  it("shows a failing bill's event, and marks it resolved", async () => {
    // NetSuite has no customer for this account, so it refuses the invoice.
    failingBillId = await calculatedBill(orphan.id);
    const runs = page.getByRole('region', { name: 'Recent runs' });
    await rowWith(runs, failingBillId).filter({ hasText: 'WAITING' }).waitFor(WAIT);
    await approve(failingBillId);
    await rowWith(runs, failingBillId).filter({ hasText: 'ERROR' }).waitFor(WAIT);
    await page.getByRole('region', { name: 'Recent runs' }).getByRole('link', { name: 'Events' }).click();
    await heading('Integration events').waitFor();
    const event = rowWith(page, failingBillId);
    await event.waitFor(WAIT);
    expect(await event.textContent()).toMatch(/integration\.\w+\.error/);
    await ui.screenshot('12-events');

    await event.getByRole('button', { name: /^Mark resolved/ }).click();
    await event.getByText('Resolved', { exact: true }).waitFor();
    const events = (await client.call('GET', `/organizations/{orgId}/events?resourceId=${failingBillId}`)).body.data;
    expect(events).toHaveLength(1);
    expect(events[0].dtActioned).not.toBeNull();
    await ui.screenshot('13-event-resolved');

    // Unresolved only, on the next visit: the resolved event is gone from the list.
    await page.reload();
    await heading('Integration events').waitFor();
    await page.getByText('No unresolved events.').waitFor();
  });

  it('lists the runs of one bill, and one run with the invoice body and its decisions', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Runs' }).click();
    await heading('Integration runs').waitFor();
    await page.getByLabel('Bill id').fill(goodBillId);
    await page.getByRole('button', { name: 'Show runs' }).click();
    // Until the filtered list replaces the unfiltered one, rows of other bills show.
    await page.waitForFunction((billId) => { const rows: any[] = [...(globalThis as any).document.querySelectorAll('tbody tr')]; return rows.length > 0 && rows.every((row) => row.textContent.includes(billId)); }, goodBillId);
    const complete = rowWith(page, 'COMPLETE');
    expect(await complete.count()).toBe(1);
    await ui.screenshot('14-runs-of-a-bill');

    await complete.first().getByRole('link', { name: /^Details/ }).click();
    await heading(/Integration run/).waitFor();
    await page.getByRole('heading', { name: 'Decisions' }).waitFor();
    await page.locator('table.decisions tbody tr').first().waitFor();
    await ui.screenshot('15-run-details');
  });

  it('edits the settings on the same three panels; the details page shows them', async () => {
    await page.goto(`${api.url}/console/#/integrations/${configId}`);
    await heading('Bills to NetSuite').waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    await heading('Edit Bills to NetSuite').waitFor();
    // The stored settings fill the form.
    expect(await page.getByLabel('Only send bill on approval').isChecked()).toBe(true);
    expect(await page.getByLabel('Netsuite default item id').inputValue()).toBe('10');
    await page.getByRole('group', { name: 'Excluded line item types' }).getByLabel('Usage credit').check();
    await page.getByLabel('Sort line items by').selectOption('SUBTOTAL');
    await page.getByText(/Netsuite item mapping/).click();
    await page.getByRole('textbox', { name: 'Standing charge', exact: true }).fill('20');
    await page.getByRole('button', { name: 'Save changes' }).click();

    await heading('Bills to NetSuite').waitFor();
    const data = page.getByRole('region', { name: 'Configuration data' });
    await data.getByText('Usage credit').waitFor();
    await data.getByText('Standing charge → 20').waitFor();
    const config = (await client.call('GET', `/organizations/{orgId}/integrationconfigs/${configId}`)).body;
    expect(config.configData).toMatchObject({ excludedLineItemTypes: ['USAGE_CREDIT'], sortLineItemsBy: 'SUBTOTAL', netsuiteItemMapping: { STANDING_CHARGE: '20' }, onlySendBillOnApproval: true });
    expect(config.authorized).toBe(true);
  });

  it('links an external mapping to the integration from its details page', async () => {
    const mappings = page.getByRole('region', { name: 'Linked external mappings' });
    await mappings.getByText('Add a linked external mapping').click();
    await mappings.getByLabel('Account', { exact: true }).selectOption({ label: 'Acme Corp (ACME)' });
    await mappings.getByLabel('NetSuite internal id').fill('5001');
    await mappings.getByRole('button', { name: 'Add mapping' }).click();
    await rowWith(mappings, 'Acme Corp (ACME)').filter({ hasText: '5001' }).waitFor();
    const linked = (await client.call('GET', `/organizations/{orgId}/externalmappings?integrationConfigId=${configId}`)).body.data;
    expect(linked).toEqual([expect.objectContaining({ m3terEntity: 'Account', m3terId: acme.id, externalTable: 'Customer', externalId: '5001', integrationConfigId: configId })]);
  });

  it('switches to another credential with Update credential', async () => {
    const other = await client.call('POST', '/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth', {
      name: 'NetSuite production',
      accountId: NS,
      clientId: CLIENT_ID,
      certificateId: CERTIFICATE_ID,
      privateKey: Buffer.from(keyPair.privateKeyPem).toString('base64'),
    });
    expect(other.status).toBe(200);
    await page.reload();
    await page.getByRole('button', { name: 'Update credential' }).click();
    const dialog = page.getByRole('dialog', { name: 'Select one credential' });
    expect(await dialog.getByLabel(/NetSuite sandbox/).isChecked()).toBe(true);
    await dialog.getByLabel(/NetSuite production/).check();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('region', { name: 'Details' }).getByText('NetSuite production').waitFor();
    expect((await client.call('GET', `/organizations/{orgId}/integrationconfigs/${configId}`)).body.integrationCredentialsId).toBe(other.body.id);
  });

  it('shows why an integration disabled itself, and enables it again', async () => {
    // What the failure counter does after 10 successive errors.
    expect(await disableConfig(h.db, configId, '10 successive integration errors; last: NetSuite refused the invoice')).toBe(true);
    await page.getByText('10 successive integration errors').waitFor(WAIT);
    await page.locator('.title-row').getByText('DISABLED', { exact: true }).waitFor();
    await ui.screenshot('16-details-disabled');
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.locator('.title-row').getByText('ENABLED', { exact: true }).waitFor();
    await page.getByText('10 successive integration errors').waitFor({ state: 'detached' });
    expect((await client.call('GET', `/organizations/{orgId}/integrationconfigs/${configId}`)).body.enabled).toBe(true);
  });

  it('disconnects the integration, which shows the not-connected warning again', async () => {
    await page.goto(`${api.url}/console/#/integrations/${configId}`);
    await heading('Bills to NetSuite').waitFor();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect from NetSuite?' });
    await dialog.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByText('is not connected to your NetSuite system yet').waitFor();
    await page.getByRole('button', { name: 'Add credential' }).waitFor();
    expect((await client.call('GET', `/organizations/{orgId}/integrationconfigs/${configId}`)).body.integrationCredentialsId).toBeNull();
  });

  it('shows no screen for an address whose id decodes to a path of its own, so a crafted link sends no request elsewhere', async () => {
    const requests: string[] = [];
    const record = (request: { url(): string }) => requests.push(request.url());
    page.on('request', record);
    try {
      for (const crafted of ['integrations/..%2Fcredentials%23', 'runs/x%3Fstatus%3DERROR', 'integrations/%2E%2E']) {
        await page.goto(`${api.url}/console/#/${crafted}`);
        await heading('Not found').waitFor();
      }
    } finally {
      page.off('request', record);
    }
    expect(requests.filter((url) => url.includes('/organizations/'))).toEqual([]);
  });
});
