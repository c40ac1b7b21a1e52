import { describe, expect, it } from 'vitest';
import { runDag, type DagNode } from './scheduler.js';

const node = (key: string, inputs: string[] = []): DagNode => ({ key, inputs });

/** Runs a DAG whose stages each take one macrotask; records starts, ends and peak concurrency. */
async function trace(stages: DagNode[], concurrency: number, opts: { failOn?: string; done?: string[] } = {}) {
  const events: string[] = [];
  let running = 0;
  let peak = 0;
  const run = async (s: DagNode) => {
    running++;
    peak = Math.max(peak, running);
    events.push(`start ${s.key}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running--;
    events.push(`end ${s.key}`);
    if (s.key === opts.failOn) throw new Error(`${s.key} failed`);
  };
  let error: unknown;
  try {
    await runDag(stages, { concurrency, run, done: new Set(opts.done ?? []) });
  } catch (e) {
    error = e;
  }
  return { events, peak, error };
}

describe('runDag', () => {
  // weak1 -> t1a, t1b; weak2 -> t2; c1, c2 independent (the shape of a weak-gt/ceiling/transfer plan)
  const plan = [node('w1'), node('c1'), node('t1a', ['w1']), node('t1b', ['w1']), node('w2'), node('c2'), node('t2', ['w2'])];

  it('starts a stage only after all its inputs ended, and never exceeds the concurrency', async () => {
    const { events, peak, error } = await trace(plan, 2);
    expect(error).toBeUndefined();
    expect(peak).toBe(2);
    for (const s of plan) {
      expect(events.filter((e) => e === `start ${s.key}`)).toHaveLength(1);
      for (const input of s.inputs) expect(events.indexOf(`end ${input}`)).toBeLessThan(events.indexOf(`start ${s.key}`));
    }
  });

  it('runs stages that unlock others first, then plan order', async () => {
    const { events } = await trace(plan, 1);
    expect(events.filter((e) => e.startsWith('start')).map((e) => e.slice(6))).toEqual(['w1', 'w2', 'c1', 't1a', 't1b', 'c2', 't2']);
  });

  it('starts the heaviest path of estimated work first, before the stage count decides', async () => {
    // Two backbones: the small one unlocks three stages, the big one (10× the work) one stage.
    const pretrains = [
      { key: 'small', inputs: [], cost: 1 },
      node('a', ['small']), node('b', ['small']), node('c', ['small']),
      { key: 'big', inputs: [], cost: 10 },
      node('d', ['big']),
    ];
    const { events } = await trace(pretrains, 1);
    expect(events.filter((e) => e.startsWith('start')).map((e) => e.slice(6))).toEqual(['big', 'small', 'a', 'b', 'c', 'd']);
    // The path counts, not the stage alone: a cheap stage ahead of an expensive one goes first.
    const chain = [{ key: 'x', inputs: [], cost: 5 }, { key: 'gate', inputs: [], cost: 1 }, { key: 'heavy', inputs: ['gate'], cost: 8 }];
    const order = (await trace(chain, 1)).events.filter((e) => e.startsWith('start')).map((e) => e.slice(6));
    expect(order).toEqual(['gate', 'heavy', 'x']);
  });

  it('starts a stage of another shared-artifact group before a second stage of a running group', async () => {
    // Seed 0's ceiling and transfer share seed 0's probe features; seed 1's share its own.
    const probes = [
      { key: 'ceiling0', inputs: [], shares: 'features seed 0' },
      { key: 'transfer0', inputs: [], shares: 'features seed 0' },
      { key: 'ceiling1', inputs: [], shares: 'features seed 1' },
      { key: 'transfer1', inputs: [], shares: 'features seed 1' },
    ];
    const { events } = await trace(probes, 2);
    expect(events.slice(0, 2)).toEqual(['start ceiling0', 'start ceiling1']);
    // With nothing else ready, a second stage of a running group still starts (it only waits on a lease).
    const { events: one } = await trace(probes.slice(0, 2), 2);
    expect(one.slice(0, 2)).toEqual(['start ceiling0', 'start transfer0']);
  });

  it('skips stages already done and counts them as satisfied inputs', async () => {
    const { events } = await trace(plan, 2, { done: ['w1', 'c1'] });
    expect(events).not.toContain('start w1');
    expect(events).not.toContain('start c1');
    expect(events).toContain('start t1a');
  });

  it('starts nothing new after a failure and rejects with it once running stages settle', async () => {
    const { events, error } = await trace(plan, 1, { failOn: 'w1' });
    expect((error as Error).message).toBe('w1 failed');
    expect(events).toEqual(['start w1', 'end w1']);
  });

  it('rejects a plan whose stage reads an unknown stage', async () => {
    await expect(runDag([node('t', ['missing'])], { concurrency: 1, run: async () => undefined })).rejects.toThrow(/reads missing/);
  });
});
