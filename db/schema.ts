import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';
import type { AddressInput } from './jsonTypes';
import type { LineItem } from '../domain/bill';
import type { NetSuiteRecordType } from '../domain/externalId';
import type { Decision, NetSuiteInvoice } from '../domain/invoiceBuilder';
import type { MirrorCursor, MirrorPassSummary } from '../domain/mirror';

/** Timestamps come back as Date, may be written as Date or ISO string, and default to now(). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** `date` columns are read as 'YYYY-MM-DD' strings (see db/connect.ts type parser). */
type DateString = ColumnType<string, string, string>;
/** numeric columns are read as strings by pg (exact); we convert at the edge. */
type Numeric = ColumnType<string, string | number, string | number>;

export interface OrganizationTable {
  id: string;
  name: string;
  dtCreated: Timestamp;
}

export interface ApiKeyTable {
  id: string;
  organizationId: string;
  secretHash: string;
  dtCreated: Timestamp;
}

export interface AppUserTable {
  id: string;
  organizationId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  version: Generated<number>;
  dtCreated: Timestamp;
  dtLastModified: Timestamp;
}

export interface AccountTable {
  id: string;
  organizationId: string;
  code: string;
  name: string;
  emailAddress: string;
  currency: string | null;
  customFields: JSONColumnType<Record<string, string | number>>;
  address: JSONColumnType<AddressInput> | null;
  parentAccountId: string | null;
  purchaseOrderNumber: string | null;
  daysBeforeBillDue: number | null;
  version: Generated<number>;
  /** Set on a row the m3ter mirror brought: m3ter owns it, the local API refuses to change it (migration 0009). */
  sourceId: Generated<string | null>;
  /** The m3ter version and dtLastModified it was copied at, and the mirror pass that last saw it. */
  sourceVersion: Generated<number | null>;
  sourceDtLastModified: Generated<string | null>;
  sourcePass: Generated<number | null>;
  dtCreated: Timestamp;
  dtLastModified: Timestamp;
}

export interface BillTable {
  id: string;
  organizationId: string;
  accountId: string;
  version: Generated<number>;
  status: Generated<'PENDING' | 'APPROVED'>;
  locked: Generated<boolean>;
  billDate: DateString;
  dueDate: DateString | null;
  startDate: DateString | null;
  endDate: DateString | null;
  billingFrequency: string | null;
  billTotal: Numeric;
  currency: string;
  dtApproved: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  approvedBy: string | null;
  externalInvoiceDate: DateString | null;
  externalInvoiceReference: string | null;
  sequentialInvoiceNumber: string | null;
  purchaseOrderNumber: string | null;
  timezone: string | null;
  lastCalculatedDate: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Set on a row the m3ter mirror brought: m3ter owns it, the local API refuses to change it (migration 0009). */
  sourceId: Generated<string | null>;
  /** The m3ter version and dtLastModified it was copied at, and the mirror pass that last saw it. */
  sourceVersion: Generated<number | null>;
  sourceDtLastModified: Generated<string | null>;
  sourcePass: Generated<number | null>;
  /** m3ter's lastCalculatedDate of the copy: a change means m3ter recalculated the bill. */
  sourceLastCalculated: Generated<string | null>;
  dtCreated: Timestamp;
  dtLastModified: Timestamp;
}

export interface BillLineItemTable {
  id: string;
  billId: string;
  billVersion: number;
  sequenceNumber: number;
  data: JSONColumnType<LineItem>;
}

export interface NetsuiteCredentialTable {
  id: string;
  organizationId: string;
  name: string | null;
  accountId: string;
  certificateId: string;
  clientId: string;
  privateKeyEncrypted: string;
  keyFingerprint: string;
  keyType: string;
  /** NetSuite requests of ours allowed in flight at once on this account (the account's limit is shared). */
  concurrencyLimit: Generated<number>;
  /** When NetSuite first issued a token for this credential; until then its limit doesn't count (db/leases.ts). */
  dtTokenObtained: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  version: Generated<number>;
  dtCreated: Timestamp;
  dtLastModified: Timestamp;
}

export interface IntegrationConfigTable {
  id: string;
  organizationId: string;
  destination: string;
  entityType: string;
  name: string;
  configData: JSONColumnType<Record<string, unknown>>;
  integrationCredentialsId: string | null;
  destinationId: string | null;
  entityId: string | null;
  enabled: Generated<boolean>;
  disabledReason: string | null;
  version: Generated<number>;
  createdBy: string | null;
  lastModifiedBy: string | null;
  dtCreated: Timestamp;
  dtLastModified: Timestamp;
  /** Completion of the latest run whose error counts towards disabling (migration 0008). */
  dtLastCountedError: Generated<Date | null>;
  /** Completion of the latest success the failure counter was told of. */
  dtLastSuccessReported: Generated<Date | null>;
}

export interface ExternalMappingTable {
  id: string;
  organizationId: string;
  externalSystem: string;
  externalTable: string;
  externalId: string;
  m3terEntity: string;
  m3terId: string;
  integrationConfigId: string | null;
  version: Generated<number>;
  /** Set on a row the m3ter mirror brought: m3ter owns it, the local API refuses to change it (migration 0009). */
  sourceId: Generated<string | null>;
  /** The m3ter version and dtLastModified it was copied at, and the mirror pass that last saw it. */
  sourceVersion: Generated<number | null>;
  sourceDtLastModified: Generated<string | null>;
  sourcePass: Generated<number | null>;
  dtCreated: Timestamp;
  dtLastModified: Timestamp;
}

export { RUN_STATUSES, type RunStatus } from '../domain/runStatus';
import type { RunStatus } from '../domain/runStatus';

export interface IntegrationRunTable {
  id: string;
  organizationId: string;
  configId: string;
  entityType: string;
  entityId: string;
  entityVersion: number | null;
  destination: string;
  trigger: string;
  status: RunStatus;
  dtStarted: Timestamp;
  dtCompleted: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  error: string | null;
  externalId: string | null;
  url: string | null;
  /** The externalId and body of the record built: an invoice's, or a credit memo's (recordType). */
  invoiceExternalId: string | null;
  invoiceBody: JSONColumnType<NetSuiteInvoice> | null;
  recordType: NetSuiteRecordType | null;
  decisions: JSONColumnType<Decision[]>;
  workflowId: string;
  workflowRunId: string;
  parentIntegrationRunId: string | null;
  /** The outbox rows this run answers (bigint ids, read as strings). */
  handoffIds: ColumnType<string[], string[] | undefined, string[]>;
  version: Generated<number>;
  dtCreated: Timestamp;
  dtLastModified: Timestamp;
}

export { INTEGRATION_EVENT_NAMES, type IntegrationEventName } from '../domain/eventNames';
import type { IntegrationEventName } from '../domain/eventNames';

export interface IntegrationEventTable {
  id: string;
  organizationId: string;
  eventName: IntegrationEventName;
  eventTime: Timestamp;
  configId: string;
  entityType: string | null;
  entityId: string | null;
  accountId: string | null;
  runId: string | null;
  reason: string;
  details: JSONColumnType<Record<string, unknown>>;
  dtActioned: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  actionedBy: string | null;
}

export interface NotificationTable {
  eventId: string;
  userId: string;
  email: string;
  messageId: string | null;
  dtSent: Timestamp;
}

export interface NetsuiteLeaseTable {
  accountId: string;
  slot: number;
  holder: string;
  expiresAt: ColumnType<Date, Date | string, Date | string>;
}

/** What an outbox row asks the relay to do (handoff/outbox.ts). */
export type HandoffKind = 'billEvent' | 'configEnabled' | 'configDeleted' | 'sourceNudge' | 'sourceDisconnected';

export interface OutboxTable {
  id: ColumnType<string, never, never>;
  organizationId: string;
  /** The config a row concerns; null for a source's rows, which name the source instead. */
  configId: string | null;
  sourceId: Generated<string | null>;
  billId: string | null;
  kind: HandoffKind;
  payload: JSONColumnType<Record<string, unknown>>;
  origin: string;
  dtCreated: Timestamp;
  dtAvailable: Timestamp;
  attempts: Generated<number>;
  lastError: string | null;
  dtDelivered: ColumnType<Date | null, never, Date | string | null>;
  deliveredRunId: string | null;
}

/** An organization's m3ter source (migration 0009); the secret only ever encrypted. */
export interface M3terSourceTable {
  id: string;
  organizationId: string;
  m3terOrgId: string;
  baseUrl: string;
  apiKey: string;
  apiSecretEncrypted: string;
  intervalSeconds: number;
  windowDays: number;
  pageSize: number;
  integrationConfigLinks: JSONColumnType<Record<string, string>>;
  cursor: JSONColumnType<MirrorCursor> | null;
  passesCompleted: Generated<number>;
  lastPass: JSONColumnType<MirrorPassSummary> | null;
  dtLastPassCompleted: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Migration 0010. */
  dtLastPassEnded: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  lastError: string | null;
  version: Generated<number>;
  createdBy: string | null;
  dtCreated: Timestamp;
  dtLastModified: Timestamp;
}

export interface Database {
  m3terSource: M3terSourceTable;
  outbox: OutboxTable;
  netsuiteLease: NetsuiteLeaseTable;
  integrationEvent: IntegrationEventTable;
  notification: NotificationTable;
  organization: OrganizationTable;
  apiKey: ApiKeyTable;
  appUser: AppUserTable;
  account: AccountTable;
  bill: BillTable;
  billLineItem: BillLineItemTable;
  netsuiteCredential: NetsuiteCredentialTable;
  integrationConfig: IntegrationConfigTable;
  externalMapping: ExternalMappingTable;
  integrationRun: IntegrationRunTable;
}

export type IntegrationRun = Selectable<IntegrationRunTable>;
export type NewIntegrationRun = Insertable<IntegrationRunTable>;
export type IntegrationConfigRow = Selectable<IntegrationConfigTable>;
export type BillRow = Selectable<BillTable>;
export type AccountRow = Selectable<AccountTable>;
export type CredentialRow = Selectable<NetsuiteCredentialTable>;
export type IntegrationEvent = Selectable<IntegrationEventTable>;
export type M3terSourceRow = Selectable<M3terSourceTable>;
