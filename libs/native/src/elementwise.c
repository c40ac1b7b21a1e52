// w2s native element-wise kernels on the tfjs wasm heap: float32 add/sub/mul/div with the
// broadcasts the models use, and transposes of 4-byte values. Once products run in OpenBLAS,
// these dominate a text-model step (the wasm kernels run them at 0.3-1 Gelem/s).
//
// Results must be bit-identical to the wasm kernels': each output value is one IEEE float
// operation on the same two inputs (exactly rounded, so no freedom), and this file is compiled
// with -ffp-contract=off (binding.gyp) so that nothing is fused. A transpose only moves bits.
//
// Contract as in blas.c: the caller passes byte offsets into the heap (a Uint8Array over the
// wasm memory); every argument is validated before any memory is touched, so a wrong offset or
// shape throws a RangeError instead of writing outside its tensor (the checks shared with blas.c
// are in args.h).
#define NAPI_VERSION 8
#include <node_api.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "elementwise.h"
#include "args.h"



/** A float-aligned byte offset into the heap. */
static bool get_offset(napi_env env, napi_value value, size_t heap_bytes, uint64_t* out) {
  return get_count(env, value, (double)heap_bytes, out) && *out % 4 == 0;
}

/** Whether `count` 4-byte values from offset `off` (itself ≤ heap_bytes) lie inside the heap. */
static bool fits4(uint64_t off, uint64_t count, uint64_t heap_bytes) {
  return count <= (heap_bytes - off) / 4;
}


enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_COUNT };

// One loop per op and broadcast pattern, so that each compiles to a plain vector loop. Outputs
// larger than the L2 cache are written with streaming stores, which skip the cache (no read of
// the output's old lines first): 1.7x faster on [45440, 192]. The SSE ops are the same IEEE
// operations, exactly rounded.
#define STREAM_MIN_FLOATS (1u << 19)  // 2 MiB
#if defined(__SSE2__)
#define STREAM(EXPR, VEXPR, A, B, VA, VB)                                           \
  if (n >= STREAM_MIN_FLOATS) {                                                     \
    for (; ((uintptr_t)(out + i) & 15) != 0; i++) out[i] = EXPR(A, B);             \
    for (; i + 4 <= n; i += 4) _mm_stream_ps(out + i, VEXPR(VA, VB));              \
    _mm_sfence();                                                                   \
  }
#else
#define STREAM(EXPR, VEXPR, A, B, VA, VB)
#endif
#define LOOPS(NAME, EXPR, VEXPR)                                                                           \
  static void NAME##_same(const float* restrict a, const float* restrict b, float* restrict out, uint64_t n) { \
    uint64_t i = 0;                                                                                        \
    STREAM(EXPR, VEXPR, a[i], b[i], _mm_loadu_ps(a + i), _mm_loadu_ps(b + i))                              \
    for (; i < n; i++) out[i] = EXPR(a[i], b[i]);                                                          \
  }                                                                                                        \
  static void NAME##_scalar_b(const float* restrict a, float b, float* restrict out, uint64_t n) {        \
    uint64_t i = 0;                                                                                        \
    STREAM(EXPR, VEXPR, a[i], b, _mm_loadu_ps(a + i), _mm_set1_ps(b))                                      \
    for (; i < n; i++) out[i] = EXPR(a[i], b);                                                             \
  }                                                                                                        \
  static void NAME##_scalar_a(float a, const float* restrict b, float* restrict out, uint64_t n) {        \
    uint64_t i = 0;                                                                                        \
    STREAM(EXPR, VEXPR, a, b[i], _mm_set1_ps(a), _mm_loadu_ps(b + i))                                      \
    for (; i < n; i++) out[i] = EXPR(a, b[i]);                                                             \
  }
#define ADD(x, y) ((x) + (y))
#define SUB(x, y) ((x) - (y))
#define MUL(x, y) ((x) * (y))
#define DIV(x, y) ((x) / (y))
LOOPS(add, ADD, _mm_add_ps)
LOOPS(sub, SUB, _mm_sub_ps)
LOOPS(mul, MUL, _mm_mul_ps)
LOOPS(div, DIV, _mm_div_ps)

typedef void (*same_fn)(const float* restrict, const float* restrict, float* restrict, uint64_t);
typedef void (*scalar_b_fn)(const float* restrict, float, float* restrict, uint64_t);
typedef void (*scalar_a_fn)(float, const float* restrict, float* restrict, uint64_t);
static const same_fn SAME[OP_COUNT] = {add_same, sub_same, mul_same, div_same};
static const scalar_b_fn SCALAR_B[OP_COUNT] = {add_scalar_b, sub_scalar_b, mul_scalar_b, div_scalar_b};
static const scalar_a_fn SCALAR_A[OP_COUNT] = {add_scalar_a, sub_scalar_a, mul_scalar_a, div_scalar_a};

/**
 * binary(heap, op, aOffset, aCount, bOffset, bCount, outOffset, outCount)
 * out[i] = a[i mod aCount] op b[i mod bCount] for i < outCount, float32, op 0 add, 1 sub,
 * 2 mul, 3 div. Each of aCount and bCount must be outCount or divide it: an operand whose shape
 * is a trailing part of the output's (same shape, a scalar, [D] against [.., D]) repeats.
 */
static napi_value binary(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 8) FAIL(env, "binary: expected 8 arguments");
  size_t heap_bytes = 0;
  uint8_t* heap = get_heap(env, argv[0], "binary", &heap_bytes);
  if (heap == NULL) return NULL;
  uint64_t op, a_off, a_n, b_off, b_n, out_off, n;
  if (!get_count(env, argv[1], OP_COUNT - 1, &op)) FAIL(env, "binary: op must be 0 (add), 1 (sub), 2 (mul) or 3 (div)");
  if (!get_offset(env, argv[2], heap_bytes, &a_off)) FAIL(env, "binary: aOffset must be a float-aligned offset into the heap");
  if (!get_offset(env, argv[4], heap_bytes, &b_off)) FAIL(env, "binary: bOffset must be a float-aligned offset into the heap");
  if (!get_offset(env, argv[6], heap_bytes, &out_off)) FAIL(env, "binary: outOffset must be a float-aligned offset into the heap");
  if (!get_count(env, argv[3], 9007199254740991.0, &a_n) || !get_count(env, argv[5], 9007199254740991.0, &b_n) ||
      !get_count(env, argv[7], 9007199254740991.0, &n)) {
    FAIL(env, "binary: counts must be non-negative integers");
  }
  if (n > 0 && (a_n == 0 || b_n == 0 || n % a_n != 0 || n % b_n != 0)) {
    FAIL(env, "binary: operand counts %llu and %llu do not divide the output count %llu", (unsigned long long)a_n, (unsigned long long)b_n, (unsigned long long)n);
  }
  if (n > 0 && a_n != n && b_n != n) FAIL(env, "binary: one operand must have as many values as the output");
  if (!fits4(a_off, a_n, heap_bytes)) FAIL(env, "binary: a does not fit in the heap");
  if (!fits4(b_off, b_n, heap_bytes)) FAIL(env, "binary: b does not fit in the heap");
  if (!fits4(out_off, n, heap_bytes)) FAIL(env, "binary: out does not fit in the heap");
  if (overlaps(out_off, n * 4, a_off, a_n * 4) || overlaps(out_off, n * 4, b_off, b_n * 4)) FAIL(env, "binary: the output overlaps an input");
  if (n == 0) return NULL;

  const float* a = (const float*)(heap + a_off);
  const float* b = (const float*)(heap + b_off);
  float* out = (float*)(heap + out_off);
  if (a_n == n && b_n == n) {
    SAME[op](a, b, out, n);
  } else if (b_n == 1) {
    SCALAR_B[op](a, b[0], out, n);
  } else if (a_n == 1) {
    SCALAR_A[op](a[0], b, out, n);
  } else if (b_n < n) {  // a full, b repeats every b_n values
    for (uint64_t s = 0; s < n; s += b_n) SAME[op](a + s, b, out + s, b_n);
  } else {  // b full, a repeats
    for (uint64_t s = 0; s < n; s += a_n) SAME[op](a, b + s, out + s, a_n);
  }
  return NULL;
}

#define MAX_RANK 6

/** out[j] = a[j·sa] op b[j·sb] for j < n, any strides (the fallback of binaryStrided's rows). */
static void strided_row(uint64_t op, const float* a, int64_t sa, const float* b, int64_t sb, float* out, uint64_t n) {
  for (uint64_t j = 0; j < n; j++) {
    const float x = a[j * sa], y = b[j * sb];
    out[j] = op == OP_ADD ? ADD(x, y) : op == OP_SUB ? SUB(x, y) : op == OP_MUL ? MUL(x, y) : DIV(x, y);
  }
}

/**
 * binaryStrided(heap, op, aOffset, aCount, bOffset, bCount, outOffset, outShape, aStrides, bStrides)
 * out[i] = a[Σ i_k·aStrides[k]] op b[Σ i_k·bStrides[k]] over the row-major output of shape
 * outShape (rank 1–6), float32: a broadcast is a stride of 0 (layer norm's [N, D] − [N, 1], an
 * attention mask [B, H, T, T] + [B, 1, 1, T]). Every index reached must be below aCount/bCount.
 */
static napi_value binary_strided(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 10) FAIL(env, "binaryStrided: expected 10 arguments");
  size_t heap_bytes = 0;
  uint8_t* heap = get_heap(env, argv[0], "binaryStrided", &heap_bytes);
  if (heap == NULL) return NULL;
  uint64_t op, a_off, a_n, b_off, b_n, out_off;
  if (!get_count(env, argv[1], OP_COUNT - 1, &op)) FAIL(env, "binaryStrided: op must be 0 (add), 1 (sub), 2 (mul) or 3 (div)");
  if (!get_offset(env, argv[2], heap_bytes, &a_off)) FAIL(env, "binaryStrided: aOffset must be a float-aligned offset into the heap");
  if (!get_offset(env, argv[4], heap_bytes, &b_off)) FAIL(env, "binaryStrided: bOffset must be a float-aligned offset into the heap");
  if (!get_offset(env, argv[6], heap_bytes, &out_off)) FAIL(env, "binaryStrided: outOffset must be a float-aligned offset into the heap");
  if (!get_count(env, argv[3], 9007199254740991.0, &a_n) || !get_count(env, argv[5], 9007199254740991.0, &b_n)) FAIL(env, "binaryStrided: counts must be non-negative integers");
  const int32_t *shape, *as, *bs;
  size_t rank, rank_a, rank_b;
  if (!get_int32_array(env, argv[7], &shape, &rank)) FAIL(env, "binaryStrided: outShape must be an Int32Array");
  if (!get_int32_array(env, argv[8], &as, &rank_a)) FAIL(env, "binaryStrided: aStrides must be an Int32Array");
  if (!get_int32_array(env, argv[9], &bs, &rank_b)) FAIL(env, "binaryStrided: bStrides must be an Int32Array");
  if (rank < 1 || rank > MAX_RANK || rank_a != rank || rank_b != rank) FAIL(env, "binaryStrided: outShape and the strides must have the same length, 1 to %d", MAX_RANK);
  uint64_t n = 1, a_last = 0, b_last = 0;  // the output's size; the largest index read in a and b
  for (size_t k = 0; k < rank; k++) {
    if (shape[k] < 0 || as[k] < 0 || bs[k] < 0) FAIL(env, "binaryStrided: axis %zu: negative size or stride", k);
    if (__builtin_mul_overflow(n, (uint64_t)shape[k], &n)) FAIL(env, "binaryStrided: out is too large");
    if (shape[k] > 0) {
      a_last += (uint64_t)(shape[k] - 1) * (uint64_t)as[k];
      b_last += (uint64_t)(shape[k] - 1) * (uint64_t)bs[k];
    }
  }
  if (n > 0 && (a_last >= a_n || b_last >= b_n)) FAIL(env, "binaryStrided: the strides reach past an operand's %llu or %llu values", (unsigned long long)a_n, (unsigned long long)b_n);
  if (!fits4(a_off, a_n, heap_bytes)) FAIL(env, "binaryStrided: a does not fit in the heap");
  if (!fits4(b_off, b_n, heap_bytes)) FAIL(env, "binaryStrided: b does not fit in the heap");
  if (!fits4(out_off, n, heap_bytes)) FAIL(env, "binaryStrided: out does not fit in the heap");
  if (overlaps(out_off, n * 4, a_off, a_n * 4) || overlaps(out_off, n * 4, b_off, b_n * 4)) FAIL(env, "binaryStrided: the output overlaps an input");
  if (n == 0) return NULL;

  const float* a = (const float*)(heap + a_off);
  const float* b = (const float*)(heap + b_off);
  float* out = (float*)(heap + out_off);
  // Rows along the last axis, each by the plain vector loops where the strides allow.
  const size_t last = rank - 1;
  const uint64_t cols = (uint64_t)shape[last];
  const int64_t sa = as[last], sb = bs[last];
  int64_t idx[MAX_RANK] = {0};
  for (uint64_t row = 0; row < n / cols; row++) {
    int64_t ao = 0, bo = 0;
    for (size_t k = 0; k < last; k++) {
      ao += idx[k] * as[k];
      bo += idx[k] * bs[k];
    }
    float* o = out + row * cols;
    if (sa == 1 && sb == 1) SAME[op](a + ao, b + bo, o, cols);
    else if (sa == 1 && sb == 0) SCALAR_B[op](a + ao, b[bo], o, cols);
    else if (sa == 0 && sb == 1) SCALAR_A[op](a[ao], b + bo, o, cols);
    else strided_row(op, a + ao, sa, b + bo, sb, o, cols);
    for (int64_t k = (int64_t)last - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return NULL;
}
#define TILE 16

#if defined(__SSE2__)
/** out[i·os + j] = x[j·xs + i] for a 4×4 block, in SSE registers (x86-64 always has SSE2). */
static inline void transpose4x4(const uint32_t* x, uint64_t xs, uint32_t* out, uint64_t os) {
  __m128 r0 = _mm_loadu_ps((const float*)x), r1 = _mm_loadu_ps((const float*)(x + xs));
  __m128 r2 = _mm_loadu_ps((const float*)(x + 2 * xs)), r3 = _mm_loadu_ps((const float*)(x + 3 * xs));
  _MM_TRANSPOSE4_PS(r0, r1, r2, r3);  // shuffles: the bits are moved, never read as floats
  _mm_storeu_ps((float*)out, r0);
  _mm_storeu_ps((float*)(out + os), r1);
  _mm_storeu_ps((float*)(out + 2 * os), r2);
  _mm_storeu_ps((float*)(out + 3 * os), r3);
}
#endif

/**
 * The 2-D core of a transpose: out[i·os + j] = x[j·xs + i] for i < rows, j < cols, in 16×16
 * tiles (both the reads and the writes stay within a few cache lines) of 4×4 register blocks:
 * 2.5× faster than element by element on [45440, 192].
 */
static void transpose2d(const uint32_t* restrict x, uint64_t xs, uint32_t* restrict out, uint64_t os, uint64_t rows, uint64_t cols) {
  for (uint64_t i0 = 0; i0 < rows; i0 += TILE) {
    const uint64_t i1 = i0 + TILE < rows ? i0 + TILE : rows;
    for (uint64_t j0 = 0; j0 < cols; j0 += TILE) {
      const uint64_t j1 = j0 + TILE < cols ? j0 + TILE : cols;
      uint64_t i = i0;
#if defined(__SSE2__)
      for (; i + 4 <= i1; i += 4) {
        uint64_t j = j0;
        for (; j + 4 <= j1; j += 4) transpose4x4(x + j * xs + i, xs, out + i * os + j, os);
        for (; j < j1; j++) {
          for (uint64_t k = i; k < i + 4; k++) out[k * os + j] = x[j * xs + k];
        }
      }
#endif
      for (; i < i1; i++) {
        for (uint64_t j = j0; j < j1; j++) out[i * os + j] = x[j * xs + i];
      }
    }
  }
}

/**
 * transpose(heap, xOffset, outOffset, xShape, perm)
 * out = x transposed by perm (out axis i is x axis perm[i]), row-major 4-byte values (float32 or
 * int32; the bits are moved, not read), rank 1 to 6.
 */
static napi_value transpose(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) FAIL(env, "transpose: expected 5 arguments");
  size_t heap_bytes = 0;
  uint8_t* heap = get_heap(env, argv[0], "transpose", &heap_bytes);
  if (heap == NULL) return NULL;
  uint64_t x_off, out_off;
  if (!get_offset(env, argv[1], heap_bytes, &x_off)) FAIL(env, "transpose: xOffset must be a float-aligned offset into the heap");
  if (!get_offset(env, argv[2], heap_bytes, &out_off)) FAIL(env, "transpose: outOffset must be a float-aligned offset into the heap");
  const int32_t *shape_in, *perm_in;
  size_t rank_in, rank_p;
  if (!get_int32_array(env, argv[3], &shape_in, &rank_in)) FAIL(env, "transpose: xShape must be an Int32Array");
  if (!get_int32_array(env, argv[4], &perm_in, &rank_p)) FAIL(env, "transpose: perm must be an Int32Array");
  if (rank_in < 1 || rank_in > MAX_RANK || rank_p != rank_in) FAIL(env, "transpose: xShape and perm must have the same length, 1 to %d", MAX_RANK);
  bool seen[MAX_RANK] = {false};
  uint64_t count = 1;
  for (size_t i = 0; i < rank_in; i++) {
    if (shape_in[i] < 0) FAIL(env, "transpose: xShape[%zu] = %d is negative", i, shape_in[i]);
    if (perm_in[i] < 0 || (size_t)perm_in[i] >= rank_in || seen[perm_in[i]]) FAIL(env, "transpose: perm is not a permutation of 0..%zu", rank_in - 1);
    seen[perm_in[i]] = true;
    if (__builtin_mul_overflow(count, (uint64_t)shape_in[i], &count)) FAIL(env, "transpose: x is too large");
  }
  if (!fits4(x_off, count, heap_bytes)) FAIL(env, "transpose: x does not fit in the heap");
  if (!fits4(out_off, count, heap_bytes)) FAIL(env, "transpose: out does not fit in the heap");
  if (overlaps(out_off, count * 4, x_off, count * 4)) FAIL(env, "transpose: the output overlaps the input");
  if (count == 0) return NULL;

  // Drop axes of size 1, then merge runs of x axes that stay adjacent and in order in the output:
  // [710, 64, 4, 48] by [0, 2, 1, 3] stays rank 4, a plain 2-D transpose by [1, 0] stays rank 2.
  int64_t dims[MAX_RANK];
  int map[MAX_RANK];  // x axis -> its index among the kept axes, or -1
  size_t rank = 0;
  for (size_t i = 0; i < rank_in; i++) map[i] = shape_in[i] == 1 ? -1 : (int)rank++;
  int perm1[MAX_RANK];
  size_t r1 = 0;
  for (size_t i = 0; i < rank_in; i++) {
    if (map[perm_in[i]] >= 0) perm1[r1++] = map[perm_in[i]];
  }
  for (size_t i = 0, k = 0; i < rank_in; i++) {
    if (map[i] >= 0) dims[k++] = shape_in[i];
  }
  // Merge: output axes i and i+1 are merged when perm1[i+1] == perm1[i] + 1.
  int64_t mdims_x[MAX_RANK];  // merged x dims, by merged x axis
  int perm[MAX_RANK];         // merged perm
  int group_of[MAX_RANK];     // kept x axis -> merged group (in output order)
  size_t groups = 0;
  for (size_t i = 0; i < r1; i++) {
    if (i == 0 || perm1[i] != perm1[i - 1] + 1) groups++;
    group_of[perm1[i]] = (int)groups - 1;
  }
  // Merged x axes in x order: each group's first kept x axis, sorted; their sizes are products.
  size_t mrank = 0;
  int x_group[MAX_RANK];  // merged x axis -> group
  for (size_t k = 0; k < r1; k++) {
    if (k == 0 || group_of[k] != group_of[k - 1]) {
      x_group[mrank] = group_of[k];
      mdims_x[mrank] = dims[k];
      mrank++;
    } else {
      mdims_x[mrank - 1] *= dims[k];
    }
  }
  for (size_t g = 0; g < groups; g++) {
    for (size_t m = 0; m < mrank; m++) {
      if ((size_t)x_group[m] == g) perm[g] = (int)m;
    }
  }

  const uint32_t* x = (const uint32_t*)(heap + x_off);
  uint32_t* out = (uint32_t*)(heap + out_off);
  if (mrank <= 1) {
    memcpy(out, x, count * 4);
    return NULL;
  }
  // Strides: of x (row-major in x order), and of the output's axes (row-major in output order).
  int64_t xstride[MAX_RANK], odims[MAX_RANK], ostride[MAX_RANK], xs_of_out[MAX_RANK];
  for (int64_t m = (int64_t)mrank - 1, s = 1; m >= 0; m--) {
    xstride[m] = s;
    s *= mdims_x[m];
  }
  for (size_t i = 0; i < mrank; i++) {
    odims[i] = mdims_x[perm[i]];
    xs_of_out[i] = xstride[perm[i]];
  }
  for (int64_t i = (int64_t)mrank - 1, s = 1; i >= 0; i--) {
    ostride[i] = s;
    s *= odims[i];
  }
  // The innermost work: when the output's last axis is x's last (as in [0, 2, 1, 3]), contiguous
  // rows are copied; otherwise the 2-D core pairs the output's last axis (cols, x stride
  // xs_of_out[last]) with the output axis `pa` that is x's last (x stride 1), in tiles.
  const size_t last = mrank - 1;
  size_t pa = 0;
  while ((size_t)perm[pa] != mrank - 1) pa++;
  const int64_t rows = odims[pa], cols = odims[last];
  const int64_t os = ostride[pa], xs = xs_of_out[last];
  // An odometer over the other output axes.
  int64_t idx[MAX_RANK] = {0};
  for (;;) {
    int64_t xo = 0, oo = 0;
    for (size_t i = 0; i < mrank; i++) {
      if (i == pa || i == last) continue;
      xo += idx[i] * xs_of_out[i];
      oo += idx[i] * ostride[i];
    }
    if (pa == last) {
      memcpy(out + oo, x + xo, (size_t)cols * 4);
    } else {
      transpose2d(x + xo, (uint64_t)xs, out + oo, (uint64_t)os, (uint64_t)rows, (uint64_t)cols);
    }
    int64_t i = (int64_t)mrank - 1;
    for (; i >= 0; i--) {
      if ((size_t)i == pa || (size_t)i == last) continue;
      if (++idx[i] < odims[i]) break;
      idx[i] = 0;
    }
    if (i < 0) break;
  }
  return NULL;
}

void w2s_define_elementwise(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"binary", NULL, binary, NULL, NULL, NULL, napi_enumerable, NULL},
      {"binaryStrided", NULL, binary_strided, NULL, NULL, NULL, napi_enumerable, NULL},
      {"transpose", NULL, transpose, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
