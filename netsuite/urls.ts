import { parseAccountId, type NetSuiteAccountId } from '../domain/accountId';

/**
 * Every NetSuite URL comes from one template (NETSUITE_URL_TEMPLATE), so the same code reaches real
 * NetSuite (`https://{account}.suitetalk.api.netsuite.com`) or any stand-in without knowing which.
 */
export class NetSuiteUrls {
  constructor(private readonly template: string) {}

  base(accountId: string | NetSuiteAccountId): string {
    const id = typeof accountId === 'string' ? parseAccountId(accountId) : accountId;
    return this.template.replace('{account}', id.host).replace(/\/+$/, '');
  }

  /** Also the `aud` of the client assertion: NetSuite checks it equals the URL the JWT is posted to. */
  token(accountId: string | NetSuiteAccountId): string {
    return `${this.base(accountId)}/services/rest/auth/oauth2/v1/token`;
  }

  invoice(accountId: string | NetSuiteAccountId, id?: string): string {
    const root = `${this.base(accountId)}/services/rest/record/v1/invoice`;
    return id === undefined ? root : `${root}/${encodeURIComponent(id).replace('%3A', ':')}`;
  }

  invoiceByExternalId(accountId: string | NetSuiteAccountId, externalId: string): string {
    return this.invoice(accountId, `eid:${externalId}`);
  }

  customer(accountId: string | NetSuiteAccountId, ref: { id: string } | { externalId: string }): string {
    const key = 'id' in ref ? encodeURIComponent(ref.id) : `eid:${encodeURIComponent(ref.externalId)}`;
    return `${this.base(accountId)}/services/rest/record/v1/customer/${key}`;
  }

  suiteql(accountId: string | NetSuiteAccountId): string {
    return `${this.base(accountId)}/services/rest/query/v1/suiteql`;
  }

  /** The record page a user opens in NetSuite's UI (app host, not the REST host). */
  invoiceUi(accountId: string | NetSuiteAccountId, internalId: string): string {
    const id = typeof accountId === 'string' ? parseAccountId(accountId) : accountId;
    if (this.template.includes('suitetalk.api.netsuite.com')) {
      return `https://${id.host}.app.netsuite.com/app/accounting/transactions/custinvc.nl?id=${encodeURIComponent(internalId)}`;
    }
    return this.invoice(id, internalId);
  }
}
