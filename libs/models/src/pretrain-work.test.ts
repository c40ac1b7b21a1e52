import { describe, expect, it } from 'vitest';
import { loadTask } from '@w2s/tasks';
import { pretrainWork } from './pretrain-work.js';

describe('pretrainWork', () => {
  it('counts multiply-adds per example times the budget, by hand for one size of each kind', () => {
    // mlp-xs: 300 examples × 2 epochs × (784·16)
    expect(pretrainWork({ family: 'mlp', size: 'xs' })).toBe(300 * 2 * 784 * 16);
    // cnn-xs: 300 × 2 × (28·28·9·1·4 conv + 14·14·4·16 fc)
    expect(pretrainWork({ family: 'cnn', size: 'xs' })).toBe(300 * 2 * (28 * 28 * 9 * 4 + 14 * 14 * 4 * 16));
    // text-m (bag 4000×64 → fc 64): 40,000 windows × 2 × (4000·64 + 64·64 + 64·4000)
    expect(pretrainWork({ family: 'text', size: 'm' })).toBe(40000 * 2 * (4000 * 64 + 64 * 64 + 64 * 4000));
    // text-l (1 layer, d 64, T 64): 2,000 seqs × 3 × (64·(12·64² + 2·64·64) + 0.15·64·64·4000)
    expect(pretrainWork({ family: 'text', size: 'l' })).toBeCloseTo(2000 * 3 * (64 * (12 * 4096 + 2 * 64 * 64) + 0.15 * 64 * 64 * 4000), -3);
  });

  it('reads a numeric task\'s input width, and is 0 where nothing of ours is pretrained', () => {
    const task = loadTask('synthetic-linear');
    expect(pretrainWork({ family: 'mlp', size: 'xs' }, task)).toBe(300 * 2 * task.examples.dim! * 16);
    expect(pretrainWork({ family: 'mlp', size: 'l', pretrain: 'none' })).toBe(0);
    expect(pretrainWork({ family: 'embedding', size: 'weak' })).toBe(0);
  });

  it('orders the quickstart backbones with the text ones heaviest', () => {
    const work = (family: 'mlp' | 'text', size: string) => pretrainWork({ family, size });
    const order = [['mlp', 'xs'], ['mlp', 'm'], ['mlp', 'l'], ['text', 'xs'], ['text', 'm'], ['text', 'l']] as const;
    const sorted = [...order].sort((a, b) => work(b[0], b[1]) - work(a[0], a[1])).map(([f, s]) => `${f}-${s}`);
    expect(sorted.slice(0, 2).sort()).toEqual(['text-l', 'text-m']);
  });
});
