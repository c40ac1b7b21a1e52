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
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-ffp-contract=off"],
      "libraries": ["-l<(blas_lib)"],
      "conditions": [
        ["blas_lib == 'openblas'", { "defines": ["W2S_OPENBLAS"] }]
      ]
    }
  ]
}
