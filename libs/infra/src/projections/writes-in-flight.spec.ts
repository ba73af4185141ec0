import { WritesInFlight } from './writes-in-flight';

/** A promise and the functions that settle it. */
function deferred(): {
  promise: Promise<number>;
  resolve: (n: number) => void;
  reject: (e: Error) => void;
} {
  let resolve!: (n: number) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<number>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WritesInFlight', () => {
  it('lets `limit` writes run, then waits for the oldest', async () => {
    const writes = new WritesInFlight(2);
    const [a, b, c] = [deferred(), deferred(), deferred()];
    await writes.add(a.promise);
    await writes.add(b.promise);
    let third = false;
    const adding = writes.add(c.promise).then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    a.resolve(1);
    await adding;
    expect(third).toBe(true);
    let drained = false;
    const draining = writes.drain().then(() => (drained = true));
    b.resolve(1);
    await tick();
    expect(drained).toBe(false);
    c.resolve(1);
    await draining;
  });

  it('keeps the first failure for `drain`, with no unhandled rejection in between', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const writes = new WritesInFlight(4);
      const [a, b] = [deferred(), deferred()];
      await writes.add(a.promise);
      await writes.add(b.promise);
      a.reject(new Error('first'));
      b.reject(new Error('second'));
      // The partition goes on reading while the rejections happen.
      await new Promise((r) => setTimeout(r, 20));
      await expect(writes.drain()).rejects.toThrow('first');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a failure also stops the next `add`', async () => {
    const writes = new WritesInFlight(4);
    await writes.add(Promise.reject(new Error('lost connection')));
    await tick();
    await expect(writes.add(Promise.resolve(1))).rejects.toThrow('lost connection');
  });
});
