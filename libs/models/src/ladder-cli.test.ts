import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './ladder-cli.js';
import { formatLadderTable } from './ladder.js';

afterEach(() => vi.restoreAllMocks());

describe('ladder command', () => {
  it('--models prints the size ladders', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    expect(await main(['--models'])).toBe(0);
    expect(out.join('')).toBe(formatLadderTable());
  });

  it('rejects a bad option or seed with a user error', async () => {
    await expect(main(['--sead', '1'])).rejects.toThrow(/ladder: Unknown option '--sead'/);
    await expect(main(['--seed', 'x'])).rejects.toThrow(/--seed: must be an integer/);
    await expect(main(['--modes', 'probe,fine'])).rejects.toThrow(/--modes: must be a comma-separated list of probe, finetune, got "probe,fine"/);
  });
});
