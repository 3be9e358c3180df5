using System.Globalization;

namespace Monitoring.LoadTest;

/// <summary>
/// CPU time of processes this program did not start itself (PostgreSQL's postmaster and its backends, Azurite's node
/// process), read from /proc: every process whose command line matches, plus all of its descendants, each counted with
/// the time of the children it has already reaped (so a backend that exited still counts).
/// </summary>
internal static class ProcessCpu
{
    /// <summary>Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>CPU time (user + system, reaped children included) of the matching processes and their descendants; zero where /proc is unreadable.</summary>
    public static TimeSpan OfTree(Func<string, bool> commandLineMatches)
    {
        var processes = new Dictionary<int, (int Parent, long Ticks)>();
        var roots = new List<int>();
        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories("/proc");
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }

        foreach (var directory in directories)
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // "pid (comm) state ppid ..." : comm may hold spaces, so fields are counted after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                long ticks = 0;
                for (var i = 11; i <= 14; i++) // utime, stime, cutime, cstime (fields 14-17 of proc(5))
                {
                    ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
                }

                processes[pid] = (parent, ticks);
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (commandLineMatches(commandLine))
                {
                    roots.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The process exited while we read it, or is not ours to read.
            }
        }

        var children = processes.ToLookup(p => p.Value.Parent, p => p.Key);
        var seen = new HashSet<int>();
        var stack = new Stack<int>(roots);
        long total = 0;
        while (stack.Count > 0)
        {
            var pid = stack.Pop();
            if (!seen.Add(pid) || !processes.TryGetValue(pid, out var process))
            {
                continue;
            }

            total += process.Ticks;
            foreach (var child in children[pid])
            {
                stack.Push(child);
            }
        }

        return TimeSpan.FromSeconds(total / TicksPerSecond);
    }
}
