#!/usr/bin/python3
"""Generate the CLI end-to-end fixture: reference.csv, current.csv, expected.json.

Run with Debian's interpreter (needs numpy, scipy, scikit-learn):

    /usr/bin/python3 tests/Monitoring.Cli.Tests/Fixtures/generate_cli_fixture.py

CSV format: header row, comma separated, '\\n' line endings, RFC 4180 quoting
(the country value "Korea, Republic of" is quoted in both files), empty cell =
null. Numbers are written with repr() precision.

expected.json assumes the CLI is run with `--categorical zip`: zip is treated
as categorical and its categories are the cell strings exactly as written
(e.g. "02139" keeps its leading zero). score/label are not features; the
"classification" block is computed from the CURRENT file's score/label.

Definitions are the same as tests/Monitoring.Stats.Tests/Fixtures/generate_fixtures.py
(decile edges from reference, PSI with 0.0001 for empty bins, JS base 2,
Hellinger, ks_2samp method='auto', wasserstein_distance, chi2_contingency
without correction, reliability with 10 uniform bins).
"""

import csv
import json
import math
import os
import warnings
from collections import Counter

import numpy as np
import scipy
import scipy.spatial.distance
import scipy.stats
import sklearn
import sklearn.metrics as skm
from sklearn.calibration import calibration_curve

HERE = os.path.dirname(os.path.abspath(__file__))
DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
PSI_EPS = 0.0001
COLUMNS = ["age", "income", "country", "plan", "zip", "score", "label"]
CATEGORICAL = {"country", "plan", "zip"}
FEATURES = ["age", "income", "country", "plan", "zip"]


# ----------------------------------------------------------------- data

def make_rows(rng, n, current):
    age = rng.normal(41 if not current else 43, 12, n).clip(18, 90).round().astype(int)
    age_null = rng.random(n) < (0.05 if not current else 0.08)
    if not current:
        income = rng.lognormal(10.8, 0.6, n) + rng.pareto(2.5, n) * 8000.0
    else:
        income = rng.lognormal(10.95, 0.7, n) + rng.pareto(2.0, n) * 9000.0
    countries = ["US", "DE", "FR", "GB", "Korea, Republic of", "JP"]
    if not current:
        pc = [0.40, 0.15, 0.12, 0.13, 0.10, 0.10]
    else:
        countries = countries + ["BR"]
        pc = [0.33, 0.15, 0.10, 0.13, 0.14, 0.08, 0.07]
    country = rng.choice(countries, n, p=pc)
    country_null = rng.random(n) < (0.03 if not current else 0.06)
    plan = rng.choice(["basic", "plus", "premium"], n,
                      p=[0.6, 0.3, 0.1] if not current else [0.55, 0.32, 0.13])
    zips = ["02139", "10001", "94105", "60601", "73301", "00501"]
    pz = [0.2, 0.25, 0.2, 0.15, 0.1, 0.1]
    if current:
        zips = zips + ["30301"]
        pz = [0.18, 0.22, 0.2, 0.15, 0.1, 0.1, 0.05]
    zp = rng.choice(zips, n, p=pz)
    zip_null = rng.random(n) < 0.02
    # true probability depends on age/income; score is the model's estimate
    z = -0.8 + 0.02 * (age - 41) - 0.6 * (np.log(income) - 10.9) + rng.normal(0, 0.8, n)
    p_true = 1 / (1 + np.exp(-z))
    label = (rng.random(n) < p_true).astype(int)
    if current:
        z = 1.6 * z + 0.3  # overconfident and biased in current
    score = 1 / (1 + np.exp(-z))
    rows = []
    for i in range(n):
        rows.append({
            "age": "" if age_null[i] else repr(int(age[i])),
            "income": repr(float(income[i])),
            "country": "" if country_null[i] else str(country[i]),
            "plan": str(plan[i]),
            "zip": "" if zip_null[i] else str(zp[i]),
            "score": repr(float(score[i])),
            "label": repr(int(label[i])),
        })
    return rows


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in COLUMNS])


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        rd = csv.reader(f)
        header = next(rd)
        assert header == COLUMNS
        return [dict(zip(header, rec)) for rec in rd]


# ----------------------------------------------------------------- stats

def finite(x):
    x = float(x)
    assert math.isfinite(x), x
    return x


def psi(r, c):
    rp = np.where(r == 0, PSI_EPS, r)
    cp = np.where(c == 0, PSI_EPS, c)
    return finite(np.sum((cp - rp) * np.log(cp / rp)))


def js(r, c):
    return finite(scipy.spatial.distance.jensenshannon(r, c, base=2))


def hellinger(r, c):
    # clipped at 0 (1 - BC can be -tiny by rounding when r == c)
    return math.sqrt(max(1.0 - float(np.sum(np.sqrt(r * c))), 0.0))


def numeric_feature(ref, cur):
    ref = np.array([float(x) for x in ref])
    cur = np.array([float(x) for x in cur])
    edges = np.unique(np.quantile(ref, DECILES))
    k = len(edges)
    rc = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=k + 1)
    cc = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=k + 1)
    r, c = rc / len(ref), cc / len(cur)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ks = scipy.stats.ks_2samp(ref, cur, alternative="two-sided", method="auto")
    assert not [x for x in w if "Switching" in str(x.message)], "KS fell back to asymp"
    return {
        "psi": psi(r, c), "jensen_shannon": js(r, c), "hellinger": hellinger(r, c),
        "ks": {"statistic": finite(ks.statistic), "p_value": finite(ks.pvalue)},
        "wasserstein": finite(scipy.stats.wasserstein_distance(ref, cur)),
    }


def categorical_feature(ref, cur):
    cats = sorted(set(ref) | set(cur))  # ordinal (code point) order
    rcnt, ccnt = Counter(ref), Counter(cur)
    rc = np.array([rcnt[k] for k in cats], dtype=np.int64)
    cc = np.array([ccnt[k] for k in cats], dtype=np.int64)
    r, c = rc / len(ref), cc / len(cur)
    try:
        chi2, p, dof, _ = scipy.stats.chi2_contingency(np.array([rc, cc]), correction=False)
        chi = {"statistic": finite(chi2), "p_value": finite(p), "dof": int(dof)}
    except ValueError:
        chi = {"statistic": None, "p_value": None, "dof": None}
    return {
        "psi": psi(r, c), "jensen_shannon": js(r, c), "hellinger": hellinger(r, c),
        "chi_square": chi,
        "new_categories": sorted(set(cur) - set(ref)),
    }


def classification(scores, labels, threshold=0.5):
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=int)
    edges = np.linspace(0, 1, 11)
    bins = np.searchsorted(edges[1:-1], scores, side="left")
    rows, gaps, weights = [], [], []
    for b in range(10):
        m = bins == b
        cnt = int(m.sum())
        mp = fp = None
        if cnt:
            mp, fp = float(np.mean(scores[m])), float(np.mean(labels[m]))
            gaps.append(abs(fp - mp))
            weights.append(cnt / len(scores))
        rows.append({"bin": b, "lower": float(edges[b]), "upper": float(edges[b + 1]),
                     "count": cnt, "mean_predicted": mp, "fraction_positive": fp})
    pt, pp = calibration_curve(labels, scores, n_bins=10, strategy="uniform", pos_label=1)
    ne = [r for r in rows if r["count"]]
    assert np.allclose([r["fraction_positive"] for r in ne], pt, rtol=1e-12, atol=1e-15)
    assert np.allclose([r["mean_predicted"] for r in ne], pp, rtol=1e-12, atol=1e-15)
    pred = (scores >= threshold).astype(int)
    return {
        "threshold": threshold,
        "auc": finite(skm.roc_auc_score(labels, scores)) if len(set(labels)) == 2 else None,
        "brier": finite(skm.brier_score_loss(labels, scores, pos_label=1)),
        "log_loss": finite(skm.log_loss(labels, scores, eps=1e-15, labels=[0, 1])),
        "ece": finite(sum(w * g for w, g in zip(weights, gaps))),
        "mce": finite(max(gaps)),
        "accuracy": finite(skm.accuracy_score(labels, pred)),
        "precision": finite(skm.precision_score(labels, pred, zero_division=0)),
        "recall": finite(skm.recall_score(labels, pred, zero_division=0)),
        "f1": finite(skm.f1_score(labels, pred, zero_division=0)),
        "reliability": rows,
    }


def main():
    rng = np.random.default_rng(20240601)
    write_csv(os.path.join(HERE, "reference.csv"), make_rows(rng, 2000, current=False))
    write_csv(os.path.join(HERE, "current.csv"), make_rows(rng, 1500, current=True))

    # Expected values are computed from what was actually written (re-read).
    ref = read_csv(os.path.join(HERE, "reference.csv"))
    cur = read_csv(os.path.join(HERE, "current.csv"))
    features = []
    for name in FEATURES:
        rv = [r[name] for r in ref if r[name] != ""]
        cv = [r[name] for r in cur if r[name] != ""]
        kind = "categorical" if name in CATEGORICAL else "numeric"
        f = {"name": name, "kind": kind,
             "null_fraction": {"reference": (len(ref) - len(rv)) / len(ref),
                               "current": (len(cur) - len(cv)) / len(cur)}}
        f.update(categorical_feature(rv, cv) if kind == "categorical" else numeric_feature(rv, cv))
        features.append(f)
    assert all(r["score"] != "" and r["label"] in ("0", "1") for r in cur)
    expected = {
        "generator": "generate_cli_fixture.py",
        "numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
        "reference_rows": len(ref),
        "current_rows": len(cur),
        "features": features,
        "classification": classification([float(r["score"]) for r in cur],
                                         [int(r["label"]) for r in cur]),
    }
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, allow_nan=False, ensure_ascii=False, indent=2)
        f.write("\n")
    for f_ in features:
        print(f_["name"], f_["kind"], f_["null_fraction"], "psi=%.4g" % f_["psi"],
              f_.get("ks"), f_.get("chi_square"), f_.get("new_categories"))
    c = expected["classification"]
    print({k: c[k] for k in ("auc", "brier", "log_loss", "ece", "mce", "accuracy", "precision", "recall", "f1")})


if __name__ == "__main__":
    main()
