/** The native BLAS addon's functions (see src/blas.c for the exact contract of each). */
export interface BlasAddon {
  /**
   * For i < aIndex.length: C[i] = op(A[aIndex[i]]) · op(B[bIndex[i]]), row-major float32 matrices
   * addressed by byte offsets into `heap` (A: aCount matrices m×k, or k×m when transposed; B:
   * bCount matrices k×n, or n×k; C: aIndex.length matrices m×n). Throws a RangeError, before
   * touching memory, if any matrix falls outside the heap, an index is out of range, an offset is
   * not float-aligned, or the output overlaps an input.
   */
  sgemm(
    heap: Uint8Array,
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    aOffset: number,
    aCount: number,
    bOffset: number,
    bCount: number,
    cOffset: number,
    aIndex: Int32Array,
    bIndex: Int32Array,
  ): void;
  /**
   * out[j] = Σ_i x[i·cols + j] for a row-major float32 matrix x (rows×cols) at byte xOffset of
   * `heap`, into cols floats at outOffset: the sum over a tensor's leading axes. Validated as sgemm.
   */
  sumRows(heap: Uint8Array, xOffset: number, rows: number, cols: number, outOffset: number): void;
  /**
   * dx = the gradient of max pooling over NHWC float32 x (batch × inH × inW × channels at byte
   * xOffset), given dy (batch × outH × outW × channels at dyOffset): each dy value is added at its
   * window's first maximum. dx has x's shape, at dxOffset. Validated as sgemm.
   */
  maxPoolGrad(
    heap: Uint8Array,
    xOffset: number,
    dyOffset: number,
    dxOffset: number,
    batch: number,
    channels: number,
    inH: number,
    inW: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    filterH: number,
    filterW: number,
    padTop: number,
    padLeft: number,
  ): void;
  /**
   * out = x[begin : begin + size] for a row-major tensor of 4-byte values (float32 or int32, rank
   * 1–8) of shape xShape at byte xOffset, into outOffset. Validated as sgemm.
   */
  slice(heap: Uint8Array, xOffset: number, outOffset: number, xShape: Int32Array, begin: Int32Array, size: Int32Array): void;
  /**
   * One Adam/AdamW update of `count` float32 parameters: new p, m, v (at outPOffset, outMOffset,
   * outVOffset) from p, m, v and the gradient g, rounding every intermediate to float32 in the
   * order of @w2s/core's adam.ts op sequence (bit-identical to it). consts (Float32Array of 10):
   * [beta1, 1 - beta1, beta2, 1 - beta2, 1 - lr·weightDecay, 1 - beta1^t, 1 - beta2^t, eps, lr,
   * useDecay (0 or 1)]. Outputs may not overlap inputs or each other. Validated as sgemm.
   */
  adamStep(
    heap: Uint8Array,
    count: number,
    pOffset: number,
    mOffset: number,
    vOffset: number,
    gOffset: number,
    outPOffset: number,
    outMOffset: number,
    outVOffset: number,
    consts: Float32Array,
  ): void;
  /**
   * Softmax cross-entropy, first part: over float32 logits z (rows × classes at zOffset) and int32
   * class ids (rows, at idsOffset, each in [0, classes)): shifted = z - rowmax (rows × classes),
   * picked = z[id] - rowmax (rows). Validated as sgemm.
   */
  shiftRows(heap: Uint8Array, rows: number, classes: number, zOffset: number, idsOffset: number, shiftedOffset: number, pickedOffset: number): void;
  /** out[i] = Σ_j x[i·cols + j] added in float32 from j = 0 (tfjs's wasm Sum order), rows values. Validated as sgemm. */
  sumInnerRows(heap: Uint8Array, rows: number, cols: number, xOffset: number, outOffset: number): void;
  /**
   * Softmax cross-entropy gradient: out = (e / sums - onehot(ids)) · scale (rows × classes), each
   * operation rounded to float32 in turn. Validated as sgemm.
   */
  softmaxXentGrad(heap: Uint8Array, rows: number, classes: number, eOffset: number, sumsOffset: number, idsOffset: number, scale: number, outOffset: number): void;
  /**
   * out[i] = a[i mod aCount] op b[i mod bCount] for i < outCount, float32 (op 0 +, 1 −, 2 ×, 3 ÷):
   * each operand has outCount values or repeats along the output (src/elementwise.c). Validated as sgemm.
   */
  binary(heap: Uint8Array, op: number, aOffset: number, aCount: number, bOffset: number, bCount: number, outOffset: number, outCount: number): void;
  /**
   * out[i] = a[Σ i_k·aStrides[k]] op b[Σ i_k·bStrides[k]] over the row-major output of shape
   * outShape (rank 1–6), float32: any broadcast (stride 0). Validated as sgemm.
   */
  binaryStrided(
    heap: Uint8Array,
    op: number,
    aOffset: number,
    aCount: number,
    bOffset: number,
    bCount: number,
    outOffset: number,
    outShape: Int32Array,
    aStrides: Int32Array,
    bStrides: Int32Array,
  ): void;
  /** out = x transposed by perm, row-major 4-byte values of shape xShape (rank 1–6). Validated as sgemm. */
  transpose(heap: Uint8Array, xOffset: number, outOffset: number, xShape: Int32Array, perm: Int32Array): void;
  /** Sets the number of BLAS threads; returns the number in effect. */
  setThreads(n: number): number;
  getThreads(): number;
  info(): { blas: 'openblas' | 'cblas'; config: string };
}

/** The addon, or null when it is not built or failed to load. */
export declare const addon: BlasAddon | null;
/** Why `addon` is null; undefined when it loaded. */
export declare const reason: string | undefined;
/** The OpenBLAS kernels in use (its core name, e.g. 'SkylakeX'); undefined without OpenBLAS. */
export declare const core: string | undefined;
/**
 * Who chose `core`: 'cpu flags' (w2s, from the CPU's instruction sets: see blas-core.cjs),
 * 'OPENBLAS_CORETYPE' (the user), or undefined (OpenBLAS's own detection).
 */
export declare const coreFrom: 'cpu flags' | 'OPENBLAS_CORETYPE' | undefined;
