using System.Net.Sockets;

namespace Kiln.Server.Linux;

/// <summary>
/// The epoll transport of one server: one <see cref="EpollLoop"/> per processor the process may run on, and accepted
/// sockets dealt to them in turn (a connection stays on its loop for its lifetime, so its requests never change
/// thread). Linux only; TLS connections stay on the socket transport (their bytes go through <c>SslStream</c>).
/// A watchdog timer moves a loop whose thread a handler has blocked to a new thread (see <see cref="EpollLoop"/>).
/// </summary>
internal sealed class EpollTransport : IDisposable
{
    private static readonly TimeSpan WatchdogPeriod = EpollLoop.BlockedAfter / 2;

    private readonly EpollLoop[] _loops;
    private readonly ITimer? _watchdog;
    private uint _next;

    public EpollTransport(int threads, Action<string> log)
    {
        _loops = new EpollLoop[Math.Max(1, threads)];
        try
        {
            for (int i = 0; i < _loops.Length; i++) _loops[i] = new EpollLoop(i, log);
            _watchdog = TimeProvider.System.CreateTimer(static state =>
            {
                long now = Environment.TickCount64;
                foreach (var loop in (EpollLoop[])state!) loop.HandOffIfBlocked(now);
            }, _loops, WatchdogPeriod, WatchdogPeriod);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Whether the transport can run here.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>The number of I/O threads.</summary>
    public int Threads => _loops.Length;

    /// <summary>Serves an accepted socket on the next loop.</summary>
    public IConnectionTransport Attach(Socket socket)
        => new EpollConnection(_loops[Interlocked.Increment(ref _next) % (uint)_loops.Length], socket);

    /// <summary>Stops the loops (after the server has drained its connections).</summary>
    public void Dispose()
    {
        _watchdog?.Dispose();
        foreach (var loop in _loops) loop?.Stop();
    }
}
