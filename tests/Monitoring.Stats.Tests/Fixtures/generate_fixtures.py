#!/usr/bin/python3
"""Generate reference fixtures for Monitoring.Stats tests.

Run with Debian's interpreter (needs numpy, scipy, scikit-learn):

    /usr/bin/python3 tests/Monitoring.Stats.Tests/Fixtures/generate_fixtures.py

Writes stats_fixtures.json next to this script. Output is deterministic for a
given numpy/scipy/sklearn version (fixed numpy default_rng seeds).

Notes on how the contract was followed with the library versions used when the
fixtures were generated (numpy 1.24.2, scipy 1.10.1, scikit-learn 1.2.1):

* KS: scipy.stats.ks_2samp(method='auto'); in scipy 1.10.1 'auto' means
  exact if max(n1, n2) <= MAX_AUTO_N (= 10000) else asymp. The exact path can
  still fall back to asymp with a RuntimeWarning ("Exact calculation
  unsuccessful"); warnings are captured and ks_method records the method that
  was actually used. In the exact path scipy re-rounds the statistic to
  h / lcm(n1, n2), which is what ks_statistic holds.
* log_loss: sklearn 1.2.1 accepts eps=1e-15, so it is called literally
  (it clips to [eps, 1-eps] and renormalises the two class columns).
* Benjamini-Hochberg: scipy.stats.false_discovery_control does not exist in
  scipy 1.10.1 (added in 1.11), so BH is computed with numpy and checked
  against a brute-force O(m^2) definition.
* Hellinger: 1 - sum(sqrt(r*c)) can go slightly negative by rounding when
  r == c; it is clipped at 0 before the sqrt.
"""

import json
import math
import os
import warnings
from collections import Counter

import numpy as np
import scipy
import scipy.stats
import scipy.spatial.distance
import sklearn
import sklearn.metrics as skm
from sklearn.calibration import calibration_curve

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "stats_fixtures.json")

DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
PSI_EPS = 0.0001


# ----------------------------------------------------------------- helpers

def r6(a):
    """Round to 6 significant digits (keeps the JSON small for large n)."""
    return np.array([float(f"{x:.6g}") for x in np.asarray(a, dtype=float)])


def fl(x):
    """Python float, or None if not finite."""
    x = float(x)
    return x if math.isfinite(x) else None


def flist(a):
    out = [float(x) for x in np.asarray(a, dtype=float)]
    assert all(math.isfinite(x) for x in out), "non-finite value in list"
    return out


def finite(x):
    x = float(x)
    assert math.isfinite(x), x
    return x


def psi(r, c):
    rp = np.where(r == 0, PSI_EPS, r)
    cp = np.where(c == 0, PSI_EPS, c)
    return float(np.sum((cp - rp) * np.log(cp / rp)))


def js(r, c):
    v = float(scipy.spatial.distance.jensenshannon(r, c, base=2))
    assert math.isfinite(v), (r, c, v)
    return v


def hellinger(r, c):
    inside = 1.0 - float(np.sum(np.sqrt(r * c)))
    # Clipped at 0: when r == c the Bhattacharyya coefficient can exceed 1 by
    # a rounding error, which would make the sqrt NaN.
    return math.sqrt(max(inside, 0.0))


def ks(ref, cur):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = scipy.stats.ks_2samp(ref, cur, alternative="two-sided", method="auto")
    method = "exact" if max(len(ref), len(cur)) <= 10000 else "asymp"
    fell_back = [str(x.message) for x in w
                 if issubclass(x.category, RuntimeWarning) and "Switching" in str(x.message)]
    if fell_back:
        method = "asymp"
    return finite(res.statistic), finite(res.pvalue), method, fell_back


KS_FALLBACKS = []


# ----------------------------------------------------------------- quantiles

def quantile_case(name, values):
    values = np.asarray(values, dtype=float)
    return {"name": name, "values": flist(values), "q": DECILES,
            "result": flist(np.quantile(values, DECILES))}


def quantile_cases():
    rng = np.random.default_rng(101)
    return [
        quantile_case("single_value", [3.5]),
        quantile_case("two_values", [2.0, -1.0]),
        quantile_case("ten_sorted_integers", np.arange(1, 11)),
        quantile_case("unsorted_with_ties", [5, 1, 3, 3, 3, 9, 1, 7, 3, 2, 2]),
        quantile_case("negative_and_negative_zero", [-0.0, -3.25, 0.0, -1e-9, 2.5, -7.0, 1e-300]),
        quantile_case("normal_n1000_full_precision", rng.normal(10, 3, 1000)),
        quantile_case("exponential_n37", rng.exponential(2.0, 37)),
        quantile_case("constant_n50", np.full(50, 4.2)),
        quantile_case("large_magnitudes", [1e15, -1e15, 123456789.123, 1e-12, 3.0e8, -42.0]),
    ]


# ----------------------------------------------------------------- numeric

def numeric_case(name, ref, cur, as_int=False):
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    assert np.all(np.isfinite(ref)) and np.all(np.isfinite(cur))
    edges = np.unique(np.quantile(ref, DECILES))
    k = len(edges)
    rb = np.searchsorted(edges, ref, side="left")
    cb = np.searchsorted(edges, cur, side="left")
    rcnt = np.bincount(rb, minlength=k + 1)
    ccnt = np.bincount(cb, minlength=k + 1)
    assert len(rcnt) == k + 1 and len(ccnt) == k + 1
    r = rcnt / len(ref)
    c = ccnt / len(cur)
    stat, p, method, fell_back = ks(ref, cur)
    if fell_back:
        KS_FALLBACKS.append((name, len(ref), len(cur), fell_back))
    conv = (lambda a: [int(x) for x in a]) if as_int else flist
    if as_int:
        assert np.all(ref == np.round(ref)) and np.all(cur == np.round(cur))
    return {
        "name": name,
        "reference": conv(ref),
        "current": conv(cur),
        "edges": flist(edges),
        "reference_counts": [int(x) for x in rcnt],
        "current_counts": [int(x) for x in ccnt],
        "psi": finite(psi(r, c)),
        "jensen_shannon": js(r, c),
        "hellinger": hellinger(r, c),
        "ks_statistic": stat,
        "ks_pvalue": p,
        "ks_method": method,
        "wasserstein": finite(scipy.stats.wasserstein_distance(ref, cur)),
    }


def numeric_cases():
    cases = []
    rng = np.random.default_rng(202)

    x = rng.normal(0, 1, 400)
    cases.append(numeric_case("identical_samples_normal_n400", x, x.copy()))

    cases.append(numeric_case("small_shift_normal_500_vs_500_exact_equal_n",
                              rng.normal(0, 1, 500), rng.normal(0.15, 1, 500)))
    cases.append(numeric_case("different_sizes_300_vs_700_exact",
                              rng.normal(5, 2, 300), rng.normal(5.3, 2.2, 700)))

    cases.append(numeric_case("discrete_integers_0_to_5_ties",
                              rng.integers(0, 6, 600).astype(float),
                              rng.choice(6, 450, p=[0.1, 0.1, 0.2, 0.2, 0.2, 0.2]).astype(float)))
    ref = np.where(rng.random(1000) < 0.93, 7.0, rng.normal(7, 3, 1000))
    cur = np.where(rng.random(800) < 0.80, 7.0, rng.normal(8, 3, 800))
    cases.append(numeric_case("mostly_same_value_collapsed_edges", r6(ref), r6(cur)))

    cases.append(numeric_case("constant_both_same_value", np.full(100, 3.0), np.full(80, 3.0)))
    cases.append(numeric_case("constant_different_values", np.full(100, 3.0), np.full(80, 4.5)))

    cases.append(numeric_case("tiny_1_vs_1", [1.5], [2.5]))
    cases.append(numeric_case("tiny_1_vs_1_equal", [2.0], [2.0]))
    cases.append(numeric_case("tiny_1_vs_2", [0.3], [0.1, 0.7]))
    cases.append(numeric_case("tiny_2_vs_2", [1.0, 2.0], [1.5, 3.0]))
    cases.append(numeric_case("tiny_2_vs_5", [10.0, -4.0], [0.0, 1.0, 2.0, 3.0, 11.0]))
    cases.append(numeric_case("tiny_3_vs_1", [1.0, 2.0, 3.0], [2.0]))

    cases.append(numeric_case("boundary_10000_vs_10000_exact",
                              r6(rng.normal(0, 1, 10000)), r6(rng.normal(0.02, 1, 10000))))
    cases.append(numeric_case("boundary_10001_vs_9000_asymp",
                              r6(rng.normal(0, 1, 10001)), r6(rng.normal(0.03, 1.05, 9000))))
    cases.append(numeric_case("large_20000_vs_20000_asymp_no_drift",
                              r6(rng.normal(100, 15, 20000)), r6(rng.normal(100, 15, 20000))))
    cases.append(numeric_case("large_20000_vs_20000_asymp_drift",
                              r6(rng.normal(100, 15, 20000)), r6(rng.normal(106, 18, 20000))))
    cases.append(numeric_case("large_20000_vs_15000_asymp",
                              r6(rng.lognormal(3, 0.5, 20000)), r6(rng.lognormal(3.02, 0.5, 15000))))

    # mild drift on the asymp path: pick the first seed giving 0.01 < p < 0.5
    for seed in range(1000, 1100):
        g = np.random.default_rng(seed)
        a = r6(g.normal(0, 1, 12000))
        b = r6(g.normal(0.03, 1, 12000))
        p = scipy.stats.ks_2samp(a, b, method="auto").pvalue
        if 0.01 < p < 0.5:
            break
    else:
        raise AssertionError("no seed gave a mild p-value")
    cases.append(numeric_case("mild_drift_12000_vs_12000_asymp_p_between_0.01_and_0.5", a, b))
    assert 0.01 < cases[-1]["ks_pvalue"] < 0.5 and cases[-1]["ks_method"] == "asymp"

    cases.append(numeric_case("heavy_tails_cauchy_vs_student_t_df1.5",
                              rng.standard_cauchy(2000), rng.standard_t(1.5, 1500)))

    ref = rng.normal(50, 10, 500)
    edges = np.unique(np.quantile(ref, DECILES))
    cur = np.concatenate([np.repeat(edges, 20), rng.normal(50, 10, 100)])
    cases.append(numeric_case("current_values_exactly_on_reference_edges", ref, cur))

    ref = np.concatenate([[-0.0, 0.0, -0.0, -1e-300], rng.normal(-2, 1, 196)])
    cur = np.concatenate([[-0.0, -0.0, 0.0, 5e-324], rng.normal(-2.2, 1.3, 146)])
    cases.append(numeric_case("negative_values_and_negative_zero", ref, cur))

    cases.append(numeric_case("large_drift_exact_500_vs_500_tiny_pvalue",
                              rng.normal(0, 1, 500), rng.normal(3, 1, 500)))
    cases.append(numeric_case("large_drift_exact_600_vs_400_tiny_pvalue",
                              rng.normal(0, 1, 600), rng.normal(2.5, 1, 400)))
    cases.append(numeric_case("large_drift_asymp_15000_vs_12000_pvalue_underflow",
                              r6(rng.normal(0, 1, 15000)), r6(rng.normal(2, 1, 12000))))

    cases.append(numeric_case("many_digits_full_precision",
                              rng.normal(0, 1, 250) * math.pi, rng.normal(0.1, 1, 260) * math.e))
    cases.append(numeric_case("integer_values_written_as_json_integers",
                              rng.integers(-50, 200, 300).astype(float),
                              rng.integers(-40, 230, 350).astype(float), as_int=True))
    return cases


# ----------------------------------------------------------------- categorical

def categorical_case(name, ref, cur):
    ref = [str(s) for s in ref]
    cur = [str(s) for s in cur]
    # Python sorts str by code point (ordinal order, not culture-aware).
    cats = sorted(set(ref) | set(cur))
    rc, cc = Counter(ref), Counter(cur)
    rcnt = np.array([rc[k] for k in cats], dtype=np.int64)
    ccnt = np.array([cc[k] for k in cats], dtype=np.int64)
    assert rcnt.sum() == len(ref) and ccnt.sum() == len(cur)
    r = rcnt / len(ref)
    c = ccnt / len(cur)
    try:
        chi2, p, dof, _ = scipy.stats.chi2_contingency(np.array([rcnt, ccnt]), correction=False)
        chi2, p, dof = finite(chi2), finite(p), int(dof)
    except ValueError:
        chi2 = p = dof = None
    return {
        "name": name,
        "reference": ref,
        "current": cur,
        "categories": cats,
        "reference_counts": [int(x) for x in rcnt],
        "current_counts": [int(x) for x in ccnt],
        "psi": finite(psi(r, c)),
        "jensen_shannon": js(r, c),
        "hellinger": hellinger(r, c),
        "chi2_statistic": chi2,
        "chi2_pvalue": p,
        "chi2_dof": dof,
        "new_categories": sorted(set(cur) - set(ref)),
        "missing_categories": sorted(set(ref) - set(cur)),
    }


def categorical_cases():
    rng = np.random.default_rng(303)
    cases = []
    k3 = ["red", "green", "blue"]
    p3 = [0.5, 0.3, 0.2]
    cases.append(categorical_case("same_distribution",
                                  rng.choice(k3, 1000, p=p3), rng.choice(k3, 800, p=p3)))
    cases.append(categorical_case("identical_lists", ["a", "b", "b", "c"], ["a", "b", "b", "c"]))
    cases.append(categorical_case("shifted_distribution",
                                  rng.choice(k3, 1000, p=p3), rng.choice(k3, 900, p=[0.3, 0.3, 0.4])))
    cases.append(categorical_case("unseen_categories_in_current",
                                  rng.choice(k3, 500, p=p3),
                                  np.concatenate([rng.choice(k3, 450, p=p3), ["purple"] * 30, ["black"] * 20])))
    cases.append(categorical_case("categories_missing_from_current",
                                  rng.choice(["a", "b", "c", "d", "e"], 600),
                                  rng.choice(["a", "b", "c"], 400)))
    cases.append(categorical_case("single_category_both_dof0", ["only"] * 50, ["only"] * 70))
    cases.append(categorical_case("one_only_in_reference_one_only_in_current",
                                  ["x"] * 40 + ["shared"] * 60, ["y"] * 25 + ["shared"] * 75))
    cases.append(categorical_case("disjoint_single_categories", ["x"] * 10, ["y"] * 10))
    names = [f"cat_{i:02d}" for i in range(30)]
    w = rng.dirichlet(np.ones(30))
    w2 = 0.8 * w + 0.2 * rng.dirichlet(np.ones(30))
    cases.append(categorical_case("thirty_categories_20000_rows",
                                  rng.choice(names, 20000, p=w), rng.choice(names, 20000, p=w2)))
    cases.append(categorical_case("zero_reference_count_category_psi_epsilon",
                                  ["a"] * 70 + ["b"] * 30, ["a"] * 60 + ["b"] * 30 + ["new"] * 10))
    cases.append(categorical_case("case_and_whitespace_sensitive_names",
                                  ["A", "a", " a", "a "] * 10 + ["Ä", "中国"] * 5,
                                  ["A", "a"] * 20 + ["a "] * 5 + ["Ä", "中国", "Z"] * 3))
    return cases


# ----------------------------------------------------------------- classification

def reliability(scores, labels):
    edges = np.linspace(0, 1, 11)
    bins = np.searchsorted(edges[1:-1], scores, side="left")
    rows, gaps, weights = [], [], []
    n = len(scores)
    for b in range(10):
        m = bins == b
        cnt = int(m.sum())
        if cnt:
            mp = float(np.mean(scores[m]))
            fp = float(np.mean(labels[m]))
            gaps.append(abs(fp - mp))
            weights.append(cnt / n)
        else:
            mp = fp = None
        rows.append({"bin": b, "lower": float(edges[b]), "upper": float(edges[b + 1]),
                     "count": cnt, "mean_predicted": mp, "fraction_positive": fp})
    # cross-check with sklearn
    prob_true, prob_pred = calibration_curve(labels, scores, n_bins=10, strategy="uniform", pos_label=1)
    ne = [r for r in rows if r["count"]]
    assert len(ne) == len(prob_true)
    assert np.allclose([r["fraction_positive"] for r in ne], prob_true, rtol=1e-12, atol=1e-15)
    assert np.allclose([r["mean_predicted"] for r in ne], prob_pred, rtol=1e-12, atol=1e-15)
    assert sum(r["count"] for r in rows) == n
    ece = float(sum(w * g for w, g in zip(weights, gaps)))
    mce = float(max(gaps))
    return rows, ece, mce


def classification_metrics(scores, labels, threshold=0.5):
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=int)
    assert np.all((scores >= 0) & (scores <= 1))
    assert set(np.unique(labels)) <= {0, 1}
    auc = None
    if len(np.unique(labels)) == 2:
        auc = finite(skm.roc_auc_score(labels, scores))
    pred = (scores >= threshold).astype(int)
    rows, ece, mce = reliability(scores, labels)
    return {
        "threshold": threshold,
        "auc": auc,
        "brier": finite(skm.brier_score_loss(labels, scores, pos_label=1)),
        # sklearn 1.2.1 accepts eps -> called literally.
        "log_loss": finite(skm.log_loss(labels, scores, eps=1e-15, labels=[0, 1])),
        "accuracy": finite(skm.accuracy_score(labels, pred)),
        "precision": finite(skm.precision_score(labels, pred, zero_division=0)),
        "recall": finite(skm.recall_score(labels, pred, zero_division=0)),
        "f1": finite(skm.f1_score(labels, pred, zero_division=0)),
        "ece": finite(ece),
        "mce": finite(mce),
        "reliability": rows,
    }


def classification_case(name, scores, labels):
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=int)
    d = {"name": name, "scores": flist(scores), "labels": [int(x) for x in labels]}
    d.update(classification_metrics(scores, labels))
    return d


def classification_cases():
    rng = np.random.default_rng(404)
    cases = []
    p = rng.beta(2, 3, 1000)
    cases.append(classification_case("calibrated_random_n1000", p, rng.random(1000) < p))

    p = rng.beta(2, 2, 5000)
    logit = np.log(p / (1 - p))
    s = 1 / (1 + np.exp(-3 * logit))
    cases.append(classification_case("overconfident_miscalibrated_n5000", s, rng.random(5000) < p))

    cases.append(classification_case("all_labels_one_auc_null", rng.random(200), np.ones(200)))
    cases.append(classification_case("all_labels_zero_auc_null", rng.random(200), np.zeros(200)))

    lin = list(np.linspace(0, 1, 11))
    pretty = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    extra = [0.30000000000000004, 0.6000000000000001, 0.7000000000000001,
             0.09999999999999999, 0.49999999999999994, 0.5000000000000001,
             0.19999999999999998, 0.20000000000000004, 0.8999999999999999]
    s = np.array((lin + pretty + extra) * 3)
    y = rng.integers(0, 2, len(s))
    cases.append(classification_case("scores_exactly_on_bin_edges", s, y))

    s = rng.choice([0.2, 0.5, 0.8], 600)
    y = (rng.random(600) < s).astype(int)
    cases.append(classification_case("heavy_ties_in_scores", s, y))

    s = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.5, 0.25, 0.75, 0.0])
    y = np.array([0, 1, 1, 0, 0, 1, 1, 0, 1, 1])
    cases.append(classification_case("scores_exactly_0_and_1_log_loss_clipping", s, y))

    s = rng.random(300) * 0.4999
    cases.append(classification_case("nothing_predicted_positive", s, (rng.random(300) < 0.3).astype(int)))

    cases.append(classification_case("single_sample_n1", [0.73], [1]))
    cases.append(classification_case("single_sample_n1_label0", [0.5], [0]))

    p = r6(rng.beta(1.5, 4, 20000))
    y = (rng.random(20000) < np.clip(p * 1.2, 0, 1)).astype(int)
    cases.append(classification_case("large_n20000", p, y))
    return cases


# ----------------------------------------------------------------- regression

def regression_case(name, pred, actual):
    pred = np.asarray(pred, dtype=float)
    actual = np.asarray(actual, dtype=float)
    return {
        "name": name, "predicted": flist(pred), "actual": flist(actual),
        "mae": finite(skm.mean_absolute_error(actual, pred)),
        "rmse": finite(math.sqrt(skm.mean_squared_error(actual, pred))),
        "mean_error": finite(np.mean(pred - actual)),
    }


def regression_cases():
    rng = np.random.default_rng(505)
    a = rng.normal(100, 20, 1000)
    cases = [
        regression_case("noisy_biased_n1000", a + 2.5 + rng.normal(0, 5, 1000), a),
        regression_case("single_sample_n1", [3.0], [5.5]),
        regression_case("perfect_predictions", [1.0, -2.0, 3.5], [1.0, -2.0, 3.5]),
        regression_case("heavy_tailed_errors_n500", rng.standard_t(2, 500), rng.normal(0, 1, 500)),
    ]
    return cases


# ----------------------------------------------------------------- BH

def bh(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return np.array([])
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adj_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    adj_sorted = np.minimum(adj_sorted, 1.0)
    out = np.empty(m)
    out[order] = adj_sorted
    # brute-force check of the definition
    ps = p[order]
    brute = np.array([min(1.0, min(ps[j] * m / (j + 1) for j in range(i, m))) for i in range(m)])
    chk = np.empty(m)
    chk[order] = brute
    assert np.array_equal(out, chk)
    assert not hasattr(scipy.stats, "false_discovery_control") or np.allclose(
        scipy.stats.false_discovery_control(p, method="bh"), out, rtol=1e-14, atol=0)
    return out


def bh_cases():
    rng = np.random.default_rng(606)
    vecs = [
        ("typical_mixed", [0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.8, 0.001]),
        ("with_ties", [0.02, 0.02, 0.02, 0.5, 0.04, 0.04, 0.9]),
        ("with_one_and_zero", [0.0, 1.0, 0.03, 1.0, 0.0, 0.5]),
        ("length_one", [0.03]),
        ("length_zero", []),
        ("all_ones", [1.0, 1.0, 1.0]),
        ("clipped_to_one", [0.9, 0.95, 0.99, 0.6]),
        ("random_50", list(rng.random(50) ** 3)),
    ]
    return [{"name": n, "pvalues": flist(v), "adjusted": flist(bh(v))} for n, v in vecs]


# ----------------------------------------------------------------- main

def main():
    data = {
        "generator": "generate_fixtures.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "quantiles": quantile_cases(),
        "numeric": numeric_cases(),
        "categorical": categorical_cases(),
        "classification": classification_cases(),
        "regression": regression_cases(),
        "benjamini_hochberg": bh_cases(),
    }
    for sect in ("quantiles", "numeric", "categorical", "classification", "regression", "benjamini_hochberg"):
        names = [c["name"] for c in data[sect]]
        assert len(names) == len(set(names)), sect
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(data, f, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
    for c in data["numeric"]:
        print(f"  numeric {c['name']}: n={len(c['reference'])}/{len(c['current'])} "
              f"ks={c['ks_statistic']:.6g} p={c['ks_pvalue']:.6g} {c['ks_method']} psi={c['psi']:.4g}")
    if KS_FALLBACKS:
        print("KS exact->asymp fallbacks:", KS_FALLBACKS)
    else:
        print("no KS exact->asymp fallbacks")


if __name__ == "__main__":
    main()
