import { describe, expect, it } from 'vitest';
import { contentHash, stableStringify } from './hash.js';

describe('contentHash', () => {
  it('ignores key order and undefined fields, but not values', () => {
    expect(stableStringify({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1, c: undefined }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
    // sha256 of the string '{"a":1}', computed independently with `printf '{"a":1}' | sha256sum`
    expect(contentHash({ a: 1 })).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
  });
});
