"""Independent numpy (float64) derivation of the expected numbers in src/cosupervise.test.ts. Run:
    python3 libs/confidence-loss/reference/cosupervise.py

Written from the formula (Liu & Alahi 2024, arXiv 2402.15505; the authors' vision/multi_weak_strong_csl.py),
sharing no code with the TypeScript. Targets hold M teachers' rows per example, y[i, m*K:(m+1)*K].
- warm-up (s < warm): t_i = mean_m y_mi, every example kept;
- else a_i = argmax_m sum_c y_mic log p_ic (first m on ties), t_i = y_{a_i i};
  with top-k noise reduction: r = #{i : argmax t_i among the k largest p_i}, kept = the r examples
  with the smallest -log p_i[argmax t_i] (stable order on ties);
- L = sum_i keep_i CE(z_i, t_i) / max(1, r); gradient keep_i (p_i - t_i) / max(1, r), checked against
  central differences with t and keep frozen.
"""

import json

import numpy as np

# Binary, B = 6, M = 2 teachers.
ZB = np.array([[1.2, -0.3], [0.4, 0.6], [-0.7, 0.8], [0.3, 0.9], [-1.5, -0.2], [2.0, 0.1]])
YB = np.array([
    [0.9, 0.1, 0.3, 0.7],
    [0.2, 0.8, 0.6, 0.4],
    [0.7, 0.3, 0.8, 0.2],
    [0.5, 0.5, 0.1, 0.9],
    [0.4, 0.6, 0.45, 0.55],
    [0.2, 0.8, 0.35, 0.65],
])
# 3 classes, B = 5, M = 3 teachers; exact 0s and 1s in the labels.
ZK = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-0.5, 1.5, 0.4], [1.0, 1.2, -2.0], [0.0, -1.0, 1.0]])
YK = np.array([
    [1, 0, 0, 0.2, 0.5, 0.3, 0, 0, 1],
    [0.2, 0.3, 0.5, 0.6, 0.2, 0.2, 0.1, 0.8, 0.1],
    [0, 0.6, 0.4, 0.3, 0.3, 0.4, 0.9, 0.05, 0.05],
    [0.1, 0.1, 0.8, 0.7, 0.2, 0.1, 0.2, 0.3, 0.5],
    [0.1, 0.8, 0.1, 0.2, 0.7, 0.1, 0.3, 0.6, 0.1],
])


def log_softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def assignment(z, y, s, warm, topk):
    b, k = z.shape
    m_count = y.shape[1] // k
    rows = y.reshape(b, m_count, k)
    if s < warm:
        return -np.ones(b, dtype=int), rows.mean(axis=1), np.ones(b)
    ls = log_softmax(z)
    scores = np.array([[np.sum(np.where(rows[i, m] > 0, rows[i, m] * ls[i], 0.0)) for m in range(m_count)] for i in range(b)])
    teacher = np.argmax(scores, axis=1)
    t = rows[np.arange(b), teacher]
    keep = np.ones(b)
    if topk > 0:
        hard = np.argmax(t, axis=1)
        order_desc = np.argsort(-ls, axis=1, kind="stable")  # ties: lower class first
        in_top = np.array([hard[i] in order_desc[i, :topk] for i in range(b)])
        r = int(in_top.sum())
        ce_hard = -ls[np.arange(b), hard]
        kept = np.argsort(ce_hard, kind="stable")[:r]
        keep = np.zeros(b)
        keep[kept] = 1.0
    return teacher, t, keep


def loss_of(z, t, keep):
    ce = -(t * log_softmax(z)).sum(axis=1)
    return float((keep * ce).sum() / max(1.0, keep.sum()))


def fd(f, z, eps=1e-6):
    g = np.zeros_like(z)
    for i in range(z.shape[0]):
        for c in range(z.shape[1]):
            zp = z.copy(); zp[i, c] += eps
            zm = z.copy(); zm[i, c] -= eps
            g[i, c] = (f(zp) - f(zm)) / (2 * eps)
    return g


def fmt(x):
    return json.dumps(np.round(np.asarray(x, dtype=float), 10).tolist())


print("const COSUPERVISE = [")
for name, z, y in [("B", ZB, YB), ("K", ZK, YK)]:
    for warm, topk, s in [(0.2, 1, 0.1), (0.2, 1, 0.5), (0.0, 0, 0.0), (0.0, 2, 1.0)]:
        teacher, t, keep = assignment(z, y, s, warm, topk)
        loss = loss_of(z, t, keep)
        p = np.exp(log_softmax(z))
        grad = keep[:, None] * (p - t) / max(1.0, keep.sum())
        assert np.allclose(fd(lambda zz: loss_of(zz, t, keep), z), grad, atol=1e-8)
        print(f"  {{ case: '{name}', warmupFrac: {warm}, denoiseTopK: {topk}, s: {s}, teacher: {teacher.tolist()}, keep: {keep.astype(int).tolist()}, loss: {loss:.10f}, grad: {fmt(grad)} }},")
print("];")
