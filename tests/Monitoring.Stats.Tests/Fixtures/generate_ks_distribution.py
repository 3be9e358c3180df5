#!/usr/bin/python3
"""Generate ks_distribution.json: reference values for KolmogorovSmirnovDistribution.

Run with the Debian scipy (1.10.x):  /usr/bin/python3 generate_ks_distribution.py
The output is written next to this script.

Three kinds of cases:
  two_sample  (n1, n2, d) -> statistic, pvalue, method of ks_2samp(alternative='two-sided', method='auto').
              "source": "internals" cases call the scipy internals ks_2samp uses for a given (n1, n2, d)
              (_attempt_exact_2kssamp, then kstwo.sf at round(n1*n2/(n1+n2)) when the sizes exceed MAX_AUTO_N or the
              exact computation is unsuccessful); "source": "ks_2samp" cases run ks_2samp itself on samples
              (constructed or random) and record the d it observed.  Every "ks_2samp" case is also re-evaluated
              through the internals path and the two must agree exactly, which checks the replication below.
  kstwo_sf    (n, d) -> scipy.stats.kstwo.sf(d, n), with the _kolmogn branch that handles it.
  smirnov     (n, d) -> scipy.special.smirnov(n, d).

Fallback note (scipy 1.10.1): ks_2samp's exact computation runs under np.errstate(over/invalid='raise'), but
_compute_prob_outside_square (n1 == n2) is plain Python float arithmetic and _compute_outer_prob_inside_method
(n1 != n2) is Pythran-compiled, so no FloatingPointError is ever raised.  The fallbacks that do occur are the
equal-size result rounding just above 1 (n = 5, h = 1 gives 1.0000000000000002), caught by "not 0 <= prob <= 1";
those cases appear below with method "asymp" and fell_back true (also confirmed through ks_2samp's RuntimeWarning).
"""
import json
import math
import os
import warnings

import numpy as np
import scipy
from scipy import special, stats
from scipy.stats import _stats_py

MAX_AUTO_N = 10000  # scipy's MAX_AUTO_N in ks_2samp


def two_sided_internals(n1, n2, d):
    """ks_2samp's p-value path for an observed statistic d (alternative='two-sided', method='auto')."""
    g = math.gcd(n1, n2)
    fell_back = False
    if max(n1, n2) <= MAX_AUTO_N:
        success, d, prob = _stats_py._attempt_exact_2kssamp(n1, n2, g, d, 'two-sided')
        if success:
            return float(d), float(np.clip(prob, 0, 1)), 'exact', False
        fell_back = True
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    prob = stats.kstwo.sf(d, np.round(en))
    return float(d), float(np.clip(prob, 0, 1)), 'asymp', fell_back


def kolmogn_branch(n, x):
    """Name of the _kolmogn branch that kstwo.sf(x, n) takes (mirrors scipy/stats/_ksstats.py)."""
    if x <= 0.5 / n:
        return 'support_low'
    if x >= 1.0:
        return 'support_high'
    t = n * x
    if t <= 1.0:
        return 'ruben_gambino_low' if n <= 140 else 'ruben_gambino_low_stirling'
    if t >= n - 1:
        return 'ruben_gambino_high'
    if x >= 0.5:
        return 'smirnov_x_ge_half'
    nxsquared = t * x
    if n <= 140:
        if nxsquared <= 0.754693:
            return 'dmtw_small_n'
        if nxsquared <= 4:
            return 'pomeranz'
        return 'smirnov_small_n'
    if nxsquared >= 370.0:
        return 'zero_nx2_ge_370'
    if nxsquared >= 2.2:
        return 'smirnov_nx2_ge_2.2'
    if n <= 100000 and n * x ** 1.5 <= 1.4:
        return 'dmtw_large_n'
    return 'pelz_good'


def smirnov_branch(n, x):
    if n == 1:
        return 'n_eq_1'
    if x == 0.0 or x == 1.0:
        return 'endpoint'
    nx = n * x
    if nx <= 1.0:
        return 'x_le_1_over_n'
    if -2 * n * x * x < -745.1332191019412:
        return 'underflow'
    if math.floor(nx) >= n - 1:
        return 'x_ge_1_minus_1_over_n'
    if n > 1000000:
        return 'approx_n_gt_1e6'
    if n >= 10 and math.floor(nx) <= 2 and x <= 0.5 / math.sqrt(n):
        return 'upper_sum'
    return 'lower_sum'


def lattice_d_for_p(n1, n2, target):
    """Largest lattice statistic h/lcm whose exact/asymptotic p-value is >= target (bisection on h)."""
    g = math.gcd(n1, n2)
    lcm = (n1 // g) * n2
    lo, hi = 1, lcm
    if two_sided_internals(n1, n2, hi / lcm)[1] >= target:
        return hi / lcm
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if two_sided_internals(n1, n2, mid / lcm)[1] >= target:
            lo = mid
        else:
            hi = mid
    return lo / lcm


def d_for_p_asymp(n1, n2, target):
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = np.round(m * n / (m + n))
    return float(stats.kstwo.isf(target, en))


two_sample = []
seen = set()


def add_two_sample(n1, n2, d, note=''):
    key = (n1, n2, float(d))
    if key in seen:
        return
    seen.add(key)
    stat, p, method, fell_back = two_sided_internals(n1, n2, float(d))
    two_sample.append({'n1': n1, 'n2': n2, 'd': float(d), 'statistic': stat, 'pvalue': p,
                       'method': method, 'fell_back': fell_back, 'source': 'internals', 'note': note})


def add_from_samples(x1, x2, note):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        res = stats.ks_2samp(x1, x2, alternative='two-sided', method='auto')
    fell_back = any('Exact calculation unsuccessful' in str(w.message) for w in caught)
    n1, n2 = len(x1), len(x2)
    method = 'exact' if (max(n1, n2) <= MAX_AUTO_N and not fell_back) else 'asymp'
    # The statistic ks_2samp computed from the data (before its lattice rounding): recompute it the same way.
    data1, data2 = np.sort(x1), np.sort(x2)
    data_all = np.concatenate([data1, data2])
    cdf1 = np.searchsorted(data1, data_all, side='right') / n1
    cdf2 = np.searchsorted(data2, data_all, side='right') / n2
    cddiffs = cdf1 - cdf2
    d = float(max(np.clip(-np.min(cddiffs), 0, 1), np.max(cddiffs)))
    check = two_sided_internals(n1, n2, d)
    assert check[0] == float(res.statistic) and check[1] == float(res.pvalue) and check[2] == method \
        and check[3] == fell_back, (n1, n2, d, check, res, fell_back)
    two_sample.append({'n1': n1, 'n2': n2, 'd': d, 'statistic': float(res.statistic), 'pvalue': float(res.pvalue),
                       'method': method, 'fell_back': fell_back, 'source': 'ks_2samp', 'note': note})


# --- tiny sizes: every lattice value, plus off-lattice values that exercise the rounding to h/lcm
for n1, n2 in [(1, 1), (1, 2), (2, 1), (2, 3), (3, 1), (3, 2), (2, 2), (3, 3), (4, 6), (5, 5), (7, 3)]:
    g = math.gcd(n1, n2)
    lcm = n1 // g * n2
    for h in range(0, lcm + 1):
        add_two_sample(n1, n2, h / lcm, 'tiny lattice')
    for d in [0.01, 0.2, 0.26, 0.3333, 0.49, 0.51, 0.74, 0.99]:
        add_two_sample(n1, n2, d, 'tiny off-lattice')

# --- equal sizes: small h (where the exact square computation may exceed 1 and fall back), and target p-values
equal_sizes = [4, 5, 7, 10, 13, 30, 37, 60, 100, 250, 500, 1000, 2500, 5000, 9999, 10000]
for n in equal_sizes:
    for h in [1, 2, 3]:
        if h <= n:
            add_two_sample(n, n, h / n, 'equal small h')
    add_two_sample(n, n, 1.0, 'equal d=1')
    for target in [0.999, 0.5, 0.05, 1e-3, 1e-30]:
        add_two_sample(n, n, lattice_d_for_p(n, n, target), 'equal target p=%g' % target)
    add_two_sample(n, n, min(1.0, 40.0 / math.sqrt(n)), 'equal underflow')

# --- unequal sizes (exact, inside method)
unequal = [(10, 15), (15, 10), (20, 30), (50, 75), (99, 100), (100, 150), (128, 96), (300, 700), (1000, 1001),
           (1000, 3000), (3000, 7000), (50, 10000), (10000, 50), (1, 10000), (9999, 10000), (10000, 9999),
           (5000, 10000), (7919, 10000)]
for n1, n2 in unequal:
    add_two_sample(n1, n2, 1.0, 'unequal d=1')
    g = math.gcd(n1, n2)
    lcm = n1 // g * n2
    add_two_sample(n1, n2, 1 / lcm, 'unequal smallest h')
    for target in [0.999, 0.5, 0.05, 1e-3, 1e-30]:
        add_two_sample(n1, n2, lattice_d_for_p(n1, n2, target), 'unequal target p=%g' % target)
    n_small = min(n1, n2)
    add_two_sample(n1, n2, min(1.0, 45.0 / math.sqrt(n_small)), 'unequal underflow')
    add_two_sample(n1, n2, 0.123456789, 'unequal off-lattice')

# --- asymptotic sizes: boundary 10001 and larger, unequal large sizes
asymp_sizes = [(10001, 10001), (10001, 10000), (10000, 10001), (10001, 1), (10001, 2), (1, 20000), (50, 20000),
               (12345, 6789), (20000, 20000), (20000, 15000), (15000, 20000), (100000, 100000), (100001, 99999),
               (1000000, 500000), (3000000, 3000000)]
for n1, n2 in asymp_sizes:
    for target in [0.999, 0.5, 0.05, 1e-3, 1e-30]:
        add_two_sample(n1, n2, d_for_p_asymp(n1, n2, target), 'asymp target p=%g' % target)
    for d in [0.0, 1e-6, 1e-4, 0.003, 0.01, 0.02, 0.05, 0.1, 0.3, 0.5, 0.75, 0.9999, 1.0]:
        add_two_sample(n1, n2, d, 'asymp grid')

# --- cases through ks_2samp itself on data
for n, h in [(5, 1), (7, 1), (30, 1), (60, 2), (10, 1), (10, 3), (100, 7), (10000, 1), (10000, 2), (10000, 150)]:
    x1 = np.arange(n, dtype=float)
    x2 = np.arange(n, dtype=float) + h - 0.5   # shifted: realises D = h/n
    add_from_samples(x1, x2, 'ks_2samp shifted equal samples')
rng = np.random.default_rng(20240601)
for n1, n2, shift in [(1, 1, 0.0), (1, 2, 0.0), (2, 3, 0.5), (3, 1, 1.0), (8, 8, 0.3), (25, 40, 0.5), (200, 200, 0.1),
                      (200, 300, 0.25), (1000, 1200, 0.05), (5000, 4000, 0.0), (10000, 10000, 0.02),
                      (10000, 9999, 0.03), (10001, 10001, 0.02), (20000, 15000, 0.01), (50, 10000, 0.4),
                      (12000, 80, 0.2), (9000, 9000, 0.3)]:
    add_from_samples(rng.normal(size=n1), rng.normal(loc=shift, size=n2), 'ks_2samp random normal')

# --- kstwo.sf: every _kolmogn branch, with points straddling the thresholds
kstwo_cases = []


def add_kstwo(n, x):
    x = float(x)
    kstwo_cases.append({'n': n, 'd': x, 'sf': float(stats.kstwo.sf(x, n)), 'branch': kolmogn_branch(n, x)})


def around(v):
    return [np.nextafter(v, 0.0), v, np.nextafter(v, 2.0)]


for n, x in [(1, 0.0), (1, 0.3), (1, 0.5), (1, 0.50001), (1, 0.75), (1, 1.0), (2, 0.25), (2, 0.3), (2, 0.5), (2, 0.6),
             (3, 0.2), (3, 0.4), (3, 0.7), (10, 0.0), (10, 0.05), (10, 0.06), (10, 0.08), (10, 0.1), (10, 0.9),
             (10, 0.95), (10, 0.5), (10, 0.7), (140, 0.005), (140, 1 / 140), (141, 0.005), (141, 1 / 141),
             (1000, 0.0007), (1000, 0.001), (100000, 0.00001), (3000000, 3e-7),
             # n <= 140
             (20, 0.15), (140, 0.07), (20, 0.25), (100, 0.19), (140, 0.1), (50, 0.2), (20, 0.45), (100, 0.3),
             (140, 0.4), (30, 0.49),
             # n > 140
             (2000, 0.45), (10000, 0.2), (1000, 0.05), (10000, 0.1), (10000, 0.03), (5000, 0.06), (200, 0.02),
             (1000, 0.0125), (1000, 0.01), (50000, 0.003), (100000, 0.002), (1000, 0.03), (141, 0.1), (200, 0.05),
             (100001, 0.002), (200000, 0.002), (2000000, 0.0012), (2000000, 0.0005), (5000, 0.6), (1000, 0.5),
             (20000, 0.75)]:
    add_kstwo(n, x)
for n in [20, 50, 140]:
    for thr in [0.754693, 4.0]:
        for x in around(math.sqrt(thr / n)):
            add_kstwo(n, x)
for n in [141, 1000, 10000]:
    for thr in [2.2, 370.0]:
        x = math.sqrt(thr / n)
        if x < 0.5:
            for xx in around(x):
                add_kstwo(n, xx)
for n in [200, 1000, 100000]:
    for xx in around((1.4 / n) ** (2.0 / 3.0)):
        add_kstwo(n, xx)
for n in [10, 1000]:
    for xx in around(0.5):
        add_kstwo(n, xx)
    for xx in around(1.0 / n):
        add_kstwo(n, xx)
    for xx in around(0.5 / n):
        add_kstwo(n, xx)
# sf near 1, 1e-3, 1e-30 for a range of n
for n in [5, 40, 140, 141, 500, 5000, 10000, 50000, 100000, 100001, 1000000]:
    for target in [0.999, 0.5, 1e-3, 1e-30, 1e-200]:
        add_kstwo(n, stats.kstwo.isf(target, n))

# --- smirnov
smirnov_cases = []


def add_smirnov(n, x):
    x = float(x)
    smirnov_cases.append({'n': n, 'd': x, 'sf': float(special.smirnov(n, x)), 'branch': smirnov_branch(n, x)})


for n, x in [(1, 0.0), (1, 0.3), (1, 1.0), (2, 0.0), (2, 0.3), (2, 0.5), (2, 0.7), (2, 1.0), (3, 0.2), (3, 0.5),
             (5, 0.1), (10, 0.05), (10, 0.1), (10, 0.15), (10, 0.5), (10, 0.95), (10, 0.9), (10, 0.999),
             (100, 0.025), (100, 0.02), (100, 0.01), (100, 0.05), (100, 0.1), (100, 0.3), (100, 0.7), (100, 0.995),
             (400, 0.0249), (1000, 0.001), (1000, 0.002), (1000, 0.0025), (1000, 0.0155), (1000, 0.05), (1000, 0.2),
             (1000, 0.59), (1012, 0.1), (1013, 0.1), (5000, 0.3), (5000, 0.2655), (10000, 0.01), (10000, 0.03),
             (100000, 0.003), (100000, 0.00002), (1000000, 0.001), (1000000, 0.0001), (1000001, 0.001),
             (2000000, 0.0001), (2000000, 0.0012), (2000000, 0.000001)]:
    add_smirnov(n, x)
for n in [7, 50, 3000, 20000]:
    for target in [0.999, 0.5, 1e-3, 1e-30, 1e-250]:
        add_smirnov(n, special.smirnovi(n, target))

out = {
    'scipy_version': scipy.__version__,
    'numpy_version': np.__version__,
    'max_auto_n': MAX_AUTO_N,
    'two_sample': two_sample,
    'kstwo_sf': kstwo_cases,
    'smirnov': smirnov_cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ks_distribution.json')
with open(path, 'w') as fh:
    json.dump(out, fh, indent=1)
    fh.write('\n')

from collections import Counter
print('two_sample', len(two_sample), Counter((c['method'], c['fell_back']) for c in two_sample))
print('kstwo_sf', len(kstwo_cases), Counter(c['branch'] for c in kstwo_cases))
print('smirnov', len(smirnov_cases), Counter(c['branch'] for c in smirnov_cases))
