using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace Monitoring.Testing;

/// <summary>
/// The fuzz loop of the property tests: inputs drawn from a generator with a fixed seed (the same inputs on every run,
/// so a CI failure reproduces), each run under a per-input timeout that turns a hang into a failure naming the input.
/// CI runs a fixed number of inputs per target; a longer run is asked for with environment variables:
/// <list type="bullet">
/// <item><c>MONITORING_FUZZ_ITERATIONS</c>: inputs per target (replaces the default count);</item>
/// <item><c>MONITORING_FUZZ_SECONDS</c>: run each target for this long instead (at least the default count);</item>
/// <item><c>MONITORING_FUZZ_SEED</c>: another seed (default: the target's own);</item>
/// <item><c>MONITORING_FUZZ_INPUT_TIMEOUT_MS</c>: per-input timeout (default 60,000 ms: generous, the CI machine is shared and some inputs are large).</item>
/// </list>
/// A longer run from the same seed tries the CI inputs first, then more.
/// </summary>
internal static class FuzzRun
{
    /// <summary>Default per-input timeout.</summary>
    public const int DefaultInputTimeoutMs = 60_000;

    /// <summary>Runs <paramref name="property"/> on the inputs; throws on the first that fails or hangs, with the input; returns the inputs tried.</summary>
    /// <param name="gen">Input generator.</param>
    /// <param name="what">The target, for messages.</param>
    /// <param name="defaultIterations">Inputs tried in CI.</param>
    /// <param name="seed">The target's seed.</param>
    /// <param name="property">Throws when the property does not hold.</param>
    /// <param name="log">Where the summary line goes (the test output).</param>
    /// <param name="show">How an input is shown in a failure (default: CsCheck's printer).</param>
    public static long Run<T>(Gen<T> gen, string what, int defaultIterations, ulong seed, Action<T> property, Action<string> log, Func<T, string>? show = null)
    {
        var iterations = Environment("MONITORING_FUZZ_ITERATIONS") is { } n ? n : defaultIterations;
        var seconds = Environment("MONITORING_FUZZ_SECONDS");
        var chosenSeed = System.Environment.GetEnvironmentVariable("MONITORING_FUZZ_SEED") is { Length: > 0 } s
            ? ulong.Parse(s, CultureInfo.InvariantCulture)
            : seed;
        var timeout = TimeSpan.FromMilliseconds(Environment("MONITORING_FUZZ_INPUT_TIMEOUT_MS") ?? DefaultInputTimeoutMs);
        var pcg = new PCG(1, chosenSeed);
        var clock = Stopwatch.StartNew();

        // One worker runs the inputs; this thread watches it, so a hang fails after the timeout with the input it hangs on.
        var progress = new SemaphoreSlim(0);
        var current = default(T);
        long tried = 0;
        Exception? failure = null;
        var finished = false;
        var worker = new Thread(() =>
        {
            try
            {
                for (long i = 0; seconds is { } budget ? i < iterations || clock.Elapsed.TotalSeconds < budget : i < iterations; i++)
                {
                    current = gen.Generate(pcg, null, out _);
                    property(current);
                    Interlocked.Increment(ref tried);
                    progress.Release();
                }
            }
            catch (Exception e)
            {
                failure = e;
            }

            Volatile.Write(ref finished, true);
            progress.Release();
        })
        {
            IsBackground = true, // a hung input must not keep the test process alive
            Name = "fuzz " + what,
        };
        worker.Start();
        while (!Volatile.Read(ref finished) || progress.CurrentCount > 0)
        {
            if (!progress.Wait(timeout))
            {
                failure = new TimeoutException($"no answer within {timeout.TotalMilliseconds:F0} ms");
                break;
            }
        }

        var count = Interlocked.Read(ref tried);
        if (failure is not null)
        {
            var shown = Show(current, show);
            throw new InvalidOperationException(
                $"{what}: input {count} from seed {chosenSeed} failed with {failure.GetType().Name}: {failure.Message}\n"
                + $"input ({shown.Length} chars): {(shown.Length > 2000 ? shown[..2000] + "..." : shown)}",
                failure);
        }

        log(string.Create(CultureInfo.InvariantCulture, $"fuzz {what}: {count} inputs from seed {chosenSeed} in {clock.Elapsed.TotalSeconds:F1} s, 0 failures"));
        return count;
    }

    private static string Show<T>(T? input, Func<T, string>? show)
    {
        try
        {
            return input is null ? "(none)" : show is not null ? show(input) : Check.Print(input);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return $"(unprintable: {e.Message})";
        }
    }

    private static int? Environment(string name) =>
        System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
}
