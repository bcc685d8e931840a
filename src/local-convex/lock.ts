// A FIFO readers-writer lock. Mutations hold it exclusively, queries share it.
// Invariants:
//  - grants happen strictly in arrival order, so mutations commit in the order their requests
//    arrived and a waiting mutation is never starved by a stream of later queries;
//  - while an exclusive holder runs, nobody else does, so a query never observes a mutation's
//    buffered, uncommitted writes (convex-test keeps those in a shared per-database stack).
export class ReadWriteLock {
  private readers = 0;
  private writer = false;
  private readonly waiting: Array<{ exclusive: boolean; grant: () => void }> = [];

  shared<T>(fn: () => Promise<T>): Promise<T> {
    return this.hold(false, fn);
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.hold(true, fn);
  }

  /** Number of callers holding or waiting for the lock (for tests and diagnostics). */
  get pending(): number {
    return this.readers + (this.writer ? 1 : 0) + this.waiting.length;
  }

  private async hold<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    await this.acquire(exclusive);
    try {
      return await fn();
    } finally {
      if (exclusive) this.writer = false;
      else this.readers--;
      this.pump();
    }
  }

  private acquire(exclusive: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({ exclusive, grant: resolve });
      this.pump();
    });
  }

  private pump(): void {
    for (;;) {
      const head = this.waiting[0];
      if (!head || this.writer) return;
      if (head.exclusive && this.readers > 0) return;
      this.waiting.shift();
      if (head.exclusive) this.writer = true;
      else this.readers++;
      head.grant();
    }
  }
}
