"""Independent numpy (float64) derivation of the expected numbers in src/*.test.ts.

Run once:  python3 libs/confidence-loss/reference/expected.py
It shares no code with the TypeScript implementation: the losses are re-derived here from
the formulas in the issue / README (and, for logconf, from the public reference
implementation openai/weak-to-strong `weak_to_strong/loss.py`, using np.quantile with
method='linear', which is what torch.quantile computes).

Gradients: every target is stop-grad, so d loss / d z_i = mask_i * (p_i * sum(t_i) - t_i) / B.
The script checks that closed form against central finite differences (target frozen) before
printing it, so each printed gradient has two independent derivations.
"""

import json

import numpy as np


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def ce_rows(z, t):
    return -(t * log_softmax(z)).sum(axis=1)


def loss_and_grad(z, t, mask=None):
    """Loss = sum_i mask_i * CE(z_i, t_i) / B with t (and mask) held constant."""
    b = z.shape[0]
    mask = np.ones(b) if mask is None else mask
    loss = (mask * ce_rows(z, t)).sum() / b
    p = softmax(z)
    grad = mask[:, None] * (p * t.sum(axis=1, keepdims=True) - t) / b
    # independent check of the closed form: central differences, target frozen
    eps = 1e-6
    fd = np.zeros_like(z)
    for i in range(z.shape[0]):
        for c in range(z.shape[1]):
            zp = z.copy(); zp[i, c] += eps
            zm = z.copy(); zm[i, c] -= eps
            fd[i, c] = ((mask * ce_rows(zp, t)).sum() - (mask * ce_rows(zm, t)).sum()) / (2 * eps * b)
    assert np.allclose(fd, grad, atol=1e-8), (fd, grad)
    return loss, grad


# ---- logconf pieces, written from the formulas ----------------------------------------

def coef(s, aux, warm, schedule):
    if schedule == "step":  # reference: coef = 1.0 if step_frac > warmup_frac else step_frac
        return aux * (1.0 if s > warm else s)
    return aux * min(1.0, s / warm)  # paper: linear warm-up


def harden_binary(p, level):
    tau = np.quantile(p[:, 0], level, method="linear")
    cls0 = p[:, 0] >= tau
    return np.stack([cls0, ~cls0], axis=1).astype(float), tau


def harden_argmax(p):
    return np.eye(p.shape[1])[p.argmax(axis=1)]


def logconf_target(z, y, s, aux, warm, schedule, policy):
    p = softmax(z)
    if policy == "prior-quantile":
        yhat, _ = harden_binary(p, y[:, 1].mean())
    elif policy == "median":
        yhat, _ = harden_binary(p, 0.5)
    else:
        yhat = harden_argmax(p)
    c = coef(s, aux, warm, schedule)
    return (1 - c) * y + c * yhat


def fmt(x):
    return json.dumps(np.round(np.asarray(x, dtype=float), 10).tolist())


def show(name, z, t, mask=None):
    loss, grad = loss_and_grad(z, t, mask)
    print(f"  {name}: {{ loss: {loss:.10f}, grad: {fmt(grad)} }},")


def row(fields, z, t):
    loss, grad = loss_and_grad(z, t)
    print(f"  {{ {fields}, loss: {loss:.10f}, grad: {fmt(grad)} }},")


# ---- case A: binary, B=5 (logconf policies and schedules) -------------------------------
ZA = np.array([[1.2, -0.3], [0.4, 0.6], [-0.7, 0.8], [0.3, 0.9], [-1.5, -0.2]])
YA = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.3, 0.7]])

print("// case A: p0 =", fmt(softmax(ZA)[:, 0]), " mean y1 =", YA[:, 1].mean())
for policy, level in [("prior-quantile", YA[:, 1].mean()), ("median", 0.5)]:
    yhat, tau = harden_binary(softmax(ZA), level)
    print(f"// {policy}: tau = {tau:.10f} yhat class-0 rows = {np.nonzero(yhat[:, 0])[0].tolist()}")
print("// fixed: yhat class-0 rows =", np.nonzero(harden_argmax(softmax(ZA))[:, 0])[0].tolist())

print("const CASE_A_XENT = {")
show("xent", ZA, YA)
print("};")
print("const CASE_A_LOGCONF = [")
for schedule, aux, warm in [("step", 0.5, 0.1), ("linear", 0.75, 0.2)]:
    for policy in ["prior-quantile", "median", "fixed"]:
        for s in [0.0, warm / 2, warm, 0.5, 1.0]:
            c = coef(s, aux, warm, schedule)
            t = logconf_target(ZA, YA, s, aux, warm, schedule, policy)
            row(f"warmup: '{schedule}', auxCoef: {aux}, warmupFrac: {warm}, threshold: '{policy}', s: {s}, c: {c:.10g}", ZA, t)
print("];")

# ---- ties at tau (prior-quantile, B=5, level 0.25 -> tau = x[1] exactly) -----------------
ZT = np.array([[0.0, 1.0], [0.5, 0.0], [0.0, 0.0], [0.0, 0.0], [2.0, 0.0]])
YT = np.array([[1.0, 0.0], [0.5, 0.5], [0.75, 0.25], [0.5, 0.5], [1.0, 0.0]])
yhat, tau = harden_binary(softmax(ZT), YT[:, 1].mean())
print("// ties: level", YT[:, 1].mean(), "tau", tau, "yhat", fmt(yhat))
t = logconf_target(ZT, YT, 1.0, 1.0, 0.1, "step", "prior-quantile")
print("const TIES = {")
show("auxCoef1", ZT, t)
print("};")

# ---- case K: 3 classes, B=4 (labels with exact 0 and 1) ----------------------------------
ZK = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-0.5, 1.5, 0.4], [1.0, 1.0, -2.0]])
YK = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [0.0, 0.6, 0.4], [0.1, 0.1, 0.8]])
PK = softmax(ZK)
print("// case K: p =", fmt(PK), " max p =", fmt(PK.max(axis=1)))
print("const CASE_K = {")
show("xent", ZK, YK)
for s in [0.0, 0.05, 0.1, 1.0]:
    show(f"'logconf-fixed/s={s}'", ZK, logconf_target(ZK, YK, s, 0.5, 0.1, "step", "fixed"))


def product_target(z, y, alpha, beta):
    t = softmax(z) ** beta * y ** alpha
    return t / t.sum(axis=1, keepdims=True)


for alpha, beta in [(1.0, 1.0), (2.0, 0.5), (0.0, 1.0)]:
    show(f"'product/a={alpha}/b={beta}'", ZK, product_target(ZK, YK, alpha, beta))
for beta in [0.95, 0.8, 0.3]:
    show(f"'bootstrap-soft/b={beta}'", ZK, beta * YK + (1 - beta) * PK)
    show(f"'bootstrap-hard/b={beta}'", ZK, beta * YK + (1 - beta) * harden_argmax(PK))
for r in [0.0, 0.1, 0.2, 0.5]:
    mask = (PK.max(axis=1) < 0.5 + r).astype(float)
    show(f"'window/r={r}' /* mask={mask.tolist()} */", ZK, YK, mask)
print("};")

# ---- case A again for the binary product / bootstrap / window -----------------------------
PA = softmax(ZA)
print("// case A max p =", fmt(PA.max(axis=1)))
print("const CASE_A_OTHER = {")
show("'product/a=1/b=1'", ZA, product_target(ZA, YA, 1.0, 1.0))
show("'bootstrap-soft/b=0.95'", ZA, 0.95 * YA + 0.05 * PA)
show("'bootstrap-hard/b=0.8'", ZA, 0.8 * YA + 0.2 * harden_argmax(PA))
for r in [0.0, 0.1, 0.3]:
    mask = (PA.max(axis=1) < 0.5 + r).astype(float)
    show(f"'window/r={r}' /* mask={mask.tolist()} */", ZA, YA, mask)
print("};")

# ---- quantile (np.quantile linear) on a few arrays ------------------------------------------
print("const QUANTILES = [")
for xs, q in [([3.0, 1.0, 2.0], 0.5), ([3.0, 1.0, 2.0, 10.0], 0.5), ([0.1, 0.7, 0.4, 0.2, 0.9], 0.54),
              ([5.0], 0.3), ([1.0, 2.0], 0.0), ([1.0, 2.0], 1.0), ([0.2, 0.2, 0.2, 0.9], 0.9)]:
    print(f"  {{ xs: {json.dumps(xs)}, q: {q}, expected: {np.quantile(xs, q, method='linear'):.12f} }},")
print("];")

# ---- rolling threshold: buffer of capacity 6; batch A (5 rows) then batch R (2 rows) ----------
# After R the buffer holds the last 6 examples: A rows 1..4 then R rows 0..1. The quantile level
# is the mean of y[:,1] over those same 6 buffered examples.
ZR = np.array([[0.3, 0.1], [0.2, 0.1]])
YR = np.array([[0.4, 0.6], [0.0, 1.0]])
buf_p0 = np.concatenate([softmax(ZA)[:, 0], softmax(ZR)[:, 0]])[-6:]
buf_y1 = np.concatenate([YA[:, 1], YR[:, 1]])[-6:]
level = buf_y1.mean()
tau = np.quantile(buf_p0, level, method="linear")
pr = softmax(ZR)
yhat_r = np.stack([pr[:, 0] >= tau, pr[:, 0] < tau], axis=1).astype(float)
print(f"// rolling: buffer p0 {fmt(buf_p0)} level {level:.10f} tau {tau:.10f} yhat R {fmt(yhat_r)}")
c = coef(0.5, 0.5, 0.1, "step")
yhat_batch, tau_batch = harden_binary(pr, YR[:, 1].mean())
print(f"// prior-quantile on R alone: tau {tau_batch:.10f} yhat {fmt(yhat_batch)}")
print("const ROLLING = {")
show("secondBatch", ZR, (1 - c) * YR + c * yhat_r)
show("secondBatchPriorQuantile", ZR, (1 - c) * YR + c * yhat_batch)
print("};")
