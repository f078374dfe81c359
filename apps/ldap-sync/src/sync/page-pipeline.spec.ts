import { PagePipeline } from './page-pipeline';

/** A promise settled from outside, to hold a step of the pipeline. */
function gate<T = void>(): { promise: Promise<T>; open(value: T): void; fail(error: Error): void } {
  let open!: (value: T) => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PagePipeline', () => {
  it('plans pages in order even when an earlier plan is slower', async () => {
    const pipeline = new PagePipeline<number>(2);
    const planned: number[] = [];
    const slow = gate();
    await pipeline.add(
      async () => {
        await slow.promise;
        planned.push(1);
        return 1;
      },
      () => Promise.resolve(),
    );
    await pipeline.add(
      () => {
        planned.push(2);
        return Promise.resolve(2);
      },
      () => Promise.resolve(),
    );
    await tick();
    expect(planned).toEqual([]);
    slow.open();
    await pipeline.drain();
    expect(planned).toEqual([1, 2]);
  });

  it('keeps at most `concurrency` writes in flight and waits for a free slot', async () => {
    const pipeline = new PagePipeline<number>(2);
    const writes = [gate(), gate(), gate()];
    const started: number[] = [];
    const write = async (page: number): Promise<void> => {
      started.push(page);
      await writes[page].promise;
    };
    await pipeline.add(() => Promise.resolve(0), write);
    await pipeline.add(() => Promise.resolve(1), write);
    let thirdQueued = false;
    const third = pipeline
      .add(() => Promise.resolve(2), write)
      .then(() => {
        thirdQueued = true;
      });
    await tick();
    expect(started).toEqual([0, 1]);
    expect(thirdQueued).toBe(false);
    writes[1].open();
    await third;
    await tick();
    expect(started).toEqual([0, 1, 2]);
    writes[0].open();
    writes[2].open();
    await pipeline.drain();
  });

  it('fails the next add and drain with the first failed write, after the others settled', async () => {
    const pipeline = new PagePipeline<number>(2);
    const other = gate();
    let otherDone = false;
    await pipeline.add(
      () => Promise.resolve(0),
      () => Promise.reject(new Error('write 0 failed')),
    );
    await pipeline.add(
      () => Promise.resolve(1),
      async () => {
        await other.promise;
        otherDone = true;
      },
    );
    await tick();
    await expect(
      pipeline.add(
        () => Promise.resolve(2),
        () => Promise.resolve(),
      ),
    ).rejects.toThrow('write 0 failed');
    const drained = pipeline.drain();
    other.open();
    await expect(drained).rejects.toThrow('write 0 failed');
    expect(otherDone).toBe(true);
  });

  it('refuses a concurrency below one', () => {
    expect(() => new PagePipeline(0)).toThrow(RangeError);
  });
});
