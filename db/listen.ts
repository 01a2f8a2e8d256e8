import pg from 'pg';

export interface Listener {
  close(): Promise<void>;
}

/**
 * A dedicated connection LISTENing on one channel (NOTIFY payloads go to `onNotify`), reconnecting a
 * second after PostgreSQL restarts or the connection drops. Whoever listens must still poll now and
 * then: a NOTIFY sent while the connection was down is lost.
 */
export function listen(databaseUrl: string, channel: string, onNotify: (payload: string) => void): Listener {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    const next = new pg.Client({ connectionString: databaseUrl });
    client = next;
    const lost = () => {
      if (client !== next) return;
      client = undefined;
      next.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect(), 1_000);
    };
    next.on('error', lost);
    next.on('end', lost);
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    try {
      await next.connect();
      await next.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch {
      lost();
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
