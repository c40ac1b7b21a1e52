/**
 * Word-level tokenizer built from a pretraining corpus: lower-cased runs of letters/digits and
 * single punctuation marks; the vocabulary is the most frequent tokens (ties alphabetical) after
 * four special tokens. Anything else maps to [UNK].
 */
export const PAD = 0;
export const UNK = 1;
export const MASK = 2;
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[MASK]', '[SEP]'];

const TOKEN = /[a-z0-9]+|[^\sa-z0-9]/g;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** The `size` most frequent tokens of `texts` (specials first). */
export function buildVocab(texts: readonly string[], size: number): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const tok of tokenize(t)) counts.set(tok, (counts.get(tok) ?? 0) + 1);
  const words = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, Math.max(0, size - SPECIAL_TOKENS.length))
    .map(([w]) => w);
  return [...SPECIAL_TOKENS, ...words];
}

export class Tokenizer {
  private readonly ids: Map<string, number>;

  constructor(readonly vocab: readonly string[]) {
    this.ids = new Map(vocab.map((w, i) => [w, i]));
  }

  get size(): number {
    return this.vocab.length;
  }

  /** Token ids of `text`, at most `maxTokens` of them (the start of the text). */
  encode(text: string, maxTokens = Infinity): Int32Array {
    const toks = tokenize(text);
    const n = Math.min(toks.length, maxTokens);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.ids.get(toks[i]!) ?? UNK;
    return out;
  }
}
