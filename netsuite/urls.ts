import { parseAccountId, type NetSuiteAccountId } from '../domain/accountId';
import type { NetSuiteRecordType } from '../domain/externalId';

/** Where NetSuite's own pages are: what a finance user opens in a browser (NETSUITE_UI_URL_TEMPLATE). */
export const DEFAULT_UI_URL_TEMPLATE = 'https://{account}.app.netsuite.com';

/** The UI page of each record type, as NetSuite names them. */
const UI_PAGES: Record<NetSuiteRecordType, string> = { invoice: 'custinvc.nl', creditMemo: 'custcred.nl' };

/**
 * Every NetSuite URL comes from two templates — the REST API's (NETSUITE_URL_TEMPLATE) and the UI's
 * (NETSUITE_UI_URL_TEMPLATE) — so the same code reaches real NetSuite or any stand-in without knowing which.
 */
export class NetSuiteUrls {
  constructor(
    private readonly template: string,
    private readonly uiTemplate: string = DEFAULT_UI_URL_TEMPLATE,
  ) {}

  base(accountId: string | NetSuiteAccountId): string {
    const id = typeof accountId === 'string' ? parseAccountId(accountId) : accountId;
    return this.template.replace('{account}', id.host).replace(/\/+$/, '');
  }

  /** Also the `aud` of the client assertion: NetSuite checks it equals the URL the JWT is posted to. */
  token(accountId: string | NetSuiteAccountId): string {
    return `${this.base(accountId)}/services/rest/auth/oauth2/v1/token`;
  }

  /** A record of the REST record service: `record/v1/{type}[/{id | eid:externalId}]`. */
  record(accountId: string | NetSuiteAccountId, type: NetSuiteRecordType | 'customer', ref?: string): string {
    const root = `${this.base(accountId)}/services/rest/record/v1/${type}`;
    return ref === undefined ? root : `${root}/${encodeURIComponent(ref).replace('%3A', ':')}`;
  }

  /** SuiteQL over REST: `POST query/v1/suiteql`. */
  suiteql(accountId: string | NetSuiteAccountId): string {
    return `${this.base(accountId)}/services/rest/query/v1/suiteql`;
  }

  /** The record's page in NetSuite's UI (the app host, not the REST host): what a run links to. */
  recordUi(accountId: string | NetSuiteAccountId, recordType: NetSuiteRecordType, internalId: string): string {
    const id = typeof accountId === 'string' ? parseAccountId(accountId) : accountId;
    const base = this.uiTemplate.replace('{account}', id.host).replace(/\/+$/, '');
    return `${base}/app/accounting/transactions/${UI_PAGES[recordType]}?id=${encodeURIComponent(internalId)}`;
  }
}
