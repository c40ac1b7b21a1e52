import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { z } from 'zod';
import { UserError } from './errors.js';
import { installWasmKernels, wasmKernelsInUse } from './kernels/index.js';

/**
 * Which tensor backend to run on. `auto` takes the first that works of tensorflow-gpu,
 * tensorflow, wasm, cpu. The two native ones come from optional packages that download
 * libtensorflow when installed, so they are detected at run time and never dependencies.
 * `tensorflow-gpu` counts as working only when TensorFlow reports a GPU device in use.
 */
export const BackendNameSchema = z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof BackendNameSchema>;
/** A backend that actually runs (what `auto` resolves to). */
export type ActiveBackendName = Exclude<BackendName, 'auto'>;

export interface BackendInfo {
  /** What was asked for (`auto` or a backend name). */
  requested: BackendName;
  /** The backend in use. */
  name: ActiveBackendName;
  /** The kernel path in use, e.g. 'wasm+blas' or 'wasm+matmul-fix'; recorded with every run. */
  kernels: string;
}

const AUTO_ORDER: readonly ActiveBackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

const NATIVE_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const;

/** The tfjs backend name behind each of ours (both native packages register 'tensorflow'). */
const TFJS_BACKEND: Record<ActiveBackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

let current: BackendInfo | undefined;
// Calls run one after another, so two concurrent initBackend calls never interleave setBackend.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Selects and initializes the tensor backend; `requested` defaults to $W2S_BACKEND, then 'auto'.
 * On wasm it installs this lib's wasm kernel fixes. Idempotent: asking again for what is active
 * returns at once. An unknown name, or an explicit backend that cannot run here, throws a
 * UserError saying why (and for a missing package, the command that installs it); only `auto`
 * moves on to the next backend.
 */
export function initBackend(requested?: BackendName | string): Promise<BackendInfo> {
  const fromEnv = requested === undefined && process.env.W2S_BACKEND !== undefined;
  const asked = requested ?? process.env.W2S_BACKEND ?? 'auto';
  const where = fromEnv ? 'W2S_BACKEND' : 'backend';
  const run = queue.then(() => initBackendNow(parseBackendName(asked, where), where));
  queue = run.catch(() => undefined);
  return run;
}

/** The backend set by the last initBackend, or undefined if none (or tf.setBackend changed it since). */
export function currentBackend(): BackendInfo | undefined {
  if (current === undefined || tf.getBackend() !== TFJS_BACKEND[current.name]) return undefined;
  return { ...current, kernels: kernelsInUse(current.name) };
}

function parseBackendName(value: string, where: string): BackendName {
  const parsed = BackendNameSchema.safeParse(value);
  if (!parsed.success) {
    throw new UserError(`unknown backend '${value}'; valid backends: ${BackendNameSchema.options.join(', ')}`, where);
  }
  return parsed.data;
}

/** `where` names the setting at fault in error messages (the option or W2S_BACKEND). */
async function initBackendNow(requested: BackendName, where: string): Promise<BackendInfo> {
  const active = currentBackend();
  if (active !== undefined && (active.requested === requested || active.name === requested)) {
    if (active.name === 'wasm') installWasmKernels(); // in case someone uninstalled a fix since
    return (current = { ...active, requested, kernels: kernelsInUse(active.name) });
  }
  const candidates = requested === 'auto' ? AUTO_ORDER : [requested];
  const reasons: string[] = [];
  for (const name of candidates) {
    // Both native packages register tfjs's 'tensorflow' backend: once the GPU package is loaded
    // (and found unusable), loading tfjs-node as well would put two libtensorflows in one process.
    const failure =
      name === 'tensorflow' && gpuPackageLoaded ? `skipped: ${NATIVE_PACKAGES['tensorflow-gpu']} is loaded already` : await activate(name, requested === 'auto');
    if (failure === undefined) return (current = { requested, name, kernels: kernelsInUse(name) });
    if (requested !== 'auto') throw new UserError(`'${name}' is not available: ${failure}`, where);
    // Silence is right when the GPU package is simply absent; a user who installed it hears why not.
    if (name === 'tensorflow-gpu' && backendProbe.packageInstalled(NATIVE_PACKAGES[name])) {
      console.error(`w2s: backend auto: not using tensorflow-gpu: ${failure}; trying the next backend`);
    }
    reasons.push(`${name}: ${failure}`);
  }
  // Only reachable if even the pure-JS cpu backend fails.
  throw new UserError(`no backend could be initialized (${reasons.join('; ')})`, where);
}

function kernelsInUse(name: ActiveBackendName): string {
  return name === 'wasm' ? wasmKernelsInUse() : name;
}

/** Whether @tensorflow/tfjs-node-gpu has been imported in this process (see initBackendNow). */
let gpuPackageLoaded = false;

/** Makes `name` the tfjs backend; returns why it cannot, or undefined on success. */
async function activate(name: ActiveBackendName, auto: boolean): Promise<string | undefined> {
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    // Under auto, look for a GPU before loading the GPU package: loading it and then
    // tfjs-node as well would register two native 'tensorflow' backends.
    if (name === 'tensorflow-gpu' && auto && !backendProbe.gpuVisible()) return 'no NVIDIA GPU is visible';
    // TensorFlow reads this when it creates the GPU device: take GPU memory as needed instead of
    // reserving nearly all of it, so other processes (or a second worker) can share the GPU.
    if (name === 'tensorflow-gpu') process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= 'true';
    const loadFailure = await backendProbe.importPackage(NATIVE_PACKAGES[name]);
    if (loadFailure !== undefined) return loadFailure;
    if (name === 'tensorflow-gpu') gpuPackageLoaded = true;
    if (name === 'tensorflow-gpu' && !backendProbe.gpuVisible()) {
      return "no NVIDIA GPU is visible (no /dev/nvidia0, or CUDA_VISIBLE_DEVICES hides it); ask for 'tensorflow' to run on the CPU";
    }
  }
  if (name === 'wasm') {
    // Node has no wasm threads; pin XNNPACK to one thread so runs are alike everywhere.
    setThreadsCount(1);
    installWasmKernels();
  }
  const failure = await setTfBackend(TFJS_BACKEND[name]);
  if (failure !== undefined || name !== 'tensorflow-gpu') return failure;
  return gpuNotInUse(tf.backend());
}

/**
 * Why the TensorFlow backend of tfjs-node-gpu is not computing on a GPU, or undefined when it is.
 * Without CUDA/cuDNN libraries of the versions it was built for, TensorFlow logs a warning and
 * silently runs on the CPU; tfjs-node's backend records what TensorFlow reports in
 * `isUsingGpuDevice`.
 */
export function gpuNotInUse(backend: unknown): string | undefined {
  if ((backend as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true) return undefined;
  return (
    `TensorFlow (${NATIVE_PACKAGES['tensorflow-gpu']}) loaded but reports no GPU device in use: the CUDA 11.2 and cuDNN 8.1 libraries ` +
    "it needs are missing or of another version (TensorFlow's \"Could not load dynamic library\" lines above name them); " +
    "ask for 'tensorflow' to run TensorFlow on the CPU"
  );
}

/** What the backend choice asks of the machine; a plain object so tests can present another one. */
export const backendProbe = {
  gpuVisible,
  importPackage: importNativePackage,
  packageInstalled(pkg: string): boolean {
    try {
      createRequire(import.meta.url).resolve(pkg);
      return true;
    } catch {
      return false;
    }
  },
};

async function importNativePackage(pkg: string): Promise<string | undefined> {
  try {
    // A variable specifier: the package is optional, so neither tsc nor bundlers may require it.
    await import(pkg);
    return undefined;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: unknown }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(pkg)) {
      return `the package ${pkg} is not installed; install it with: npm install ${pkg}`;
    }
    return `the package ${pkg} is installed but failed to load: ${message}`;
  }
}

async function setTfBackend(tfName: string): Promise<string | undefined> {
  try {
    if (!(await tf.setBackend(tfName))) return `the tfjs backend '${tfName}' failed to initialize`;
    await tf.ready();
    return undefined;
  } catch (e) {
    return `the tfjs backend '${tfName}' failed to initialize: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Linux only (where CUDA builds of tfjs-node-gpu run); elsewhere trust the package. */
function gpuVisible(): boolean {
  if (process.platform !== 'linux') return true;
  const devices = process.env.CUDA_VISIBLE_DEVICES?.trim();
  if (devices === '' || devices === '-1') return false;
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/proc/driver/nvidia/gpus').length > 0;
  } catch {
    return false;
  }
}
