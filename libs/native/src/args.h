// Argument checks shared by blas.c and elementwise.c: every native function validates what it is
// given before touching memory, and throws a RangeError (not a crash) when something is wrong.
#ifndef W2S_ARGS_H
#define W2S_ARGS_H
#include <node_api.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

// Throws a RangeError (if none is pending yet) and makes the caller return NULL.
#define FAIL(env, ...)                                                   \
  do {                                                                   \
    char message_[256];                                                  \
    snprintf(message_, sizeof message_, __VA_ARGS__);                    \
    bool pending_ = false;                                               \
    napi_is_exception_pending((env), &pending_);                         \
    if (!pending_) napi_throw_range_error((env), "W2S_NATIVE", message_); \
    return NULL;                                                         \
  } while (0)

/** A non-negative integer argument no larger than `max`. */
static inline bool get_count(napi_env env, napi_value value, double max, uint64_t* out) {
  double d;
  if (napi_get_value_double(env, value, &d) != napi_ok) return false;
  if (!isfinite(d) || d < 0 || d > max || floor(d) != d) return false;
  *out = (uint64_t)d;
  return true;
}

/** An Int32Array argument: its elements and length. */
static inline bool get_int32_array(napi_env env, napi_value value, const int32_t** data, size_t* length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  napi_typedarray_type type;
  void* ptr = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &ptr, NULL, NULL) != napi_ok) return false;
  if (type != napi_int32_array) return false;
  *data = (const int32_t*)ptr;
  return true;
}

/** Whether two byte ranges (both non-empty) share a byte. */
static inline bool overlaps(uint64_t a, uint64_t a_bytes, uint64_t b, uint64_t b_bytes) {
  return a_bytes > 0 && b_bytes > 0 && a < b + b_bytes && b < a + a_bytes;
}

/** The heap argument (a Uint8Array over the wasm memory): its bytes and size, or NULL after throwing. */
static inline uint8_t* get_heap(napi_env env, napi_value value, const char* fn, size_t* heap_bytes) {
  bool is_typed = false;
  napi_typedarray_type heap_type;
  void* heap_ptr = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &heap_type, heap_bytes, &heap_ptr, NULL, NULL) != napi_ok || heap_type != napi_uint8_array) {
    FAIL(env, "%s: heap must be a Uint8Array over the wasm memory", fn);
  }
  return (uint8_t*)heap_ptr;
}

#endif
