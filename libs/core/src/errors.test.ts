import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { storageErrorMessage, withPath } from './errors.js';

/** A real ENOSPC from the kernel: /dev/full refuses every write (and, like any write error, names no path). */
function realEnospc(): NodeJS.ErrnoException {
  try {
    writeFileSync('/dev/full', 'x');
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
  throw new Error('/dev/full accepted a write');
}

describe('storageErrorMessage', () => {
  it('turns a full disk into one line naming the path the write was for', () => {
    const e = realEnospc();
    expect(e.code).toBe('ENOSPC');
    expect(e.path).toBeUndefined();
    expect(storageErrorMessage(e)).toBe('no space left on the device (ENOSPC); free some space, or write elsewhere (--cache, --out, W2S_CACHE_DIR)');
    withPath(e, '/data/results/runs.arrow');
    expect(storageErrorMessage(e)).toBe(
      '/data/results/runs.arrow: no space left on the device (ENOSPC); free some space, or write elsewhere (--cache, --out, W2S_CACHE_DIR)',
    );
    // A path the system gave is kept.
    const named = Object.assign(new Error('x'), { code: 'EROFS', path: '/ro/file' });
    withPath(named, '/other');
    expect(storageErrorMessage(named)).toBe('/ro/file: read-only file system (EROFS); write elsewhere (--cache, --out, W2S_CACHE_DIR)');
  });

  it('leaves every other error to the bug path', () => {
    expect(storageErrorMessage(new Error('boom'))).toBeUndefined();
    expect(storageErrorMessage(Object.assign(new Error('x'), { code: 'ENOENT', path: '/x' }))).toBeUndefined();
    expect(storageErrorMessage(undefined)).toBeUndefined();
  });
});
