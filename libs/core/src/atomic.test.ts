import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishDirAtomic, writeFileAtomic, writeJsonAtomic } from './atomic.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'w2s-atomic-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('writeFileAtomic / writeJsonAtomic', () => {
  it('writes and overwrites whole files, creating parent dirs and leaving no temp files', async () => {
    const path = join(root, 'a', 'b', 'x.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    await writeFileAtomic(path, 'replaced');
    expect(readFileSync(path, 'utf8')).toBe('replaced');
    await writeJsonAtomic(join(root, 'a', 'v.json'), { k: [1, 2] });
    expect(JSON.parse(readFileSync(join(root, 'a', 'v.json'), 'utf8'))).toEqual({ k: [1, 2] });
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['x.bin']);
    expect(readdirSync(join(root, 'a')).sort()).toEqual(['b', 'v.json']);
  });

  it('removes its temp file and leaves the target alone when the final rename fails', async () => {
    // renaming a file over a non-empty directory fails (EISDIR), after the temp file was written
    const target = join(root, 'isdir');
    mkdirSync(join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(readdirSync(root)).toEqual(['isdir']);
    expect(readdirSync(target)).toEqual(['child']);
  });
});

describe('publishDirAtomic', () => {
  it('publishes a complete dir, or nothing if fill throws', async () => {
    const final = join(root, 'artifact');
    await expect(
      publishDirAtomic(final, async (tmp) => {
        writeFileSync(join(tmp, 'half.txt'), 'half');
        throw new Error('producer crashed');
      }),
    ).rejects.toThrow('producer crashed');
    expect(readdirSync(root)).toEqual([]);

    const r = await publishDirAtomic(final, async (tmp) => {
      expect(tmp).not.toBe(final);
      writeFileSync(join(tmp, 'a.txt'), 'A');
      mkdirSync(join(tmp, 'sub'));
      writeFileSync(join(tmp, 'sub', 'b.txt'), 'B');
    });
    expect(r.published).toBe(true);
    expect(readFileSync(join(final, 'sub', 'b.txt'), 'utf8')).toBe('B');
    expect(readdirSync(root)).toEqual(['artifact']);
  });

  it('keeps an existing dir unless asked to replace it', async () => {
    const final = join(root, 'artifact');
    await publishDirAtomic(final, async (tmp) => writeFileSync(join(tmp, 'v.txt'), 'first'));
    const kept = await publishDirAtomic(final, async (tmp) => writeFileSync(join(tmp, 'v.txt'), 'second'));
    expect(kept.published).toBe(false);
    expect(readFileSync(join(final, 'v.txt'), 'utf8')).toBe('first');
    const replaced = await publishDirAtomic(final, async (tmp) => writeFileSync(join(tmp, 'v.txt'), 'third'), { replace: true });
    expect(replaced.published).toBe(true);
    expect(readFileSync(join(final, 'v.txt'), 'utf8')).toBe('third');
    expect(readdirSync(root)).toEqual(['artifact']);
    expect(existsSync(join(final, 'v.txt'))).toBe(true);
  });
});
