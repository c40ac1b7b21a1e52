// Debate settings chosen on the validation split, by a rule fixed in advance (issue 18): every
// listed setting makes the weak labels; the one whose labels are most accurate on val
// wins, ties to the first listed. Only the weak side reads val labels here (as it reads weak-train
// to learn); the strong side reads none, and test labels choose nothing.
import { UserError } from '@w2s/core';
import type { DebateConfig } from '@w2s/debate';
import { accuracy } from '@w2s/metrics';
import type { Dataset, Splits } from '@w2s/tasks';
import { z } from 'zod';
import { labelsOf } from './labels.js';

/** One candidate setting: the debate fields it changes (the others keep the debate config's value). */
export const DebateSettingSchema = z
  .strictObject({
    turns: z.int().min(1).max(50).optional(),
    featuresPerTurn: z.int().min(1).optional(),
    temperature: z.number().min(0).max(100).optional(),
  })
  .refine((s) => s.turns !== undefined || s.featuresPerTurn !== undefined || s.temperature !== undefined, {
    message: 'a setting sets at least one of turns, featuresPerTurn, temperature',
  });
/** The candidates, in order (the first wins ties). */
export const DebateSelectionSchema = z.array(DebateSettingSchema).min(2, 'list at least two settings to choose from');
export type DebateSelection = z.infer<typeof DebateSelectionSchema>;

const FIELDS = ['turns', 'featuresPerTurn', 'temperature'] as const;

/** The debate configs of the candidates, in order. */
export function selectionCandidates(debate: DebateConfig, select: DebateSelection): DebateConfig[] {
  return select.map((setting) => ({ ...debate, ...setting }));
}

/** A debate setting in words, e.g. "turns 3, featuresPerTurn 4, temperature 0.3". */
export function settingLabel(config: DebateConfig): string {
  return FIELDS.map((f) => `${f} ${config[f]}`).join(', ');
}

/** What the selection saw and chose (stored with the weak labels). */
export interface DebateSelectionRecord {
  candidates: { setting: string; valAcc: number }[];
  chosen: string;
}

/** Refuses a selection without a validation split (checked while planning, so `plan` says it too). */
export function checkSelectionFor(nVal: number, where: string): void {
  if (nVal === 0) throw new UserError('select chooses debate settings on the validation split, which is empty: set splits.nVal (e.g. 200)', `${where}.select`);
}

/**
 * Runs `make` for every candidate and keeps the result whose `val` probabilities are most
 * accurate against the val labels (ties: the first). Results not kept are dropped as they lose.
 */
export async function selectOnVal<R extends { val: Float32Array; numClasses: number }>(
  task: Dataset,
  splits: Splits,
  candidates: DebateConfig[],
  make: (debate: DebateConfig) => Promise<R>,
): Promise<{ best: R; record: DebateSelectionRecord }> {
  checkSelectionFor(splits.val.length, 'weak');
  const valLabels = labelsOf(task.examples.labels, splits.val);
  let best: { result: R; acc: number; setting: string } | undefined;
  const seen: DebateSelectionRecord['candidates'] = [];
  for (const debate of candidates) {
    const result = await make(debate);
    const acc = accuracy({ values: result.val, numClasses: result.numClasses }, valLabels);
    const setting = settingLabel(debate);
    seen.push({ setting, valAcc: acc });
    if (!best || acc > best.acc) best = { result, acc, setting };
  }
  return { best: best!.result, record: { candidates: seen, chosen: best!.setting } };
}
