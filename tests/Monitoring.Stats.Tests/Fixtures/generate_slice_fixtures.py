#!/usr/bin/python3
"""Generate the reference fixtures for intervals, DeLong, CBPE, multiclass metrics and slices.

Run with Debian's interpreter (needs numpy, scipy, scikit-learn and statsmodels:
`apt-get install python3-numpy python3-scipy python3-sklearn python3-statsmodels`):

    /usr/bin/python3 tests/Monitoring.Stats.Tests/Fixtures/generate_slice_fixtures.py

Writes, deterministically (fixed numpy default_rng seeds):

* tests/Monitoring.Stats.Tests/Fixtures/slice_fixtures.json
* tests/Monitoring.Cli.Tests/Fixtures/slices.csv and slices_expected.json (the planted-slice
  dataset as a CSV, and what `monitoring slices --format json` must report for it).

References (library versions are recorded in the JSON; generated with numpy 1.24.2, scipy
1.10.1, scikit-learn 1.2.1, statsmodels 0.13.5):

* Wilson: statsmodels proportion_confint(count, nobs, alpha, method='wilson'). statsmodels does
  not clip; at count 0 or nobs its bound is 0 or 1 up to a rounding error (about 1e-17), which
  the C# clips, well inside the 1e-12 absolute tolerance.
* Two-proportion z-test: statsmodels proportions_ztest([x1, x2], [n1, n2]) (pooled variance,
  two-sided). Where the pooled proportion is 0 or 1 statsmodels returns NaN (0 / 0); the C#
  returns z = 0, p = 1 there (both proportions are equal), so no fixture case has that shape.
* Newcombe hybrid score interval of a difference of proportions: statsmodels
  confint_proportions_2indep(..., method='newcomb', compare='diff').
* DeLong: a direct numpy implementation by O(m n) placement counting (V10_i = (#neg < x_i +
  0.5 #neg == x_i) / n, V01_j = (#pos > y_j + 0.5 #pos == y_j) / m, var = S10 / m + S01 / n with
  ddof=1 sample variances), asserted equal to sklearn roc_auc_score; a second, rank-based
  implementation (midranks, Sun and Xu 2014) is asserted equal to it and used for the many slices.
  Interval: AUC -+ z SE clipped to [0, 1] (z = norm.isf(alpha / 2)); logit interval:
  expit(logit(AUC) -+ z SE / (AUC (1 - AUC))), the point itself when the variance is 0.
  Variance is undefined (null) with fewer than two positives or two negatives.
* CBPE: the expected confusion matrix of calibrated scores at threshold t (predicted positive
  when p >= t) and the expected ROC AUC, the trapezoid through (0, 0) and the points
  (FPR(t), TPR(t)) at every distinct score t, TPR(t) = sum_{p>=t} p / sum p,
  FPR(t) = sum_{p>=t} (1 - p) / sum (1 - p), numpy.trapz. Precision, recall and F1 are 0 when
  their denominator is 0 (sklearn's zero_division=0); AUC is null when sum p or sum (1 - p) is 0.
* Multiclass: sklearn accuracy_score and f1_score(average='macro', zero_division=0) over the
  union of the labels seen (sklearn's default labels).
* Slice prediction drift: scores binned with numpy searchsorted(linspace(0, 1, 11)[1:-1], side='left');
  PSI with zero proportions replaced by 0.0001; scipy.spatial.distance.jensenshannon(base=2);
  scipy.stats.chi2_contingency(correction=False) over the bins either sample occupies; the p-values of
  the slices with both samples adjusted with Benjamini-Hochberg (`bh` below); drifted when both
  samples have >= 30 scores and (PSI >= 0.2 or (adjusted p < 0.05 and JS >= 0.1)).
* Slices: see `slice_reference` below; every formula is the one documented in
  src/Monitoring.Stats/Slices.
"""

import csv
import json
import math
import os

import numpy as np
import scipy
import scipy.spatial.distance
import scipy.stats
import sklearn
import sklearn.metrics as skm
import statsmodels
from sklearn.calibration import calibration_curve
from statsmodels.stats.proportion import (confint_proportions_2indep, proportion_confint,
                                          proportions_ztest)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "slice_fixtures.json")
CLI_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "Monitoring.Cli.Tests", "Fixtures"))
CLI_CSV = os.path.join(CLI_DIR, "slices.csv")
CLI_EXPECTED = os.path.join(CLI_DIR, "slices_expected.json")

ALPHA = 0.05
Z = float(scipy.stats.norm.isf(ALPHA / 2))
OTHER = "(other)"
NULL = "(null)"


# ----------------------------------------------------------------- helpers

def fl(x):
    """Python float, or None when not finite / None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def finite(x):
    x = float(x)
    assert math.isfinite(x), x
    return x


def flist(a):
    out = [float(x) for x in np.asarray(a, dtype=float)]
    assert all(math.isfinite(x) for x in out)
    return out


def two_sided_p(z):
    return float(2 * scipy.stats.norm.sf(abs(z)))


# ----------------------------------------------------------------- Wilson, z-test, Newcombe

def wilson(count, nobs, alpha=ALPHA):
    lo, hi = proportion_confint(count, nobs, alpha=alpha, method="wilson")
    return finite(lo), finite(hi)


def wilson_cases():
    shapes = [
        (0, 1, 0.05), (1, 1, 0.05), (1, 2, 0.05), (0, 10, 0.05), (10, 10, 0.05), (3, 10, 0.05),
        (50, 100, 0.05), (1, 1000, 0.05), (999, 1000, 0.05), (0, 5000, 0.05), (5000, 5000, 0.05),
        (123456, 1000000, 0.05), (7, 20, 0.10), (7, 20, 0.01), (17, 23, 0.2),
    ]
    cases = []
    for count, nobs, alpha in shapes:
        lo, hi = wilson(count, nobs, alpha)
        cases.append({"name": f"{count}_of_{nobs}_alpha_{alpha}", "count": count, "nobs": nobs,
                      "alpha": alpha, "lower": lo, "upper": hi})
    return cases


def ztest(x1, n1, x2, n2):
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return 0.0, 1.0  # the C# convention (statsmodels: NaN)
    z, p = proportions_ztest([x1, x2], [n1, n2])
    return finite(z), finite(p)


def ztest_cases():
    shapes = [
        (5, 83, 12, 99), (50, 100, 50, 100), (0, 50, 10, 60), (500, 1000, 450, 1000),
        (900, 1000, 600, 1000), (1, 1, 0, 1), (30, 40, 5000, 6000), (100000, 200000, 99000, 200000),
        (3, 7, 60, 61), (1, 2, 1, 3),
    ]
    cases = []
    for x1, n1, x2, n2 in shapes:
        z, p = proportions_ztest([x1, x2], [n1, n2])
        cases.append({"name": f"{x1}_{n1}_vs_{x2}_{n2}", "count1": x1, "nobs1": n1, "count2": x2,
                      "nobs2": n2, "z": finite(z), "p_value": finite(p)})
    return cases


def newcombe(x1, n1, x2, n2, alpha=ALPHA):
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=alpha)
    return finite(lo), finite(hi)


def newcombe_cases():
    shapes = [
        (5, 83, 12, 99, 0.05), (50, 100, 50, 100, 0.05), (0, 50, 10, 60, 0.05), (10, 10, 0, 10, 0.05),
        (900, 1000, 600, 1000, 0.05), (1, 1, 0, 1, 0.05), (30, 40, 5000, 6000, 0.1), (7, 9, 8, 9, 0.01),
    ]
    cases = []
    for x1, n1, x2, n2, alpha in shapes:
        lo, hi = newcombe(x1, n1, x2, n2, alpha)
        cases.append({"name": f"{x1}_{n1}_vs_{x2}_{n2}_alpha_{alpha}", "count1": x1, "nobs1": n1,
                      "count2": x2, "nobs2": n2, "alpha": alpha, "lower": lo, "upper": hi})
    return cases


# ----------------------------------------------------------------- DeLong

def delong_direct(scores, labels):
    """O(m n) placement counting; returns (auc, variance or nan)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    pos, neg = s[y == 1], s[y == 0]
    m, n = len(pos), len(neg)
    assert m > 0 and n > 0
    v10 = np.empty(m)
    for a in range(0, m, 256):
        p = pos[a:a + 256, None]
        v10[a:a + 256] = ((neg[None, :] < p).sum(1) + 0.5 * (neg[None, :] == p).sum(1)) / n
    v01 = np.empty(n)
    for a in range(0, n, 256):
        q = neg[a:a + 256, None]
        v01[a:a + 256] = ((pos[None, :] > q).sum(1) + 0.5 * (pos[None, :] == q).sum(1)) / m
    auc = float(v10.mean())
    assert abs(float(v01.mean()) - auc) <= 1e-12
    assert abs(auc - skm.roc_auc_score(y, s)) <= 1e-12, (auc, skm.roc_auc_score(y, s))
    s10 = float(np.var(v10, ddof=1)) if m > 1 else math.nan
    s01 = float(np.var(v01, ddof=1)) if n > 1 else math.nan
    return auc, s10 / m + s01 / n


def delong_ranks(scores, labels):
    """Rank-based DeLong (midranks, Sun and Xu 2014); returns (auc, variance or nan)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    pos, neg = s[y == 1], s[y == 0]
    m, n = len(pos), len(neg)
    tz = scipy.stats.rankdata(np.concatenate([pos, neg]))
    tx = scipy.stats.rankdata(pos)
    ty = scipy.stats.rankdata(neg)
    v10 = (tz[:m] - tx) / n
    v01 = 1.0 - (tz[m:] - ty) / m
    auc = float(v10.mean())
    s10 = float(np.var(v10, ddof=1)) if m > 1 else math.nan
    s01 = float(np.var(v01, ddof=1)) if n > 1 else math.nan
    return auc, s10 / m + s01 / n


def delong_intervals(auc, var, alpha=ALPHA):
    if not math.isfinite(var):
        return None, None
    z = float(scipy.stats.norm.isf(alpha / 2))
    se = math.sqrt(var)
    plain = (max(0.0, auc - z * se), min(1.0, auc + z * se))
    if var == 0 or auc in (0.0, 1.0):
        logit = (auc, auc)
    else:
        centre = math.log(auc / (1 - auc))
        half = z * se / (auc * (1 - auc))
        logit = (float(scipy.special.expit(centre - half)), float(scipy.special.expit(centre + half)))
    return plain, logit


def delong_record(auc, var, alpha=ALPHA):
    plain, logit = delong_intervals(auc, var, alpha)
    return {"auc": finite(auc), "variance": fl(var),
            "lower": None if plain is None else plain[0], "upper": None if plain is None else plain[1],
            "logit_lower": None if logit is None else logit[0], "logit_upper": None if logit is None else logit[1]}


def delong_case(name, scores, labels, alpha=ALPHA):
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=int)
    auc, var = delong_direct(scores, labels)
    auc2, var2 = delong_ranks(scores, labels)
    assert abs(auc - auc2) <= 1e-12
    assert (math.isnan(var) and math.isnan(var2)) or abs(var - var2) <= 1e-12 * max(1.0, var), (var, var2)
    d = {"name": name, "scores": flist(scores), "labels": [int(v) for v in labels], "alpha": alpha}
    d.update(delong_record(auc, var, alpha))
    return d


def delong_cases():
    rng = np.random.default_rng(2001)
    y200 = rng.integers(0, 2, 200)
    s200 = np.clip(0.5 + 0.25 * (y200 - 0.5) + rng.normal(0, 0.2, 200), 0, 1)
    y5000 = (rng.random(5000) < 0.3).astype(int)
    s5000 = 1 / (1 + np.exp(-(rng.normal(0, 1, 5000) + 1.2 * y5000)))
    yh = rng.integers(0, 2, 300)
    sh = rng.choice([0.0, 0.5, 1.0], 300, p=[0.3, 0.4, 0.3])
    sh = np.where((yh == 1) & (rng.random(300) < 0.3), 1.0, sh)
    return [
        delong_case("continuous_n200", s200, y200),
        delong_case("ties_rounded_one_decimal_n200", np.round(s200, 1), y200),
        delong_case("heavy_ties_three_values_n300", sh, yh),
        delong_case("n2_one_each", [0.3, 0.8], [0, 1]),
        delong_case("n3_two_pos_one_neg", [0.3, 0.8, 0.2], [1, 1, 0]),
        delong_case("n4_two_each_tied", [0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]),
        delong_case("perfect_separation", [0.1, 0.2, 0.3, 0.7, 0.8, 0.9], [0, 0, 0, 1, 1, 1]),
        delong_case("perfectly_wrong", [0.9, 0.8, 0.7, 0.3, 0.2, 0.1], [0, 0, 0, 1, 1, 1]),
        delong_case("logistic_n5000", s5000, y5000),
        delong_case("alpha_0.1_n200", s200, y200, alpha=0.1),
    ]


def delong_bins_case(name, pos_counts, neg_counts):
    pos_counts = np.asarray(pos_counts, dtype=int)
    neg_counts = np.asarray(neg_counts, dtype=int)
    values = np.concatenate([np.repeat(np.arange(len(pos_counts)), pos_counts),
                             np.repeat(np.arange(len(neg_counts)), neg_counts)]).astype(float)
    labels = np.concatenate([np.ones(pos_counts.sum(), dtype=int), np.zeros(neg_counts.sum(), dtype=int)])
    auc, var = delong_direct(values, labels)
    d = {"name": name, "positives": [int(v) for v in pos_counts], "negatives": [int(v) for v in neg_counts]}
    d.update(delong_record(auc, var))
    return d


def delong_bins_cases():
    rng = np.random.default_rng(2002)
    pos = np.histogram(rng.normal(0.6, 0.15, 700), bins=100, range=(0, 1))[0]
    neg = np.histogram(rng.normal(0.4, 0.15, 900), bins=100, range=(0, 1))[0]
    return [
        delong_bins_case("ten_bins_with_empty", [0, 3, 5, 0, 8, 12, 20, 0, 31, 9], [14, 22, 17, 0, 9, 6, 3, 0, 1, 0]),
        delong_bins_case("hundred_bins_normal", pos, neg),
        delong_bins_case("one_bin_all_tied", [7], [5]),
        delong_bins_case("two_bins", [1, 4], [4, 1]),
    ]


def delong_compare_cases():
    rng = np.random.default_rng(2003)
    out = []
    for name, n1, n2, shift1, shift2 in [("similar", 400, 600, 1.0, 1.0), ("different", 300, 3000, 0.3, 1.5),
                                         ("small", 12, 15, 0.5, 2.0)]:
        y1 = rng.integers(0, 2, n1)
        s1 = 1 / (1 + np.exp(-(rng.normal(0, 1, n1) + shift1 * y1)))
        y2 = rng.integers(0, 2, n2)
        s2 = 1 / (1 + np.exp(-(rng.normal(0, 1, n2) + shift2 * y2)))
        a1, v1 = delong_direct(s1, y1)
        a2, v2 = delong_direct(s2, y2)
        diff = a1 - a2
        se = math.sqrt(v1 + v2)
        z = diff / se
        out.append({"name": name, "scores1": flist(s1), "labels1": [int(v) for v in y1],
                    "scores2": flist(s2), "labels2": [int(v) for v in y2],
                    "difference": finite(diff), "standard_error": finite(se), "z": finite(z),
                    "p_value": two_sided_p(z)})
    return out


# ----------------------------------------------------------------- CBPE

def cbpe(scores, threshold):
    p = np.asarray(scores, dtype=float)
    above = p >= threshold
    etp = float(p[above].sum())
    efp = float((1 - p[above]).sum())
    efn = float(p[~above].sum())
    etn = float((1 - p[~above]).sum())
    n = len(p)
    total_p = float(p.sum())
    total_q = float((1 - p).sum())
    auc = None
    if total_p > 0 and total_q > 0:
        tpr, fpr = [0.0], [0.0]
        for t in np.unique(p)[::-1]:
            sel = p >= t
            tpr.append(float(p[sel].sum()) / total_p)
            fpr.append(float((1 - p[sel]).sum()) / total_q)
        auc = finite(np.trapz(tpr, fpr))
    return {
        "expected_tp": etp, "expected_fp": efp, "expected_fn": efn, "expected_tn": etn,
        "accuracy": (etp + etn) / n,
        "precision": etp / (etp + efp) if etp + efp > 0 else 0.0,
        "recall": etp / (etp + efn) if etp + efn > 0 else 0.0,
        "f1": 2 * etp / (2 * etp + efp + efn) if 2 * etp + efp + efn > 0 else 0.0,
        "auc": auc,
    }


def cbpe_case(name, scores, threshold=0.5):
    d = {"name": name, "scores": flist(scores), "threshold": threshold}
    d.update(cbpe(scores, threshold))
    return d


def cbpe_cases():
    rng = np.random.default_rng(3001)
    beta = rng.beta(2, 5, 1000)
    return [
        cbpe_case("beta_2_5_n1000", beta),
        cbpe_case("beta_2_5_n1000_threshold_0.3", beta, 0.3),
        cbpe_case("ties_two_decimals_n2000", np.round(rng.random(2000), 2), 0.3),
        cbpe_case("threshold_equals_scores", [0.2, 0.5, 0.5, 0.7, 0.5, 0.1, 0.9], 0.5),
        cbpe_case("single_score", [0.7]),
        cbpe_case("all_zero", [0.0, 0.0, 0.0]),
        cbpe_case("all_one", [1.0, 1.0]),
        cbpe_case("nothing_predicted_positive", [0.1, 0.2, 0.3], 0.9),
        cbpe_case("uniform_n5000", rng.random(5000)),
    ]


# ----------------------------------------------------------------- multiclass

def multiclass_case(name, actual, predicted):
    actual = [str(a) for a in actual]
    predicted = [str(p) for p in predicted]
    labels = sorted(set(actual) | set(predicted))
    per_class = skm.f1_score(actual, predicted, labels=labels, average=None, zero_division=0)
    return {"name": name, "actual": actual, "predicted": predicted,
            "accuracy": finite(skm.accuracy_score(actual, predicted)),
            "macro_f1": finite(skm.f1_score(actual, predicted, average="macro", zero_division=0)),
            "labels": labels, "per_class_f1": flist(per_class)}


def multiclass_cases():
    rng = np.random.default_rng(4001)
    classes = np.array(["cat", "dog", "bird", "fish"])
    actual = rng.choice(classes, 500, p=[0.4, 0.3, 0.2, 0.1])
    noisy = np.where(rng.random(500) < 0.7, actual, rng.choice(classes, 500))
    return [
        multiclass_case("four_classes_n500", actual, noisy),
        multiclass_case("label_only_predicted", ["a", "a", "b", "b"], ["a", "c", "b", "b"]),
        multiclass_case("label_only_actual", ["a", "b", "c", "c"], ["a", "b", "b", "b"]),
        multiclass_case("single_class_all_right", ["x", "x", "x"], ["x", "x", "x"]),
        multiclass_case("single_example_wrong", ["x"], ["y"]),
        multiclass_case("integer_labels", [0, 1, 2, 2, 1, 0, 3], [0, 2, 2, 2, 1, 1, 0]),
        multiclass_case("all_wrong", ["a", "b", "c"], ["b", "c", "a"]),
    ]


# ----------------------------------------------------------------- slices

def reliability_ece(scores, labels):
    edges = np.linspace(0, 1, 11)
    bins = np.searchsorted(edges[1:-1], scores, side="left")
    n = len(scores)
    ece = 0.0
    for b in range(10):
        m = bins == b
        if m.any():
            ece += m.sum() / n * abs(float(np.mean(labels[m])) - float(np.mean(scores[m])))
    if len(np.unique(labels)) == 2:
        prob_true, prob_pred = calibration_curve(labels, scores, n_bins=10, strategy="uniform")
        assert len(prob_true) == len(np.unique(bins))
    return float(ece)


def rate(count, nobs):
    """{value, lower, upper} with the Wilson interval; value 0 and no interval when nobs is 0."""
    if nobs == 0:
        return {"value": 0.0, "lower": None, "upper": None}
    lo, hi = wilson(count, nobs)
    return {"value": count / nobs, "lower": lo, "upper": hi}


class Rows:
    """Counts of one set of rows."""

    def __init__(self, scores, labels, threshold):
        self.s = scores
        self.y = labels
        pred = scores >= threshold
        self.n = len(scores)
        self.positives = int((labels == 1).sum())
        self.tp = int((pred & (labels == 1)).sum())
        self.fp = int((pred & (labels == 0)).sum())
        self.fn = int((~pred & (labels == 1)).sum())
        self.tn = self.n - self.tp - self.fp - self.fn
        self.correct = self.tp + self.tn
        self.err = (scores - labels) ** 2
        self._delong = None

    @property
    def f1(self):
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else 0.0

    @property
    def f1_defined(self):
        return 2 * self.tp + self.fp + self.fn > 0

    @property
    def f1_variance(self):
        a, b, c = self.tp + 0.5, self.fp + 0.5, self.fn + 0.5
        return 4 * a * (b + c) * (a + b + c) / (2 * a + b + c) ** 4

    @property
    def brier(self):
        return float(np.mean(self.err))

    @property
    def brier_variance(self):
        return float(np.var(self.err, ddof=1)) / self.n if self.n > 1 else math.nan

    def delong(self):
        if self._delong is None:
            if self.positives == 0 or self.positives == self.n:
                self._delong = (None, None)
            else:
                self._delong = delong_ranks(self.s, self.y)
        return self._delong

    def metrics(self):
        auc, var = self.delong()
        return {
            "count": self.n, "positives": self.positives,
            "true_positives": self.tp, "false_positives": self.fp, "false_negatives": self.fn,
            "accuracy": rate(self.correct, self.n),
            "error_rate": rate(self.n - self.correct, self.n),
            "precision": rate(self.tp, self.tp + self.fp),
            "recall": rate(self.tp, self.tp + self.fn),
            "positive_rate": rate(self.positives, self.n),
            "predicted_positive_rate": rate(self.tp + self.fp, self.n),
            "f1": self.f1,
            "brier": self.brier,
            "ece": reliability_ece(self.s, self.y),
            "auc": None if auc is None else delong_record(auc, var),
        }


HIGHER_IS_BETTER = {"accuracy": True, "error_rate": False, "precision": True, "recall": True,
                    "f1": True, "brier": False, "auc": True}
RATE_COUNTS = {
    "accuracy": lambda r: (r.correct, r.n),
    "error_rate": lambda r: (r.n - r.correct, r.n),
    "precision": lambda r: (r.tp, r.tp + r.fp),
    "recall": lambda r: (r.tp, r.tp + r.fn),
}


def compare(s, r, metric):
    """Slice s against disjoint rows r; None when the metric or its test is undefined."""
    hib = HIGHER_IS_BETTER[metric]
    if metric in RATE_COUNTS:
        x1, n1 = RATE_COUNTS[metric](s)
        x2, n2 = RATE_COUNTS[metric](r)
        if n1 == 0 or n2 == 0:
            return None
        v1, v2 = x1 / n1, x2 / n2
        z, p = ztest(x1, n1, x2, n2)
        lower = newcombe(x2, n2, x1, n1)[0] if hib else newcombe(x1, n1, x2, n2)[0]
        pooled = (x1 + x2) / (n1 + n2)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    else:
        if metric == "f1":
            if not (s.f1_defined and r.f1_defined):
                return None
            v1, v2, var = s.f1, r.f1, s.f1_variance + r.f1_variance
        elif metric == "brier":
            if s.n < 2 or r.n < 2:
                return None
            v1, v2, var = s.brier, r.brier, s.brier_variance + r.brier_variance
        else:
            a1, w1 = s.delong()
            a2, w2 = r.delong()
            if a1 is None or a2 is None or not math.isfinite(w1) or not math.isfinite(w2):
                return None
            v1, v2, var = a1, a2, w1 + w2
        se = math.sqrt(var)
        d = v1 - v2
        if se == 0:
            z = 0.0 if d == 0 else math.copysign(math.inf, d)
            p = 1.0 if d == 0 else 0.0
        else:
            z = d / se
            p = two_sided_p(z)
        lower = (v2 - v1 if hib else v1 - v2) - Z * se
    d = v1 - v2
    return {"metric": metric, "slice_value": v1, "rest_value": v2, "difference": d,
            "degradation": -d if hib else d, "standard_error": se, "z": fl(z), "p_value": p,
            "lower_bound": lower}


def bh(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return np.array([])
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    out = np.empty(m)
    out[order] = adj
    return out


def slice_reference(scores, labels, dims, threshold=0.5, metric="accuracy", min_support=50,
                    pair_dimensions=3, values_per_dimension=20, top=20):
    """dims: list of (name, list of str or None). Returns (overall, dimensions, worst, candidates)."""
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=int)
    n = len(scores)
    everything = np.ones(n, dtype=bool)

    def rows(mask):
        return Rows(scores[mask], labels[mask], threshold)

    coded = []
    for index, (name, values) in enumerate(dims):
        cells = [NULL if v is None else v for v in values]
        counts = {}
        for c in cells:
            counts[c] = counts.get(c, 0) + 1
        ranked = sorted(counts, key=lambda v: (-counts[v], v))
        kept = ranked[:values_per_dimension]
        merged = ranked[values_per_dimension:]
        keep = set(kept)
        labels_of_rows = np.array([c if c in keep else OTHER for c in cells], dtype=object)
        order = kept + ([OTHER] if merged else [])
        volume = sum(1 for v in values if v is not None)
        coded.append({"index": index, "name": name, "rows": labels_of_rows, "values": order,
                      "volume": volume, "other_values": len(merged)})

    # Per-dimension report: every kept value (any support) against the rest, BH across all of them.
    report = []
    tests, auc_tests = [], []
    for d in coded:
        slices = []
        for v in d["values"]:
            mask = d["rows"] == v
            s, r = rows(mask), rows(~mask)
            entry = {"value": v, "metrics": s.metrics(),
                     "comparison": compare(s, r, metric) if r.n > 0 else None,
                     "auc_comparison": compare(s, r, "auc") if r.n > 0 else None}
            slices.append(entry)
            if entry["comparison"] is not None:
                tests.append(entry["comparison"])
            if entry["auc_comparison"] is not None:
                auc_tests.append(entry["auc_comparison"])
        report.append({"name": d["name"], "volume": d["volume"], "other_values": d["other_values"],
                       "slices": slices})
    for family in (tests, auc_tests):
        adjusted = bh([t["p_value"] for t in family])
        for t, a in zip(family, adjusted):
            t["p_value_adjusted"] = float(a)
            t["significant"] = bool(a < ALPHA)

    # Worst slices.
    by_volume = sorted(coded, key=lambda d: (-d["volume"], d["index"]))[:pair_dimensions]
    pair_dims = sorted(by_volume, key=lambda d: d["index"])
    candidates = []
    for d in coded:
        for v in d["values"]:
            mask = d["rows"] == v
            candidates.append(([(d["name"], v)], mask, []))
    for i in range(len(pair_dims)):
        for j in range(i + 1, len(pair_dims)):
            a, b = pair_dims[i], pair_dims[j]
            for va in a["values"]:
                ma = a["rows"] == va
                for vb in b["values"]:
                    mb = b["rows"] == vb
                    candidates.append(([(a["name"], va), (b["name"], vb)], ma & mb, [ma, mb]))
    evaluated = []
    for key, mask, parents in candidates:
        support = int(mask.sum())
        if support < min_support or support == n:
            continue
        s = rows(mask)
        c = compare(s, rows(~mask), metric)
        if c is None:
            continue
        explained = False
        for parent in parents:
            rest_of_parent = parent & ~mask
            if not rest_of_parent.any():
                explained = True
                continue
            pc = compare(s, rows(rest_of_parent), metric)
            if pc is None or not (pc["degradation"] > 0 and pc["p_value"] < ALPHA):
                explained = True
        name = " & ".join(f"{k}={v}" for k, v in key)
        evaluated.append({"slice": name, "conditions": [{"dimension": k, "value": v} for k, v in key],
                          "count": support, "comparison": c, "explained_by_parent": explained})
    adjusted = bh([e["comparison"]["p_value"] for e in evaluated])
    for e, a in zip(evaluated, adjusted):
        e["comparison"]["p_value_adjusted"] = float(a)
        e["comparison"]["significant"] = bool(a < ALPHA)
    listed = [e for e in evaluated if e["comparison"]["degradation"] > 0 and not e["explained_by_parent"]]
    listed.sort(key=lambda e: (-e["comparison"]["lower_bound"], e["comparison"]["p_value"], e["slice"]))
    worst = []
    for rank, e in enumerate(listed[:top], start=1):
        worst.append({"rank": rank, "slice": e["slice"], "conditions": e["conditions"], "count": e["count"],
                      **e["comparison"]})
    overall = rows(everything).metrics()
    return overall, report, worst, len(evaluated)


def planted_dataset(n=8000, seed=5001):
    """Calibrated scores everywhere except country=BR and device=ios & plan=free, where labels are
    nearly independent of the score (accuracy about 0.58 there, 0.76 elsewhere)."""
    rng = np.random.default_rng(seed)
    small = [f"X{i:02d}" for i in range(1, 25)]
    countries = ["US", "DE", "IN", "BR", "MX", "FR"] + small
    cp = np.array([0.30, 0.15, 0.15, 0.12, 0.08, 0.05] + [0.15 / 24] * 24)
    country = rng.choice(countries, n, p=cp / cp.sum())
    device = rng.choice(["android", "ios", "web"], n, p=[0.45, 0.35, 0.20])
    plan = rng.choice(["free", "basic", "pro", "enterprise"], n, p=[0.40, 0.30, 0.20, 0.10])
    channel = rng.choice(["email", "ads", "organic"], n, p=[0.3, 0.3, 0.4]).astype(object)
    channel[rng.random(n) < 0.4] = None
    q = np.round(rng.beta(0.7, 0.7, n), 4)
    degraded = (country == "BR") | ((device == "ios") & (plan == "free"))
    truth = np.where(degraded, 0.5 + 0.25 * (q - 0.5), q)
    label = (rng.random(n) < truth).astype(int)
    dims = [("country", list(country)), ("device", list(device)), ("plan", list(plan)), ("channel", list(channel))]
    return q, label, dims


def planted_section():
    scores, labels, dims = planted_dataset()
    out = {"threshold": 0.5, "min_support": 50, "pair_dimensions": 3, "values_per_dimension": 20, "top": 20,
           "scores": flist(scores), "labels": [int(v) for v in labels],
           "dimensions": [{"name": name, "values": values} for name, values in dims],
           "planted": ["country=BR", "device=ios & plan=free"], "worst": {}}
    for metric in ("accuracy", "error_rate", "precision", "recall", "f1", "brier", "auc"):
        overall, report, worst, evaluated = slice_reference(scores, labels, dims, metric=metric)
        out["worst"][metric] = {"evaluated": evaluated, "slices": worst}
        if metric == "accuracy":
            out["overall"] = overall
            out["dimensions_report"] = report
            top2 = {w["slice"] for w in worst[:2]}
            assert top2 == set(out["planted"]), [w["slice"] for w in worst[:5]]
        print(f"  worst by {metric}: " + ", ".join(f"{w['slice']} ({w['lower_bound']:.3f})" for w in worst[:4]))
    return out, (scores, labels, dims)


def write_cli_fixture(scores, labels, dims):
    """slices.csv (the planted dataset with a few unscored rows and an unrelated column) and the expected report."""
    names = [name for name, _ in dims]
    header = ["id", "p", "y"] + names + ["note"]
    skipped_at = {17, 1234, 4321, 7999}
    rows = []
    for i in range(len(scores)):
        cells = [f"r{i}", repr(float(scores[i])), str(int(labels[i]))]
        cells += ["" if values[i] is None else values[i] for _, values in dims]
        cells += ["free text, with a comma" if i % 1000 == 0 else "x"]
        rows.append(cells)
        if i in skipped_at:
            extra = [f"s{i}", "" if i % 2 else "0.4", "1" if i % 2 else ""] + ["US", "ios", "free", "ads"] + ["skipped"]
            rows.append(extra)
    with open(CLI_CSV, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    overall, report, worst, evaluated = slice_reference(scores, labels, dims)
    expected = {"rows": len(rows), "skipped_rows": len(skipped_at), "threshold": 0.5, "metric": "accuracy",
                "overall": overall, "dimensions": report, "worst_slices": worst, "evaluated_slices": evaluated,
                "planted": ["country=BR", "device=ios & plan=free"]}
    with open(CLI_EXPECTED, "w", encoding="utf-8") as f:
        json.dump(expected, f, allow_nan=False, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {CLI_CSV} ({os.path.getsize(CLI_CSV)} bytes), {CLI_EXPECTED} ({os.path.getsize(CLI_EXPECTED)} bytes)")


# ----------------------------------------------------------------- slice prediction drift

SCORE_EDGES = np.linspace(0, 1, 11)[1:-1]


def score_bins(scores):
    return np.bincount(np.searchsorted(SCORE_EDGES, scores, side="left"), minlength=10).astype(int)


def slice_drift_family(slices):
    """slices: list of (current scores, reference scores). Returns one dict per slice."""
    out, tested, pvals = [], [], []
    for i, (cur, ref) in enumerate(slices):
        c, r = score_bins(cur), score_bins(ref)
        case = {"current": [int(x) for x in c], "reference": [int(x) for x in r]}
        if c.sum() == 0 or r.sum() == 0:
            case.update({"psi": None, "jensen_shannon": None, "chi_square": None, "p_value_adjusted": None,
                         "drifted": False})
            out.append(case)
            continue
        occ = (c + r) > 0
        rc, cc = r[occ], c[occ]
        rp, cp = rc / rc.sum(), cc / cc.sum()
        rz, cz = np.where(rp == 0, 0.0001, rp), np.where(cp == 0, 0.0001, cp)
        psi = float(np.sum((cz - rz) * np.log(cz / rz)))
        js = float(scipy.spatial.distance.jensenshannon(rp, cp, base=2))
        if occ.sum() > 1:
            stat, p, dof, _ = scipy.stats.chi2_contingency(np.array([rc, cc]), correction=False)
        else:
            stat, p, dof = 0.0, 1.0, 0
        case.update({"psi": finite(psi), "jensen_shannon": finite(js),
                     "chi_square": {"statistic": finite(stat), "p_value": finite(p), "dof": int(dof)}})
        tested.append(i)
        pvals.append(float(p))
        out.append(case)
    adjusted = bh(pvals)
    for k, i in enumerate(tested):
        case = out[i]
        case["p_value_adjusted"] = finite(adjusted[k])
        enough = min(sum(case["current"]), sum(case["reference"])) >= 30
        case["drifted"] = bool(enough and (case["psi"] >= 0.2 or (adjusted[k] < 0.05 and case["jensen_shannon"] >= 0.1)))
    return out


def slice_drift_cases():
    rng = np.random.default_rng(6001)
    families = {
        # Most slices steady, one shifted up, one with too few scores, one new (no reference), one empty now.
        "mixed": [(rng.beta(2, 5, 4000), rng.beta(2, 5, 20000)),
                  (rng.beta(5, 2, 1500), rng.beta(2, 5, 8000)),
                  (rng.beta(2, 2, 20), rng.beta(5, 2, 25)),
                  (rng.beta(2, 5, 300), np.array([])),
                  (np.array([]), rng.beta(2, 5, 300)),
                  (rng.beta(2.2, 5, 900), rng.beta(2, 5, 900))],
        # Large samples: tiny shift is significant but not material; a material one is called.
        "large": [(rng.beta(2.05, 5, 200000), rng.beta(2, 5, 200000)),
                  (rng.beta(2.6, 5, 200000), rng.beta(2, 5, 200000))],
        # Scores on the bin edges and at 0 and 1; a single occupied bin in both samples (dof 0).
        "edges": [(np.array([0.0, 0.1, 0.1, 0.2, 0.9, 1.0] * 20), np.array([0.0, 0.1, 0.3, 0.9, 0.95, 1.0] * 20)),
                  (np.full(50, 0.55), np.full(60, 0.6))],
    }
    return [{"name": name, "slices": slice_drift_family(slices)} for name, slices in families.items()]


# ----------------------------------------------------------------- main

def main():
    planted, data = planted_section()
    fixtures = {
        "generator": "generate_slice_fixtures.py",
        "numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
        "statsmodels": statsmodels.__version__,
        "wilson": wilson_cases(),
        "ztest": ztest_cases(),
        "newcombe": newcombe_cases(),
        "delong": delong_cases(),
        "delong_bins": delong_bins_cases(),
        "delong_compare": delong_compare_cases(),
        "cbpe": cbpe_cases(),
        "multiclass": multiclass_cases(),
        "slice_prediction_drift": slice_drift_cases(),
        "planted": planted,
    }
    for section, value in fixtures.items():
        if isinstance(value, list):
            names = [c["name"] for c in value]
            assert len(names) == len(set(names)), section
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(fixtures, f, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
    write_cli_fixture(*data)


if __name__ == "__main__":
    main()
