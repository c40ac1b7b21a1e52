import type { SummaryRow } from './report.js';

/** How to read the summary table: the paragraphs above it in report.md and report.html. */
export function readingNotes(summary: readonly SummaryRow[]): string[] {
  return [
    'Accuracies are test accuracy in % (mean over seeds). PGR = (w2s − weak) / (ceiling − weak), shown two ways: ' +
      '"PGR of mean acc" applies the formula to the three mean accuracies of the row (so it reproduces from them, up to ' +
      'rounding); "mean seed PGR" is the mean over seeds of each seed\'s PGR, with a 95 % Student-t interval over seeds ' +
      '(mean ± t(0.975, S − 1) · sd / √S; 12.7 for 2 seeds, 4.30 for 3: few seeds give wide intervals). The two differ ' +
      'when seeds differ in their weak–ceiling gap. Seeds whose ceiling is not above their weak model have no PGR and are ' +
      'left out of the mean; bootstrap resamples of a cell where that happens are left out of its interval. The note ' +
      'column counts both (runs.arrow: pgr_dropped_seeds, pgr_dropped_resamples). With one seed, the interval is over ' +
      'its test examples only. The ceiling is the strong model trained on the ground truth of the transfer split (the ' +
      'examples the student learns from with weak labels).',
    ...(summary.some((r) => r.plain_weak_acc !== r.weak_acc)
      ? ['"weak acc" is the accuracy of each method\'s own weak labels (ensemble, debate); "PGR vs plain weak" measures ' +
          'the same students against the plain weak model (one model on ground truth), as Lang, Huang & Li (2025) do.']
      : []),
    ...(summary.some((r) => r.strong_saw_gt)
      ? ['Rows noted "strong side saw GT" are an ablation (`judge: gt`): the debaters\' judges were trained on the ' +
          'ground truth of weak-train, so task labels reach the weak labels through the transcripts, not only through the weak model.']
      : []),
  ];
}
