/** The email sent when an integration disables itself: what, why, the last errors, how to re-enable. */
export function disabledNotification(input: {
  configName: string;
  configId: string;
  threshold: number;
  lastErrors: ReadonlyArray<{ eventName: string; reason: string; billId?: string | null; at: string }>;
}): { subject: string; text: string } {
  const lines = [
    `The NetSuite integration "${input.configName}" (${input.configId}) has been disabled after ${input.threshold} successive errors.`,
    'No bills are sent to NetSuite for it until it is enabled again; runs in the meantime are recorded as DISABLED.',
    '',
    'Most recent errors:',
    ...input.lastErrors.map((e) => `  - ${e.at}  ${e.eventName}${e.billId ? `  bill ${e.billId}` : ''}: ${e.reason}`),
    '',
    'To re-enable once the cause is fixed:',
    `  npm run -s cli -- config enable --config ${input.configId}`,
    `  or POST /organizations/{orgId}/integrationconfigs/${input.configId}/enable`,
    'Then re-run the failed bills (they are listed as integration events); bills approved while it was disabled are sent when it is enabled again.',
  ];
  return { subject: `NetSuite integration "${input.configName}" disabled after ${input.threshold} errors`, text: lines.join('\n') };
}
