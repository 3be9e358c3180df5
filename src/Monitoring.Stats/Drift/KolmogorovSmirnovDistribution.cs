namespace Monitoring.Stats.Drift;

/// <summary>How a two-sample KS p-value was computed.</summary>
public enum KsPValueMethod
{
    /// <summary>The exact null distribution of the two-sample statistic (lattice-path counting).</summary>
    Exact,

    /// <summary>The one-sample two-sided distribution <c>kstwo</c> at the effective sample size <c>round(n1*n2/(n1+n2))</c>.</summary>
    Asymptotic,
}

/// <summary>Statistic (as scipy reports it), p-value and method.</summary>
/// <param name="Statistic">The KS statistic; on the exact path it is rounded to the lattice <c>h/lcm(n1, n2)</c> as scipy does.</param>
/// <param name="PValue">The two-sided p-value, in [0, 1].</param>
/// <param name="Method">Which computation produced <paramref name="PValue"/>.</param>
public readonly record struct KsPValue(double Statistic, double PValue, KsPValueMethod Method);

/// <summary>
/// Null distributions of Kolmogorov-Smirnov statistics, reproducing scipy 1.10:
/// <c>scipy.stats.ks_2samp(..., alternative='two-sided', method='auto')</c>, <c>scipy.stats.kstwo.sf</c> and
/// <c>scipy.special.smirnov</c>.
/// </summary>
/// <remarks>
/// Algorithms (same structure and thresholds as scipy): for two samples, Hodges' treatment of the
/// Drion/Gnedenko/Korolyuk lattice-path count (with Viehmann's recursion for 1 - p when the sizes differ);
/// for the one-sample two-sided statistic, Simard and L'Ecuyer's dispatch between the Ruben-Gambino closed forms,
/// 2 * Smirnov, the Durbin matrix algorithm of Marsaglia, Tsang and Wang, Pomeranz's recursion and the Pelz-Good
/// expansion; for the one-sided statistic, the Birnbaum-Tingey/Smirnov sum evaluated in double-double arithmetic.
/// </remarks>
public static class KolmogorovSmirnovDistribution
{
    /// <summary>Largest max(n1, n2) for which method='auto' uses the exact distribution (scipy's MAX_AUTO_N).</summary>
    public const int MaxExactSampleSize = 10000;

    // 2^128 and 2^-128: the rescaling steps of the Durbin and Pomeranz algorithms.
    private const int ScaleExponent = 128;
    private const double TwoPow128 = 3.402823669209385e38;
    private const double TwoPowMinus128 = 2.938735877055719e-39;

    private const double SqrtTwoPi = 2.5066282746310002;
    private const double LogTwoPi = 1.8378770664093453;
    private const double PelzGoodMinLog = -708.0;
    private const double Sqrt3 = 1.7320508075688772;
    private const double PiSquared = Math.PI * Math.PI;
    private const double PiFour = PiSquared * PiSquared;
    private const double PiSix = PiFour * PiSquared;

    // Cephes MINLOG (log of the smallest subnormal) as used by smirnov's underflow short cut.
    private const double CephesMinLog = -7.451332191019412076235E2;
    private const int SmirnovMaxComputeN = 1000000;
    private const int SmirnovUpperMaxTerms = 3;
    private const int SmirnovUpperSumMinN = 10;
    private const int MaxPowerExponent = 960;
    private const double DoubleEpsilon = 2.220446049250313e-16;
    private const double Ln2 = 0.6931471805599453;

    // Stirling series coefficients B_{2j}/(2j)/(2j-1), j = 8..1, highest degree first.
    private static readonly double[] StirlingCoefficients =
    [
        -2.955065359477124183e-2, 6.4102564102564102564e-3,
        -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4,
        -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ];

    /// <summary>
    /// Two-sided p-value of the observed two-sample statistic <paramref name="d"/> for sample sizes
    /// <paramref name="n1"/>, <paramref name="n2"/>, as <c>ks_2samp(method='auto')</c>: exact when
    /// max(n1, n2) &lt;= <see cref="MaxExactSampleSize"/> (with scipy's rounding of d to h/lcm and its fallback to the
    /// asymptotic method when the exact computation leaves [0, 1]); otherwise <c>kstwo.sf(d, round(n1*n2/(n1+n2)))</c>.
    /// Clipped to [0, 1].
    /// </summary>
    /// <param name="n1">Size of the first sample, at least 1.</param>
    /// <param name="n2">Size of the second sample, at least 1.</param>
    /// <param name="d">The observed statistic sup |F1 - F2|, in [0, 1].</param>
    /// <returns>The statistic as scipy reports it, the p-value and the method used.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or <paramref name="d"/> is not in [0, 1].</exception>
    public static KsPValue TwoSided(int n1, int n2, double d)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n1, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n2, 1);
        ValidateStatistic(d);

        if (Math.Max(n1, n2) <= MaxExactSampleSize)
        {
            long g = GreatestCommonDivisor(n1, n2);
            long lcm = n1 / g * n2;
            long h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
            d = h * 1.0 / lcm;
            if (h == 0)
            {
                return new KsPValue(d, 1.0, KsPValueMethod.Exact);
            }

            // scipy 1.10 runs these under np.errstate(over/invalid='raise'), but neither can raise there: the
            // equal-size sum is plain Python float arithmetic on ratios below 1, and the unequal-size recursion is
            // compiled by Pythran (no numpy error state) and only forms convex combinations of values in [0, 1].
            // The only fallback that occurs is the equal-size result rounding above 1 (e.g. n = 5, h = 1), caught by
            // scipy's "not 0 <= prob <= 1" test, reproduced here bit for bit (NaN would fail it too).
            double prob = n1 == n2
                ? ProbabilityOutsideSquare(n1, h)
                : OuterProbabilityInsideMethod(n1, n2, g, h);
            if (prob >= 0.0 && prob <= 1.0)
            {
                return new KsPValue(d, prob, KsPValueMethod.Exact);
            }

            // scipy: "Exact calculation unsuccessful. Switching to method=asymp" (with the rounded d).
        }

        double m = Math.Max(n1, n2);
        double n = Math.Min(n1, n2);
        double en = m * n / (m + n);
        // en >= 10000/10001 when max > MaxExactSampleSize, and the fallback only occurs for n1 == n2 >= 2: round(en) >= 1.
        int effectiveN = (int)Math.Max(1.0, Math.Round(en, MidpointRounding.ToEven));
        double p = KolmogorovSurvivalCore(effectiveN, d);
        return new KsPValue(d, Clip(p), KsPValueMethod.Asymptotic);
    }

    /// <summary>
    /// <c>scipy.stats.kstwo.sf(d, n)</c>: survival function Pr(D_n &gt;= d) of the one-sample two-sided KS statistic,
    /// with the method dispatch of scipy's <c>_kolmogn</c> (Ruben-Gambino ends, 2 * Smirnov, Durbin matrix (MTW),
    /// Pomeranz, Pelz-Good) and the same thresholds.
    /// </summary>
    /// <param name="n">Sample size, at least 1.</param>
    /// <param name="d">The statistic, in [0, 1].</param>
    /// <returns>The survival probability, in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1 or <paramref name="d"/> is not in [0, 1].</exception>
    public static double KolmogorovSurvival(int n, double d)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ValidateStatistic(d);
        return KolmogorovSurvivalCore(n, d);
    }

    /// <summary>
    /// <c>scipy.special.smirnov(n, d)</c>: survival function Pr(D+_n &gt;= d) of the one-sided one-sample KS statistic.
    /// </summary>
    /// <param name="n">Sample size, at least 1.</param>
    /// <param name="d">The statistic, in [0, 1].</param>
    /// <returns>The survival probability, in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1 or <paramref name="d"/> is not in [0, 1].</exception>
    public static double SmirnovSurvival(int n, double d)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ValidateStatistic(d);
        return Smirnov(n, d);
    }

    private static void ValidateStatistic(double d, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(d))] string? paramName = null)
    {
        if (!(d >= 0.0 && d <= 1.0))
        {
            throw new ArgumentOutOfRangeException(paramName, d, "The KS statistic must lie in [0, 1].");
        }
    }

    private static long GreatestCommonDivisor(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private static double Clip(double p) => p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);

    // ------------------------------------------------------------------ two-sample exact

    /// <summary>Pr(D_{n,n} &gt;= h/n): 2 * A0 * (1 - A1 * (1 - A2 * (...))), Horner-like, as scipy.</summary>
    private static double ProbabilityOutsideSquare(long n, long h)
    {
        double p = 0.0;
        long k = n / h;
        while (k >= 0)
        {
            double p1 = 1.0;
            for (long j = 0; j < h; j++)
            {
                p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
            }

            p = p1 * (1.0 - p);
            k--;
        }

        return 2 * p;
    }

    /// <summary>
    /// Proportion of lattice paths from (0,0) to (m,n) that leave the band |x/m - y/n| &lt; h/lcm(m,n), computed
    /// directly as 1 - p with a sliding column window (Hodges; Viehmann's recursion), as scipy.
    /// </summary>
    private static double OuterProbabilityInsideMethod(long m, long n, long g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }

        long mg = m / g;
        long ng = n / g;
        long minj = 0;
        long maxj = Math.Min(CeilDiv(h, mg), n + 1);
        long curlen = maxj - minj;
        long lenA = Math.Min(2 * maxj + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        Array.Clear(a, 0, (int)maxj);
        for (long i = 1; i <= m; i++)
        {
            long lastminj = minj;
            long lastlen = curlen;
            minj = Math.Max(FloorDiv(ng * i - h, mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = Math.Min(CeilDiv(ng * i + h, mg), n + 1);
            if (maxj <= minj)
            {
                return 1.0;
            }

            double val = minj == 0 ? 0.0 : 1.0;
            double di = i;
            int offset = (int)(minj - lastminj);
            int width = (int)(maxj - minj);
            double j = minj;
            for (int jj = 0; jj < width; jj++, j += 1.0)
            {
                double left = a[jj + offset];
                // (0*i + 0*j)/(i+j) is exactly 0 and (1*i + 1*j)/(i+j) exactly 1: skipping the division there changes
                // no bit of the result but shortens the dependency chain where large d makes whole runs 0 or 1.
                if (left == val && (val == 0.0 || val == 1.0))
                {
                    a[jj] = val;
                    continue;
                }

                val = (left * di + val * j) / (di + j);
                a[jj] = val;
            }

            curlen = maxj - minj;
            if (lastlen > curlen)
            {
                Array.Fill(a, 1.0, (int)curlen, (int)Math.Min(lastlen - curlen, lenA - curlen));
            }
        }

        return a[maxj - minj - 1];
    }

    // floor(a / b) and ceil(a / b) for b > 0; scipy's float floor/ceil of a/b agree with these for |a| < 2^53.
    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && a < 0) ? q - 1 : q;
    }

    private static long CeilDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && a > 0) ? q + 1 : q;
    }

    // ------------------------------------------------------------------ one-sample two-sided (kstwo)

    /// <summary>kstwo.sf with scipy's support handling: 1 at or below 0.5/n, 0 at or above 1.</summary>
    private static double KolmogorovSurvivalCore(int n, double x)
    {
        if (x <= 0.5 / n)
        {
            return 1.0;
        }

        if (x >= 1.0)
        {
            return 0.0;
        }

        return KolmogornSurvival(n, x);
    }

    /// <summary>scipy's <c>_kolmogn(n, x, cdf=False)</c>.</summary>
    private static double KolmogornSurvival(int n, double x)
    {
        if (x >= 1.0)
        {
            return 0.0;
        }

        if (x <= 0.0)
        {
            return 1.0;
        }

        double t = n * x;
        if (t <= 1.0)
        {
            // Ruben-Gambino: 1/2n <= x <= 1/n.
            if (t <= 0.5)
            {
                return 1.0;
            }

            double prob;
            if (n <= 140)
            {
                prob = 1.0;
                double invN = 1.0 / n;
                double twoTMinusOne = 2 * t - 1;
                for (int i = 1; i <= n; i++)
                {
                    prob *= i * invN * twoTMinusOne;
                }
            }
            else
            {
                prob = Math.Exp(LogNFactorialDivNPowN(n) + n * Math.Log(2 * t - 1));
            }

            return Clip(1.0 - prob);
        }

        if (t >= n - 1)
        {
            // Ruben-Gambino.
            return Clip(2 * Math.Pow(1.0 - x, n));
        }

        if (x >= 0.5)
        {
            return Clip(2 * Smirnov(n, x));
        }

        double nxSquared = t * x;
        if (n <= 140)
        {
            if (nxSquared <= 0.754693)
            {
                return Clip(1.0 - DurbinMtwCdf(n, x));
            }

            if (nxSquared <= 4)
            {
                return Clip(1.0 - PomeranzCdf(n, x));
            }

            return Clip(2 * Smirnov(n, x));
        }

        if (nxSquared >= 370.0)
        {
            return 0.0;
        }

        if (nxSquared >= 2.2)
        {
            return Clip(2 * Smirnov(n, x));
        }

        double cdf;
        if (nxSquared >= 18.0)
        {
            cdf = 1.0;
        }
        else if (n <= 100000 && n * Math.Pow(x, 1.5) <= 1.4)
        {
            cdf = DurbinMtwCdf(n, x);
        }
        else
        {
            cdf = PelzGoodCdf(n, x);
        }

        return Clip(1.0 - cdf);
    }

    /// <summary>log(n! / n^n) by Stirling's series with n log n removed up front.</summary>
    private static double LogNFactorialDivNPowN(int n)
    {
        double rn = 1.0 / n;
        double x = rn / n;
        double poly = 0.0;
        foreach (double c in StirlingCoefficients)
        {
            poly = poly * x + c;
        }

        return Math.Log(n) / 2 - n + LogTwoPi / 2 + rn * poly;
    }

    /// <summary>Pr(D_n &lt;= d) by Durbin's matrix algorithm as organised by Marsaglia, Tsang and Wang; clipped.</summary>
    private static double DurbinMtwCdf(int n, double d)
    {
        if (d >= 1.0)
        {
            return 1.0;
        }

        double nd = n * d;
        if (nd <= 0.5)
        {
            return 0.0;
        }

        int k = (int)Math.Ceiling(nd);
        double h = k - nd;
        int m = 2 * k - 1;

        var v = new double[m];
        var w = new double[m];
        double fac = 1.0;
        for (int j = 1; j <= m; j++)
        {
            v[j - 1] = 1.0 - Math.Pow(h, j);
            w[j - 1] = fac;
            fac /= j;
            v[j - 1] *= fac;
        }

        double tt = Math.Pow(Math.Max(2 * h - 1.0, 0), m) - 2 * Math.Pow(h, m);
        v[m - 1] = (1.0 + tt) * fac;

        var hm = new double[m * m];
        for (int i = 1; i < m; i++)
        {
            for (int r = i - 1; r < m; r++)
            {
                hm[r * m + i] = w[r - i + 1];
            }
        }

        for (int r = 0; r < m; r++)
        {
            hm[r * m] = v[r];
        }

        for (int c = 0; c < m; c++)
        {
            hm[(m - 1) * m + c] = v[m - 1 - c];
        }

        var power = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            power[i * m + i] = 1.0;
        }

        var scratch = new double[m * m];
        int nn = n;
        int exponent = 0;
        int hExponent = 0;
        int diag = (k - 1) * m + (k - 1);
        while (nn > 0)
        {
            if (nn % 2 != 0)
            {
                MatMul(power, hm, scratch, m);
                (power, scratch) = (scratch, power);
                exponent += hExponent;
            }

            MatMul(hm, hm, scratch, m);
            (hm, scratch) = (scratch, hm);
            hExponent *= 2;
            if (Math.Abs(hm[diag]) > TwoPow128)
            {
                for (int i = 0; i < hm.Length; i++)
                {
                    hm[i] /= TwoPow128;
                }

                hExponent += ScaleExponent;
            }

            nn /= 2;
        }

        double p = power[diag];
        for (int i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < TwoPowMinus128)
            {
                p *= TwoPow128;
                exponent -= ScaleExponent;
            }
        }

        if (exponent != 0)
        {
            p = Math.ScaleB(p, exponent);
        }

        return Clip(p);
    }

    private static void MatMul(double[] a, double[] b, double[] result, int m)
    {
        Array.Clear(result);
        for (int i = 0; i < m; i++)
        {
            int rowI = i * m;
            for (int l = 0; l < m; l++)
            {
                double ail = a[rowI + l];
                if (ail == 0.0)
                {
                    continue;
                }

                int rowL = l * m;
                for (int j = 0; j < m; j++)
                {
                    result[rowI + j] += ail * b[rowL + j];
                }
            }
        }
    }

    private static (int J1, int J2) PomeranzInterval(int i, int n, int ll, int ceilf, int roundf)
    {
        int j1;
        int j2;
        if (i == 0)
        {
            j1 = -ll - ceilf - 1;
            j2 = ll + ceilf - 1;
        }
        else
        {
            int ip1div2 = (i + 1) / 2;
            int ip1mod2 = (i + 1) % 2;
            if (ip1mod2 == 0)
            {
                if (ip1div2 == n + 1)
                {
                    j1 = n - ll - ceilf - 1;
                    j2 = n + ll + ceilf - 1;
                }
                else
                {
                    j1 = ip1div2 - 1 - ll - roundf - 1;
                    j2 = ip1div2 + ll - 1 + ceilf - 1;
                }
            }
            else
            {
                j1 = ip1div2 - 1 - ll - 1;
                j2 = ip1div2 + ll + roundf - 1;
            }
        }

        return (Math.Max(j1 + 2, 0), Math.Min(j2, n));
    }

    /// <summary>Pr(D_n &lt;= x) by Pomeranz's recursion (two rolling rows, rescaled against underflow); clipped.</summary>
    private static double PomeranzCdf(int n, double x)
    {
        double t = n * x;
        int ll = (int)Math.Floor(t);
        double f = 1.0 * (t - ll);
        double g = Math.Min(f, 1.0 - f);
        int ceilf = f > 0 ? 1 : 0;
        int roundf = f > 0.5 ? 1 : 0;
        int npwrs = 2 * (ll + 1);
        var gpower = new double[npwrs];
        var twogpower = new double[npwrs];
        var onem2gpower = new double[npwrs];
        gpower[0] = 1.0;
        twogpower[0] = 1.0;
        onem2gpower[0] = 1.0;
        int exponent = 0;
        double gOverN = g / n;
        double twoGOverN = 2 * g / n;
        double oneMinusTwoGOverN = (1 - 2 * g) / n;
        for (int m = 1; m < npwrs; m++)
        {
            gpower[m] = gpower[m - 1] * gOverN / m;
            twogpower[m] = twogpower[m - 1] * twoGOverN / m;
            onem2gpower[m] = onem2gpower[m - 1] * oneMinusTwoGOverN / m;
        }

        var v0 = new double[npwrs];
        var v1 = new double[npwrs];
        v1[0] = 1;
        int v0s = 0;
        int v1s = 0;
        var conv = new double[2 * npwrs];

        (int j1, int j2) = PomeranzInterval(0, n, ll, ceilf, roundf);
        for (int i = 1; i < 2 * n + 2; i++)
        {
            int k1 = j1;
            (v0, v1) = (v1, v0);
            (v0s, v1s) = (v1s, v0s);
            Array.Clear(v1);
            (j1, j2) = PomeranzInterval(i, n, ll, ceilf, roundf);
            double[] pwrs = (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 != 0 ? twogpower : onem2gpower);
            int ln2 = j2 - k1 + 1;
            if (ln2 > 0)
            {
                // Full convolution of V0[k1 - V0s : k1 - V0s + ln2] with pwrs[:ln2] (Python slice semantics).
                int start = k1 - v0s;
                int aLen = Math.Min(start + ln2, npwrs) - start;
                int bLen = Math.Min(ln2, npwrs);
                int convLen = aLen + bLen - 1;
                for (int c = 0; c < convLen; c++)
                {
                    double s = 0.0;
                    int lo = Math.Max(0, c - bLen + 1);
                    int hi = Math.Min(c, aLen - 1);
                    for (int q = lo; q <= hi; q++)
                    {
                        s += v0[start + q] * pwrs[c - q];
                    }

                    conv[c] = s;
                }

                int convStart = j1 - k1;
                int count = j2 - j1 + 1;
                double max = double.NegativeInfinity;
                for (int c = 0; c < count; c++)
                {
                    v1[c] = conv[convStart + c];
                }

                foreach (double value in v1)
                {
                    max = Math.Max(max, value);
                }

                if (max > 0 && max < TwoPowMinus128)
                {
                    for (int c = 0; c < v1.Length; c++)
                    {
                        v1[c] *= TwoPow128;
                    }

                    exponent -= ScaleExponent;
                }

                v1s = v0s + j1 - k1;
            }
        }

        double ans = v1[n - v1s];
        for (int m = 1; m <= n; m++)
        {
            if (Math.Abs(ans) > TwoPow128)
            {
                ans *= TwoPowMinus128;
                exponent += ScaleExponent;
            }

            ans *= m;
        }

        if (exponent != 0)
        {
            ans = Math.ScaleB(ans, exponent);
        }

        return Clip(ans);
    }

    /// <summary>Pelz-Good approximation to Pr(D_n &lt;= x) (not clipped, as scipy).</summary>
    private static double PelzGoodCdf(int n, double x)
    {
        if (x <= 0.0)
        {
            return 0.0;
        }

        if (x >= 1.0)
        {
            return 1.0;
        }

        double z = Math.Sqrt(n) * x;
        double zsquared = z * z;
        double zthree = Math.Pow(z, 3);
        double zfour = Math.Pow(z, 4);
        double zsix = Math.Pow(z, 6);

        double qlog = -PiSquared / 8 / zsquared;
        if (qlog < PelzGoodMinLog)
        {
            return 0.0;
        }

        double q = Math.Exp(qlog);

        double k1a = -zsquared;
        double k1b = PiSquared / 4;

        double k2a = 6 * zsix + 2 * zfour;
        double k2b = (2 * zfour - 5 * zsquared) * PiSquared / 4;
        double k2c = PiFour * (1 - 2 * zsquared) / 16;

        double k3d = PiSix * (5 - 30 * zsquared) / 64;
        double k3c = PiFour * (-60 * zsquared + 212 * zfour) / 16;
        double k3b = PiSquared * (135 * zfour - 96 * zsix) / 4;
        double k3a = -30 * zsix - 90 * Math.Pow(z, 8);

        double k0 = 0.0;
        double k1 = 0.0;
        double k2 = 0.0;
        double k3 = 0.0;
        int maxk = (int)Math.Ceiling(16 * z / Math.PI);
        for (int k = maxk; k > 0; k--)
        {
            double m = 2 * k - 1;
            double msquared = m * m;
            double mfour = msquared * msquared;
            double msix = mfour * msquared;
            double qpower = Math.Pow(q, 8 * k);
            k0 = k0 * qpower + 1.0;
            k1 = k1 * qpower + (k1a + k1b * msquared);
            k2 = k2 * qpower + (k2a + k2b * msquared + k2c * mfour);
            k3 = k3 * qpower + (k3a + k3b * msquared + k3c * mfour + k3d * msix);
        }

        k0 = k0 * q * SqrtTwoPi / z;
        k1 = k1 * q * SqrtTwoPi / (6 * zfour);
        k2 = k2 * q * SqrtTwoPi / (72 * Math.Pow(z, 7));
        k3 = k3 * q * SqrtTwoPi / (6480 * Math.Pow(z, 10));

        q = Math.Exp(-PiSquared / 2 / zsquared);
        double sqrt3z = Sqrt3 * z;
        double k2extra = 0.0;
        double k3extra = 0.0;
        for (int k = maxk; k > 0; k--)
        {
            double ksquared = (double)k * k;
            double kspi = Math.PI * k;
            double qpwer = Math.Pow(q, ksquared);
            k2extra += ksquared * qpwer;
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpwer;
        }

        k2 += k2extra * (PiSquared * SqrtTwoPi / (-36 * zthree));
        k3 += k3extra * (PiSquared * SqrtTwoPi / (216 * zsix));

        double dn = n;
        k1 /= Math.Pow(dn, 0.5);
        k2 /= Math.Pow(dn, 1.0);
        k3 /= Math.Pow(dn, 1.5);
        return 0.0 + k0 + k1 + k2 + k3;
    }

    // ------------------------------------------------------------------ one-sample one-sided (smirnov)

    /// <summary>scipy's cephes <c>smirnov(n, x)</c> (survival function of D+_n), double-double summation.</summary>
    private static double Smirnov(int n, double x)
    {
        if (n == 1)
        {
            return 1 - x;
        }

        if (x == 0.0)
        {
            return 1.0;
        }

        if (x == 1.0)
        {
            return 0.0;
        }

        // floor(n*x) and the fractional part, exactly.
        DoubleDouble nxD = DoubleDouble.Product(n, x);
        DoubleDouble nxFloorD = nxD.Floor();
        double alpha = (nxD - nxFloorD).Hi;
        int nxfl = (int)(nxFloorD.Hi + nxFloorD.Lo);
        if (alpha == 1)
        {
            nxfl += 1;
            alpha = 0;
        }

        int n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
        int n1mxceil = n - nxfl;
        if (alpha == 0)
        {
            n1mxfl -= 1;
            n1mxceil += 1;
        }

        // x <= 1/n.
        if (nxfl == 0 || (nxfl == 1 && alpha == 0))
        {
            double t = DoublePower(DoubleDouble.Sum(1, x), n - 1).Hi;
            double cdf = x * t;
            return Clip(1 - cdf);
        }

        // The survival function underflows.
        if (-2.0 * n * x * x < CephesMinLog)
        {
            return 0.0;
        }

        // x >= 1 - 1/n.
        if (nxfl >= n - 1)
        {
            return Clip(DoublePower(DoubleDouble.Sum(1, -x), n).Hi);
        }

        if (n > SmirnovMaxComputeN)
        {
            // p ~ exp(-(6nx + 1)^2 / 18n).
            double logp = -Math.Pow(6.0 * n * x + 1, 2) / 18.0 / n;
            return Clip(Math.Exp(logp));
        }

        int nUpperTerms = n - n1mxceil + 1;
        bool useUpperSum = (nUpperTerms <= 1 && x < 0.5)
            || (n >= SmirnovUpperSumMinN && nUpperTerms <= SmirnovUpperMaxTerms && x <= 0.5 / Math.Sqrt(n));

        int start = 0;
        int step = 1;
        int nTerms = n1mxfl + 1;
        int vmid = n / 2;
        DoubleDouble cMan = DoubleDouble.One;
        int cExp = 0;
        DoubleDouble aj;
        if (useUpperSum)
        {
            start = n;
            step = -1;
            nTerms = n - n1mxceil + 1;
            aj = DoublePower(DoubleDouble.Sum(1, x), n - 1);
        }
        else
        {
            DoubleDouble t2 = DoublePower(DoubleDouble.Sum(1, -x), n);
            aj = t2 / x;
        }

        DoubleDouble ajSum = aj;
        UpdateBinomial(ref cMan, ref cExp, n, 0);
        for (int j = 1; j < nTerms; j++)
        {
            int v = start + j * step;
            aj = SmirnovTerm(n, x, v, cMan, cExp);
            if (double.IsFinite(aj.Hi) && aj.Hi != 0.0)
            {
                ajSum += aj;
            }

            if (aj.Hi != 0.0)
            {
                if (4 * (nTerms - j) * Math.Abs(aj.Hi) < DoubleEpsilon * ajSum.Hi && j != nTerms - 1)
                {
                    break;
                }
            }
            else if (j > vmid)
            {
                break;
            }

            UpdateBinomial(ref cMan, ref cExp, n, j);
        }

        double prob = (ajSum * x).Hi;
        return Clip(step < 0 ? 1 - prob : prob);
    }

    /// <summary>Binomial(n, j+1) from Binomial(n, j), kept as a mantissa in [0.5, 1) and a binary exponent.</summary>
    private static void UpdateBinomial(ref DoubleDouble cMan, ref int cExp, int n, int j)
    {
        DoubleDouble rat = DoubleDouble.Quotient(n - j, j + 1.0);
        DoubleDouble man2 = (cMan * rat).Frexp(out int e);
        cExp += e;
        cMan = man2;
    }

    /// <summary>A_v(n, x) = Binomial(n, v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1).</summary>
    private static DoubleDouble SmirnovTerm(int n, double x, int v, DoubleDouble cMan, int cExp)
    {
        DoubleDouble t2x = DoubleDouble.Quotient(n - v, n) - x;
        DoubleDouble t2 = ScaledPower(t2x, n - v, out int t2E);
        DoubleDouble t1x = DoubleDouble.Quotient(v, n) + x;
        DoubleDouble t1 = ScaledPower(t1x, v - 1, out int t1E);
        DoubleDouble ans = t1 * t2 * cMan;
        return ans.ScaleB(cExp + t1E + t2E);
    }

    /// <summary>a^m for m &gt;= 0 using pow on the high part and a first-order correction for the low part.</summary>
    private static DoubleDouble DoublePower(DoubleDouble a, int m)
    {
        if (m == 0)
        {
            return DoubleDouble.One;
        }

        if (a.Hi == 0.0 && a.Lo == 0.0)
        {
            return DoubleDouble.Zero;
        }

        double ans = Math.Pow(a.Hi, m);
        double r = a.Lo / a.Hi;
        double adj = m * r;
        if (Math.Abs(adj) > 1e-8)
        {
            // |m r| <= 2^31 * 2^-53 < 1e-4: the second-order Taylor term suffices (scipy's expm1/log1p branch is unreachable).
            adj += m * r * ((m - 1) / 2.0 * r);
        }

        return DoubleDouble.Sum(ans, ans * adj);
    }

    /// <summary>a^m = significand * 2^exponent for m &gt;= 0, split so that no partial power underflows.</summary>
    private static DoubleDouble ScaledPower(DoubleDouble a, int m, out int exponent)
    {
        if (m == 0)
        {
            exponent = 0;
            return DoubleDouble.One;
        }

        DoubleDouble y = a.Frexp(out int yE);
        if (m == 1)
        {
            exponent = yE;
            return y;
        }

        int maxExpt = MaxPowerExponent;
        if (m * (y.Hi - 1) / y.Hi < -MaxPowerExponent * Ln2)
        {
            double lg2y = Math.Log(y.Hi) / Ln2;
            double lgAns = m * lg2y;
            if (lgAns <= -MaxPowerExponent)
            {
                maxExpt = (int)(NextPowerOf2(-MaxPowerExponent / lg2y + 1) / 2);
            }
        }

        int ansE;
        DoubleDouble ans;
        if (m <= maxExpt)
        {
            ans = DoublePower(y, m).Frexp(out ansE);
            exponent = ansE + m * yE;
            return ans;
        }

        int q = m / maxExpt;
        int r = m % maxExpt;
        DoubleDouble y2r = ScaledPower(y, r, out int y2rE);
        DoubleDouble y2m = ScaledPower(y, maxExpt, out int y2mE);
        DoubleDouble y2mq = ScaledPower(y2m, q, out int y2mqE);
        ans = (y2r * y2mq).Frexp(out ansE);
        y2mqE += y2mE * q;
        exponent = ansE + y2mqE + y2rE + m * yE;
        return ans;
    }

    private static double NextPowerOf2(double x)
    {
        double q = Math.ScaleB(x, 1 - 53);
        double l = Math.Abs(q + x);
        if (l == 0)
        {
            l = Math.Abs(x);
        }
        else
        {
            int lint = (int)l;
            if (lint == l)
            {
                l = lint;
            }
        }

        return l;
    }

    /// <summary>Minimal double-double (unevaluated sum Hi + Lo) arithmetic for the Smirnov sum.</summary>
    private readonly struct DoubleDouble
    {
        public static readonly DoubleDouble Zero = new(0.0, 0.0);
        public static readonly DoubleDouble One = new(1.0, 0.0);

        public readonly double Hi;
        public readonly double Lo;

        public DoubleDouble(double hi, double lo)
        {
            Hi = hi;
            Lo = lo;
        }

        public static DoubleDouble Sum(double a, double b)
        {
            double s = a + b;
            double bb = s - a;
            double err = (a - (s - bb)) + (b - bb);
            return new DoubleDouble(s, err);
        }

        public static DoubleDouble Product(double a, double b)
        {
            double p = a * b;
            return new DoubleDouble(p, Math.FusedMultiplyAdd(a, b, -p));
        }

        public static DoubleDouble Quotient(double a, double b)
        {
            double q1 = a / b;
            DoubleDouble p = Product(q1, b);
            DoubleDouble s = Sum(a, -p.Hi);
            double e = s.Lo - p.Lo;
            double q2 = (s.Hi + e) / b;
            return QuickSum(q1, q2);
        }

        public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
        {
            DoubleDouble s = Sum(a.Hi, b.Hi);
            DoubleDouble t = Sum(a.Lo, b.Lo);
            double s2 = s.Lo + t.Hi;
            DoubleDouble u = QuickSum(s.Hi, s2);
            return QuickSum(u.Hi, u.Lo + t.Lo);
        }

        public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + new DoubleDouble(-b.Hi, -b.Lo);

        public static DoubleDouble operator +(DoubleDouble a, double b)
        {
            DoubleDouble s = Sum(a.Hi, b);
            return QuickSum(s.Hi, s.Lo + a.Lo);
        }

        public static DoubleDouble operator -(DoubleDouble a, double b) => a + (-b);

        public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
        {
            DoubleDouble p = Product(a.Hi, b.Hi);
            double lo = p.Lo + (a.Hi * b.Lo + a.Lo * b.Hi);
            return QuickSum(p.Hi, lo);
        }

        public static DoubleDouble operator *(DoubleDouble a, double b)
        {
            DoubleDouble p = Product(a.Hi, b);
            return QuickSum(p.Hi, p.Lo + a.Lo * b);
        }

        public static DoubleDouble operator /(DoubleDouble a, double b)
        {
            double q1 = a.Hi / b;
            DoubleDouble p = Product(q1, b);
            DoubleDouble s = Sum(a.Hi, -p.Hi);
            double lo = s.Lo - p.Lo + a.Lo;
            double q2 = (s.Hi + lo) / b;
            return QuickSum(q1, q2);
        }

        public DoubleDouble Floor()
        {
            double hi = Math.Floor(Hi);
            double lo = 0.0;
            if (hi == Hi)
            {
                lo = Math.Floor(Lo);
                return QuickSum(hi, lo);
            }

            return new DoubleDouble(hi, lo);
        }

        public DoubleDouble Frexp(out int exponent)
        {
            if (Hi == 0.0 || !double.IsFinite(Hi))
            {
                exponent = 0;
                return this;
            }

            exponent = Math.ILogB(Hi) + 1;
            return new DoubleDouble(Math.ScaleB(Hi, -exponent), Math.ScaleB(Lo, -exponent));
        }

        public DoubleDouble ScaleB(int exponent) => new(Math.ScaleB(Hi, exponent), Math.ScaleB(Lo, exponent));

        private static DoubleDouble QuickSum(double a, double b)
        {
            double s = a + b;
            return new DoubleDouble(s, b - (s - a));
        }
    }
}
