#!/usr/bin/python3
"""Generate the reference fixtures of the rollout comparison statistics (src/Monitoring.Stats/Rollouts).

Run with Debian's interpreter (needs numpy, scipy, scikit-learn and statsmodels:
`apt-get install python3-numpy python3-scipy python3-sklearn python3-statsmodels`):

    /usr/bin/python3 tests/Monitoring.Stats.Tests/Fixtures/generate_rollout_fixtures.py

Writes, deterministically (fixed numpy default_rng seeds), rollout_fixtures.json next to this file (library versions
recorded in it). Every difference is candidate - baseline. References:

* Paired DeLong (DeLong, DeLong and Clarke-Pearson 1988): a direct O(m n) numpy implementation of the published
  formula: per model r, V10_r,i = (#{neg < x_i} + 0.5 #{neg == x_i}) / n over the positives and
  V01_r,j = (#{pos > y_j} + 0.5 #{pos == y_j}) / m over the negatives; S10 and S01 the 2 x 2 sample covariance
  matrices (np.cov, ddof=1) of the two models' V10 and V01; S = S10 / m + S01 / n; var(d) = S_bb + S_cc - 2 S_bc;
  z = d / sqrt(var), p = 2 norm.sf(|z|); interval d -+ norm.isf(alpha / 2) SE. Checked here against (a) sklearn
  roc_auc_score for each AUC, (b) a second, rank-based implementation (midranks, Sun and Xu 2014) and (c) a paired
  bootstrap (4,000 resamples of rows) whose standard deviation of d must lie within 10% of the DeLong SE.
* Accuracy: statsmodels proportions_ztest([x_c, x_b], [n_c, n_b]) and
  confint_proportions_2indep(x_c, n_c, x_b, n_b, method='newcomb', compare='diff').
* F1: the test is proportions_ztest([TP_c, TP_b], [U_c, U_b]) with U = TP + FP + FN (J = TP / U, F1 = 2J / (1 + J),
  asserted equal to sklearn f1_score); the interval is MOVER on the F1 scale from statsmodels' Wilson intervals of J:
  lower = d - sqrt((F1_c - f(l_c))^2 + (f(u_b) - F1_b)^2), upper = d + sqrt((f(u_c) - F1_c)^2 + (F1_b - f(l_b))^2),
  f(J) = 2J / (1 + J). For f = identity the same code is asserted equal to statsmodels' newcomb interval.
* Brier, unpaired: statsmodels CompareMeans(DescrStatsW(e_c), DescrStatsW(e_b)).ztest_ind(usevar='unequal') and
  zconfint_diff(alpha, usevar='unequal'), e = (score - label)^2; means asserted equal to sklearn brier_score_loss.
* Brier, paired: DescrStatsW(e_c - e_b).ztest_mean() and zconfint_mean(alpha).
* ECE: 10 uniform bins (numpy searchsorted(linspace(0, 1, 11)[1:-1], side='left')), sum over non-empty bins of
  n_b / n |mean score - fraction positive|; the per-bin values asserted equal to sklearn calibration_curve. The
  difference's delta-method interval: labels Bernoulli within bins (bin counts and mean scores fixed), so
  var(ECE) = sum over bins with a non-zero gap of (n_b / n)^2 fp_b (1 - fp_b) / n_b, versions independent,
  SE = sqrt(var_b + var_c), z = d / SE, p = 2 norm.sf(|z|), d -+ norm.isf(alpha / 2) SE; checked against a row
  bootstrap (SD of d within 25% of the SE) where the gaps are far from zero.
* Prediction shift: scores binned as for ECE; PSI with zero proportions replaced by 0.0001;
  scipy.spatial.distance.jensenshannon(base=2); scipy.stats.ks_2samp (method='auto').
* Shadow pairs: agreement at the threshold (score >= t) with statsmodels proportion_confint(method='wilson');
  d = candidate - baseline: mean, sample standard deviation (ddof=1), mean |d|, max |d|; quantiles as the upper edge
  -1 + 2 (i + 1) / 200 of the bin i = clip(ceil((d + 1) * 100) - 1, 0, 199) holding the value of rank ceil(q n);
  disagreement per slice value with its Wilson interval.
"""

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
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "rollout_fixtures.json")
ALPHA = 0.05


def fl(x):
    x = float(x)
    assert math.isfinite(x), x
    return x


def flist(a):
    return [fl(x) for x in np.asarray(a, dtype=float)]


def zcrit(alpha):
    return float(scipy.stats.norm.isf(alpha / 2))


# ----------------------------------------------------------------- paired DeLong

def placements_direct(scores, labels):
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    pos, neg = s[y == 1], s[y == 0]
    m, n = len(pos), len(neg)
    v10 = ((neg[None, :] < pos[:, None]).sum(1) + 0.5 * (neg[None, :] == pos[:, None]).sum(1)) / n
    v01 = ((pos[None, :] > neg[:, None]).sum(1) + 0.5 * (pos[None, :] == neg[:, None]).sum(1)) / m
    return v10, v01


def placements_ranks(scores, labels):
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    pos, neg = s[y == 1], s[y == 0]
    m, n = len(pos), len(neg)
    tz = scipy.stats.rankdata(np.concatenate([pos, neg]))
    v10 = (tz[:m] - scipy.stats.rankdata(pos)) / n
    v01 = 1.0 - (tz[m:] - scipy.stats.rankdata(neg)) / m
    return v10, v01


def paired_delong(baseline, candidate, labels, placements):
    y = np.asarray(labels, dtype=int)
    m, n = int((y == 1).sum()), int((y == 0).sum())
    b10, b01 = placements(baseline, y)
    c10, c01 = placements(candidate, y)
    s10 = np.cov(np.vstack([b10, c10]), ddof=1)
    s01 = np.cov(np.vstack([b01, c01]), ddof=1)
    s = s10 / m + s01 / n
    auc_b, auc_c = float(b10.mean()), float(c10.mean())
    var = max(0.0, float(s[0, 0] + s[1, 1] - 2 * s[0, 1]))
    return auc_b, auc_c, float(s[0, 0]), float(s[1, 1]), float(s[0, 1]), var


def paired_delong_case(name, baseline, candidate, labels, alpha=ALPHA, bootstrap=False):
    y = np.asarray(labels, dtype=int)
    auc_b, auc_c, var_b, var_c, cov, var = paired_delong(baseline, candidate, y, placements_direct)
    check = paired_delong(baseline, candidate, y, placements_ranks)
    for a, b in zip((auc_b, auc_c, var_b, var_c, cov, var), check):
        assert abs(a - b) <= 1e-12 * max(1.0, abs(a)), (name, a, b)
    assert abs(auc_b - skm.roc_auc_score(y, baseline)) <= 1e-12
    assert abs(auc_c - skm.roc_auc_score(y, candidate)) <= 1e-12
    d = auc_c - auc_b
    se = math.sqrt(var)
    z = d / se if se > 0 else (0.0 if d == 0 else math.copysign(math.inf, d))
    p = float(2 * scipy.stats.norm.sf(abs(z)))
    case = {"name": name, "baseline": flist(baseline), "candidate": flist(candidate), "labels": [int(v) for v in y],
            "alpha": alpha, "auc_baseline": auc_b, "auc_candidate": auc_c, "variance_baseline": var_b,
            "variance_candidate": var_c, "covariance": cov, "difference": d, "standard_error": se,
            "z": fl(z), "p_value": p, "lower": d - zcrit(alpha) * se, "upper": d + zcrit(alpha) * se}
    if bootstrap:
        rng = np.random.default_rng(99)
        b, c = np.asarray(baseline), np.asarray(candidate)
        diffs = []
        while len(diffs) < 4000:
            i = rng.integers(0, len(y), len(y))
            if y[i].min() == y[i].max():
                continue
            diffs.append(skm.roc_auc_score(y[i], c[i]) - skm.roc_auc_score(y[i], b[i]))
        sd = float(np.std(diffs, ddof=1))
        assert abs(sd - se) <= 0.10 * se, (name, sd, se)
        case["bootstrap_standard_error"] = sd
    return case


def paired_delong_cases():
    rng = np.random.default_rng(11)
    cases = []
    # Correlated models: a shared latent signal plus model-specific noise.
    for name, n, noise_c, seed_ties, boot in [("correlated_400", 400, 0.6, False, True),
                                               ("correlated_1500_worse", 1500, 1.1, False, True),
                                               ("rounded_ties_300", 300, 0.7, True, False),
                                               ("small_12", 12, 0.8, False, False)]:
        y = (rng.random(n) < 0.35).astype(int)
        latent = y * 1.2 + rng.normal(0, 1, n)
        b = scipy.special.expit(latent + rng.normal(0, 0.6, n))
        c = scipy.special.expit(latent + rng.normal(0, noise_c, n))
        if seed_ties:
            b, c = np.round(b, 1), np.round(c, 1)
        cases.append(paired_delong_case(name, b, c, y, bootstrap=boot))
    # Identical models: zero variance of the difference.
    y = (rng.random(50) < 0.5).astype(int)
    s = rng.random(50)
    cases.append(paired_delong_case("identical_50", s, s, y))
    # Independent models at alpha 0.1.
    y = (rng.random(200) < 0.3).astype(int)
    cases.append(paired_delong_case("independent_200_alpha_0.1", np.clip(0.3 * y + rng.random(200) * 0.7, 0, 1),
                                    np.clip(0.2 * y + rng.random(200) * 0.8, 0, 1), y, alpha=0.1))
    return cases


# ----------------------------------------------------------------- accuracy and F1

def accuracy_cases():
    shapes = [(820, 1000, 790, 1000), (45, 50, 30, 50), (9000, 10000, 8950, 10000), (10, 10, 9, 12),
              (0, 20, 3, 25), (300, 400, 310, 380)]
    cases = []
    for xb, nb, xc, nc in shapes:
        z, p = proportions_ztest([xc, xb], [nc, nb])
        lo, hi = confint_proportions_2indep(xc, nc, xb, nb, method="newcomb", compare="diff", alpha=ALPHA)
        pooled = (xb + xc) / (nb + nc)
        se = math.sqrt(pooled * (1 - pooled) * (1 / nb + 1 / nc))
        cases.append({"name": f"{xb}_{nb}_vs_{xc}_{nc}", "baseline_correct": xb, "baseline_count": nb,
                      "candidate_correct": xc, "candidate_count": nc, "difference": xc / nc - xb / nb,
                      "standard_error": se, "z": fl(z), "p_value": fl(p), "lower": fl(lo), "upper": fl(hi)})
    return cases


def mover(pb, pc, wb, wc, f):
    d = f(pc) - f(pb)
    lower = d - math.sqrt((f(pc) - f(wc[0])) ** 2 + (f(wb[1]) - f(pb)) ** 2)
    upper = d + math.sqrt((f(wc[1]) - f(pc)) ** 2 + (f(pb) - f(wb[0])) ** 2)
    return lower, upper


def f1_of_jaccard(j):
    return 2 * j / (1 + j)


def f1_cases():
    rng = np.random.default_rng(12)
    cases = []
    # The MOVER code with f = identity is Newcombe's interval.
    for xb, nb, xc, nc in [(820, 1000, 790, 1000), (45, 50, 30, 50)]:
        wb = proportion_confint(xb, nb, alpha=ALPHA, method="wilson")
        wc = proportion_confint(xc, nc, alpha=ALPHA, method="wilson")
        lo, hi = mover(xb / nb, xc / nc, wb, wc, lambda v: v)
        ref = confint_proportions_2indep(xc, nc, xb, nb, method="newcomb", compare="diff", alpha=ALPHA)
        assert abs(lo - ref[0]) < 1e-12 and abs(hi - ref[1]) < 1e-12, (lo, hi, ref)
    for name, n, shift, alpha in [("similar_2000", 2000, 0.0, 0.05), ("worse_1000", 1000, 0.15, 0.05),
                                  ("small_60", 60, 0.05, 0.05), ("similar_800_alpha_0.01", 800, 0.02, 0.01)]:
        y_b = (rng.random(n) < 0.4).astype(int)
        y_c = (rng.random(n) < 0.4).astype(int)
        s_b = np.clip(0.25 + 0.5 * y_b + rng.normal(0, 0.2, n), 0, 1)
        s_c = np.clip(0.25 + (0.5 - shift) * y_c + rng.normal(0, 0.2 + shift, n), 0, 1)
        counts = []
        for y, s in ((y_b, s_b), (y_c, s_c)):
            pred = (s >= 0.5).astype(int)
            tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
            u = tp + fp + fn
            assert abs(f1_of_jaccard(tp / u) - skm.f1_score(y, pred)) < 1e-12
            counts.append((int(tp), int(fp), int(fn), int(u)))
        (tpb, fpb, fnb, ub), (tpc, fpc, fnc, uc) = counts
        z, p = proportions_ztest([tpc, tpb], [uc, ub])
        pooled = (tpb + tpc) / (ub + uc)
        se = math.sqrt(pooled * (1 - pooled) * (1 / ub + 1 / uc))
        wb = proportion_confint(tpb, ub, alpha=alpha, method="wilson")
        wc = proportion_confint(tpc, uc, alpha=alpha, method="wilson")
        lo, hi = mover(tpb / ub, tpc / uc, wb, wc, f1_of_jaccard)
        cases.append({"name": name, "alpha": alpha, "baseline": [tpb, fpb, fnb], "candidate": [tpc, fpc, fnc],
                      "f1_baseline": f1_of_jaccard(tpb / ub), "f1_candidate": f1_of_jaccard(tpc / uc),
                      "difference": f1_of_jaccard(tpc / uc) - f1_of_jaccard(tpb / ub), "standard_error": se,
                      "z": fl(z), "p_value": fl(p), "lower": fl(lo), "upper": fl(hi)})
    return cases


# ----------------------------------------------------------------- Brier and ECE

def brier_cases():
    rng = np.random.default_rng(13)
    cases = []
    for name, nb, nc, noise_c, alpha in [("welch_1000_1200", 1000, 1200, 0.25, 0.05),
                                         ("welch_80_50", 80, 50, 0.1, 0.05),
                                         ("paired_700", 700, 700, 0.3, 0.05),
                                         ("paired_90_alpha_0.1", 90, 90, 0.15, 0.1)]:
        y_b = (rng.random(nb) < 0.3).astype(int)
        s_b = np.clip(0.2 + 0.5 * y_b + rng.normal(0, 0.2, nb), 0, 1)
        paired = name.startswith("paired")
        y_c = y_b if paired else (rng.random(nc) < 0.3).astype(int)
        s_c = np.clip(0.2 + 0.5 * y_c + rng.normal(0, noise_c, nc), 0, 1)
        e_b, e_c = (s_b - y_b) ** 2, (s_c - y_c) ** 2
        assert abs(e_b.mean() - skm.brier_score_loss(y_b, s_b)) < 1e-12
        assert abs(e_c.mean() - skm.brier_score_loss(y_c, s_c)) < 1e-12
        if paired:
            ds = DescrStatsW(e_c - e_b)
            z, p = ds.ztest_mean(0)
            lo, hi = ds.zconfint_mean(alpha=alpha)
            se = float(ds.std_mean)
        else:
            cm = CompareMeans(DescrStatsW(e_c), DescrStatsW(e_b))
            z, p = cm.ztest_ind(usevar="unequal")
            lo, hi = cm.zconfint_diff(alpha=alpha, usevar="unequal")
            se = float(cm.std_meandiff_separatevar)
        cases.append({"name": name, "paired": paired, "alpha": alpha,
                      "baseline_scores": flist(s_b), "baseline_labels": [int(v) for v in y_b],
                      "candidate_scores": flist(s_c), "candidate_labels": [int(v) for v in y_c],
                      "brier_baseline": fl(e_b.mean()), "brier_candidate": fl(e_c.mean()),
                      "difference": fl(e_c.mean() - e_b.mean()), "standard_error": se,
                      "z": fl(z), "p_value": fl(p), "lower": fl(lo), "upper": fl(hi)})
    return cases


EDGES = np.linspace(0, 1, 11)


def ece(scores, labels):
    return ece_and_variance(scores, labels)[0]


def ece_and_variance(scores, labels):
    """ECE and its delta-method variance: labels Bernoulli within bins, bin counts and mean scores fixed, so
    var(ECE) = sum over bins with a non-zero gap of (n_b / n)^2 fp_b (1 - fp_b) / n_b."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    bins = np.searchsorted(EDGES[1:-1], s, side="left")
    total, variance, true_, pred_ = 0.0, 0.0, [], []
    for b in range(10):
        mask = bins == b
        if mask.any():
            fp, mp, nb = y[mask].mean(), s[mask].mean(), mask.sum()
            true_.append(fp)
            pred_.append(mp)
            total += nb / len(s) * abs(mp - fp)
            if mp != fp:
                variance += (nb / len(s)) ** 2 * fp * (1 - fp) / nb
    prob_true, prob_pred = calibration_curve(y, s, n_bins=10, strategy="uniform")
    assert np.allclose(prob_true, true_, atol=1e-12) and np.allclose(prob_pred, pred_, atol=1e-12)
    return float(total), float(variance)


def ece_cases():
    rng = np.random.default_rng(14)
    boot = np.random.default_rng(140)
    cases = []
    for name, n, bias in [("calibrated_vs_overconfident_900", 900, 0.15), ("similar_400", 400, 0.0),
                          ("overconfident_vs_more_3000", 3000, 0.08)]:
        s_b = rng.random(n)
        y_b = (rng.random(n) < s_b).astype(int)
        s_c = rng.random(n)
        y_c = (rng.random(n) < np.clip(s_c - bias, 0, 1)).astype(int)
        if name.startswith("overconfident_vs"):
            y_b = (rng.random(n) < np.clip(s_b - 0.2, 0, 1)).astype(int)
        (eb, vb), (ec, vc) = ece_and_variance(s_b, y_b), ece_and_variance(s_c, y_c)
        d = ec - eb
        se = math.sqrt(vb + vc)
        z = d / se
        half = zcrit(ALPHA) * se
        if bias > 0:
            # The delta-method SE against a row bootstrap (2,000 resamples of each version's rows): within 25% where
            # every bin's gap is far from zero (it is anti-conservative near a zero gap, where |.| bends).
            ds = []
            for _ in range(2000):
                ib = boot.integers(0, n, n)
                ic = boot.integers(0, n, n)
                ds.append(ece(s_c[ic], y_c[ic]) - ece(s_b[ib], y_b[ib]))
            ratio = np.std(ds, ddof=1) / se
            assert 0.75 < ratio < 1.25, (name, ratio)
        cases.append({"name": name, "baseline_scores": flist(s_b), "baseline_labels": [int(v) for v in y_b],
                      "candidate_scores": flist(s_c), "candidate_labels": [int(v) for v in y_c],
                      "ece_baseline": eb, "ece_candidate": ec, "difference": d,
                      "standard_error": se, "z": z, "p_value": fl(2 * scipy.stats.norm.sf(abs(z))),
                      "ci_lower": d - half, "ci_upper": d + half})
    return cases


# ----------------------------------------------------------------- prediction shift

def proportions(scores):
    counts = np.bincount(np.searchsorted(EDGES[1:-1], scores, side="left"), minlength=10).astype(float)
    return counts / counts.sum()


def shift_cases():
    rng = np.random.default_rng(15)
    cases = []
    for name, nb, nc, a_c, b_c in [("equal_3000_2500", 3000, 2500, 2.0, 5.0), ("shifted_2000_1800", 2000, 1800, 3.0, 4.0),
                                   ("small_40_30", 40, 30, 2.0, 2.0)]:
        b = rng.beta(2.0, 5.0, nb)
        c = rng.beta(a_c, b_c, nc)
        pb, pc = proportions(b), proportions(c)
        r = np.where(pb == 0, 0.0001, pb)
        q = np.where(pc == 0, 0.0001, pc)
        psi = float(np.sum((q - r) * np.log(q / r)))
        js = float(scipy.spatial.distance.jensenshannon(pb, pc, base=2))
        ks = scipy.stats.ks_2samp(b, c)
        cases.append({"name": name, "baseline": flist(b), "candidate": flist(c), "psi": psi, "jensen_shannon": js,
                      "ks": fl(ks.statistic), "ks_p_value": fl(ks.pvalue)})
    return cases


# ----------------------------------------------------------------- shadow pairs

def diff_bin(d):
    return np.clip(np.ceil((d + 1) * 100).astype(int) - 1, 0, 199)


def shadow_cases():
    rng = np.random.default_rng(16)
    cases = []
    for name, n, threshold, noise in [("close_models_2000", 2000, 0.5, 0.05), ("far_models_500", 500, 0.3, 0.25)]:
        b = rng.random(n)
        country = rng.choice(["BR", "DE", "FR", "US"], n)
        extra = np.where(country == "BR", 3 * noise, noise)
        c = np.clip(b + rng.normal(0, 1, n) * extra, 0, 1)
        agree = (b >= threshold) == (c >= threshold)
        lo, hi = proportion_confint(int(agree.sum()), n, alpha=ALPHA, method="wilson")
        d = c - b
        srt = np.sort(diff_bin(d))
        quantiles = {}
        for q in (0.01, 0.05, 0.5, 0.95, 0.99):
            k = max(1, math.ceil(q * n))
            quantiles[str(q)] = -1 + 2 * (int(srt[k - 1]) + 1) / 200
        slices = []
        for v in sorted(set(country)):
            mask = country == v
            dis = int((~agree[mask]).sum())
            slo, shi = proportion_confint(dis, int(mask.sum()), alpha=ALPHA, method="wilson")
            slices.append({"value": v, "pairs": int(mask.sum()), "disagreements": dis, "lower": fl(slo), "upper": fl(shi),
                           "mean_absolute_difference": fl(np.abs(d[mask]).mean())})
        cases.append({"name": name, "threshold": threshold, "baseline": flist(b), "candidate": flist(c),
                      "country": [str(v) for v in country], "agreement": fl(agree.mean()), "lower": fl(lo), "upper": fl(hi),
                      "both_positive": int(((b >= threshold) & (c >= threshold)).sum()),
                      "baseline_only_positive": int(((b >= threshold) & (c < threshold)).sum()),
                      "candidate_only_positive": int(((b < threshold) & (c >= threshold)).sum()),
                      "mean_difference": fl(d.mean()), "difference_sd": fl(np.std(d, ddof=1)),
                      "mean_absolute_difference": fl(np.abs(d).mean()), "max_absolute_difference": fl(np.abs(d).max()),
                      "quantiles": quantiles, "slices": slices})
    return cases


def main():
    doc = {
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
                     "statsmodels": statsmodels.__version__},
        "paired_delong": paired_delong_cases(),
        "accuracy": accuracy_cases(),
        "f1": f1_cases(),
        "brier": brier_cases(),
        "ece": ece_cases(),
        "shift": shift_cases(),
        "shadow": shadow_cases(),
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"), allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
