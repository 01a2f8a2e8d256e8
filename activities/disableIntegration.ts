import { disableConfig, getConfig, parseConfigData } from '../db/configs';
import { getEvent, raiseEvent } from '../db/events';
import { getUsers } from '../db/users';
import type { ErrorReport } from '../domain/failureCounter';
import { disabledNotification } from '../domain/notifications';
import type { ActivityDeps } from './deps';

export interface DisableInput {
  organizationId: string;
  configId: string;
  /** Chosen by the workflow, so a retried activity raises the same event, not a second one. */
  eventId: string;
  threshold: number;
  lastErrors: ErrorReport[];
}

/** Disables the config (reason kept) and raises integration.disabled.error with the last errors. */
export function makeDisableIntegration(deps: ActivityDeps) {
  return async function disableIntegration(input: DisableInput): Promise<void> {
    const reason = `disabled after ${input.threshold} successive errors; last: ${input.lastErrors[input.lastErrors.length - 1]?.reason ?? 'unknown'}`.slice(0, 1000);
    await disableConfig(deps.db, input.configId, reason);
    await raiseEvent(deps.db, {
      id: input.eventId,
      organizationId: input.organizationId,
      eventName: 'integration.disabled.error',
      configId: input.configId,
      reason,
      details: { threshold: input.threshold, lastErrors: input.lastErrors.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) },
    });
    deps.metrics?.eventRaised('integration.disabled.error');
    deps.logger.warn({ configId: input.configId, eventId: input.eventId }, 'integration disabled after successive errors');
  };
}

/**
 * Emails every user chosen in integrationDisabledNotificationUsers, once each: a user already
 * recorded for this event is skipped, so retries after a partial failure only send what is missing.
 */
export function makeNotifyDisabled(deps: ActivityDeps) {
  return async function notifyDisabled({ organizationId, configId, eventId }: { organizationId: string; configId: string; eventId: string }): Promise<{ sent: number }> {
    const config = await getConfig(deps.db, organizationId, configId);
    const event = await getEvent(deps.db, organizationId, eventId);
    if (!config || !event) return { sent: 0 };
    const userIds = parseConfigData(config.configData).integrationDisabledNotificationUsers;
    const users = await getUsers(deps.db, organizationId, userIds);
    const lastErrors = ((event.details.lastErrors ?? []) as Array<ErrorReport & { at: string }>).map((e) => ({ eventName: e.eventName, reason: e.reason, billId: e.billId, at: e.at }));
    const message = disabledNotification({ configName: config.name, configId, threshold: Number(event.details.threshold ?? deps.failureThreshold), lastErrors });
    let sent = 0;
    for (const user of users) {
      const already = await deps.db.selectFrom('notification').select('userId').where('eventId', '=', eventId).where('userId', '=', user.id).executeTakeFirst();
      if (already) continue;
      const { messageId } = await deps.mailer.send({ to: user.email, ...message });
      await deps.db.insertInto('notification').values({ eventId, userId: user.id, email: user.email, messageId }).onConflict((oc) => oc.doNothing()).execute();
      sent++;
    }
    const missing = userIds.filter((id) => !users.some((u) => u.id === id));
    if (missing.length > 0) deps.logger.warn({ configId, missing }, 'integrationDisabledNotificationUsers names users that do not exist');
    return { sent };
  };
}
