/** What a request to the emulator does, as its stats count them and faults target them. */

/** The record operations, in the order stats list them; faults can be narrowed to any of them. */
export const RECORD_OPERATIONS = ['create', 'upsert', 'update', 'read', 'delete'] as const;
export type RecordOperation = (typeof RECORD_OPERATIONS)[number];
export type RequestKind = 'token' | RecordOperation;
