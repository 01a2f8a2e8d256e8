import type { EmulatorState } from './state';

/** What route handlers need from the running server; `baseUrl` is only known once it listens. */
export interface EmulatorContext {
  state: EmulatorState;
  now: () => number;
  tokenTtlSeconds: number;
  baseUrl: () => string;
}

export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';
export const INVOICE_PATH = '/services/rest/record/v1/invoice';
export const CUSTOMER_PATH = '/services/rest/record/v1/customer';
export const SUITEQL_PATH = '/services/rest/query/v1/suiteql';

export function accountBaseUrl(context: EmulatorContext, hostForm: string): string {
  return `${context.baseUrl()}/${hostForm}`;
}

export function tokenUrl(context: EmulatorContext, hostForm: string): string {
  return `${accountBaseUrl(context, hostForm)}${TOKEN_PATH}`;
}

export function invoiceUrl(context: EmulatorContext, hostForm: string, id?: string): string {
  const collection = `${accountBaseUrl(context, hostForm)}${INVOICE_PATH}`;
  return id === undefined ? collection : `${collection}/${id}`;
}
