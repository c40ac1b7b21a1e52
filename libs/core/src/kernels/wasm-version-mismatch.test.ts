// A wasm backend of another tfjs release (faked here by mocking its version export) is refused by
// initBackend with one message, before any kernel is replaced.
import { describe, expect, it, vi } from 'vitest';

vi.mock('@tensorflow/tfjs-backend-wasm', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@tensorflow/tfjs-backend-wasm')>()),
  version_wasm: '4.23.1',
}));

const { initBackend } = await import('../backend.js');
const { isWasmMatMulFixInstalled, isBlasInstalled } = await import('./index.js');

describe('initBackend with a tfjs-backend-wasm of another release', () => {
  it('stops with a message naming the loaded version, under wasm and auto alike', async () => {
    await expect(initBackend('wasm')).rejects.toThrow(/tfjs-backend-wasm 4\.23\.1 is loaded; install @tensorflow\/tfjs@~4\.22\.0/);
    await expect(initBackend('auto')).rejects.toThrow(/4\.23\.1 is loaded/);
    expect(isWasmMatMulFixInstalled()).toBe(false);
    expect(isBlasInstalled()).toBe(false);
  });
});
