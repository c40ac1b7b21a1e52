// Rewrites the "Arrow tables" section of apps/runner/README.md from the column definitions and
// their docs (apps/runner/src/results/columns-doc.ts). Run: npm run schema-doc
import { readFileSync, writeFileSync } from 'node:fs';
import { withSchemaSection } from '../src/results/columns-doc.js';

const readme = new URL('../README.md', import.meta.url);
writeFileSync(readme, withSchemaSection(readFileSync(readme, 'utf8')));
console.log('apps/runner/README.md: Arrow tables section rewritten');
