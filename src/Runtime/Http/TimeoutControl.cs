using System.IO.Pipelines;

namespace Kiln.Http;

/// <summary>
/// The timeouts of one connection — the only part of a connection that other threads touch. The connection's own
/// flow arms and disarms them (waiting for a request head, timing body reads, timing flushes); the server's
/// heartbeat calls <see cref="Tick"/> and graceful shutdown calls <see cref="OnStopping"/>. Neither of those ever
/// throws into the connection: an expired wait cancels the pending read (or flush), and the connection's flow,
/// woken by the cancelled read, asks <see cref="TakeExpired"/> which wait it was.
/// </summary>
/// <remarks>
/// Shared state, all of it here: <c>_wait</c>, <c>_deadline</c>, <c>_expired</c> (head waits), <c>_readingBody</c>,
/// <c>_bodyStart</c>, <c>_bodyBytes</c> (the body data rate) and <c>_flushDeadline</c>. Each is written by one
/// side and read by the other with volatile semantics; nothing needs a lock.
/// </remarks>
internal sealed class TimeoutControl(ServerOptions options, PipeReader input, PipeWriter output)
{
    /// <summary>What the connection's read is waiting for.</summary>
    public enum Wait : byte
    {
        /// <summary>Not waiting for a request head (serving one, or closed).</summary>
        None,
        /// <summary>A new connection's first request: no byte yet (<see cref="ServerOptions.RequestHeadersTimeout"/>).</summary>
        FirstRequest,
        /// <summary>An idle keep-alive connection between requests (<see cref="ServerOptions.KeepAliveTimeout"/>).</summary>
        NextRequest,
        /// <summary>A request head has started arriving (<see cref="ServerOptions.RequestHeadersTimeout"/> since it started).</summary>
        Head,
        /// <summary>Request body data arrived slower than <see cref="ServerOptions.MinRequestBodyDataRate"/> (only ever an expiry).</summary>
        BodyRate,
    }

    private volatile Wait _wait;
    private long _deadline = long.MaxValue;
    private volatile Wait _expired;
    private volatile bool _readingBody;
    private long _bodyStart;      // 0: the body has not been read yet
    private long _bodyBytes;
    private long _flushDeadline;  // 0: no flush waiting

    /// <summary>Starts waiting for a request head: the connection's first, or the next on a kept-alive connection.</summary>
    public void WaitForRequest(bool first)
        => Arm(first ? Wait.FirstRequest : Wait.NextRequest, first ? options.RequestHeadersTimeout : options.KeepAliveTimeout);

    /// <summary>Bytes of a head arrived: an idle connection now has <see cref="ServerOptions.RequestHeadersTimeout"/> to finish it.</summary>
    public void HeadStarted()
    {
        var wait = _wait;
        if (wait == Wait.NextRequest) Arm(Wait.Head, options.RequestHeadersTimeout);
        else if (wait == Wait.FirstRequest) _wait = Wait.Head;   // the first request's clock started at accept
    }

    /// <summary>The head is complete: no head timeout applies while the request is served.</summary>
    public void HeadComplete() => _wait = Wait.None;

    /// <summary>Stops all head waits (the connection is closing).</summary>
    public void Stop() => _wait = Wait.None;

    /// <summary>Which wait expired since the last call (and clears it); <see cref="Wait.None"/> when the cancellation had another cause.</summary>
    public Wait TakeExpired()
    {
        var expired = _expired;
        _expired = Wait.None;
        return expired;
    }

    /// <summary>A new request's body: its data rate is measured from its first read.</summary>
    public void ResetBodyRate()
    {
        Volatile.Write(ref _bodyBytes, 0);
        Volatile.Write(ref _bodyStart, 0);
    }

    /// <summary>The application is about to wait for body data (the data-rate clock starts with the first read).</summary>
    public void BodyReadStarting()
    {
        if (Volatile.Read(ref _bodyStart) == 0) Volatile.Write(ref _bodyStart, Environment.TickCount64);
        _readingBody = true;
    }

    /// <summary>The wait for body data ended.</summary>
    public void BodyReadEnded() => _readingBody = false;

    /// <summary>Counts body bytes handed to the application.</summary>
    public void BodyBytesRead(int count) => Volatile.Write(ref _bodyBytes, Volatile.Read(ref _bodyBytes) + count);

    /// <summary>A flush is waiting for the client to read: it has <see cref="ServerOptions.RequestHeadersTimeout"/>.</summary>
    public void FlushStarting() => Volatile.Write(ref _flushDeadline, Environment.TickCount64 + (long)options.RequestHeadersTimeout.TotalMilliseconds);

    /// <summary>The flush completed (or failed).</summary>
    public void FlushEnded() => Volatile.Write(ref _flushDeadline, 0);

    /// <summary>Called by the server's heartbeat (another thread): expires what is due by cancelling the pending read or flush.</summary>
    public void Tick(long now)
    {
        long flushDeadline = Volatile.Read(ref _flushDeadline);
        if (flushDeadline != 0 && now >= flushDeadline) output.CancelPendingFlush();
        var wait = _wait;
        if (wait != Wait.None)
        {
            if (now >= Volatile.Read(ref _deadline)) Expire(wait);
        }
        else if (_readingBody && options.MinRequestBodyDataRate > 0)
        {
            long start = Volatile.Read(ref _bodyStart);
            long elapsed = now - start;
            if (start != 0 && elapsed > options.MinRequestBodyDataRateGracePeriod.TotalMilliseconds
                && Volatile.Read(ref _bodyBytes) * 1000.0 / elapsed < options.MinRequestBodyDataRate)
                Expire(Wait.BodyRate);
        }
    }

    /// <summary>Called when a graceful shutdown begins (another thread): a connection waiting for a request that has not started closes.</summary>
    public void OnStopping()
    {
        if (_wait is Wait.FirstRequest or Wait.NextRequest) input.CancelPendingRead();
    }

    private void Arm(Wait wait, TimeSpan timeout)
    {
        Volatile.Write(ref _deadline, timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds);
        _expired = Wait.None;
        _wait = wait;
    }

    private void Expire(Wait wait)
    {
        _expired = wait;
        input.CancelPendingRead();
    }
}
