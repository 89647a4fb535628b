import { sql } from "drizzle-orm";
import type { Db } from "./client.js";

/**
 * Runs `fn` in a transaction that commits without waiting for its WAL flush, then waits for the
 * flush before returning: the caller answers only once the change (and its audit event) is
 * durable, exactly as with a synchronous commit.
 *
 * Why: appendAuditEvent holds one advisory lock, for the whole chain, until its transaction
 * commits, and a synchronous commit holds it through an fsync (≈3 ms on the benchmark disk), so
 * every audited request in the service queued behind one fsync at a time (≈300/s at most). An
 * asynchronous commit releases the lock at once; the barrier that follows (a transaction with an
 * xid, committed synchronously) flushes the WAL up to its own commit record, which lies after
 * ours, and concurrent barriers share one fsync (Postgres group commit).
 *
 * If the server crashes between the two, the change is lost and the caller got no answer, as if
 * it had failed; WAL is replayed in order, so no later transaction that saw it can survive it.
 */
export async function durableTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`set local synchronous_commit = off`);
    return fn(tx);
  });
  await durableBarrier(db);
  return result;
}

/**
 * Returns once every transaction this process committed before the call is durable, however it
 * committed: one autocommit statement whose txid_current() gives it an xid, so its commit is a WAL
 * record that must be flushed, synchronously (the session default of `db`), before it returns,
 * and WAL is flushed in order. Concurrent barriers share one fsync (Postgres group commit).
 */
export async function durableBarrier(db: Db): Promise<void> {
  await db.execute(sql`select txid_current()`);
}
