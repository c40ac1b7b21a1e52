/**
 * Per task and seed: four disjoint splits of a dataset's examples, as in the reference
 * implementation of Burns et al. 2023 (openai/weak-to-strong, train_simple.py): `nDocs` training
 * documents are halved into a ground-truth half for the weak model and a held-out half it labels
 * (HF `train_test_split(test_size=0.5)`: the second half gets the extra one when nDocs is odd),
 * and `nTest` documents are the test set.
 *
 *   weak-train  floor(nDocs / 2)  ground truth for the weak teacher
 *   transfer    ceil(nDocs / 2)   weak labels for the student; ground truth only for the ceiling
 *   val         nVal (or round(valFrac · nDocs)), default 0   early stopping
 *   test        nTest
 *
 * How: one seeded order of the candidate examples (`new Rng(seed).fork('splits/<task name>')`);
 * test is its first nTest, then weak-train, transfer, val follow. So the test set does not
 * change with nDocs or nVal. With `balance`, the order interleaves the classes (each shuffled)
 * and stops when the rarest class runs out: majority classes are undersampled and every split
 * is balanced to within one example per class.
 * If the dataset has a fixed split (`examples.fixedSplit`, e.g. a user file's split column),
 * test comes from its 'test' rows, weak-train and transfer from its 'train' rows, and val from
 * its 'val' rows (or, if it has none, from the 'train' rows after transfer).
 * Indices are returned ascending.
 */
import { Rng, UserError } from '@w2s/core/base';
import { z } from 'zod';
import type { Dataset, Splits } from './types.js';

export const SplitOptionsSchema = z
  .strictObject({
    seed: z.int().default(0),
    nDocs: z.int().min(2).default(1000),
    nTest: z.int().min(1).default(500),
    nVal: z.int().min(0).optional(),
    valFrac: z.number().min(0).max(1).optional(),
    balance: z.boolean().default(false),
  })
  .refine((o) => o.nVal === undefined || o.valFrac === undefined, {
    message: 'give nVal or valFrac, not both',
    path: ['valFrac'],
  });

export type SplitOptions = z.input<typeof SplitOptionsSchema>;

/** The seeded order of a pool; balanced = classes interleaved, cut at the rarest class. */
function orderPool(pool: number[], labels: Int32Array, rng: Rng, balance: boolean): number[] {
  const shuffled = rng.shuffle([...pool]);
  if (!balance) return shuffled;
  const byClass = new Map<number, number[]>();
  for (const i of shuffled) {
    const members = byClass.get(labels[i]!) ?? [];
    members.push(i);
    byClass.set(labels[i]!, members);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const perClass = Math.min(...classes.map((c) => byClass.get(c)!.length));
  const order: number[] = [];
  for (let k = 0; k < perClass; k++) for (const c of classes) order.push(byClass.get(c)![k]!);
  return order;
}

function sorted(indices: number[]): Int32Array {
  return Int32Array.from(indices).sort();
}

export function makeSplits(dataset: Dataset, options: SplitOptions = {}): Splits {
  const parsed = SplitOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(issue.message, `split options${issue.path.length ? `: ${issue.path.join('.')}` : ''}`);
  }
  const { seed, nDocs, nTest, balance } = parsed.data;
  const nVal = parsed.data.nVal ?? Math.round((parsed.data.valFrac ?? 0) * nDocs);
  const nWeak = Math.floor(nDocs / 2);
  const { labels, fixedSplit } = dataset.examples;
  const rng = new Rng(seed).fork(`splits/${dataset.name}`);
  const what = balance ? ' after class balancing' : '';

  const take = (order: number[], from: number, count: number, poolName: string): number[] => {
    if (from + count > order.length) {
      throw new UserError(
        `asked for ${describe(nTest, nDocs, nVal)} but the ${poolName} has only ${order.length} examples${what}`,
        `task "${dataset.name}"`,
      );
    }
    return order.slice(from, from + count);
  };

  if (!fixedSplit) {
    const order = orderPool(Array.from(labels.keys()), labels, rng.fork('all'), balance);
    take(order, 0, nTest + nDocs + nVal, 'dataset');
    return {
      test: sorted(order.slice(0, nTest)),
      'weak-train': sorted(order.slice(nTest, nTest + nWeak)),
      transfer: sorted(order.slice(nTest + nWeak, nTest + nDocs)),
      val: sorted(order.slice(nTest + nDocs, nTest + nDocs + nVal)),
    };
  }

  const pool = (name: string) => fixedSplit.flatMap((s, i) => (s === name ? [i] : []));
  const trainOrder = orderPool(pool('train'), labels, rng.fork('train'), balance);
  const testOrder = orderPool(pool('test'), labels, rng.fork('test'), balance);
  const valPool = pool('val');
  const valFromTrain = valPool.length === 0;
  const trainNeeded = nDocs + (valFromTrain ? nVal : 0);
  take(trainOrder, 0, trainNeeded, "split column's 'train' rows");
  const val = valFromTrain
    ? trainOrder.slice(nDocs, nDocs + nVal)
    : take(orderPool(valPool, labels, rng.fork('val'), balance), 0, nVal, "split column's 'val' rows");
  return {
    test: sorted(take(testOrder, 0, nTest, "split column's 'test' rows")),
    'weak-train': sorted(trainOrder.slice(0, nWeak)),
    transfer: sorted(trainOrder.slice(nWeak, nDocs)),
    val: sorted(val),
  };
}

function describe(nTest: number, nDocs: number, nVal: number): string {
  return `nTest=${nTest} + nDocs=${nDocs}${nVal ? ` + nVal=${nVal}` : ''} = ${nTest + nDocs + nVal} examples`;
}
