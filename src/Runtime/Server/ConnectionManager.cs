using System.Collections.Concurrent;
using Kiln.Http;

namespace Kiln.Server;

/// <summary>
/// The open connections of one server: the slots that cap how many may exist, the heartbeat that expires
/// timeouts and refreshes the <c>Date</c> line, and the drain that graceful shutdown waits for.
/// </summary>
internal sealed class ConnectionManager
{
    private readonly ServerContext _server;
    private readonly SemaphoreSlim _slots;
    // Each connection maps to itself: with a reference-type value, NativeAOT shares the dictionary's compiled code with
    // the framework's own instantiations (System.Text.Json's caches) instead of compiling a second copy for a byte.
    private readonly ConcurrentDictionary<HttpConnection, HttpConnection> _active = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;
    private int _heartbeatStarted;
    private volatile bool _stopping;

    public ConnectionManager(ServerContext server, int capacity)
    {
        _server = server;
        Capacity = capacity;
        _slots = new SemaphoreSlim(capacity, capacity);
    }

    /// <summary>The most connections at once.</summary>
    public int Capacity { get; }

    /// <summary>Open connections (TLS handshakes in progress included).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Completes when shutdown has begun and the last connection has closed.</summary>
    public Task Drained => _drained.Task;

    // Fine enough for the shortest timeout, at most once a second (the Date line's resolution).
    private static TimeSpan HeartbeatInterval(ServerOptions o)
    {
        double shortest = Math.Min(Math.Min(o.RequestHeadersTimeout.TotalMilliseconds, o.KeepAliveTimeout.TotalMilliseconds),
            o.MinRequestBodyDataRateGracePeriod.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Clamp(shortest / 8, 10, 1000));
    }

    /// <summary>
    /// Starts the heartbeat on the server's clock (once; later calls do nothing). The server calls it once it accepts: the clock's thread need not
    /// stand between the bind and the first accept.
    /// </summary>
    public void StartHeartbeat(ServerClock clock)
    {
        if (Interlocked.Exchange(ref _heartbeatStarted, 1) == 0) clock.Every(HeartbeatInterval(_server.Options), Beat);
    }

    /// <summary>Waits until a connection may be accepted.</summary>
    public Task WaitForSlotAsync(CancellationToken ct) => _slots.WaitAsync(ct);

    /// <summary>Takes a slot if one is free, without waiting.</summary>
    public bool TryTakeSlot() => _slots.Wait(0);

    /// <summary>Gives back a slot taken by <see cref="WaitForSlotAsync"/> when no connection was opened with it.</summary>
    public void ReleaseSlot() => _slots.Release();

    /// <summary>Counts a new connection (before its handshake).</summary>
    public void Opened() => Interlocked.Increment(ref _count);

    public void Register(HttpConnection connection)
    {
        _active.TryAdd(connection, connection);
        if (_stopping) connection.OnStopping();
    }

    /// <summary>A connection (or a failed handshake) has closed: free its slot.</summary>
    public void Closed(HttpConnection? connection)
    {
        if (connection is not null) _active.TryRemove(connection, out _);
        _slots.Release();
        if (Interlocked.Decrement(ref _count) == 0 && _stopping) _drained.TrySetResult();
    }

    public void BeginStopping()
    {
        _stopping = true;
        foreach (var connection in _active.Keys) connection.OnStopping();
        if (Count == 0) _drained.TrySetResult();
    }

    public void AbortAll()
    {
        foreach (var connection in _active.Keys) connection.Abort();
    }

    private void Beat(long now)
    {
        _server.Date.Update(DateTimeOffset.UtcNow);
        foreach (var pair in _active) pair.Key.OnHeartbeat(now);   // enumerates without copying the keys
    }
}
