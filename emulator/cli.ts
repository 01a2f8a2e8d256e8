import crypto from 'node:crypto';
import fs from 'node:fs';
import { Command } from 'commander';
import { AdminClient } from './adminClient';

/**
 * The emulator's own commands for what a NetSuite administrator does in NetSuite's UI before an
 * integration can send invoices: the M2M certificate upload, items, customers, the custom column field.
 * Each talks to a running emulator's admin API (`--url`, default NETSUITE_EMULATOR_URL or port 8090)
 * and prints JSON, so a newcomer never has to call the admin API by hand.
 */
export const DEFAULT_EMULATOR_URL = 'http://127.0.0.1:8090';
/** The transaction column field the guide asks NetSuite admins to create. */
const TRACE_FIELD = 'custcol_m3ter_external_line_item';

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const admin = (o: { url: string }) => new AdminClient(o.url.replace(/\/+$/, ''));

export function addAdminCommands(program: Command, env: NodeJS.ProcessEnv = process.env): void {
  const urlOption = ['--url <url>', 'URL of the running emulator', env.NETSUITE_EMULATOR_URL ?? DEFAULT_EMULATOR_URL] as const;
  const accountOption = ['--account <accountId>', 'NetSuite account id, e.g. 1234567_SB1'] as const;

  program
    .command('account')
    .description('NetSuite accounts')
    .command('create')
    .argument('<accountId>', 'NetSuite account id, e.g. 1234567_SB1')
    .option(...urlOption)
    .description('create an account (harmless when it exists); prints its URLs and the NETSUITE_URL_TEMPLATE that reaches it')
    .action(async (accountId: string, o: { url: string }) => {
      const account = await admin(o).createAccount({ accountId });
      print({ ...account, netsuiteUrlTemplate: `${o.url.replace(/\/+$/, '')}/{account}` });
    });

  program
    .command('certificate')
    .description('OAuth 2.0 M2M certificates (Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup)')
    .command('add')
    .requiredOption(...accountOption)
    .requiredOption('--certificate-file <path>', 'the certificate made with the private key, m3ter-cert.pem')
    .option('--client-id <id>', "the integration record's Client ID; a new one is made when omitted")
    .option('--certificate-id <id>', 'the Certificate ID; NetSuite makes one when omitted, and so does the emulator')
    .option(...urlOption)
    .description('upload a certificate, as the guide\'s "upload the certificate to NetSuite" step; prints the Certificate ID and Client ID a credential needs')
    .action(async (o: { account: string; certificateFile: string; clientId?: string; certificateId?: string; url: string }) => {
      const certificatePem = fs.readFileSync(o.certificateFile, 'utf8');
      if (/PRIVATE KEY/.test(certificatePem)) throw new Error(`--certificate-file: ${o.certificateFile} holds a private key; upload the certificate (m3ter-cert.pem) and keep the key (m3ter-key.pem) for the credential`);
      const registered = await admin(o).registerCertificate({
        accountId: o.account,
        // NetSuite's ids: a 64-character hex client id on the integration record, a shorter random certificate id.
        clientId: o.clientId ?? crypto.randomBytes(32).toString('hex'),
        certificateId: o.certificateId ?? crypto.randomBytes(21).toString('base64url'),
        certificatePem,
      });
      print({ accountId: o.account, ...registered });
    });

  program
    .command('item')
    .description('items (Lists > Accounting > Items)')
    .command('add')
    .requiredOption(...accountOption)
    .requiredOption('--name <name>', 'item name, e.g. Other')
    .option('--id <internalId>', 'internal id; the next free one when omitted')
    .option(...urlOption)
    .description('add an item; prints its internal id, which the integration settings take')
    .action(async (o: { account: string; name: string; id?: string; url: string }) => print(await admin(o).addItem({ accountId: o.account, name: o.name, ...(o.id ? { id: o.id } : {}) })));

  program
    .command('customer')
    .description('customers (Lists > Relationships > Customers)')
    .command('add')
    .requiredOption(...accountOption)
    .requiredOption('--name <name>', 'customer name')
    .option('--external-id <id>', 'External ID: the m3ter account id, which invoices reference')
    .option('--id <internalId>', 'internal id; the next free one when omitted')
    .option(...urlOption)
    .action(async (o: { account: string; name: string; externalId?: string; id?: string; url: string }) =>
      print(await admin(o).addCustomer({ accountId: o.account, name: o.name, ...(o.externalId ? { externalId: o.externalId } : {}), ...(o.id ? { id: o.id } : {}) })),
    );

  program
    .command('field')
    .description('custom transaction column fields (Customization > Lists, Records & Fields > Transaction Line Fields)')
    .command('add')
    .requiredOption(...accountOption)
    .argument('[scriptId]', 'the field id', TRACE_FIELD)
    .option(...urlOption)
    .action(async (scriptId: string, o: { account: string; url: string }) => print(await admin(o).addCustomField({ accountId: o.account, scriptId })));

  program
    .command('show')
    .requiredOption(...accountOption)
    .option(...urlOption)
    .description("an account's certificates, items, customers and column fields")
    .action(async (o: { account: string; url: string }) => print(await admin(o).getAccount(o.account)));

  program
    .command('invoices')
    .requiredOption(...accountOption)
    .option(...urlOption)
    .description('the invoices the account received: id, externalId, customer, total, lines')
    .action(async (o: { account: string; url: string }) => {
      const invoices = await admin(o).listInvoices(o.account);
      print(
        invoices.map((invoice) => ({
          id: invoice.id,
          externalId: invoice.externalId,
          customer: invoice.entity.refName ?? invoice.entity.id,
          tranDate: invoice.tranDate,
          total: invoice.total,
          lines: invoice.item.items.map((line) => ({ item: line.item.refName ?? line.item.id, description: line.description, quantity: line.quantity, amount: line.amount })),
          writes: invoice.writes,
        })),
      );
    });
}
