using System.Net.Sockets;

namespace Kiln.Server.Linux;

/// <summary>
/// The epoll transport of one server: one <see cref="EpollLoop"/> per processor the process may run on, and accepted
/// sockets dealt to them in turn (a connection stays on its loop for its lifetime, so its requests never change
/// thread). Plain listeners are accepted on the first loop (<see cref="EpollAcceptor"/>). Linux only; TLS connections
/// stay on the socket transport (their bytes go through <c>SslStream</c>). A watchdog on the server's clock moves a
/// loop whose thread a handler has blocked to a new thread (see <see cref="EpollLoop"/>).
/// </summary>
internal sealed class EpollTransport : IDisposable
{
    private static readonly TimeSpan WatchdogPeriod = EpollLoop.BlockedAfter / 2;

    private readonly EpollLoop[] _loops;
    private readonly ServerClock _clock;
    private readonly bool _ownsClock;
    private readonly Action<string> _log;
    private uint _next;

    /// <summary>
    /// Starts the first of <paramref name="threads"/> loops (the one that accepts); the others start when the first
    /// connection is dealt to them, so a server's first answer never waits for threads it does not need. The watchdog
    /// runs on <paramref name="clock"/>, or on a clock of its own (started here) when null.
    /// </summary>
    public EpollTransport(int threads, Action<string> log, ServerClock? clock = null)
    {
        _log = log;
        _loops = new EpollLoop[Math.Max(1, threads)];
        _clock = clock ?? new ServerClock(log);
        _ownsClock = clock is null;
        _loops[0] = new EpollLoop(0, log);
        if (_ownsClock) StartWatchdog();
    }

    /// <summary>Starts the watchdog (after the listeners are accepting: its thread need not delay the first answer).</summary>
    public void StartWatchdog() => _clock.Every(WatchdogPeriod, now =>
    {
        foreach (var loop in _loops) loop?.HandOffIfBlocked(now);
    });

    /// <summary>Whether the transport can run here.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>The number of I/O threads.</summary>
    public int Threads => _loops.Length;

    /// <summary>The loop the next connection goes to (round robin), started if it is the loop's first.</summary>
    public EpollLoop NextLoop()
    {
        int index = (int)((Interlocked.Increment(ref _next) - 1) % (uint)_loops.Length);
        return Volatile.Read(ref _loops[index]) ?? StartLoop(index);
    }

    private EpollLoop StartLoop(int index)
    {
        lock (_loops) return _loops[index] ??= new EpollLoop(index, _log);
    }

    /// <summary>Serves an already accepted socket on the next loop (the caller starts the HTTP connection over it).</summary>
    public IConnectionTransport Attach(Socket socket) => new EpollConnection(NextLoop(), socket);

    /// <summary>
    /// Accepts <paramref name="listener"/>'s connections on the first loop and calls <paramref name="serve"/> for
    /// each, on the thread of the loop that serves it. Stop it with <see cref="EpollAcceptor.StopAsync"/> before
    /// closing the listener.
    /// </summary>
    public EpollAcceptor Accept(Listener listener, ConnectionManager connections, Action<EpollConnection> serve)
        => new(this, _loops[0], listener, connections, serve, _log);

    /// <summary>Stops the loops (after the server has drained its connections).</summary>
    public void Dispose()
    {
        if (_ownsClock) _clock.Dispose();
        foreach (var loop in _loops) loop?.Stop();
    }
}
