#!/usr/bin/python3
"""Joins the BenchmarkDotNet JSON export with compare_python.py's JSON and prints the comparison table.

Usage: /usr/bin/python3 scripts/bench_report.py RESULTS_DIR PYTHON_JSON [--markdown OUT.md]

Ours = BenchmarkDotNet time per value (every benchmark sets OperationsPerInvoke to the values it consumes) of the
fastest measured iteration (--stat min, default: like the peer's best-of-N with time.perf_counter) or the median
iteration (--stat median), as values per second; peer = best-of-N values per second from compare_python.py. Ratio = ours (best of 1 and 2 threads)
/ peer. Absolute targets are met when the better of the 1- and 2-thread figures reaches them ("2T" marks a target met
only with both cores).
"""
import argparse
import glob
import json
import os
import sys

# operation, (BDN type, method prefix, parameters), peer key, target kind, target value, target text
ROWS = [
    ("PSI binning (10 bins, 9 decile edges)", ("PsiBinningBenchmarks", "Psi10Bins", ""), "psi_binning",
     "abs", 2e9, ">= 2e9 values/s"),
    ("256-bin histogram, uniform edges", ("Histogram256Benchmarks", "Hist256", "Edges=Uniform"), "hist256_uniform",
     "abs", 5e8, ">= 5e8 values/s"),
    ("256-bin histogram, quantile edges", ("Histogram256Benchmarks", "Hist256", "Edges=Quantile"), "hist256_quantile",
     "abs", 5e8, ">= 5e8 values/s"),
    ("Reliability bins kernel (BinnedSums.Accumulate)", ("ClassificationBenchmarks", "ReliabilityBins_BinnedSums", ""),
     "reliability_kernel", "abs", 1e9, ">= 1e9 scores/s"),
    ("Reliability bins + ECE (Calibration.Compute)", ("ClassificationBenchmarks", "Ece_Calibration", ""),
     "ece_calibration_curve", "abs", 1e9, ">= 1e9 scores/s"),
    ("Brier (SquaredDifference.Sum / n)", ("ClassificationBenchmarks", "Brier", ""), "brier", "abs", 3e9,
     ">= 3e9 values/s"),
    ("Exact KS 1e6 vs 1e6 (sort + test)", ("TwoSampleBenchmarks", "Ks", ""), "ks", "ratio", 3.0, ">= 3x scipy ks_2samp"),
    ("ROC AUC (RocAuc.Compute)", ("ClassificationBenchmarks", "Auc", ""), "auc", "ratio", 3.0,
     ">= 3x sklearn roc_auc_score"),
    ("Wasserstein-1 1e6 vs 1e6 (sort + merge)", ("TwoSampleBenchmarks", "Wasserstein", ""), "wasserstein", "ratio", 3.0,
     ">= 3x scipy wasserstein_distance"),
]

PEER_NAMES = {
    "psi_binning": "numpy searchsorted+bincount",
    "hist256_uniform": "numpy searchsorted+bincount",
    "hist256_quantile": "numpy searchsorted+bincount",
    "reliability_kernel": "numpy searchsorted+3 bincounts",
    "ece_calibration_curve": "sklearn calibration_curve+ECE",
    "brier": "sklearn brier_score_loss",
    "ks": "scipy ks_2samp",
    "auc": "sklearn roc_auc_score",
    "wasserstein": "scipy wasserstein_distance",
}

EXTRA = [
    ("Calibration input check (BinaryLabels.Validate)", ("BreakdownBenchmarks", "Calibration_ValidateInputs", "")),
    ("Calibration bin indices (BinEdges.BinIndices, 9 edges)", ("BreakdownBenchmarks", "Calibration_BinIndices", "")),
    ("KS p-value alone (kstwo.sf at n = 500000)", ("BreakdownBenchmarks", "Ks_PValueOnly", "")),
    ("KS 1e6 vs 1e6 without drift (cheap p-value branch)", ("BreakdownBenchmarks", "Ks_NoDrift_1T", "")),
]


def load_bdn(results_dir, stat):
    per_value_ns = {}
    for path in glob.glob(os.path.join(results_dir, "*-report-full-compressed.json")):
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        for b in report["Benchmarks"]:
            stats = b.get("Statistics")
            if stats:
                per_value_ns[(b["Type"], b["Method"], b.get("Parameters") or "")] = stats["Min" if stat == "min" else "Median"]
    return per_value_ns


def rate(ns):
    return None if ns is None else 1e9 / ns


def fmt_rate(r):
    return "n/a" if r is None else f"{r:.3g}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results_dir")
    parser.add_argument("python_json")
    parser.add_argument("--markdown", help="also write the table as markdown here")
    parser.add_argument("--stat", choices=["min", "median"], default="min", help="which BenchmarkDotNet iteration statistic")
    args = parser.parse_args()

    ours = load_bdn(args.results_dir, args.stat)
    print(f"ours: BenchmarkDotNet {'fastest iteration' if args.stat == 'min' else 'median iteration'}; peer: best of N")
    with open(args.python_json, encoding="utf-8") as f:
        peer = json.load(f)["results"]

    header = ["operation", "ours 1T (values/s)", "ours 2T (values/s)", "peer (values/s)", "ratio", "target", "met?"]
    lines = []
    for name, (typ, prefix, params), peer_key, kind, target, target_text in ROWS:
        r1 = rate(ours.get((typ, prefix + "_1T", params)))
        r2 = rate(ours.get((typ, prefix + "_2T", params)))
        p = peer.get(peer_key, {}).get("values_per_second")
        best = max([r for r in (r1, r2) if r is not None], default=None)
        ratio = best / p if best and p else None
        ratio_text = "n/a" if ratio is None else f"{ratio:.1f}x"
        if ratio is not None and r1 is not None and r2 is not None and r2 > r1:
            ratio_text += f" ({r1 / p:.1f}x 1T)"
        if kind == "abs":
            value1, value2 = r1, r2
        else:
            value1 = r1 / p if r1 and p else None
            value2 = r2 / p if r2 and p else None
        if value1 is not None and value1 >= target:
            met = "yes"
        elif value2 is not None and value2 >= target:
            met = "yes (2T only)"
        elif value1 is None and value2 is None:
            met = "n/a"
        else:
            shortfall = max(v for v in (value1, value2) if v is not None) / target
            met = f"no ({shortfall:.0%} of target)"
        peer_text = fmt_rate(p) + f" ({PEER_NAMES[peer_key]})"
        lines.append([name, fmt_rate(r1), fmt_rate(r2), peer_text, ratio_text, target_text, met])

    extra = []
    for name, key in EXTRA:
        ns = ours.get(key)
        if ns is not None:
            extra.append(f"- {name}: {fmt_rate(rate(ns))} values/s")
    no_drift = ours.get(("BreakdownBenchmarks", "Ks_NoDrift_1T", ""))
    if no_drift is not None and "ks_no_drift" in peer:
        extra.append(f"- scipy ks_2samp without drift: {fmt_rate(peer['ks_no_drift']['values_per_second'])} values/s;"
                     f" ratio {rate(no_drift) / peer['ks_no_drift']['values_per_second']:.1f}x")
    if "ks_pvalue_only" in peer:
        extra.append(f"- scipy kstwo.sf(D, 500000) alone: {fmt_rate(peer['ks_pvalue_only']['values_per_second'])} values/s"
                     f" ({peer['ks_pvalue_only']['seconds'] * 1e3:.1f} ms)")

    widths = [max(len(str(row[i])) for row in [header] + lines) for i in range(len(header))]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for row in lines:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    if extra:
        print("\nBreakdown:")
        print("\n".join(extra))

    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write("| " + " | ".join(header) + " |\n")
            f.write("|" + "|".join("---" for _ in header) + "|\n")
            for row in lines:
                f.write("| " + " | ".join(str(c) for c in row) + " |\n")
            if extra:
                f.write("\nBreakdown:\n\n" + "\n".join(extra) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
