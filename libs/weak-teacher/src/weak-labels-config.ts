import { UserError } from '@w2s/core';
import { DebateConfigSchema } from '@w2s/debate';
import { z } from 'zod';
import { DebateSelectionSchema } from './debate-selection.js';
import { ChainConfigSchema } from './chain.js';
import { CosuperviseConfigSchema } from './cosupervise.js';
import { EnsembleConfigSchema } from './ensemble.js';

/**
 * How the weak labels are made, beyond one weak model trained on ground truth: an ensemble of
 * weak models, and/or debate transcripts (two instances of the strong model argue each example;
 * the weak model reads the transcript as extra input; see @w2s/debate); or a chain of
 * intermediate models (chain.ts).
 */
export const WeakLabelsSchema = z
  .strictObject({
    ensemble: EnsembleConfigSchema.optional(),
    debate: DebateConfigSchema.optional(),
    /** Debate settings to try; the one whose weak labels are most accurate on val is used (debate-selection.ts). */
    select: DebateSelectionSchema.optional(),
    /**
     * Intermediate-model bootstrapping (Burns et al. 2023 §4.3.1): sizes of the ladder strictly
     * between weak and strong, e.g. [s, m]; the plain weak model labels transfer for the first.
     */
    chain: ChainConfigSchema.optional(),
    /**
     * Co-supervision (Liu & Alahi 2024): `teachers` weak models, each trained on its own part of
     * weak-train, all label transfer; the student's loss must be `cosupervise` (cosupervise.ts).
     */
    cosupervise: CosuperviseConfigSchema.optional(),
  })
  .superRefine((w, ctx) => {
    if (w.select && !w.debate) ctx.addIssue({ code: 'custom', path: ['select'], message: 'select chooses debate settings: it needs debate' });
    if (w.chain && (w.ensemble || w.debate)) {
      ctx.addIssue({ code: 'custom', path: ['chain'], message: 'a chain starts from the plain weak model: it cannot be combined with ensemble or debate' });
    }
    if (w.cosupervise && (w.ensemble || w.debate || w.chain)) {
      ctx.addIssue({ code: 'custom', path: ['cosupervise'], message: 'co-supervision trains its own specialised weak models: it cannot be combined with ensemble, debate or chain' });
    }
  });
export type WeakLabelsConfig = z.infer<typeof WeakLabelsSchema>;
export type WeakLabelsConfigInput = z.input<typeof WeakLabelsSchema>;

/** Parses a weak-labels config; every problem becomes one UserError listing `path: problem` lines. */
export function parseWeakLabelsConfig(raw: unknown, where = 'weak'): WeakLabelsConfig {
  const parsed = WeakLabelsSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`);
  throw new UserError(`invalid weak-labels config:\n${lines.join('\n')}`, where);
}
