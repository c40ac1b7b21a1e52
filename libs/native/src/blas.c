// w2s native BLAS addon: single-precision matrix products computed by cblas_sgemm directly on
// the tfjs wasm heap (a Uint8Array over the wasm memory), with no copies; plus the two kernels
// that dominate a train step once products are fast and that the wasm backend does slowly: the
// sum over leading axes (bias gradients), the max-pooling gradient, and strided slices; and the
// fused element-wise kernels of a text train step (Adam, softmax cross-entropy), each rounding
// like the tfjs op sequence it replaces (this file is built with -ffp-contract=off).
//
// The caller passes byte offsets into that heap. Every argument is validated here before BLAS
// runs, so a wrong offset or shape throws a JS error instead of writing outside its tensor:
// offsets must be float-aligned, every matrix must lie inside the heap, every batch index must
// name an existing matrix, and the output must not overlap an input. The heap is taken afresh
// from the arguments on every call (wasm memory grows, which replaces its buffer) and no
// reference to any JS value is kept once a call returns.
#define NAPI_VERSION 8
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elementwise.h"
#include "args.h"

#define MAX_DIM 2147483647.0 // BLAS takes int dimensions


#define CHECK(env, call, what) \
  if ((call) != napi_ok) FAIL(env, "sgemm: %s", what)


/** bytes = count · rows · cols · 4, false on overflow. */
static bool matrix_bytes(uint64_t count, uint64_t rows, uint64_t cols, uint64_t* bytes) {
  uint64_t r;
  if (__builtin_mul_overflow(count, rows, &r)) return false;
  if (__builtin_mul_overflow(r, cols, &r)) return false;
  if (__builtin_mul_overflow(r, (uint64_t)4, &r)) return false;
  *bytes = r;
  return true;
}

/** Whether `bytes` bytes from offset `off` (itself ≤ heap_bytes, checked) lie inside the heap; no overflow. */
static bool fits(uint64_t off, uint64_t bytes, uint64_t heap_bytes) {
  return bytes <= heap_bytes - off;
}


/**
 * sgemm(heap, transposeA, transposeB, m, n, k, aOffset, aCount, bOffset, bCount, cOffset,
 *       aIndex, bIndex)
 * For i < batch = aIndex.length: C[i] = op(A[aIndex[i]]) · op(B[bIndex[i]]), row-major float32,
 * where A holds aCount matrices (each m×k, or k×m when transposed) at byte aOffset of heap, B
 * holds bCount matrices (k×n, or n×k) at bOffset, and C is batch matrices m×n at cOffset.
 */
static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call");
  if (argc != 13) FAIL(env, "sgemm: expected 13 arguments, got %zu", argc);

  bool is_typed = false;
  napi_typedarray_type heap_type;
  size_t heap_bytes = 0;
  void* heap_ptr = NULL;
  CHECK(env, napi_is_typedarray(env, argv[0], &is_typed), "heap is not a typed array");
  if (!is_typed) FAIL(env, "sgemm: heap must be a Uint8Array over the wasm memory");
  CHECK(env, napi_get_typedarray_info(env, argv[0], &heap_type, &heap_bytes, &heap_ptr, NULL, NULL), "heap info");
  if (heap_type != napi_uint8_array) FAIL(env, "sgemm: heap must be a Uint8Array over the wasm memory");
  uint8_t* heap = (uint8_t*)heap_ptr;

  bool trans_a = false, trans_b = false;
  if (napi_get_value_bool(env, argv[1], &trans_a) != napi_ok) FAIL(env, "sgemm: transposeA must be a boolean");
  if (napi_get_value_bool(env, argv[2], &trans_b) != napi_ok) FAIL(env, "sgemm: transposeB must be a boolean");

  static const char* names[] = {"", "", "", "m", "n", "k", "aOffset", "aCount", "bOffset", "bCount", "cOffset"};
  uint64_t v[11];
  for (int i = 3; i <= 10; i++) {
    bool is_offset = i == 6 || i == 8 || i == 10;
    if (!get_count(env, argv[i], is_offset ? (double)heap_bytes : MAX_DIM, &v[i])) {
      FAIL(env, "sgemm: %s must be an integer in [0, %s]", names[i], is_offset ? "heap size" : "2^31 - 1");
    }
    if (is_offset && v[i] % 4 != 0) FAIL(env, "sgemm: %s %llu is not float-aligned", names[i], (unsigned long long)v[i]);
  }
  const uint64_t m = v[3], n = v[4], k = v[5];
  const uint64_t a_off = v[6], a_count = v[7], b_off = v[8], b_count = v[9], c_off = v[10];

  const int32_t *a_index = NULL, *b_index = NULL;
  size_t batch = 0, b_batch = 0;
  if (!get_int32_array(env, argv[11], &a_index, &batch)) FAIL(env, "sgemm: aIndex must be an Int32Array");
  if (!get_int32_array(env, argv[12], &b_index, &b_batch)) FAIL(env, "sgemm: bIndex must be an Int32Array");
  if (batch != b_batch) FAIL(env, "sgemm: aIndex has %zu entries but bIndex has %zu", batch, b_batch);
  for (size_t i = 0; i < batch; i++) {
    if (a_index[i] < 0 || (uint64_t)a_index[i] >= a_count) FAIL(env, "sgemm: aIndex[%zu] = %d is not below aCount %llu", i, a_index[i], (unsigned long long)a_count);
    if (b_index[i] < 0 || (uint64_t)b_index[i] >= b_count) FAIL(env, "sgemm: bIndex[%zu] = %d is not below bCount %llu", i, b_index[i], (unsigned long long)b_count);
  }

  uint64_t a_bytes, b_bytes, c_bytes;
  if (!matrix_bytes(a_count, m, k, &a_bytes) || !fits(a_off, a_bytes, heap_bytes)) FAIL(env, "sgemm: A (%llu matrices %llux%llu at byte %llu) does not fit in the heap", (unsigned long long)a_count, (unsigned long long)m, (unsigned long long)k, (unsigned long long)a_off);
  if (!matrix_bytes(b_count, k, n, &b_bytes) || !fits(b_off, b_bytes, heap_bytes)) FAIL(env, "sgemm: B (%llu matrices %llux%llu at byte %llu) does not fit in the heap", (unsigned long long)b_count, (unsigned long long)k, (unsigned long long)n, (unsigned long long)b_off);
  if (!matrix_bytes(batch, m, n, &c_bytes) || !fits(c_off, c_bytes, heap_bytes)) FAIL(env, "sgemm: C (%zu matrices %llux%llu at byte %llu) does not fit in the heap", batch, (unsigned long long)m, (unsigned long long)n, (unsigned long long)c_off);
  if (overlaps(c_off, c_bytes, a_off, a_bytes) || overlaps(c_off, c_bytes, b_off, b_bytes)) FAIL(env, "sgemm: the output overlaps an input");

  const float* a = (const float*)(heap + a_off);
  const float* b = (const float*)(heap + b_off);
  float* c = (float*)(heap + c_off);
  if (m > 0 && n > 0) {
    for (size_t i = 0; i < batch; i++) {
      float* ci = c + i * m * n;
      // BLAS needs k ≥ 1 (a leading dimension of 0 is an error); an empty sum is 0.
      if (k == 0) {
        memset(ci, 0, m * n * sizeof(float));
        continue;
      }
      cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                  (int)m, (int)n, (int)k, 1.0f, a + (uint64_t)a_index[i] * m * k, trans_a ? (int)m : (int)k,
                  b + (uint64_t)b_index[i] * k * n, trans_b ? (int)k : (int)n, 0.0f, ci, (int)n);
    }
  }
  return NULL;
}

/**
 * sumRows(heap, xOffset, rows, cols, outOffset): out[j] = Σ_i x[i·cols + j], float32 row-major.
 * The reduction of a tensor's leading axes (e.g. a bias gradient: dy [batch, units] summed over
 * the batch), which the wasm backend does by transposing first. Validated like sgemm.
 */
static napi_value sum_rows(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call");
  if (argc != 5) FAIL(env, "sumRows: expected 5 arguments, got %zu", argc);

  bool is_typed = false;
  napi_typedarray_type heap_type;
  size_t heap_bytes = 0;
  void* heap_ptr = NULL;
  CHECK(env, napi_is_typedarray(env, argv[0], &is_typed), "heap is not a typed array");
  if (!is_typed) FAIL(env, "sumRows: heap must be a Uint8Array over the wasm memory");
  CHECK(env, napi_get_typedarray_info(env, argv[0], &heap_type, &heap_bytes, &heap_ptr, NULL, NULL), "heap info");
  if (heap_type != napi_uint8_array) FAIL(env, "sumRows: heap must be a Uint8Array over the wasm memory");

  static const char* names[] = {"", "xOffset", "rows", "cols", "outOffset"};
  uint64_t v[5];
  for (int i = 1; i <= 4; i++) {
    bool is_offset = i == 1 || i == 4;
    if (!get_count(env, argv[i], is_offset ? (double)heap_bytes : MAX_DIM, &v[i])) {
      FAIL(env, "sumRows: %s must be an integer in [0, %s]", names[i], is_offset ? "heap size" : "2^31 - 1");
    }
    if (is_offset && v[i] % 4 != 0) FAIL(env, "sumRows: %s %llu is not float-aligned", names[i], (unsigned long long)v[i]);
  }
  const uint64_t x_off = v[1], rows = v[2], cols = v[3], out_off = v[4];
  uint64_t x_bytes, out_bytes;
  if (!matrix_bytes(1, rows, cols, &x_bytes) || !fits(x_off, x_bytes, heap_bytes)) FAIL(env, "sumRows: x (%llux%llu at byte %llu) does not fit in the heap", (unsigned long long)rows, (unsigned long long)cols, (unsigned long long)x_off);
  if (!matrix_bytes(1, 1, cols, &out_bytes) || !fits(out_off, out_bytes, heap_bytes)) FAIL(env, "sumRows: out (%llu values at byte %llu) does not fit in the heap", (unsigned long long)cols, (unsigned long long)out_off);
  if (overlaps(out_off, out_bytes, x_off, x_bytes)) FAIL(env, "sumRows: the output overlaps the input");

  const float* x = (const float*)((uint8_t*)heap_ptr + x_off);
  float* out = (float*)((uint8_t*)heap_ptr + out_off);
  memset(out, 0, cols * sizeof(float));
  for (uint64_t i = 0; i < rows; i++) {
    const float* row = x + i * cols;
    for (uint64_t j = 0; j < cols; j++) out[j] += row[j];
  }
  return NULL;
}

/**
 * maxPoolGrad(heap, xOffset, dyOffset, dxOffset, batch, channels, inH, inW, outH, outW,
 *             strideH, strideW, filterH, filterW, padTop, padLeft)
 * The gradient of max pooling over NHWC float32 x: each dy value goes to the position of its
 * window's maximum, the first in row-major window order on ties (as tfjs's cpu and wasm kernels
 * do); dx has x's shape. Validated like sgemm.
 */
static napi_value max_pool_grad(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call");
  if (argc != 16) FAIL(env, "maxPoolGrad: expected 16 arguments, got %zu", argc);

  bool is_typed = false;
  napi_typedarray_type heap_type;
  size_t heap_bytes = 0;
  void* heap_ptr = NULL;
  CHECK(env, napi_is_typedarray(env, argv[0], &is_typed), "heap is not a typed array");
  if (!is_typed) FAIL(env, "maxPoolGrad: heap must be a Uint8Array over the wasm memory");
  CHECK(env, napi_get_typedarray_info(env, argv[0], &heap_type, &heap_bytes, &heap_ptr, NULL, NULL), "heap info");
  if (heap_type != napi_uint8_array) FAIL(env, "maxPoolGrad: heap must be a Uint8Array over the wasm memory");

  static const char* names[] = {"",      "xOffset", "dyOffset", "dxOffset", "batch",   "channels", "inH",    "inW",
                                "outH",  "outW",    "strideH",  "strideW",  "filterH", "filterW",  "padTop", "padLeft"};
  uint64_t v[16];
  for (int i = 1; i <= 15; i++) {
    bool is_offset = i <= 3;
    if (!get_count(env, argv[i], is_offset ? (double)heap_bytes : MAX_DIM, &v[i])) {
      FAIL(env, "maxPoolGrad: %s must be an integer in [0, %s]", names[i], is_offset ? "heap size" : "2^31 - 1");
    }
    if (is_offset && v[i] % 4 != 0) FAIL(env, "maxPoolGrad: %s %llu is not float-aligned", names[i], (unsigned long long)v[i]);
  }
  const uint64_t x_off = v[1], dy_off = v[2], dx_off = v[3], batch = v[4], ch = v[5], in_h = v[6], in_w = v[7];
  const uint64_t out_h = v[8], out_w = v[9], stride_h = v[10], stride_w = v[11], filter_h = v[12], filter_w = v[13];
  const int64_t pad_top = (int64_t)v[14], pad_left = (int64_t)v[15];
  if (stride_h == 0 || stride_w == 0) FAIL(env, "maxPoolGrad: strides must be positive");

  uint64_t x_bytes, dy_bytes, rows;
  if (__builtin_mul_overflow(batch, in_h, &rows) || !matrix_bytes(rows, in_w, ch, &x_bytes) || !fits(x_off, x_bytes, heap_bytes)) FAIL(env, "maxPoolGrad: x does not fit in the heap");
  if (!fits(dx_off, x_bytes, heap_bytes)) FAIL(env, "maxPoolGrad: dx does not fit in the heap");
  if (__builtin_mul_overflow(batch, out_h, &rows) || !matrix_bytes(rows, out_w, ch, &dy_bytes) || !fits(dy_off, dy_bytes, heap_bytes)) FAIL(env, "maxPoolGrad: dy does not fit in the heap");
  if (overlaps(dx_off, x_bytes, x_off, x_bytes) || overlaps(dx_off, x_bytes, dy_off, dy_bytes)) FAIL(env, "maxPoolGrad: the output overlaps an input");

  const float* x = (const float*)((uint8_t*)heap_ptr + x_off);
  const float* dy = (const float*)((uint8_t*)heap_ptr + dy_off);
  float* dx = (float*)((uint8_t*)heap_ptr + dx_off);
  memset(dx, 0, x_bytes);
  if (ch == 0 || dy_bytes == 0) return NULL;
  // Window offsets are kept as int32 (they vectorize); the caller keeps filterH·inW·channels < 2^31.
  uint64_t span;
  if (__builtin_mul_overflow(filter_h + 1, in_w, &span) || __builtin_mul_overflow(span, ch, &span) || span >= 2147483648ULL) {
    FAIL(env, "maxPoolGrad: a pooling window spans more than 2^31 values");
  }
  float* restrict best = malloc(ch * sizeof(float));
  int32_t* restrict where = malloc(ch * sizeof(int32_t));  // offset of the maximum from the window's corner
  if (best == NULL || where == NULL) {
    free(best);
    free(where);
    FAIL(env, "maxPoolGrad: out of memory");
  }
  const int64_t row = (int64_t)in_w * (int64_t)ch;
  for (uint64_t b = 0; b < batch; b++) {
    for (uint64_t yr = 0; yr < out_h; yr++) {
      for (uint64_t yc = 0; yc < out_w; yc++) {
        const int64_t r0 = (int64_t)(yr * stride_h) - pad_top, c0 = (int64_t)(yc * stride_w) - pad_left;
        // Where the window's corner would be (possibly in the padding, outside x).
        const int64_t corner = ((int64_t)b * (int64_t)in_h + r0) * row + c0 * (int64_t)ch;
        for (uint64_t d = 0; d < ch; d++) {
          best[d] = -INFINITY;
          where[d] = -1;
        }
        for (int64_t fr = 0; fr < (int64_t)filter_h; fr++) {
          if (r0 + fr < 0 || r0 + fr >= (int64_t)in_h) continue;
          for (int64_t fc = 0; fc < (int64_t)filter_w; fc++) {
            if (c0 + fc < 0 || c0 + fc >= (int64_t)in_w) continue;
            const int32_t rel = (int32_t)(fr * row + fc * (int64_t)ch);
            const float* restrict px = x + corner + rel;
            // Branch-free with a bit mask, so it vectorizes. Strict '>': the first maximum wins;
            // NaN never does.
            for (uint64_t d = 0; d < ch; d++) {
              const float v = px[d], m = best[d];
              const int32_t take = -(int32_t)(v > m);  // all ones or zero
              best[d] = v > m ? v : m;
              where[d] = (rel & take) | (where[d] & ~take);
            }
          }
        }
        const float* pdy = dy + ((b * out_h + yr) * out_w + yc) * ch;
        for (uint64_t d = 0; d < ch; d++) {
          if (where[d] >= 0) dx[corner + where[d] + (int64_t)d] += pdy[d];
        }
      }
    }
  }
  free(best);
  free(where);
  return NULL;
}

/**
 * slice(heap, xOffset, outOffset, xShape, begin, size): out = x[begin : begin + size] for a
 * row-major tensor of 4-byte values (float32 or int32) of any rank ≤ 8, one memcpy per run of
 * contiguous values. xShape, begin and size are Int32Arrays of the same length. Validated like sgemm.
 */
static napi_value slice(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call");
  if (argc != 6) FAIL(env, "slice: expected 6 arguments, got %zu", argc);

  bool is_typed = false;
  napi_typedarray_type heap_type;
  size_t heap_bytes = 0;
  void* heap_ptr = NULL;
  CHECK(env, napi_is_typedarray(env, argv[0], &is_typed), "heap is not a typed array");
  if (!is_typed) FAIL(env, "slice: heap must be a Uint8Array over the wasm memory");
  CHECK(env, napi_get_typedarray_info(env, argv[0], &heap_type, &heap_bytes, &heap_ptr, NULL, NULL), "heap info");
  if (heap_type != napi_uint8_array) FAIL(env, "slice: heap must be a Uint8Array over the wasm memory");

  uint64_t x_off, out_off;
  if (!get_count(env, argv[1], (double)heap_bytes, &x_off) || x_off % 4 != 0) FAIL(env, "slice: xOffset must be a float-aligned offset into the heap");
  if (!get_count(env, argv[2], (double)heap_bytes, &out_off) || out_off % 4 != 0) FAIL(env, "slice: outOffset must be a float-aligned offset into the heap");
  const int32_t *shape, *begin, *size;
  size_t rank, rank_b, rank_s;
  if (!get_int32_array(env, argv[3], &shape, &rank)) FAIL(env, "slice: xShape must be an Int32Array");
  if (!get_int32_array(env, argv[4], &begin, &rank_b)) FAIL(env, "slice: begin must be an Int32Array");
  if (!get_int32_array(env, argv[5], &size, &rank_s)) FAIL(env, "slice: size must be an Int32Array");
  if (rank < 1 || rank > 8 || rank_b != rank || rank_s != rank) FAIL(env, "slice: xShape, begin and size must have the same length, 1 to 8");

  uint64_t x_count = 1, out_count = 1;
  for (size_t i = 0; i < rank; i++) {
    if (shape[i] < 0 || begin[i] < 0 || size[i] < 0 || (int64_t)begin[i] + size[i] > shape[i]) {
      FAIL(env, "slice: axis %zu: begin %d + size %d is outside [0, %d]", i, begin[i], size[i], shape[i]);
    }
    if (__builtin_mul_overflow(x_count, (uint64_t)shape[i], &x_count)) FAIL(env, "slice: x is too large");
    out_count *= (uint64_t)size[i];  // ≤ x_count: no overflow
  }
  uint64_t x_bytes, out_bytes;
  if (!matrix_bytes(1, 1, x_count, &x_bytes) || !fits(x_off, x_bytes, heap_bytes)) FAIL(env, "slice: x does not fit in the heap");
  if (!matrix_bytes(1, 1, out_count, &out_bytes) || !fits(out_off, out_bytes, heap_bytes)) FAIL(env, "slice: out does not fit in the heap");
  if (overlaps(out_off, out_bytes, x_off, x_bytes)) FAIL(env, "slice: the output overlaps the input");
  if (out_count == 0) return NULL;

  // Copy runs: the innermost axes that are taken whole form one contiguous run with the first
  // axis (from the end) that is cut.
  size_t inner = rank - 1;
  uint64_t run = (uint64_t)size[inner];
  while (inner > 0 && size[inner] == shape[inner]) {
    inner--;
    run *= (uint64_t)size[inner];
  }
  uint64_t strides[8];
  strides[rank - 1] = 1;
  for (size_t i = rank - 1; i > 0; i--) strides[i - 1] = strides[i] * (uint64_t)shape[i];
  const uint32_t* x = (const uint32_t*)((uint8_t*)heap_ptr + x_off);
  uint32_t* out = (uint32_t*)((uint8_t*)heap_ptr + out_off);
  uint64_t index[8] = {0};  // position among the outer axes 0..inner-1
  for (uint64_t copied = 0; copied < out_count; copied += run) {
    uint64_t from = (uint64_t)begin[inner] * strides[inner];
    for (size_t i = 0; i < inner; i++) from += ((uint64_t)begin[i] + index[i]) * strides[i];
    memcpy(out + copied, x + from, run * 4);
    for (size_t i = inner; i-- > 0;) {
      if (++index[i] < (uint64_t)size[i]) break;
      index[i] = 0;
    }
  }
  return NULL;
}

/**
 * adamStep(heap, count, pOffset, mOffset, vOffset, gOffset, outPOffset, outMOffset, outVOffset, consts)
 * One Adam/AdamW update of `count` float32 parameters (libs/core/src/adam.ts), element by element
 * in the order of tfjs's op sequence, every intermediate rounded to float32 as each tfjs kernel
 * does (this file is compiled with -ffp-contract=off: no fused multiply-adds), so the result is
 * bit-identical to the op-by-op update. consts is a Float32Array of the update's scalars, rounded
 * to float32 by the caller as tfjs rounds a number it makes into a scalar tensor:
 * [beta1, 1 - beta1, beta2, 1 - beta2, 1 - lr·weightDecay, 1 - beta1^t, 1 - beta2^t, eps, lr,
 * useDecay (0 or 1)]. The outputs may not overlap the inputs or each other. Validated like sgemm.
 */
static napi_value adam_step(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call");
  if (argc != 10) FAIL(env, "adamStep: expected 10 arguments, got %zu", argc);

  bool is_typed = false;
  napi_typedarray_type heap_type;
  size_t heap_bytes = 0;
  void* heap_ptr = NULL;
  CHECK(env, napi_is_typedarray(env, argv[0], &is_typed), "heap is not a typed array");
  if (!is_typed) FAIL(env, "adamStep: heap must be a Uint8Array over the wasm memory");
  CHECK(env, napi_get_typedarray_info(env, argv[0], &heap_type, &heap_bytes, &heap_ptr, NULL, NULL), "heap info");
  if (heap_type != napi_uint8_array) FAIL(env, "adamStep: heap must be a Uint8Array over the wasm memory");

  uint64_t count;
  if (!get_count(env, argv[1], MAX_DIM, &count)) FAIL(env, "adamStep: count must be an integer in [0, 2^31 - 1]");
  static const char* names[] = {"pOffset", "mOffset", "vOffset", "gOffset", "outPOffset", "outMOffset", "outVOffset"};
  uint64_t off[7];
  const uint64_t bytes = count * 4;
  for (int i = 0; i < 7; i++) {
    if (!get_count(env, argv[2 + i], (double)heap_bytes, &off[i]) || off[i] % 4 != 0) FAIL(env, "adamStep: %s must be a float-aligned offset into the heap", names[i]);
    if (!fits(off[i], bytes, heap_bytes)) FAIL(env, "adamStep: %s (%llu values) does not fit in the heap", names[i], (unsigned long long)count);
  }
  for (int o = 4; o < 7; o++) {
    for (int i = 0; i < o; i++) {
      if (overlaps(off[o], bytes, off[i], bytes)) FAIL(env, "adamStep: %s overlaps %s", names[o], names[i]);
    }
  }
  bool is_consts = false;
  napi_typedarray_type consts_type;
  size_t consts_length = 0;
  void* consts_ptr = NULL;
  if (napi_is_typedarray(env, argv[9], &is_consts) != napi_ok || !is_consts ||
      napi_get_typedarray_info(env, argv[9], &consts_type, &consts_length, &consts_ptr, NULL, NULL) != napi_ok ||
      consts_type != napi_float32_array || consts_length != 10) {
    FAIL(env, "adamStep: consts must be a Float32Array of 10 values");
  }
  const float* c = (const float*)consts_ptr;
  const float b1 = c[0], omb1 = c[1], b2 = c[2], omb2 = c[3], decay = c[4], c1 = c[5], c2 = c[6], eps = c[7], lr = c[8];
  const bool use_decay = c[9] != 0;

  uint8_t* h = (uint8_t*)heap_ptr;
  const float *p = (const float*)(h + off[0]), *m = (const float*)(h + off[1]), *v = (const float*)(h + off[2]), *g = (const float*)(h + off[3]);
  float *out_p = (float*)(h + off[4]), *out_m = (float*)(h + off[5]), *out_v = (float*)(h + off[6]);
  for (uint64_t i = 0; i < count; i++) {
    // adam.ts: m·b1 + g·(1 - b1);  v·b2 + g²·(1 - b2);  p·(1 - lr·wd) - (m̂ / (sqrt(v̂) + eps))·lr
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * omb1;
    const float g2 = gi * gi;
    const float vi = v[i] * b2 + g2 * omb2;
    const float pi = use_decay ? p[i] * decay : p[i];
    const float m_hat = mi / c1;
    const float v_hat = vi / c2;
    const float denominator = sqrtf(v_hat) + eps;
    out_m[i] = mi;
    out_v[i] = vi;
    out_p[i] = pi - (m_hat / denominator) * lr;
  }
  return NULL;
}

/**
 * Reads `n` float-aligned byte offsets (argv[0..n-1]) of regions of bytes[i] bytes each, checks
 * each lies inside the heap and that no output (index ≥ first_out) overlaps any other region.
 */
static bool get_regions(napi_env env, napi_value* argv, int n, int first_out, const char* const* names, const uint64_t* bytes, size_t heap_bytes, uint64_t* off, const char* fn) {
  char message[256];
  for (int i = 0; i < n; i++) {
    if (!get_count(env, argv[i], (double)heap_bytes, &off[i]) || off[i] % 4 != 0) {
      snprintf(message, sizeof message, "%s: %s must be a float-aligned offset into the heap", fn, names[i]);
      goto fail;
    }
    if (!fits(off[i], bytes[i], heap_bytes)) {
      snprintf(message, sizeof message, "%s: %s does not fit in the heap", fn, names[i]);
      goto fail;
    }
  }
  for (int o = first_out; o < n; o++) {
    for (int i = 0; i < o; i++) {
      if (overlaps(off[o], bytes[o], off[i], bytes[i])) {
        snprintf(message, sizeof message, "%s: %s overlaps %s", fn, names[o], names[i]);
        goto fail;
      }
    }
  }
  return true;
fail:
  napi_throw_range_error(env, "W2S_NATIVE", message);
  return false;
}

/**
 * shiftRows(heap, rows, classes, zOffset, idsOffset, shiftedOffset, pickedOffset)
 * The first part of a softmax cross-entropy with class ids, row by row over float32 logits z
 * (rows × classes) and int32 ids (rows, each in [0, classes)): shifted = z - max_j z (rows ×
 * classes) and picked = z[id] - max (rows). The exponential is left to the wasm Exp kernel: glibc's
 * expf (its FMA variant) differed from the wasm one on 1 of 1.12e9 inputs ≤ 0 (commit f2b75e6,
 * bench/exp-bits.ts). Validated like sgemm.
 */
static napi_value shift_rows(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call");
  if (argc != 7) FAIL(env, "shiftRows: expected 7 arguments, got %zu", argc);
  size_t heap_bytes = 0;
  uint8_t* heap = get_heap(env, argv[0], "shiftRows", &heap_bytes);
  if (heap == NULL) return NULL;
  uint64_t rows, classes;
  if (!get_count(env, argv[1], MAX_DIM, &rows) || !get_count(env, argv[2], MAX_DIM, &classes) || classes == 0) FAIL(env, "shiftRows: rows and classes must be integers in [0, 2^31 - 1], classes ≥ 1");
  uint64_t matrix;
  if (!matrix_bytes(1, rows, classes, &matrix)) FAIL(env, "shiftRows: rows × classes is too large");
  static const char* const names[] = {"zOffset", "idsOffset", "shiftedOffset", "pickedOffset"};
  const uint64_t bytes[] = {matrix, rows * 4, matrix, rows * 4};
  uint64_t off[4];
  if (!get_regions(env, argv + 3, 4, 2, names, bytes, heap_bytes, off, "shiftRows")) return NULL;
  const int32_t* ids = (const int32_t*)(heap + off[1]);
  for (uint64_t i = 0; i < rows; i++) {
    if (ids[i] < 0 || (uint64_t)ids[i] >= classes) FAIL(env, "shiftRows: class id %d (row %llu) is outside [0, %llu)", ids[i], (unsigned long long)i, (unsigned long long)classes);
  }
  for (uint64_t i = 0; i < rows; i++) {
    const float* z = (const float*)(heap + off[0]) + i * classes;
    float* shifted = (float*)(heap + off[2]) + i * classes;
    float max = z[0];
    for (uint64_t j = 1; j < classes; j++) max = z[j] > max ? z[j] : max;
    for (uint64_t j = 0; j < classes; j++) shifted[j] = z[j] - max;
    ((float*)(heap + off[3]))[i] = z[ids[i]] - max;
  }
  return NULL;
}

/**
 * sumInnerRows(heap, rows, cols, xOffset, outOffset)
 * out[i] = Σ_j x[i·cols + j], added in float32 in order j = 0, 1, … as tfjs's wasm Sum kernel
 * adds along the innermost axis (no reassociation: this file is built without -ffast-math).
 * Validated like sgemm.
 */
static napi_value sum_inner_rows(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call");
  if (argc != 5) FAIL(env, "sumInnerRows: expected 5 arguments, got %zu", argc);
  size_t heap_bytes = 0;
  uint8_t* heap = get_heap(env, argv[0], "sumInnerRows", &heap_bytes);
  if (heap == NULL) return NULL;
  uint64_t rows, cols;
  if (!get_count(env, argv[1], MAX_DIM, &rows) || !get_count(env, argv[2], MAX_DIM, &cols)) FAIL(env, "sumInnerRows: rows and cols must be integers in [0, 2^31 - 1]");
  uint64_t matrix;
  if (!matrix_bytes(1, rows, cols, &matrix)) FAIL(env, "sumInnerRows: rows × cols is too large");
  static const char* const names[] = {"xOffset", "outOffset"};
  const uint64_t bytes[] = {matrix, rows * 4};
  uint64_t off[2];
  if (!get_regions(env, argv + 3, 2, 1, names, bytes, heap_bytes, off, "sumInnerRows")) return NULL;
  for (uint64_t i = 0; i < rows; i++) {
    const float* x = (const float*)(heap + off[0]) + i * cols;
    float sum = 0;
    for (uint64_t j = 0; j < cols; j++) sum += x[j];
    ((float*)(heap + off[1]))[i] = sum;
  }
  return NULL;
}

/**
 * softmaxXentGrad(heap, rows, classes, eOffset, sumsOffset, idsOffset, scale, outOffset)
 * The gradient of that cross-entropy with respect to z: out = (e / sums - onehot(ids)) · scale,
 * each operation rounded to float32 as tfjs's div, sub and mul kernels do. Validated like sgemm.
 */
static napi_value softmax_xent_grad(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call");
  if (argc != 8) FAIL(env, "softmaxXentGrad: expected 8 arguments, got %zu", argc);
  size_t heap_bytes = 0;
  uint8_t* heap = get_heap(env, argv[0], "softmaxXentGrad", &heap_bytes);
  if (heap == NULL) return NULL;
  uint64_t rows, classes;
  if (!get_count(env, argv[1], MAX_DIM, &rows) || !get_count(env, argv[2], MAX_DIM, &classes)) FAIL(env, "softmaxXentGrad: rows and classes must be integers in [0, 2^31 - 1]");
  double scale_d;
  if (napi_get_value_double(env, argv[6], &scale_d) != napi_ok) FAIL(env, "softmaxXentGrad: scale must be a number");
  const float scale = (float)scale_d;
  napi_value region_args[4] = {argv[3], argv[4], argv[5], argv[7]};
  uint64_t matrix;
  if (!matrix_bytes(1, rows, classes, &matrix)) FAIL(env, "softmaxXentGrad: rows × classes is too large");
  static const char* const names[] = {"eOffset", "sumsOffset", "idsOffset", "outOffset"};
  const uint64_t bytes[] = {matrix, rows * 4, rows * 4, matrix};
  uint64_t off[4];
  if (!get_regions(env, region_args, 4, 3, names, bytes, heap_bytes, off, "softmaxXentGrad")) return NULL;
  const int32_t* ids = (const int32_t*)(heap + off[2]);
  for (uint64_t i = 0; i < rows; i++) {
    if (ids[i] < 0 || (uint64_t)ids[i] >= classes) FAIL(env, "softmaxXentGrad: class id %d (row %llu) is outside [0, %llu)", ids[i], (unsigned long long)i, (unsigned long long)classes);
  }
  for (uint64_t i = 0; i < rows; i++) {
    const float* e = (const float*)(heap + off[0]) + i * classes;
    const float s = ((const float*)(heap + off[1]))[i];
    float* out = (float*)(heap + off[3]) + i * classes;
    for (uint64_t j = 0; j < classes; j++) out[j] = (e[j] / s) * scale;  // (q - 0) · scale
    out[ids[i]] = (e[ids[i]] / s - 1.0f) * scale;
  }
  return NULL;
}

#ifdef W2S_OPENBLAS
// Declared by OpenBLAS's cblas.h.
static int blas_get_threads(void) { return openblas_get_num_threads(); }
static void blas_set_threads(int n) { openblas_set_num_threads(n); }
static const char* blas_name(void) { return "openblas"; }
static const char* blas_config(void) { return openblas_get_config(); }
#else
// Another CBLAS (e.g. the reference one): single-threaded, no thread control.
static int blas_get_threads(void) { return 1; }
static void blas_set_threads(int n) { (void)n; }
static const char* blas_name(void) { return "cblas"; }
static const char* blas_config(void) { return "unknown"; }
#endif

/** setThreads(n): the number of threads BLAS may use from now on; returns the number in effect. */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint64_t n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || !get_count(env, argv[0], 1024, &n) || n < 1) {
    FAIL(env, "setThreads: n must be an integer in [1, 1024]");
  }
  blas_set_threads((int)n);
  napi_value result;
  napi_create_int32(env, blas_get_threads(), &result);
  return result;
}

static napi_value get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_int32(env, blas_get_threads(), &result);
  return result;
}

/** info(): { blas: 'openblas' | 'cblas', config: the library's build description }. */
static napi_value blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, name, config;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, blas_name(), NAPI_AUTO_LENGTH, &name);
  napi_create_string_utf8(env, blas_config(), NAPI_AUTO_LENGTH, &config);
  napi_set_named_property(env, result, "blas", name);
  napi_set_named_property(env, result, "config", config);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sumRows", NULL, sum_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maxPoolGrad", NULL, max_pool_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"slice", NULL, slice, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adamStep", NULL, adam_step, NULL, NULL, NULL, napi_enumerable, NULL},
      {"shiftRows", NULL, shift_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sumInnerRows", NULL, sum_inner_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"softmaxXentGrad", NULL, softmax_xent_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getThreads", NULL, get_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, blas_info, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  w2s_define_elementwise(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
