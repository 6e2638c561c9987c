import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';

/** The SQLSTATE of a PostgreSQL error, whether TypeORM wrapped it or the driver threw it. */
export function sqlStateOf(error: unknown): string | undefined {
  const candidate = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  const code = (candidate as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** PostgreSQL unique_violation (23505): the row a client tried to create already exists. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && sqlStateOf(error) === '23505';
}

/**
 * Class 22, data exception: a value PostgreSQL cannot take (bad cast, out of range, NUL in text,
 * invalid encoding). Validation should have refused it first; when it did not, it is still the
 * client's bad value, so a 400 and never a 500.
 */
export function isDataException(error: unknown): boolean {
  return sqlStateOf(error)?.startsWith('22') === true;
}

/** Driver and socket errors that mean the database cannot be reached right now. */
const UNREACHABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const UNREACHABLE_DRIVER_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|Cannot use a pool after calling end/i;

/**
 * The database refuses or lost the connection, so the request could not be served: a 503 with
 * Retry-After, not a 500. The one place that knows which failures those are:
 * - class 08, connection exception (the link failed or was refused);
 * - class 53, insufficient resources (too many connections, out of memory or disk);
 * - 57P01–57P05, operator intervention (shut down, crashed, cannot connect now, idle timeout);
 * - 55000, object not in prerequisite state: how PostgreSQL refuses a database that is not
 *   accepting connections (ALLOW_CONNECTIONS false); this app raises it in no other way;
 * - 28xxx and 3D000: the server refuses this login or does not have the database (a deployment
 *   fault, but one the client can only wait out);
 * - the pg driver's own socket, pool and timeout errors;
 * - TypeORM's "query runner already released" inside a transaction: when the connection fails
 *   mid-transaction (terminated by the server, say), TypeORM releases the runner on the socket's
 *   error event, and the transaction's next query throws this instead of the connection error.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[1-5]|55000|28...|3D000)$/;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // The same, reached through `EntityManager.query` (e.g. the outbox's insert) rather than the runner.
  if (
    error instanceof QueryRunnerAlreadyReleasedError ||
    error instanceof QueryRunnerProviderAlreadyReleasedError
  )
    return true;
  const state = sqlStateOf(error);
  if (state) return UNAVAILABLE_SQLSTATE.test(state);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_NETWORK_CODES.has(code)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return (
    UNREACHABLE_DRIVER_MESSAGE.test(error.message) ||
    (cause instanceof Error && cause !== error && isDatabaseUnavailable(cause))
  );
}

/**
 * What may be logged about a failed query: the SQLSTATE, the constraint, table and column, and
 * the statement's name. Never the parameters, the SQL text or PostgreSQL's message and detail:
 * those carry the values (argon2 hashes, token digests, emails) — `Key (email)=(…) already
 * exists`, `invalid input syntax for type uuid: "…"`.
 */
export interface DatabaseErrorLog {
  type: string;
  sqlState?: string;
  constraint?: string;
  table?: string;
  column?: string;
  query?: string;
}

export function describeDatabaseError(error: unknown): DatabaseErrorLog | undefined {
  const state = sqlStateOf(error);
  const isQueryError = error instanceof QueryFailedError;
  if (!state && !isQueryError) return undefined;
  const driver = (isQueryError ? error.driverError : error) as Record<string, unknown>;
  const text = (key: string) => (typeof driver[key] === 'string' ? driver[key] : undefined);
  const described: DatabaseErrorLog = {
    type: isQueryError ? 'QueryFailedError' : 'DatabaseError',
    sqlState: state,
    constraint: text('constraint'),
    table: text('table'),
    column: text('column'),
    query: isQueryError ? queryName(error.query) : undefined,
  };
  return Object.fromEntries(
    Object.entries(described).filter(([, v]) => v !== undefined),
  ) as unknown as DatabaseErrorLog;
}

/**
 * A name for a statement without its values: its verb and first table, e.g. `INSERT INTO
 * "users"`. Statements are parameterised, and the name keeps neither values nor placeholders.
 */
function queryName(sql: unknown): string | undefined {
  if (typeof sql !== 'string') return undefined;
  const shape =
    /\b(SELECT\b[\s\S]*?\bFROM|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+("?[\w.]+"?(?:\."?\w+"?)?)/i.exec(
      sql,
    );
  if (!shape) return /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  const verb = shape[1].toUpperCase().startsWith('SELECT') ? 'SELECT FROM' : shape[1].toUpperCase();
  return `${verb.replace(/\s+/g, ' ')} ${shape[2]}`;
}

/**
 * An error as it may appear in a log line: database errors reduced to what is safe to keep,
 * anything else with its type, message and stack (and no enumerable extras, which for driver
 * errors wrapped in other errors could again be query parameters).
 */
export function errorForLog(logged: unknown): Record<string, unknown> {
  // pino-http hands custom serializers its own serialised copy, the original under `raw`.
  const raw = (logged as { raw?: unknown } | null | undefined)?.raw;
  const error = !(logged instanceof Error) && raw instanceof Error ? raw : logged;
  const database = describeDatabaseError(error);
  if (database) return { ...database };
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (error as { code?: unknown }).code;
    return {
      type: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      stack: error.stack,
      ...(cause !== undefined && cause !== error ? { cause: errorForLog(cause) } : {}),
    };
  }
  return { type: typeof error };
}
