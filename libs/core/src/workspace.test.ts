import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findWorkspaceRoot } from './workspace.js';

describe('findWorkspaceRoot', () => {
  it('finds the nearest ancestor holding nx.json, else returns the start dir', () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'w2s-ws-')));
    try {
      const deep = join(root, 'ws', 'libs', 'x', 'src');
      mkdirSync(deep, { recursive: true });
      expect(findWorkspaceRoot(deep)).toBe(deep); // no nx.json anywhere above (tmpdir has none)
      writeFileSync(join(root, 'ws', 'nx.json'), '{}');
      expect(findWorkspaceRoot(deep)).toBe(join(root, 'ws'));
      writeFileSync(join(root, 'ws', 'libs', 'nx.json'), '{}');
      expect(findWorkspaceRoot(deep)).toBe(join(root, 'ws', 'libs'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('finds this repository from the current directory', () => {
    // vitest runs from the repo root or a lib dir; either way the answer is the dir with nx.json
    expect(findWorkspaceRoot(join(import.meta.dirname, '..'))).toBe(join(import.meta.dirname, '..', '..', '..'));
  });
});
