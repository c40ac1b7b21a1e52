"""Independent numpy (float64) derivation of the expected numbers in src/entropy.test.ts and
src/adaptconf.test.ts. Run:  python3 libs/confidence-loss/reference/entropy_adaptconf.py

Written from the formulas, sharing no code with the TypeScript:
- entropy (Grandvalet & Bengio 2004): L = (1 - c) * mean_i CE(z_i, y_i) + c * mean_i H(softmax z_i),
  c = aux * min(1, s / warm) (linear) or aux * (s if s <= warm else 1) (step). The gradient flows
  through p; its closed form dH/dz_j = -p_j (log p_j + H) is checked against central differences.
- adaptconf (Guo et al. 2024, the authors' code classification/distillers/adaptconf.py):
  beta_i = exp(CE(z_i, argmax z_i)/T) / (exp(CE(z_i, argmax z_i)/T) + exp(CE(z_i, argmax y_i)/T)),
  computed literally with exponentials of cross-entropies (not the sigmoid form the TS uses), times
  min(1, s / warm) when warm > 0; L = mean_i [(1 - beta_i) CE(z_i, y_i) + beta_i CE(z_i, onehot argmax z_i)],
  beta and the hard label held constant; gradient (p_i - t_i)/B with t = (1 - beta) y + beta onehot,
  checked against central differences with beta and the hard labels frozen.
"""

import json

import numpy as np

ZA = np.array([[1.2, -0.3], [0.4, 0.6], [-0.7, 0.8], [0.3, 0.9], [-1.5, -0.2]])
YA = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.3, 0.7]])
ZK = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-0.5, 1.5, 0.4], [1.0, 1.0, -2.0]])
YK = np.array([[1, 0, 0], [0.2, 0.3, 0.5], [0, 0.6, 0.4], [0.1, 0.1, 0.8]])


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def ce_rows(z, t):
    return -(t * log_softmax(z)).sum(axis=1)


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


def coef(s, aux, warm, schedule):
    if schedule == "step":
        return aux * (s if s <= warm else 1.0)
    return aux * min(1.0, s / warm)


def entropy_loss(z, y, c):
    p = softmax(z)
    h = -(p * np.log(p)).sum(axis=1)
    return (1 - c) * ce_rows(z, y).mean() + c * h.mean()


def entropy_grad(z, y, c):
    b = z.shape[0]
    p = softmax(z)
    logp = np.log(p)
    h = -(p * logp).sum(axis=1, keepdims=True)
    return ((1 - c) * (p - y) + c * (-p * (logp + h))) / b


print("const ENTROPY = [")
for name, z, y in [("A", ZA, YA), ("K", ZK, YK)]:
    for schedule, aux, warm, s in [("step", 0.5, 0.1, 0.05), ("step", 0.5, 0.1, 0.5), ("linear", 0.75, 0.2, 0.1), ("linear", 1.0, 0.2, 1.0)]:
        c = coef(s, aux, warm, schedule)
        loss = entropy_loss(z, y, c)
        grad = entropy_grad(z, y, c)
        assert np.allclose(fd(lambda zz: entropy_loss(zz, y, c), z), grad, atol=1e-8)
        print(f"  {{ case: '{name}', warmup: '{schedule}', auxCoef: {aux}, warmupFrac: {warm}, s: {s}, c: {c:.10f}, loss: {loss:.10f}, grad: {fmt(grad)} }},")
print("];")


def adapt_beta(z, y, T, warm, s):
    own = np.argmax(z, axis=1)      # numpy: first index on ties, as the TS argmax
    teacher = np.argmax(y, axis=1)
    ls = log_softmax(z)
    ce_self = -ls[np.arange(len(z)), own]
    ce_teacher = -ls[np.arange(len(z)), teacher]
    e_self, e_teacher = np.exp(ce_self / T), np.exp(ce_teacher / T)
    beta = e_self / (e_self + e_teacher)
    if warm > 0:
        beta = beta * min(1.0, s / warm)
    return beta, np.eye(z.shape[1])[own]


def adapt_loss(z, y, beta, own):
    return ((1 - beta) * ce_rows(z, y) + beta * ce_rows(z, own)).mean()


print("const ADAPTCONF = [")
for name, z, y in [("A", ZA, YA), ("K", ZK, YK)]:
    for T, warm, s in [(0.5, 0.0, 0.3), (1.0, 0.0, 0.0), (0.5, 0.25, 0.1), (2.0, 0.25, 0.9)]:
        beta, own = adapt_beta(z, y, T, warm, s)
        loss = adapt_loss(z, y, beta, own)
        t = (1 - beta)[:, None] * y + beta[:, None] * own
        grad = (softmax(z) - t) / z.shape[0]
        assert np.allclose(fd(lambda zz: adapt_loss(zz, y, beta, own), z), grad, atol=1e-8)
        print(f"  {{ case: '{name}', temperature: {T}, warmupFrac: {warm}, s: {s}, beta: {fmt(beta)}, loss: {loss:.10f}, grad: {fmt(grad)} }},")
print("];")
