// What every column of every results table means, beside the column definitions of rows.ts.
// apps/runner/README.md's "Arrow tables" section is generated from this (npm run schema-doc) and
// checked against it by columns-doc.test.ts.
import { columnTypes, type ColumnSpec, type ColumnType } from './arrow.js';
import {
  curveColumns, predictionColumns, runColumns, transcriptColumns,
  type CurveRow, type PredictionRow, type RunRow, type TranscriptRow,
} from './rows.js';

export interface ColumnDoc {
  meaning: string;
  /** `fraction` (0–1), `count`, `s`, … or `—` for names and text. */
  unit: string;
}
/** One doc per column of a row type: a new column is a type error until it is documented. */
export type ColumnDocs<R> = { [K in keyof R]-?: ColumnDoc };

const d = (meaning: string, unit = '—'): ColumnDoc => ({ meaning, unit });
const FRACTION = 'fraction (0–1)';

export const runColumnDocs: ColumnDocs<RunRow> = {
  experiment: d("the manifest's `name`"),
  cell_id: d('`task/weak->strong/method/seed<N>`: the key that joins the other tables'),
  task: d('task name (built-in or the file task\'s name)'),
  weak_model: d('weak model, `family-size` (`-ft`: finetuned, `-mlphead`: MLP head)'),
  strong_model: d('strong model, same form'),
  method: d("the manifest method's `name`"),
  weak_labels: d('`single`, or the method\'s `weak` config (ensemble, debate) as JSON', 'JSON'),
  loss_config: d("the method's transfer loss as JSON", 'JSON'),
  early_stopping: d('`none`, `weak-val` or `gt-val` (an oracle)'),
  seed: d('seed of the cell (splits, initialisation, batch order)'),
  backend: d('tensor backend that computed the stages (`|`-joined when cached stages differ)'),
  kernels: d('kernel path, e.g. `wasm+blas` (same joining)'),
  strong_pretrain_data: d('what the strong model pretrained on (never task labels)'),
  n_weak_train: d('examples the weak model trains on (ground truth)', 'count'),
  n_transfer: d('examples the weak model labels and the student and ceiling train on', 'count'),
  n_val: d('validation examples (early stopping)', 'count'),
  n_test: d('test examples every accuracy is measured on', 'count'),
  weak_acc: d("test accuracy of the method's weak labels (the plain weak model, an ensemble or a debate-assisted one)", FRACTION),
  weak_members_acc: d('test accuracy of each ensemble member (one value without ensemble)', 'JSON list of fractions'),
  chain_acc: d('with `weak.chain`: test accuracy of each intermediate model, smallest first; the cell\'s weak_acc and PGR are the plain weak model\'s; else null', 'JSON list of fractions'),
  weak_setting: d('with the method\'s `select`: the debate setting chosen on val (turns, featuresPerTurn, temperature); else empty', 'text'),
  weak_setting_val_acc: d('with `select`: the val accuracy of the weak labels of every listed debate setting; else empty', 'JSON object setting → fraction'),
  ceiling_acc: d('test accuracy of the strong model trained on transfer ground truth', FRACTION),
  w2s_acc: d('test accuracy of the strong student trained on the weak labels', FRACTION),
  weak_acc_lo: d('95 % bootstrap interval over test examples, low end', FRACTION),
  weak_acc_hi: d('… high end', FRACTION),
  ceiling_acc_lo: d('95 % bootstrap interval of ceiling_acc, low end', FRACTION),
  ceiling_acc_hi: d('… high end', FRACTION),
  w2s_acc_lo: d('95 % bootstrap interval of w2s_acc, low end', FRACTION),
  w2s_acc_hi: d('… high end', FRACTION),
  pgr: d('(w2s_acc − weak_acc) / (ceiling_acc − weak_acc); null when ceiling ≤ weak', 'fraction (1 = gap closed)'),
  pgr_lo: d('95 % bootstrap interval of pgr over test examples, low end (resamples without PGR dropped)', 'fraction'),
  pgr_hi: d('… high end', 'fraction'),
  pgr_reason: d('why pgr is null, else null'),
  pgr_dropped_resamples: d('bootstrap resamples of this cell with no PGR (ceiling ≤ weak), left out of the interval', 'count'),
  pgr_dropped_seeds: d("seeds of this row's (task, weak, strong, method) group with a null PGR", 'count'),
  plain_weak_acc: d('test accuracy of the plain weak model (one model on ground truth)', FRACTION),
  pgr_vs_plain: d('PGR against plain_weak_acc (how Lang et al. measure debate and ensembles); = pgr without weak config', 'fraction'),
  pgr_vs_plain_lo: d('95 % bootstrap interval of pgr_vs_plain, low end', 'fraction'),
  pgr_vs_plain_hi: d('… high end', 'fraction'),
  pgr_vs_plain_dropped_resamples: d('resamples with no PGR against the plain weak model', 'count'),
  agreement: d("share of test examples where the student's prediction equals the weak labels'", FRACTION),
  misfit: d('mean over transfer examples and classes of (student probability − weak soft label)²', 'probability²'),
  ece: d("expected calibration error of the student on test", FRACTION),
  auroc: d('AUROC of the student on test (binary tasks; else null)', FRACTION),
  uses_gt_for_selection: d('checkpoint selection read ground truth (`gt-val`): an oracle row'),
  tuned_on_test: d('the settings were chosen on test results (`tunedOnTest: true`): optimistic'),
  strong_saw_gt: d('debate judges trained on weak-train ground truth (`judge: gt`): an ablation'),
  seconds_weak: d('wall time of the weak-label stage when it was computed (read back from the cache)', 's'),
  seconds_ceiling: d('same, ceiling stage', 's'),
  seconds_transfer: d('same, transfer (student) stage', 's'),
  hash_weak: d('content hash (cache key) of the weak stage'),
  hash_ceiling: d('content hash of the ceiling stage'),
  hash_transfer: d('content hash of the transfer stage'),
};

export const predictionColumnDocs: ColumnDocs<PredictionRow> = {
  cell_id: d('the cell (joins runs.arrow)'),
  stage: d('`weak` (the weak labels), `ceiling`, `w2s` (the student), or `link-<model>` for a link of a chain'),
  split: d('`transfer` or `test`'),
  example_id: d("the example's id in the task"),
  gt: d('ground-truth class', 'class index'),
  pred: d('predicted class (argmax of probs)', 'class index'),
  probs: d('predicted probability of each class', 'fractions, one per class'),
};

export const curveColumnDocs: ColumnDocs<CurveRow> = {
  cell_id: d('the cell (joins runs.arrow)'),
  stage: d('`weak`, `ceiling`, `w2s`, or `link-<model>` for a link of a chain'),
  step: d('optimizer steps done (1 …)', 'count'),
  epoch: d('epoch of the step (0 …)', 'count'),
  loss: d("training loss of the step's examples, before its update", 'nats'),
  lr: d('learning rate of the step', '—'),
  eval_metric: d('checkpoint-selection metric when an evaluation ran after this step (on val: agreement with the weak labels for `weak-val`, accuracy for `gt-val`), else null', FRACTION),
  test_acc: d('ceiling, w2s and chain links, at each evaluation: test accuracy so far (for analysis only: it selects nothing), else null', FRACTION),
  weak_agreement: d('w2s and chain links, at each evaluation: argmax agreement with the labels of transfer it learns from, else null', FRACTION),
  val_acc: d('w2s with a val split, at each evaluation: val accuracy, what `gt-val` selects by (recorded for analysis whatever the rule), else null', FRACTION),
  val_weak_agreement: d('w2s with a val split, at each evaluation: argmax agreement with the weak labels of val, what `weak-val` selects by, else null', FRACTION),
};

export const transcriptColumnDocs: ColumnDocs<TranscriptRow> = {
  cell_id: d('the cell (joins runs.arrow)'),
  debate_seed: d('which debate sample (ensembles debate each example several times)'),
  example_id: d('the debated example'),
  split: d('split of the example'),
  gt: d('ground-truth class name (for analysis; never shown to the strong side)'),
  turn: d('turn number (1 …)', 'count'),
  speaker: d('`A` or `B`'),
  stance: d('class name the speaker argues for'),
  content: d('what was argued: revealed words or patches, or an LLM\'s text'),
};

interface TableDoc {
  file: string;
  rows: string;
  columns: ColumnSpec<object>;
  docs: Record<string, ColumnDoc>;
}

/** Every table a run writes, with the code's column definitions and their docs. */
export const TABLE_DOCS: TableDoc[] = [
  { file: 'runs.arrow', rows: 'one per cell (task × weak × strong × method × seed)', columns: runColumns, docs: runColumnDocs },
  { file: 'predictions.arrow', rows: 'one per (cell, stage, split, example)', columns: predictionColumns, docs: predictionColumnDocs },
  { file: 'curves.arrow', rows: 'one per (cell, stage, optimizer step)', columns: curveColumns, docs: curveColumnDocs },
  { file: 'transcripts.arrow', rows: 'one per debate turn (only when a method debates)', columns: transcriptColumns, docs: transcriptColumnDocs },
];

/** The Arrow type a column is written with, as apache-arrow names it (e.g. `Float64`, `List<Float32>`). */
const arrowTypeName = (kind: ColumnType) => String(columnTypes[kind]());

const cell = (s: string) => s.replace(/\|/g, '\\|');

export const SCHEMA_BEGIN = '<!-- arrow-schema:begin (generated from apps/runner/src/results/columns-doc.ts by `npm run schema-doc`; do not edit) -->';
export const SCHEMA_END = '<!-- arrow-schema:end -->';

/** The Markdown of README's "Arrow tables" section: one table per file, one line per column. */
export function arrowSchemaMarkdown(): string {
  const out: string[] = [];
  for (const t of TABLE_DOCS) {
    out.push(`**\`${t.file}\`**: ${t.rows}.`, '', '| column | type | meaning | unit |', '|---|---|---|---|');
    for (const [name, kind] of Object.entries(t.columns) as [string, ColumnType][]) {
      const doc = t.docs[name];
      if (!doc) throw new Error(`${t.file}: column ${name} has no doc in columns-doc.ts`);
      out.push(`| \`${name}\` | ${arrowTypeName(kind)} | ${cell(doc.meaning)} | ${cell(doc.unit)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** `readme` with the text between the schema markers replaced by arrowSchemaMarkdown(). */
export function withSchemaSection(readme: string): string {
  const begin = readme.indexOf(SCHEMA_BEGIN);
  const end = readme.indexOf(SCHEMA_END);
  if (begin < 0 || end < begin) throw new Error(`README has no "${SCHEMA_BEGIN}" … "${SCHEMA_END}" section`);
  return `${readme.slice(0, begin + SCHEMA_BEGIN.length)}\n\n${arrowSchemaMarkdown()}\n${readme.slice(end)}`;
}
