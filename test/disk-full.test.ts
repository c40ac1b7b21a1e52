// A full disk ends a run with one line naming the path, never a stack trace. The disk is a real
// 64 KiB tmpfs (mounting needs root, as in CI; elsewhere the test is skipped and says why).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, w2s } from './helpers.js';
import { writeManifest } from './scale-helpers.js';

const dir = tempDir('w2s-disk-full-');
const tiny = join(dir, 'tiny');
mkdirSync(tiny);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', tiny]).status === 0;
if (!mounted) console.warn('disk-full test skipped: cannot mount a tmpfs here (needs root)');
afterAll(() => {
  if (mounted) spawnSync('umount', [tiny]);
});
const manifest = writeManifest(dir, 'full', { seeds: [0], methods: '  - name: naive' });

describe.skipIf(!mounted)('a full disk', () => {
  for (const workers of ['0', '2']) {
    it(`ends the run with one line naming the path (--workers ${workers})`, () => {
      const { status, stderr } = w2s(['run', manifest, '--workers', workers, '--cache', join(tiny, 'cache'), '--out', join(dir, `out-${workers}`)]);
      expect(status, stderr).not.toBe(0);
      const lines = stderr.split('\n').filter((l) => l.startsWith('w2s: ') && !l.startsWith('w2s: full:') && !l.includes('wasm kernels'));
      expect(lines, stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`${tiny}/cache/[^ ]+: no space left on the device \\(ENOSPC\\); free some space`));
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    }, 300_000);
  }
});
