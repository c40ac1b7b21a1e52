// Ground-truth label helpers shared by the weak teacher and the strong student (and the runner):
// they live here, below both, so that neither lib imports the other.

/** One-hot probability rows [n × K] of the ground-truth labels of `indices`. */
export function oneHotRows(labels: Int32Array, indices: Int32Array, numClasses: number): Float32Array {
  const rows = new Float32Array(indices.length * numClasses);
  for (let i = 0; i < indices.length; i++) rows[i * numClasses + labels[indices[i]!]!] = 1;
  return rows;
}

/** The labels of `indices`, in that order. */
export function labelsOf(labels: Int32Array, indices: Int32Array): Int32Array {
  return Int32Array.from(indices, (i) => labels[i]!);
}
