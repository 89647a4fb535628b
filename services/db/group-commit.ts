/**
 * Group commit: concurrent callers' items go to the database together. While one batch is being
 * sent, the items that arrive wait; when it returns, all of them (up to `maxBatch`) go in the next
 * one. Each caller resolves with its own result once its batch is done, or rejects with the batch's error: a failed batch fails every caller in it.
 *
 * Why: statements that append to the audit chain take its one lock in turn, so N callers cost N
 * lock holds, statements and commits; batched, they cost one of each (appendAuditEventAlone). Under no concurrency a batch holds one item and nothing waits.
 */
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private sending = false;

  constructor(
    /** Sends one batch as one statement; returns one result per item, in order. */
    private readonly send: (batch: T[]) => Promise<R[]>,
    private readonly maxBatch: number,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.sending) void this.sendAll();
    });
  }

  private async sendAll(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let results: R[];
      try {
        results = await this.send(batch.map((b) => b.item));
      } catch (error) {
        for (const b of batch) b.reject(error);
        continue;
      }
      batch.forEach((b, i) => b.resolve(results[i]));
    }
    this.sending = false;
  }
}
