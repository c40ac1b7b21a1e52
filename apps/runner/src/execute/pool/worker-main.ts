// Entry of a worker process, started by WorkerProcess (worker-process.ts), never by hand. It
// watches its parent before loading anything heavy, so a parent killed even during start-up
// never leaves it behind; worker-loop.ts does the work.
if (!process.send) {
  console.error('w2s: worker-main is started by the w2s runner, not by hand (see `w2s worker`)');
  process.exit(2);
}
// The parent is gone (it crashed or was killed): nobody wants our result, so stop — at once, even
// in the middle of a kernel (the watchdog thread), or as soon as the event loop notices.
const { exitWithParent } = await import('./parent-watch.js');
exitWithParent();
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group: the parent decides whether this stage finishes.
process.on('SIGINT', () => undefined);

const { serveParent } = await import('./worker-loop.js');
await serveParent();

export {};
