using System.Net;
using System.Net.Sockets;

namespace Monitoring.Testing;

/// <summary>
/// Free 127.0.0.1 ports for servers that tests start as child processes. All listeners of one request stay open until
/// every port is chosen (so the kernel cannot hand the same port out twice in one set), and a port is never handed out
/// twice in one test process (test classes run side by side).
/// </summary>
internal static class LoopbackPorts
{
    private static readonly HashSet<int> HandedOut = [];

    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            var ports = new List<int>(count);
            while (ports.Count < count)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                lock (HandedOut)
                {
                    if (HandedOut.Add(port))
                    {
                        ports.Add(port);
                    }
                }
            }

            return [.. ports];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
