import type { Stage } from '../plan/plan.js';

/** Progress of a run: bars on a terminal, one line per finished stage otherwise. */
export interface Progress {
  stageStart(stage: Stage): void;
  step(step: number, total: number): void;
  /** Long work inside a stage (pretraining), frac in [0, 1]. */
  note(message: string, frac: number): void;
  stageDone(stage: Stage, info: { seconds: number; cached: boolean }): void;
  log(line: string): void;
  finish(): void;
}

function bar(frac: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, frac)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export function createProgress(totalStages: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  let finished = 0;
  let current = '';
  let stepFrac = 0;
  let lastNoteDecile = new Map<string, number>();
  let lastDraw = 0;

  const draw = (force = false) => {
    if (!tty) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const overall = `${bar(finished / Math.max(1, totalStages), 20)} ${finished}/${totalStages} stages`;
    const inner = current ? ` | ${current.slice(0, 60)} ${bar(stepFrac, 12)}` : '';
    stream.write(`\r\x1b[2K${overall}${inner}`);
  };
  const println = (line: string) => {
    if (tty) stream.write('\r\x1b[2K');
    stream.write(`${line}\n`);
    draw(true);
  };

  return {
    stageStart(stage) {
      current = stage.label;
      stepFrac = 0;
      draw(true);
    },
    step(step, total) {
      stepFrac = step / Math.max(1, total);
      draw();
    },
    note(message, frac) {
      if (tty) {
        current = message;
        stepFrac = frac;
        draw();
        return;
      }
      // Off a terminal: a line at 0 %, every 25 % and at the end, per message kind.
      const kind = message.split(':')[0]!;
      const quarter = Math.floor(frac * 4);
      if (lastNoteDecile.get(kind) !== quarter) {
        lastNoteDecile.set(kind, quarter);
        println(`  ${message} (${Math.round(frac * 100)}%)`);
      }
    },
    stageDone(stage, { seconds, cached }) {
      finished++;
      current = '';
      println(`${cached ? 'cached' : 'done  '} ${stage.label}${cached ? '' : ` (${seconds.toFixed(1)} s)`}`);
    },
    log(line) {
      println(line);
    },
    finish() {
      if (tty) stream.write('\r\x1b[2K');
      lastNoteDecile = new Map();
    },
  };
}
