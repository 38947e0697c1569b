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
 * and rejects with that query's error even when the callback caught it. Where the connection is lost, the
 * transaction fails and nothing more is sent on that connection (see ReservedTransaction).
 */
export function transactionsOnReservedConnections(sql: Sql): Sql {
  const closes = watchCloses(sql);
  const begin = async (...args: unknown[]) => {
    const callback = args.pop() as Callback;
    const mode = typeof args[0] === "string" ? args[0] : "";
    const transaction = new ReservedTransaction(await reserveConnection(sql, closes));
    try {
      return await scope(transaction, callback, { mode: mode.replace(/[^a-z ]/gi, "") });
    } finally {
      transaction.finish();
    }
  };
  (sql as unknown as { begin: typeof begin }).begin = begin;
  return sql;
}

type Callback = (sql: TransactionSql) => unknown;

/** The parts of postgres.js's connection object (connection.js) this module reads: stable across 3.x. */
interface RawConnection {
  /** Set by `reserve()` while the connection is reserved, cleared when it closes: a new value means a new owner. */
  reserved: unknown;
  /** Called once when the connection closes (postgres.js's own `begin` uses it the same way). */
  onclose: ((error: unknown) => void) | null;
}

interface TrackableQuery {
  handler: ((query: TrackableQuery) => unknown) & { debug?: unknown };
  then(onFulfilled: () => void, onRejected: (error: unknown) => void): unknown;
  reject(error: unknown): unknown;
}

/**
 * One transaction on a reserved connection. When the connection closes, postgres.js may reconnect the same object for
 * other work: statements sent on it afterwards would run outside the transaction (and be committed alone), and
 * releasing it would hand it out twice. So the transaction watches its connection (its close hook, and its reservation
 * mark), and once it is lost: what is in flight is rejected, nothing more is sent, and it is not released (postgres.js
 * already owns it again).
 */
class ReservedTransaction {
  private raw: RawConnection | undefined;
  private mark: unknown;
  private lost = false;
  private readonly inflight = new Set<TrackableQuery>();
  savepoints = 0;

  constructor(readonly connection: ReservedSql) {}

  /** Why BEGIN failed, once it has: no statement of the transaction is sent after that. */
  private beginError: unknown;

  async begin(mode: string): Promise<void> {
    const begin = this.connection.unsafe(`begin ${mode}`, [], {
      // Called as BEGIN is written to this connection (an idle one, so always): it hands over the raw connection.
      onexecute: (raw: RawConnection) => {
        this.raw = raw;
        this.mark = raw.reserved;
        raw.onclose = () => this.lose();
        return true; // false would mark the connection full
      },
    } as never);
    // Handed to the connection now, not when awaited (a microtask later): a statement of the callback whose `then`
    // is called at once must still come after it.
    begin.execute();
    try {
      await begin;
    } catch (error) {
      this.beginError = error;
      throw error;
    }
  }

  isLost(): boolean {
    if (!this.lost && this.raw && this.raw.reserved !== this.mark) this.lose();
    return this.lost;
  }

  lose(): void {
    this.lost = true;
    for (const query of this.inflight) query.reject(lostError());
    this.inflight.clear();
  }

  /** BEGIN's successors: COMMIT, ROLLBACK, SAVEPOINT, never sent on a lost connection. */
  async control(statement: string) {
    if (this.isLost()) throw lostError();
    return this.connection.unsafe(statement);
  }

  /** Wraps the handler a query is sent through, so that its failure is recorded and a lost connection is not used. */
  track<T>(query: T, record: (error: unknown) => void, ended: () => boolean): T {
    const q = query as unknown as TrackableQuery;
    // Not a query (an identifier or a builder helper): nothing is sent.
    if (typeof q?.handler !== "function" || typeof q.reject !== "function") return query;
    const send = q.handler;
    const handler = (running: TrackableQuery) => {
      if (ended()) return running.reject(endedError());
      if (this.isLost()) return running.reject(lostError());
      if (this.beginError !== undefined) return running.reject(this.beginError);
      this.inflight.add(running);
      running.then(
        () => this.inflight.delete(running),
        (error: unknown) => {
          this.inflight.delete(running);
          if (isConnectionError(error)) this.lose();
          record(error);
        },
      );
      return send(running);
    };
    q.handler = Object.assign(handler, { debug: send.debug });
    return query;
  }

  finish(): void {
    if (this.raw && !this.isLost()) this.raw.onclose = null;
    if (!this.isLost()) this.connection.release();
  }
}

/** A transaction's own scope begins it (in `mode`); a nested one is a savepoint. */
type ScopeKind = { mode: string; savepoint?: undefined } | { savepoint: string; mode?: undefined };

async function scope(transaction: ReservedTransaction, callback: Callback, kind: ScopeKind): Promise<unknown> {
  const { savepoint } = kind;
  let uncaught: unknown;
  let ended = false;
  const tx = scopedSql(
    transaction,
    (error) => {
      uncaught ??= error;
    },
    () => ended,
  );
  tx.savepoint = ((...args: unknown[]) => {
    const inner = args.pop() as Callback;
    const name = typeof args[0] === "string" ? `_${args[0]}` : "";
    transaction.savepoints += 1;
    return scope(transaction, inner, { savepoint: quoteIdentifier(`s${transaction.savepoints}${name}`) });
  }) as TransactionSql["savepoint"];

  if (savepoint) await transaction.control(`savepoint ${savepoint}`);
  // A plain BEGIN goes out with the callback's first statement, a round trip sooner: it is handed to the connection
  // before the callback runs, and PostgreSQL runs a connection's statements in order. On an idle connection it fails
  // only with the session, which fails the statements behind it too (or, in a window of microseconds, to a cancel
  // aimed at it); statements sent after it failed are refused. A BEGIN with a mode could be refused on its own,
  // leaving the statements already behind it outside any transaction: awaited first.
  const began = kind.savepoint === undefined ? transaction.begin(kind.mode) : undefined;
  // Its failure is reported below, after the callback's (or in its place): not as an unhandled rejection meanwhile.
  began?.catch(() => {});
  if (kind.mode) await began;
  let result: unknown;
  try {
    const value = callback(tx);
    result = await (Array.isArray(value) ? Promise.all(value) : value);
    await began;
    if (uncaught !== undefined) throw uncaught;
  } catch (error) {
    // A statement the callback still sends (a sibling of a failed one in Promise.all) must not run after this.
    ended = true;
    // After a lost connection the session (and its transaction) is gone; the connection may already serve others.
    if (!transaction.isLost()) await transaction.control(savepoint ? `rollback to ${savepoint}` : "rollback");
    throw isAbortedTransaction(error) && uncaught !== undefined ? uncaught : error;
  }
  ended = true;
  if (!savepoint) {
    const commit = await transaction.control("commit");
    // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK, not an error: never report it as committed.
    if (commit.command === "ROLLBACK") throw uncaught ?? new Error("The transaction was rolled back by the database");
  }
  return result;
}

/**
 * The Sql handed to a transaction's callback: the reserved connection's, with each query's failure recorded for its
 * scope (postgres.js records it the same way, when the query is handed to the connection).
 */
function scopedSql(
  transaction: ReservedTransaction,
  record: (error: unknown) => void,
  ended: () => boolean,
): TransactionSql {
  const { connection } = transaction;
  const track = <T>(query: T): T => transaction.track(query, record, ended);
  const tx = ((first: never, ...rest: never[]) => track(connection(first, ...rest))) as unknown as TransactionSql;
  Object.assign(tx, connection);
  delete (tx as Partial<ReservedSql>).release;
  tx.unsafe = ((...args: Parameters<ReservedSql["unsafe"]>) =>
    track(connection.unsafe(...args))) as TransactionSql["unsafe"];
  return tx;
}

type CloseListeners = Set<() => void>;

/** Listens to every connection of the pool closing (postgres.js's `onclose` option, chained). */
function watchCloses(sql: Sql): CloseListeners {
  const listeners: CloseListeners = new Set();
  const options = (sql as unknown as { options: { onclose?: (id: number) => void } }).options;
  const previous = options.onclose;
  options.onclose = (id) => {
    previous?.(id);
    for (const listener of listeners) listener();
  };
  return listeners;
}

/**
 * `sql.reserve()`, asked again each time a connection of the pool closes while it waits. postgres.js hands a closing
 * connection to the first request waiting and reconnects it; when that request is a reservation it is then either
 * dropped (its `ReadyForQuery` starts only ordinary queries: it would wait forever) or failed with the closed
 * session's error. Nothing of the transaction was sent yet, so asking again is safe; a request answered after another
 * one gives its connection straight back. A request refused for another reason (or a fourth time) fails the
 * transaction.
 */
function reserveConnection(sql: Sql, closes: CloseListeners): Promise<ReservedSql> {
  return new Promise((resolve, reject) => {
    let done = false;
    let waiting = 0;
    let refusals = 0;
    const finish = () => {
      done = true;
      closes.delete(askAgain);
    };
    const ask = () => {
      waiting += 1;
      sql.reserve().then(
        (connection) => {
          waiting -= 1;
          if (done) return connection.release();
          finish();
          resolve(connection);
        },
        (error: unknown) => {
          waiting -= 1;
          if (done) return;
          if (isSessionEnded(error) && ++refusals <= 3) {
            if (waiting === 0) ask();
            return;
          }
          finish();
          reject(error);
        },
      );
    };
    // After the close has been handled: asked from inside it, the request could be given the closing connection too.
    const askAgain = () => queueMicrotask(() => done || ask());
    closes.add(askAgain);
    ask();
  });
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** 25P02, on the error itself or on the driver error drizzle wraps it in. */
function isAbortedTransaction(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.code === "25P02" || e?.cause?.code === "25P02";
}

/** A session that ended: postgres.js's and the socket's errors, PostgreSQL's shutdown and connection-failure codes. */
function isSessionEnded(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isConnectionError(error) || (typeof code === "string" && (code.startsWith("57P0") || code.startsWith("08")));
}

/** postgres.js's own connection errors and the socket's; PostgreSQL's own errors never use these codes. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" &&
    (code.startsWith("CONNECTION_") || ["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED"].includes(code))
  );
}

function lostError(): Error {
  return Object.assign(new Error("The transaction's connection was lost; nothing of it was committed"), {
    code: "CONNECTION_CLOSED",
  });
}

function endedError(): Error {
  return Object.assign(new Error("A statement was sent after its transaction had ended; it was not run"), {
    code: "TRANSACTION_ENDED",
  });
}
