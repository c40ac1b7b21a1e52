{
  # Built by scripts/build.mjs, which first checks for a compiler and a CBLAS and sets
  # W2S_BLAS_LIB to the library to link (openblas, else cblas).
  "variables": {
    "blas_lib%": "<!(node -p \"process.env.W2S_BLAS_LIB || 'openblas'\")"
  },
  "targets": [
    {
      "target_name": "w2s_blas",
      "sources": ["src/blas.c", "src/elementwise.c"],
      # -ffp-contract=off: no fused multiply-adds, so that element-wise kernels round every
      # intermediate to float32 exactly as the tfjs op sequence they replace does.
      "cflags": ["-O3", "-std=c11", "-ffp-contract=off", "-fno-fast-math", "-Wall", "-Wextra"],
      "libraries": ["-l<(blas_lib)"],
      "conditions": [
        ["blas_lib == 'openblas'", { "defines": ["W2S_OPENBLAS"] }]
      ]
    }
  ]
}
