/**
 * The pages of a sync, planned strictly in the order they were read and written up to
 * `concurrency` at a time. A plan depends on the pages before it (duplicate ids are refused in
 * directory order), so planning is a chain; writes of different pages touch different users and
 * may overlap, each on its own database connection. `add` waits for a free slot (so memory holds
 * at most `concurrency` pages besides the one being read) and fails with the first failure of any
 * earlier page; after a failure, `settle` waits for the pages still in flight.
 */
export class PagePipeline<Plan> {
  private planning: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
    }
  }

  /** Queues one page: `plan` after every earlier page's plan, then `write` with its result. */
  async add(plan: () => Promise<Plan>, write: (plan: Plan) => Promise<void>): Promise<void> {
    this.throwIfFailed();
    while (this.inFlight.size >= this.concurrency) {
      await Promise.race(this.inFlight);
    }
    this.throwIfFailed();
    const planned = this.planning.then(plan);
    this.planning = planned.catch(() => undefined);
    const task = planned.then(write);
    this.inFlight.add(task);
    task.then(
      () => this.inFlight.delete(task),
      (error: unknown) => {
        this.inFlight.delete(task);
        this.failure ??= { error };
      },
    );
  }

  /** Waits for every queued page; fails with the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
  }

  /** Waits for every queued page, whatever their outcome. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
