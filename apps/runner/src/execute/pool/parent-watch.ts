// A worker process must not outlive the runner that started it. The 'disconnect' event is not
// enough: it is only seen when the main thread's event loop turns, and a stage can spend seconds
// inside tensor kernels (measured: 1.5-3 s after a SIGKILL of the runner, then an EPIPE crash
// dump). A watchdog thread has its own event loop: when this process is re-parented (its parent
// died, whatever the signal), it kills the process at once. The cache stays consistent: every
// artifact is published by an atomic rename, and temp files of dead writers are swept later.
import { Worker } from 'node:worker_threads';

const WATCHDOG = `
const { parentPid, everyMs } = require('node:worker_threads').workerData;
setInterval(() => {
  if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
}, everyMs);
`;

/** Starts the watchdog thread (it does not keep the process alive). */
export function exitWithParent(everyMs = 100): void {
  const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { parentPid: process.ppid, everyMs } });
  watchdog.unref();
}
