/** How much pretraining a size gets: a prefix of the pretraining corpus, passed over `epochs` times. */
export interface PretrainBudget {
  /** Corpus examples used (the first ones; capped at the corpus size). */
  examples: number;
  epochs: number;
  batchSize: number;
  lr: number;
}

/** "4,000 ex × 12 ep" — examples seen per epoch and passes. */
export function formatBudget(b: PretrainBudget, unit = 'ex'): string {
  return `${b.examples.toLocaleString('en-US')} ${unit} × ${b.epochs} ep`;
}
