#!/usr/bin/python3
"""Generate a small, realistic credit-scoring drift example.

    /usr/bin/python3 examples/generate_examples.py

Writes examples/reference.csv (5000 rows) and examples/current.csv (3000 rows).
Columns: age, income, debt_ratio, num_accounts (numeric), country, device,
plan (categorical), score (model probability of default), label (1 = default).
Empty cells are missing values (a few in age, income and device).

Injected drift in current: income shifted up and more heavy-tailed, country mix
changed (more "MX", new country "BR"), and the score is miscalibrated
(overconfident and biased upwards). Deterministic (numpy default_rng, fixed seed).
"""

import csv
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ["age", "income", "debt_ratio", "num_accounts", "country", "device", "plan", "score", "label"]


def make(rng, n, current):
    age = rng.normal(40, 12, n).clip(18, 85).round().astype(int)
    if current:
        income = rng.lognormal(10.95, 0.65, n) + rng.pareto(2.0, n) * 6000
    else:
        income = rng.lognormal(10.8, 0.55, n) + rng.pareto(3.0, n) * 5000
    income = np.round(income, 2)
    debt_ratio = np.round(rng.beta(2, 5, n), 4)
    num_accounts = rng.poisson(3.5, n)
    if current:
        countries, pc = ["US", "CA", "MX", "GB", "DE", "BR"], [0.38, 0.12, 0.25, 0.10, 0.08, 0.07]
    else:
        countries, pc = ["US", "CA", "MX", "GB", "DE"], [0.50, 0.15, 0.10, 0.13, 0.12]
    country = rng.choice(countries, n, p=pc)
    device = rng.choice(["mobile", "desktop", "tablet"], n, p=[0.55, 0.35, 0.10])
    plan = rng.choice(["basic", "standard", "premium"], n, p=[0.5, 0.35, 0.15])

    # true default probability
    z = (-1.6 + 3.0 * (debt_ratio - 0.28) - 0.7 * (np.log(income) - 10.9)
         - 0.015 * (age - 40) + 0.12 * (num_accounts - 3.5)
         + np.where(plan == "premium", -0.4, 0.0) + rng.normal(0, 0.5, n))
    label = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    # model score: calibrated on reference, overconfident and biased in current
    zs = z + rng.normal(0, 0.3, n)
    if current:
        zs = 1.5 * zs + 0.4
    score = np.round(1 / (1 + np.exp(-zs)), 6)

    age_null = rng.random(n) < 0.03
    income_null = rng.random(n) < 0.02
    device_null = rng.random(n) < 0.01
    rows = []
    for i in range(n):
        rows.append([
            "" if age_null[i] else repr(int(age[i])),
            "" if income_null[i] else repr(float(income[i])),
            repr(float(debt_ratio[i])),
            repr(int(num_accounts[i])),
            str(country[i]),
            "" if device_null[i] else str(device[i]),
            str(plan[i]),
            repr(float(score[i])),
            repr(int(label[i])),
        ])
    return rows


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(rows)


def main():
    rng = np.random.default_rng(7)
    write(os.path.join(HERE, "reference.csv"), make(rng, 5000, current=False))
    write(os.path.join(HERE, "current.csv"), make(rng, 3000, current=True))
    print("wrote examples/reference.csv and examples/current.csv")


if __name__ == "__main__":
    main()
