namespace Monitoring.Benchmarks;

/// <summary>
/// Runs work split in two on two threads: the second part on a thread-pool thread, the first on the caller, then
/// waits. The library kernels are single-threaded; this is how a caller on a 2-core machine would use both cores.
/// </summary>
public static class TwoWay
{
    /// <summary>Runs <paramref name="first"/> here and <paramref name="second"/> on the pool, returning when both are done.</summary>
    public static void Invoke(Action first, Action second)
    {
        var task = Task.Run(second);
        first();
        task.GetAwaiter().GetResult();
    }

    /// <summary>Splits [0, length) into two halves and runs <paramref name="body"/>(part, start, count) on each in parallel.</summary>
    public static void Halves(int length, Action<int, int, int> body)
    {
        var half = length / 2;
        Invoke(() => body(0, 0, half), () => body(1, half, length - half));
    }
}
