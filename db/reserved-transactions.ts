import type { ReservedSql, Sql, TransactionSql } from "postgres";

/**
 * postgres.js 3.4 sends a transaction's BEGIN through the pool like any query, so it can be pipelined onto a busy
 * connection. When that BEGIN fills the connection's pipeline (or the socket pushes back), the hook that reserves
 * the connection for the transaction is skipped (porsager/postgres#823, #1189; 3.4.10 does not fix it): the caller
 * gets UNSAFE_TRANSACTION, and the connection goes back to the pool inside the transaction PostgreSQL has already
 * begun, so unrelated queries run in it (or fail in it once it aborts) until some later COMMIT. `bench:api` hit it.
 *
 * Here a transaction first takes an idle connection for itself (`sql.reserve()`, public API: it never pipelines),
 * then runs BEGIN, the callback and COMMIT on it, and gives it back. The rest keeps postgres.js's own semantics, which
 * drizzle relies on: savepoints for nested transactions, and a transaction in which any query failed is rolled back
 * and rejects with that query's error even when the callback caught it.
 */
export function transactionsOnReservedConnections(sql: Sql): Sql {
  const begin = async (...args: unknown[]) => {
    const callback = args.pop() as Callback;
    const mode = typeof args[0] === "string" ? args[0] : "";
    const connection = await sql.reserve();
    const state: ConnectionState = { lost: false };
    try {
      await connection.unsafe(`begin ${mode.replace(/[^a-z ]/gi, "")}`);
      return await scope(connection, state, callback, undefined);
    } catch (error) {
      if (isConnectionLost(error)) state.lost = true;
      throw error;
    } finally {
      // A connection that closed is already back in the pool's hands (postgres.js reconnects it for the next query);
      // releasing it as well would hand it out twice.
      if (!state.lost) connection.release();
    }
  };
  (sql as unknown as { begin: typeof begin }).begin = begin;
  return sql;
}

type Callback = (sql: TransactionSql) => unknown;
interface ConnectionState {
  lost: boolean;
  savepoints?: number;
}

async function scope(
  connection: ReservedSql,
  state: ConnectionState,
  callback: Callback,
  savepoint: string | undefined,
): Promise<unknown> {
  let uncaught: unknown;
  const tx = scopedSql(connection, state, (error) => {
    uncaught ??= error;
  });
  tx.savepoint = ((...args: unknown[]) => {
    const inner = args.pop() as Callback;
    const name = typeof args[0] === "string" ? `_${args[0]}` : "";
    state.savepoints = (state.savepoints ?? 0) + 1;
    return scope(connection, state, inner, quoteIdentifier(`s${state.savepoints}${name}`));
  }) as TransactionSql["savepoint"];

  if (savepoint) await tx.unsafe(`savepoint ${savepoint}`);
  let result: unknown;
  try {
    const value = callback(tx);
    result = await (Array.isArray(value) ? Promise.all(value) : value);
    if (uncaught !== undefined) throw uncaught;
  } catch (error) {
    // After a lost connection the session (and its transaction) is gone; the connection may already serve others.
    if (!state.lost) await connection.unsafe(savepoint ? `rollback to ${savepoint}` : "rollback");
    throw isAbortedTransaction(error) && uncaught !== undefined ? uncaught : error;
  }
  if (!savepoint) {
    const commit = await connection.unsafe("commit");
    // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK, not an error: never report it as committed.
    if (commit.command === "ROLLBACK") throw uncaught ?? new Error("The transaction was rolled back by the database");
  }
  return result;
}

/**
 * The Sql handed to a transaction's callback: the reserved connection's, with each query's failure recorded for its
 * scope (postgres.js records it the same way, when the query is handed to the connection).
 */
function scopedSql(connection: ReservedSql, state: ConnectionState, record: (error: unknown) => void): TransactionSql {
  const track = <T>(query: T): T => {
    const q = query as unknown as TrackableQuery;
    if (typeof q?.handler !== "function" || typeof q.catch !== "function") return query;
    const send = q.handler;
    const handler = (running: TrackableQuery) => {
      if (state.lost) return running.reject(lostError());
      running.catch((error: unknown) => {
        if (isConnectionLost(error)) state.lost = true;
        record(error);
      });
      return send(running);
    };
    q.handler = Object.assign(handler, { debug: send.debug });
    return query;
  };
  const tx = ((first: never, ...rest: never[]) => track(connection(first, ...rest))) as unknown as TransactionSql;
  Object.assign(tx, connection);
  delete (tx as Partial<ReservedSql>).release;
  tx.unsafe = ((...args: Parameters<ReservedSql["unsafe"]>) =>
    track(connection.unsafe(...args))) as TransactionSql["unsafe"];
  return tx;
}

interface TrackableQuery {
  handler: ((query: TrackableQuery) => unknown) & { debug?: unknown };
  catch(onRejected: (error: unknown) => void): unknown;
  reject(error: unknown): unknown;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function isAbortedTransaction(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "25P02";
}

/** postgres.js's own connection errors, the socket's, and PostgreSQL's "connection exception" and shutdown codes. */
function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  return (
    code.startsWith("CONNECT") ||
    code.startsWith("08") ||
    code.startsWith("57P0") ||
    ["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH"].includes(code)
  );
}

function lostError(): Error {
  return Object.assign(new Error("The transaction's connection was lost"), { code: "CONNECTION_CLOSED" });
}
