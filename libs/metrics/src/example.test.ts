import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runExample } from '../examples/basic.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const exampleSource = readFileSync(new URL('../examples/basic.ts', import.meta.url), 'utf8');

describe('examples/basic.ts and the README', () => {
  const lines = runExample();

  it('prints the hand-checkable values of the example', () => {
    // weak predicts 1,0,0,1,1,0,0,1,1,0 vs labels 1,0,1,1,0,0,1,0,1,0 → 6/10; ceiling 9/10; w2s 8/10.
    expect(lines[0]).toBe('accuracy weak 0.600, ceiling 0.900, w2s 0.800');
    // w2s AUROC: positive–negative pairs won 5 + 4.5 + 5 + 3.5 + 5 = 23 of 25 → 0.92.
    // ECE: (0.5,0.6] 4 ex acc .5 conf .6 → .04; (0.6,0.7] 3 ex acc 1 conf .7 → .09;
    //      (0.7,0.8] 2 ex acc 1 conf .8 → .04; (0.8,0.9] 1 ex acc 1 conf .9 → .01; total 0.18.
    expect(lines[1]).toMatch(/^w2s AUROC 0\.920, ECE 0\.180, /);
    // PGR = (0.8 − 0.6)/(0.9 − 0.6) = 2/3; median of 0.4 and 0.6 = 0.5 with one null.
    expect(lines[2]).toMatch(/^PGR 0\.667, 95% interval/);
    expect(lines[3]).toBe('median PGR toy/xent 0.500 (1 null)');
  });

  it('is shown verbatim in the README, with its actual output', () => {
    expect(readme).toContain(exampleSource.trim());
    expect(readme).toContain(lines.join('\n'));
  });
});
