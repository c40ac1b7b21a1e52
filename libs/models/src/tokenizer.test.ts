import { describe, expect, it } from 'vitest';
import { buildVocab, MASK, PAD, SPECIAL_TOKENS, Tokenizer, tokenize, UNK } from './tokenizer.js';

describe('tokenizer', () => {
  it('splits lower-cased words and punctuation', () => {
    expect(tokenize("Hello, World! It's 2024.")).toEqual(['hello', ',', 'world', '!', 'it', "'", 's', '2024', '.']);
  });

  it('keeps the most frequent tokens after the specials, ties alphabetical', () => {
    // counts: the 3, cat 2, a 1, dog 1 → size 7 keeps specials + the, cat, a
    const vocab = buildVocab(['the cat', 'the cat the', 'dog a'], SPECIAL_TOKENS.length + 3);
    expect(vocab).toEqual([...SPECIAL_TOKENS, 'the', 'cat', 'a']);
    expect([vocab[PAD], vocab[UNK], vocab[MASK]]).toEqual(['[PAD]', '[UNK]', '[MASK]']);
  });

  it('maps unknown words to [UNK] and cuts at maxTokens', () => {
    const tok = new Tokenizer([...SPECIAL_TOKENS, 'the', 'cat']);
    expect(Array.from(tok.encode('The dog the cat'))).toEqual([4, UNK, 4, 5]);
    expect(Array.from(tok.encode('The dog the cat', 2))).toEqual([4, UNK]);
  });
});
