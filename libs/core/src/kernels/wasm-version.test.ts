import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { isUserError } from '../errors.js';
import { checkPatchedTfjsVersion, PATCHED_TFJS_LINE } from './wasm-version.js';

function messageOf(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('checkPatchedTfjsVersion', () => {
  it('accepts the tfjs installed here, and any patch release of the same line', () => {
    expect(`${version_wasm.split('.')[0]}.${version_wasm.split('.')[1]}`).toBe(PATCHED_TFJS_LINE);
    expect(() => checkPatchedTfjsVersion()).not.toThrow();
    expect(() => checkPatchedTfjsVersion({ wasm: '4.22.7', core: tf.version_core })).not.toThrow();
  });

  it('refuses another wasm backend or tfjs-core release, naming what is loaded and what to install', () => {
    const wasm = messageOf(() => checkPatchedTfjsVersion({ wasm: '4.23.0', core: '4.22.0' }));
    expect(wasm).toContain('@tensorflow/tfjs-backend-wasm 4.23.0 is loaded');
    expect(wasm).toContain('install @tensorflow/tfjs@~4.22.0 and @tensorflow/tfjs-backend-wasm@~4.22.0');
    expect(wasm).not.toContain('tfjs-core');
    const both = messageOf(() => checkPatchedTfjsVersion({ wasm: '5.0.0', core: '4.21.0' }));
    expect(both).toContain('@tensorflow/tfjs-backend-wasm 5.0.0 and @tensorflow/tfjs-core 4.21.0 is loaded');
  });
});
