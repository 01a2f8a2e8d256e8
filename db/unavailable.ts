/**
 * Whether an error means PostgreSQL could not be reached or dropped the connection (down, restarting,
 * out of connections), as opposed to refusing a query: the first is worth a retry once it is back,
 * the second never is.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (SOCKET_ERRORS.has(code)) return true;
    // SQLSTATE class 08 (connection exception), 57P01-03 (shutting down, crashed, not yet accepting), 53300 (too many connections).
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  }
  // node-postgres's own words when the socket ends under a query or a connection attempt times out.
  return typeof message === 'string' && /^Connection terminated|timeout exceeded when trying to connect/.test(message);
}

const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
