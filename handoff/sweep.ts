import { sql } from 'kysely';
import type { Db } from '../db/connect';
import { IN_PROGRESS_STATUSES, TERMINAL_STATUSES } from '../domain/runStatus';
import { BILL_ENTITY_TYPE, NETSUITE_DESTINATION } from '../domain/configData';
import { notifyRelays, pruneDelivered, type Handoff } from './outbox';

export interface SweepSettings {
  /** A bill's change must be at least this old before the sweep second-guesses the relay. */
  graceMs: number;
  /** A run still in progress that nothing updated for this long, or a hand-off delivered this long ago that no run answered, no longer counts as an open sync. */
  staleRunMs: number;
  /** Only changes this recent are looked at (and never one from before its config existed). */
  lookbackDays: number;
  /** Hand-offs written per sweep at most; the next sweep takes the rest. */
  limit: number;
  /** Delivered rows older than this are deleted by the process that sweeps (for operators, and the "delivered recently" above). */
  retentionDays?: number;
}

/** The advisory lock that lets one process sweep at a time. */
const SWEEP_LOCK = 'm3ter-netsuite-sync:outbox-sweep';

/**
 * The safety net under the outbox, trusting no single mechanism: finds (integration, bill) pairs where
 * the bill's current state needs a sync (approved; or calculated, for configs that don't wait for
 * approval) since some moment, the integration is enabled and existed then, and yet no run finished
 * after that moment, no run is working on it, and no hand-off is pending, was delivered within the
 * grace, or carries this very change and was delivered within staleRunMs — and hands each over again.
 * A repeat is harmless (one workflow id, one invoice externalId); a sync WAITING for an approval
 * signal that never came is woken by it. One process sweeps (and prunes delivered rows) at a time.
 */
export async function sweepStranded(db: Db, settings: SweepSettings): Promise<Handoff[]> {
  return db.transaction().execute(async (tx) => {
    const { rows: locked } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${SWEEP_LOCK})) as locked`.execute(tx);
    if (!locked[0]?.locked) return [];
    if (settings.retentionDays !== undefined) await pruneDelivered(tx, settings.retentionDays);
    const lookback = sql`${settings.lookbackDays} * interval '1 day'`;
    const grace = sql`${Math.round(settings.graceMs)} * interval '1 millisecond'`;
    const stale = sql`${Math.round(settings.staleRunMs)} * interval '1 millisecond'`;
    const { rows } = await sql<Handoff>`
      with needing as (
        select b.organization_id, b.id as bill_id, b.account_id, c.id as config_id, c.dt_created as config_created,
               case when b.status = 'APPROVED' then 'approved' else 'calculated' end as trigger,
               case when b.status = 'APPROVED' then b.dt_approved else b.last_calculated_date end as since
        from bill b
        join integration_config c on c.organization_id = b.organization_id
          and c.destination = ${NETSUITE_DESTINATION} and c.entity_type = ${BILL_ENTITY_TYPE} and c.enabled
          -- Without a credential the syncs wait for one; connecting it wakes them (usecases/configs.ts).
          and c.integration_credentials_id is not null
        where (b.dt_approved > now() - ${lookback} or b.last_calculated_date > now() - ${lookback})
          and (b.status = 'APPROVED' or coalesce((c.config_data ->> 'onlySendBillOnApproval')::boolean, false) = false)
      )
      insert into outbox (organization_id, config_id, bill_id, kind, payload, origin)
      select n.organization_id, n.config_id, n.bill_id, 'billEvent', jsonb_build_object('trigger', n.trigger, 'accountId', n.account_id), 'sweep'
      from needing n
      where n.since is not null
        and n.since >= n.config_created
        and n.since < now() - ${grace}
        and n.since > now() - ${lookback}
        and not exists (
          select 1 from integration_run r
          where r.config_id = n.config_id and r.entity_id = n.bill_id
            and ((r.status in (${sql.join(TERMINAL_STATUSES)}) and r.dt_completed >= n.since)
              or (r.status in (${sql.join(IN_PROGRESS_STATUSES)}) and r.dt_last_modified >= n.since and r.dt_last_modified > now() - ${stale})))
        and not exists (
          select 1 from outbox o
          where o.config_id = n.config_id and o.bill_id = n.bill_id
            -- A hand-off of this change, delivered, is Temporal's to keep: its sync may wait behind a
            -- month end's backlog far longer than the grace, and handing it over again then raced the
            -- sync's end into a second run and a second send. Trusted as long as a run in progress is.
            and (o.dt_delivered is null
              or o.dt_delivered > now() - ${grace}
              -- This change's own hand-off: the same event, written with it (the change's time is the
              -- service's clock, the row's the database's: a few seconds either way).
              or (o.payload ->> 'trigger' = n.trigger and o.dt_created >= n.since - interval '5 seconds' and o.dt_delivered > now() - ${stale})))
      order by n.since
      limit ${settings.limit}
      returning id, kind, config_id as "configId", bill_id as "billId"`.execute(tx);
    const nudges = await nudgeSilentSources(tx);
    if (rows.length + nudges.length > 0) await notifyRelays(tx);
    return [...rows, ...nudges];
  });
}

/**
 * The same net under the m3ter mirrors: a source that ended no pass for three intervals (ten minutes
 * at least) and had no nudge in that time gets one, which starts its mirror again if it was lost — a
 * workflow terminated by hand, a Temporal server whose history is gone. A nudge to a mirror that is
 * only busy queues one more pass, nothing else.
 */
async function nudgeSilentSources(tx: Db): Promise<Handoff[]> {
  const silence = sql`greatest(3 * s.interval_seconds, 600) * interval '1 second'`;
  const { rows } = await sql<Handoff>`
    insert into outbox (organization_id, source_id, kind, payload, origin)
    select s.organization_id, s.id, 'sourceNudge', '{}'::jsonb, 'sweep'
    from m3ter_source s
    where coalesce(s.dt_last_pass_ended, s.dt_created) < now() - ${silence}
      and not exists (select 1 from outbox o where o.source_id = s.id and (o.dt_delivered is null or o.dt_created > now() - ${silence}))
    returning id, kind, config_id as "configId", bill_id as "billId"`.execute(tx);
  return rows;
}
