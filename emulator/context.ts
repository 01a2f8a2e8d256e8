import type { EmulatorState } from './state';

/** What route handlers need from the running server; `baseUrl` is only known once it listens. */
export interface EmulatorContext {
  state: EmulatorState;
  now: () => number;
  tokenTtlSeconds: number;
  baseUrl: () => string;
}

export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';
/** The REST record service; a record type (`invoice`, `creditMemo`, `customer`) follows it. */
export const RECORD_PATH = '/services/rest/record/v1';
/** SuiteQL over REST (`POST … {"q": …}` with `Prefer: transient`). */
export const SUITEQL_PATH = '/services/rest/query/v1/suiteql';

export function accountBaseUrl(context: EmulatorContext, hostForm: string): string {
  return `${context.baseUrl()}/${hostForm}`;
}

export function tokenUrl(context: EmulatorContext, hostForm: string): string {
  return `${accountBaseUrl(context, hostForm)}${TOKEN_PATH}`;
}

/** Where a record lives, e.g. `…/record/v1/creditMemo/1002`: a Location header points at the record's own type. */
export function recordUrl(context: EmulatorContext, hostForm: string, recordType: string, id?: string): string {
  const collection = `${accountBaseUrl(context, hostForm)}${RECORD_PATH}/${recordType}`;
  return id === undefined ? collection : `${collection}/${id}`;
}
