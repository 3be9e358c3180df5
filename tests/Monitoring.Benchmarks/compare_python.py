#!/usr/bin/python3
"""Times the peers of the Monitoring.Benchmarks suite with numpy / scipy / scikit-learn on the same sizes.

Run with the Debian interpreter (/usr/bin/python3, python3-numpy/scipy/sklearn). Inputs are drawn from the same
distributions as BenchData.cs (not the same bits: the generators differ). Each operation is timed best-of-N with
time.perf_counter; throughput counts the input values consumed, as the C# benchmarks' OperationsPerInvoke does
(one sample of 1e6 for binning, scores for calibration/Brier/AUC, both samples = 2e6 for KS and Wasserstein).

Usage: /usr/bin/python3 compare_python.py [--json OUT.json] [--repeat N]
"""
import argparse
import json
import platform
import sys
import time

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

N = 1_000_000
SEED = 20240601


def best_of(fn, repeat):
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", help="write results to this file")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of the fast operations (sorts get fewer)")
    args = parser.parse_args()
    fast, slow = args.repeat, max(3, args.repeat // 2)

    rng = np.random.default_rng(SEED)
    # (a) PSI binning: 9 reference deciles, current Normal(0.1, 1.1).
    reference = rng.normal(0.0, 1.0, N)
    deciles = np.quantile(reference, np.arange(1, 10) / 10)
    current = rng.normal(0.1, 1.1, N)
    # (b) 256-bin histogram over Normal(0, 1) values: uniform edges on [-4, 4], or quantiles of another sample.
    values = rng.normal(0.0, 1.0, N)
    uniform255 = np.linspace(-4.0, 4.0, 257)[1:-1]
    quantile255 = np.quantile(rng.normal(0.0, 1.0, N), np.arange(1, 256) / 256)
    # (c, d, f) scores = sigmoid(Normal(0, 2)), labels ~ Bernoulli(score).
    scores = 1.0 / (1.0 + np.exp(-rng.normal(0.0, 2.0, N)))
    labels = (rng.random(N) < scores).astype(np.float64)
    labels_int = labels.astype(np.int64)
    cal_edges = np.linspace(0.0, 1.0, 11)
    # (e, g) two samples of 1e6.
    ks_ref = rng.normal(0.0, 1.0, N)
    ks_cur = rng.normal(0.05, 1.0, N)
    ks_d = scipy.stats.ks_2samp(ks_ref, ks_cur).statistic
    same_ref = rng.normal(0.0, 1.0, N)
    same_cur = rng.normal(0.0, 1.0, N)

    def bincount_bins(edges, x):
        return np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1)

    def reliability_kernel():
        # What calibration_curve(strategy='uniform') does inside: searchsorted + three bincounts.
        ids = np.searchsorted(cal_edges[1:-1], scores)
        total = np.bincount(ids, minlength=10)
        prob_sum = np.bincount(ids, weights=scores, minlength=10)
        true_sum = np.bincount(ids, weights=labels, minlength=10)
        return total, prob_sum, true_sum

    def ece_calibration_curve():
        prob_true, prob_pred = calibration_curve(labels_int, scores, n_bins=10, strategy="uniform")
        ids = np.searchsorted(cal_edges[1:-1], scores)
        counts = np.bincount(ids, minlength=10)
        counts = counts[counts > 0]
        return float(np.sum(counts / N * np.abs(prob_true - prob_pred)))

    # name -> (callable, values consumed, repeats, what it is)
    ops = {
        "psi_binning": (lambda: bincount_bins(deciles, current), N, fast,
                        "np.bincount(np.searchsorted(deciles, x), minlength=10)"),
        "hist256_uniform": (lambda: bincount_bins(uniform255, values), N, fast,
                            "np.bincount(np.searchsorted(linspace edges, x), minlength=256)"),
        "hist256_quantile": (lambda: bincount_bins(quantile255, values), N, fast,
                             "np.bincount(np.searchsorted(quantile edges, x), minlength=256)"),
        "reliability_kernel": (reliability_kernel, N, fast,
                               "searchsorted + 3x bincount(weights) (calibration_curve internals)"),
        "ece_calibration_curve": (ece_calibration_curve, N, fast,
                                  "sklearn calibration_curve(n_bins=10) + ECE"),
        "brier": (lambda: brier_score_loss(labels_int, scores), N, fast, "sklearn brier_score_loss"),
        "ks": (lambda: scipy.stats.ks_2samp(ks_ref, ks_cur), 2 * N, slow, "scipy.stats.ks_2samp (1e6 vs 1e6)"),
        "ks_pvalue_only": (lambda: scipy.stats.kstwo.sf(ks_d, round(N * N / (N + N))), 2 * N, slow,
                           "scipy.stats.kstwo.sf(D, 500000), the p-value inside ks_2samp"),
        "ks_no_drift": (lambda: scipy.stats.ks_2samp(same_ref, same_cur), 2 * N, slow,
                        "scipy.stats.ks_2samp on two samples of one distribution"),
        "auc": (lambda: roc_auc_score(labels_int, scores), N, slow, "sklearn roc_auc_score"),
        "wasserstein": (lambda: scipy.stats.wasserstein_distance(ks_ref, ks_cur), 2 * N, slow,
                        "scipy.stats.wasserstein_distance (1e6 vs 1e6)"),
    }

    results = {}
    print(f"python {platform.python_version()} ({sys.executable}), numpy {np.__version__}, "
          f"scipy {scipy.__version__}, sklearn {sklearn.__version__}")
    print(f"{'operation':<24}{'best (ms)':>12}{'values/s':>14}  peer")
    for name, (fn, count, repeat, what) in ops.items():
        seconds = best_of(fn, repeat)
        results[name] = {"seconds": seconds, "values": count, "values_per_second": count / seconds,
                         "repeat": repeat, "peer": what}
        print(f"{name:<24}{seconds * 1e3:>12.3f}{count / seconds:>14.3e}  {what}")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                       "sklearn": sklearn.__version__, "n": N, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
