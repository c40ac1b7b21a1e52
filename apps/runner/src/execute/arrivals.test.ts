import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactCache } from '@w2s/core';
import { describe, expect, it } from 'vitest';
import { StageArrivals } from './arrivals.js';

const settled = async (p: Promise<unknown>) => {
  let state = 'pending';
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('StageArrivals', () => {
  const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-arrivals-')));

  it('releases a stage cached from the start at once, another only when reported done', async () => {
    await cache.getOrCreate('old-stage', async () => undefined);
    const arrivals = new StageArrivals(cache, ['old-stage', 'new-stage']);
    arrivals.follow(new Promise(() => undefined)); // still computing
    expect(await settled(arrivals.wait('old-stage'))).toBe('resolved');
    const waiting = arrivals.wait('new-stage');
    // Stored, but not yet reported: still waits (the report decides "computed" vs "from cache").
    await cache.getOrCreate('new-stage', async () => undefined);
    expect(await settled(waiting)).toBe('pending');
    arrivals.arrived('new-stage');
    expect(await settled(waiting)).toBe('resolved');
  });

  it('rejects the waiters with the error that ended the computation', async () => {
    const arrivals = new StageArrivals(cache, ['x']);
    let fail!: (e: Error) => void;
    arrivals.follow(new Promise((_, reject) => (fail = reject)));
    const waiting = arrivals.wait('x');
    fail(new Error('stage x failed'));
    await expect(waiting).rejects.toThrow('stage x failed');
    await expect(arrivals.wait('y')).rejects.toThrow('stage x failed');
  });

  it('releases every waiter once the computation ends well', async () => {
    const arrivals = new StageArrivals(cache, ['a']);
    let finish!: () => void;
    arrivals.follow(new Promise<void>((resolve) => (finish = resolve)));
    const waiting = arrivals.wait('a');
    expect(await settled(waiting)).toBe('pending');
    finish();
    expect(await settled(waiting)).toBe('resolved');
  });
});
