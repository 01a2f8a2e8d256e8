import { configDataSchema } from '../../domain/configData';

function issues(input: unknown) {
  const result = configDataSchema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return result.error.issues;
}

describe('configDataSchema', () => {
  it('parses { netsuiteDefaultItemId } alone with every default of the guide', () => {
    expect(configDataSchema.parse({ netsuiteDefaultItemId: '10' })).toEqual({
      accountIds: [],
      restrictedAccountIds: [],
      integrationDisabledNotificationUsers: [],
      onlySendBillOnApproval: false,
      useExternalMappingAccountCode: false,
      excludedLineItemTypes: [],
      accountFilter: '',
      enforceExternalMappingsForConfig: false,
      splitUsageLineItems: 'ITEM_PER_PRODUCT',
      netsuiteSendDueDate: false,
      netsuiteDefaultItemId: '10',
      netsuiteItemMapping: {},
      netsuiteItemCustomFieldMapping: {},
      sortLineItemsBy: 'NONE',
    });
  });

  it('keeps every setting that is given', () => {
    const full = {
      accountIds: ['a1'],
      restrictedAccountIds: ['a2'],
      integrationDisabledNotificationUsers: ['u1'],
      onlySendBillOnApproval: true,
      useExternalMappingAccountCode: true,
      excludedLineItemTypes: ['USAGE_CREDIT'],
      accountFilter: 'customFields.country == UK',
      enforceExternalMappingsForConfig: true,
      splitUsageLineItems: 'ITEM_PER_USAGE_BAND',
      netsuiteSendDueDate: true,
      netsuiteCommitmentItemId: '20',
      netsuiteMinimumSpendItemId: '30',
      netsuiteDefaultItemId: '10',
      netsuiteItemMapping: { USAGE: '40' },
      netsuiteItemCustomFieldMapping: { servicePeriodStart: 'custcol_start', servicePeriodEnd: '_end' },
      sortLineItemsBy: 'SUBTOTAL',
    };
    expect(configDataSchema.parse(full)).toEqual(full);
  });

  it('accepts the guide example filter verbatim', () => {
    expect(configDataSchema.safeParse({ netsuiteDefaultItemId: '10', accountFilter: 'customFields != null AND customFields.country = = UK' }).success).toBe(true);
  });

  it('refuses a config without netsuiteDefaultItemId, with a message naming it', () => {
    const [issue, ...rest] = issues({});
    expect(rest).toHaveLength(0);
    expect(issue?.path).toEqual(['netsuiteDefaultItemId']);
    expect(issue?.message).toContain('netsuiteDefaultItemId');
    expect(issue?.message).toMatch(/required/);
  });

  it('refuses an empty netsuiteDefaultItemId', () => {
    const [issue] = issues({ netsuiteDefaultItemId: '' });
    expect(issue?.path).toEqual(['netsuiteDefaultItemId']);
    expect(issue?.message).toContain('netsuiteDefaultItemId');
  });

  it('refuses unknown keys (e.g. a misspelt setting), naming the key', () => {
    const [issue] = issues({ netsuiteDefaultItemId: '10', onlySendBillsOnApproval: true });
    expect(issue?.code).toBe('unrecognized_keys');
    expect(issue?.message).toContain('onlySendBillsOnApproval');
  });

  it('refuses a bad accountFilter with the position message of the filter language', () => {
    const [issue] = issues({ netsuiteDefaultItemId: '10', accountFilter: 'customFields.country == UK AND' });
    expect(issue?.path).toEqual(['accountFilter']);
    expect(issue?.message).toMatch(/^accountFilter: at position \d+, expected /);
    expect(issue?.message).toContain('the end of the filter');
  });

  it('refuses an accountFilter naming an unknown field', () => {
    const [issue] = issues({ netsuiteDefaultItemId: '10', accountFilter: 'country == UK' });
    expect(issue?.path).toEqual(['accountFilter']);
    expect(issue?.message).toContain('position 1');
    expect(issue?.message).toContain('"country"');
  });

  it('refuses an unknown lineItemType in excludedLineItemTypes', () => {
    const [issue] = issues({ netsuiteDefaultItemId: '10', excludedLineItemTypes: ['USAGE', 'USAGES'] });
    expect(issue?.path).toEqual(['excludedLineItemTypes', 1]);
    expect(issue?.message).toContain('USAGE_CREDIT');
  });

  it('refuses an unknown lineItemType as a netsuiteItemMapping key', () => {
    expect(configDataSchema.safeParse({ netsuiteDefaultItemId: '10', netsuiteItemMapping: { USAGES: '5' } }).success).toBe(false);
  });

  it('refuses custom field ids that are not transaction column ids', () => {
    const [issue] = issues({ netsuiteDefaultItemId: '10', netsuiteItemCustomFieldMapping: { servicePeriodStart: 'custbody_start' } });
    expect(issue?.path).toEqual(['netsuiteItemCustomFieldMapping', 'servicePeriodStart']);
    expect(issue?.message).toContain('custcol_service_start');
  });

  it('refuses unknown enum values for splitUsageLineItems and sortLineItemsBy', () => {
    expect(configDataSchema.safeParse({ netsuiteDefaultItemId: '10', splitUsageLineItems: 'ITEM_PER_BAND' }).success).toBe(false);
    expect(configDataSchema.safeParse({ netsuiteDefaultItemId: '10', sortLineItemsBy: 'AMOUNT' }).success).toBe(false);
  });

  it('refuses wrong types for booleans', () => {
    expect(configDataSchema.safeParse({ netsuiteDefaultItemId: '10', onlySendBillOnApproval: 'yes' }).success).toBe(false);
  });
});
