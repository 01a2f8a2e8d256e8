import { z } from 'zod';
import { AccountFilterSyntaxError, parseAccountFilter } from './accountFilter';
import { lineItemTypeSchema } from './lineItemType';

/**
 * The `configData` of a NetSuite bill integration: the settings of m3ter's guide, camelCased.
 * Every key has the guide's default, so `{ netsuiteDefaultItemId }` alone is a complete config.
 */
export const configDataSchema = z
  .object({
    accountIds: z.array(z.string().min(1)).default([]),
    restrictedAccountIds: z.array(z.string().min(1)).default([]),
    integrationDisabledNotificationUsers: z.array(z.string().min(1)).default([]),
    onlySendBillOnApproval: z.boolean().default(false),
    useExternalMappingAccountCode: z.boolean().default(false),
    excludedLineItemTypes: z.array(lineItemTypeSchema).default([]),
    accountFilter: z
      .string()
      .default('')
      .superRefine((text, ctx) => {
        try {
          parseAccountFilter(text);
        } catch (error) {
          if (!(error instanceof AccountFilterSyntaxError)) throw error;
          ctx.addIssue({ code: 'custom', message: error.message });
        }
      }),
    enforceExternalMappingsForConfig: z.boolean().default(false),
    splitUsageLineItems: z.enum(['ITEM_PER_PRODUCT', 'ITEM_PER_USAGE_BAND']).default('ITEM_PER_PRODUCT'),
    netsuiteSendDueDate: z.boolean().default(false),
    netsuiteCommitmentItemId: z.string().min(1).optional(),
    netsuiteMinimumSpendItemId: z.string().min(1).optional(),
    netsuiteDefaultItemId: z.string({ error: 'netsuiteDefaultItemId is required: the NetSuite item id used when nothing else maps a line (e.g. the id of an "Other" item)' }).min(1),
    netsuiteItemMapping: z.partialRecord(lineItemTypeSchema, z.string().min(1)).default({}),
    netsuiteItemCustomFieldMapping: z
      .object({
        servicePeriodStart: z.string().regex(/^custcol_?\w+$|^_\w+$/, 'must be a transaction column field id such as custcol_service_start').optional(),
        servicePeriodEnd: z.string().regex(/^custcol_?\w+$|^_\w+$/, 'must be a transaction column field id such as custcol_service_end').optional(),
      })
      .strict()
      .default({}),
    sortLineItemsBy: z.enum(['NONE', 'SUBTOTAL', 'AGGREGATION_ID']).default('NONE'),
  })
  .strict();

export type ConfigData = z.infer<typeof configDataSchema>;
export type ConfigDataInput = z.input<typeof configDataSchema>;

export const NETSUITE_DESTINATION = 'Netsuite';
export const BILL_ENTITY_TYPE = 'Bill';
