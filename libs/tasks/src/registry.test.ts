import { describe, expect, it } from 'vitest';
import { isUserError } from '@w2s/core/base';
import { formatTaskTable, listTasks } from './list.js';
import { loadTask, taskRegistry, TaskSpecSchema } from './registry.js';
import { makeSplits } from './splits.js';

describe('task registry', () => {
  it('every built-in task is a plain-map entry with a source and a schema', () => {
    expect(Object.keys(taskRegistry)).toEqual([
      'digits-parity',
      'digits-gt4',
      'digits-prime',
      'spam',
      'sotu-party',
      'synthetic-linear',
      'synthetic-overlap',
    ]);
    for (const [name, def] of Object.entries(taskRegistry)) {
      expect(def.name).toBe(name);
      expect(def.schema.safeParse({ name }).success).toBe(true);
      expect(TaskSpecSchema.safeParse({ name }).success).toBe(true);
    }
    expect(TaskSpecSchema.safeParse({ file: 'a.csv', label: 'y', text: 't' }).success).toBe(true);
    expect(TaskSpecSchema.safeParse({ name: 'spam', extra: 1 }).success).toBe(false);
  });

  it('rejects an unknown task name, listing the built-in ones', () => {
    let message = '';
    try {
      loadTask({ name: 'mnist' });
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      message = (e as Error).message;
    }
    expect(message).toBe(
      'task: unknown task "mnist"; built-in tasks: digits-parity, digits-gt4, digits-prime, spam, sotu-party, ' +
        'synthetic-linear, synthetic-overlap (or give a file)',
    );
    expect(() => loadTask({ name: 'spam', n: 5 })).toThrow(/^task "spam"/);
    expect(() => loadTask(42)).toThrow(/^task: a task must be an object/);
  });

  it('listTasks describes every built-in task; formatTaskTable prints them with the pretraining data', () => {
    const tasks = listTasks();
    expect(tasks.map((t) => t.name)).toEqual(Object.keys(taskRegistry));
    for (const t of tasks) {
      const dataset = loadTask(t.name);
      expect(t.numExamples).toBe(dataset.examples.labels.length);
      expect(t.classCounts.reduce((a, b) => a + b, 0)).toBe(t.numExamples);
      expect(t.classCounts.every((c) => c > 0)).toBe(true);
    }
    const table = formatTaskTable(tasks);
    console.log(table);
    for (const t of tasks) {
      const line = table.split('\n').find((l) => l.startsWith(`${t.name} `))!;
      expect(line).toContain(t.modality);
      expect(line).toContain(String(t.numExamples));
      expect(line).toContain(t.source);
      expect(line).toContain(`${t.classNames[0]} `);
    }
    expect(table).toContain('digits-pretrain');
    expect(table).toMatch(/moby-dick\s+text\s+\d+/);
  });

  it('the default split sizes fit every built-in task, with and without class balancing', () => {
    for (const name of Object.keys(taskRegistry)) {
      for (const balance of [false, true]) {
        const splits = makeSplits(loadTask(name), { balance });
        expect(splits['weak-train'].length + splits.transfer.length).toBe(1000);
        expect(splits.test.length).toBe(500);
      }
    }
  });
});
