// The element-wise kernels of elementwise.c. blas.c's init calls w2s_define_elementwise, so that
// the addon stays one module while these kernels live in their own file.
#ifndef W2S_ELEMENTWISE_H
#define W2S_ELEMENTWISE_H
#include <node_api.h>

/** Adds binary, binaryStrided and transpose (see elementwise.c) to the addon's exports. */
void w2s_define_elementwise(napi_env env, napi_value exports);

#endif
