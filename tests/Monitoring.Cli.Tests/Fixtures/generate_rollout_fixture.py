#!/usr/bin/python3
"""Generate the fixtures of `monitoring rollout compare`: three prediction files of the same 3,000 requests and what
the tool must report for them.

Run with Debian's interpreter (needs numpy, scipy, scikit-learn, statsmodels):

    /usr/bin/python3 tests/Monitoring.Cli.Tests/Fixtures/generate_rollout_fixture.py

Files (header row, '\\n' line endings, empty cell = null; columns id, score, label, country, device, latency_ms,
income):

* rollout_baseline.csv: version v3. score = expit(s + N(0, 1.2^2)) with s = 2 y - 1 (AUC about 0.87); label empty for
  every 10th request (not labelled yet).
* rollout_equal.csv: v4, the same requests and labels, score = the baseline's latent plus a little independent noise:
  as good as the baseline everywhere.
* rollout_slice.csv: v4b, expit(s + N(0, 0.4^2)) outside Brazil and expit(s + N(0, 4^2)) in Brazil: better than the
  baseline overall (AUC about 0.91, accuracy +0.12) and worse in Brazil (accuracy about -0.12); latency and income
  unchanged: a candidate better overall and worse for one segment.

rollout_expected.json holds, per candidate, the reference figures the tool must match: each version's AUC (sklearn
roc_auc_score) and accuracy, the unpaired accuracy test (statsmodels proportions_ztest and
confint_proportions_2indep(method='newcomb')), KS between the score distributions (scipy ks_2samp) and, for the
slice candidate, the country=BR accuracy test with its Benjamini-Hochberg adjusted p-value across the
country and device slices (statsmodels multipletests(method='fdr_bh')).
"""

import csv
import json
import os

import numpy as np
import scipy
import scipy.special
import scipy.stats
import sklearn
import sklearn.metrics as skm
import statsmodels
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

HERE = os.path.dirname(os.path.abspath(__file__))
N = 3000


def write(name, ids, scores, labels, country, device, latency, income):
    with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "score", "label", "country", "device", "latency_ms", "income"])
        for i in range(N):
            w.writerow([ids[i], repr(float(scores[i])), "" if labels[i] is None else int(labels[i]), country[i], device[i],
                        repr(float(latency[i])), repr(float(income[i]))])


def labelled(scores, labels):
    mask = np.array([v is not None for v in labels])
    return np.asarray(scores)[mask], np.array([v for v in labels if v is not None], dtype=int), mask


def main():
    rng = np.random.default_rng(2026)
    ids = [f"req-{i:05d}" for i in range(N)]
    y = (rng.random(N) < 0.4).astype(int)
    country = rng.choice(["BR", "DE", "FR", "US"], N)
    device = rng.choice(["android", "ios", "web"], N)
    signal = 2 * y - 1
    latent = signal + rng.normal(0, 1.2, N)
    base = scipy.special.expit(latent)
    equal = scipy.special.expit(latent + rng.normal(0, 0.25, N))
    slice_ = scipy.special.expit(signal + np.where(country == "BR", rng.normal(0, 4.0, N), rng.normal(0, 0.4, N)))
    labels = [None if i % 10 == 9 else int(y[i]) for i in range(N)]
    latency_b = 20 + rng.gamma(2.0, 3.0, N)
    latency_c = 20 + rng.gamma(2.0, 3.0, N)
    income = rng.normal(50_000, 12_000, N)
    write("rollout_baseline.csv", ids, base, labels, country, device, latency_b, income)
    write("rollout_equal.csv", ids, equal, labels, country, device, latency_c, income)
    write("rollout_slice.csv", ids, slice_, labels, country, device, latency_c, income)

    sb, yb, mask = labelled(base, labels)
    expected = {"versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
                             "statsmodels": statsmodels.__version__},
                "rows": N, "labelled": int(mask.sum()), "candidates": {}}
    for name, cand in (("equal", equal), ("slice", slice_)):
        sc, yc, _ = labelled(cand, labels)
        xb, xc = int(((sb >= 0.5) == yb).sum()), int(((sc >= 0.5) == yc).sum())
        n = len(yb)
        z, p = proportions_ztest([xc, xb], [n, n])
        lo, hi = confint_proportions_2indep(xc, n, xb, n, method="newcomb", compare="diff")
        ks = scipy.stats.ks_2samp(base, cand)
        entry = {"auc_baseline": float(skm.roc_auc_score(yb, sb)), "auc_candidate": float(skm.roc_auc_score(yc, sc)),
                 "accuracy_baseline": xb / n, "accuracy_candidate": xc / n, "accuracy_z": float(z),
                 "accuracy_p_value": float(p), "accuracy_lower": float(lo), "accuracy_upper": float(hi),
                 "ks": float(ks.statistic), "ks_p_value": float(ks.pvalue), "slices": {}}
        # Slices: the candidate's rows of a slice against the baseline's rows of the same slice, BH across all.
        keys, pvalues = [], []
        for dim, values in (("country", country), ("device", device)):
            for v in sorted(set(values)):
                m = (values == v)[mask]
                sxb, sxc = int(((sb[m] >= 0.5) == yb[m]).sum()), int(((sc[m] >= 0.5) == yc[m]).sum())
                sn = int(m.sum())
                sz, sp = proportions_ztest([sxc, sxb], [sn, sn])
                keys.append((dim, v, sxb / sn, sxc / sn, sn))
                pvalues.append(float(sp))
        adjusted = multipletests(pvalues, method="fdr_bh")[1]
        for (dim, v, ab, ac, sn), sp, adj in zip(keys, pvalues, adjusted):
            entry["slices"][f"{dim}={v}"] = {"baseline": ab, "candidate": ac, "labelled": sn, "p_value": sp,
                                              "adjusted_p_value": float(adj)}
        expected["candidates"][name] = entry
    with open(os.path.join(HERE, "rollout_expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
