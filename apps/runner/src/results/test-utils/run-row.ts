import type { RunRow } from '../rows.js';

/** A run row with the given accuracies; PGR computed as runRow does (null when ceiling ≤ weak). */
export function row(seed: number, acc: { weak: number; ceiling: number; w2s: number; plainWeak?: number }, over: Partial<RunRow> = {}): RunRow {
  const pgrOf = (weak: number) => (acc.ceiling > weak ? (acc.w2s - weak) / (acc.ceiling - weak) : null);
  const pgr = pgrOf(acc.weak);
  const plainWeak = acc.plainWeak ?? acc.weak;
  const plainPgr = pgrOf(plainWeak);
  return {
    experiment: 'x', cell_id: `c${seed}`, task: 'toy', weak_model: 'mlp-xs', strong_model: 'mlp-s', method: 'naive',
    weak_labels: 'single', loss_config: '{}', early_stopping: 'none', seed, backend: 'wasm', kernels: 'k', strong_pretrain_data: 'p',
    n_weak_train: 1, n_transfer: 1, n_val: 1, n_test: 1,
    weak_acc: acc.weak, weak_members_acc: '[]', weak_setting: '', weak_setting_val_acc: '', ceiling_acc: acc.ceiling, w2s_acc: acc.w2s,
    weak_acc_lo: 0, weak_acc_hi: 1, ceiling_acc_lo: 0, ceiling_acc_hi: 1, w2s_acc_lo: 0, w2s_acc_hi: 1,
    pgr, pgr_lo: pgr === null ? null : pgr - 0.1, pgr_hi: pgr === null ? null : pgr + 0.1,
    pgr_reason: pgr === null ? 'no gap' : null, pgr_dropped_resamples: 0, pgr_dropped_seeds: 0,
    plain_weak_acc: plainWeak, pgr_vs_plain: plainPgr, pgr_vs_plain_lo: plainPgr === null ? null : plainPgr - 0.1,
    pgr_vs_plain_hi: plainPgr === null ? null : plainPgr + 0.1, pgr_vs_plain_dropped_resamples: 0,
    agreement: 0, misfit: 0, ece: 0, auroc: null, uses_gt_for_selection: false, tuned_on_test: false, strong_saw_gt: false,
    seconds_weak: 0, seconds_ceiling: 0, seconds_transfer: 0, hash_weak: 'a', hash_ceiling: 'b', hash_transfer: 'c',
    ...over,
  };
}
