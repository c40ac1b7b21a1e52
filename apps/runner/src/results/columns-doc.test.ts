import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arrowSchemaMarkdown, SCHEMA_BEGIN, SCHEMA_END, TABLE_DOCS, withSchemaSection } from './columns-doc.js';

const README = new URL('../../README.md', import.meta.url);

describe('the Arrow schema in apps/runner/README.md', () => {
  it('documents exactly the columns the code writes, with their Arrow types (run `npm run schema-doc` after changing a column)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(SCHEMA_BEGIN);
    expect(readme).toContain(SCHEMA_END);
    expect(withSchemaSection(readme)).toBe(readme);
  });

  it('has a doc for every written column and none for a column that is not written', () => {
    for (const t of TABLE_DOCS) expect(Object.keys(t.docs).sort(), t.file).toEqual(Object.keys(t.columns).sort());
  });

  it('names the types as apache-arrow does, one line per column', () => {
    const md = arrowSchemaMarkdown();
    expect(md).toContain('| `probs` | List<Float32> |');
    expect(md).toContain('| `pgr` | Float64 |');
    expect(md).toContain('| `seed` | Int32 |');
    expect(md).toContain('| `tuned_on_test` | Bool |');
    const lines = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(lines).toHaveLength(TABLE_DOCS.reduce((n, t) => n + Object.keys(t.columns).length, 0));
  });
});
