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
/// <para>Shared state, all of it here: <c>_wait</c>, <c>_deadline</c>, <c>_expired</c> and <c>_stopping</c> (head
/// waits and shutdown), <c>_credit</c> and <c>_waitingSince</c> (the body data rate, under <c>_rateLock</c>), and
/// <c>_flushDeadline</c>.</para>
/// <para>The body data rate is measured over a sliding window, as a budget of bytes: it starts at
/// <c>MinRequestBodyDataRate × MinRequestBodyDataRateGracePeriod</c>, drains at <c>MinRequestBodyDataRate</c> per
/// second while the application waits for body data (time the application spends elsewhere does not count), is
/// refilled by every byte that arrives, and never holds more than its starting amount. When it runs out the read is
/// cancelled (408). So a client must keep sending at the minimum rate, and a burst buys at most one grace period of
/// silence — not, as an average over the whole upload would, a pause proportional to the burst.</para>
/// </remarks>
internal sealed class TimeoutControl(ServerOptions options, PipeReader input, PipeWriter output)
{
    /// <summary>What the connection's read is waiting for.</summary>
    public enum Wait
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

    private readonly double _rate = options.MinRequestBodyDataRate;
    private readonly double _maxCredit = options.MinRequestBodyDataRate * options.MinRequestBodyDataRateGracePeriod.TotalSeconds;
    private readonly Lock _rateLock = new();
    private int _wait;            // a Wait; written with Interlocked so that it orders against _stopping
    private long _deadline = long.MaxValue;
    private volatile Wait _expired;
    private int _stopping;
    private double _credit;       // bytes the client may still owe (see remarks)
    private long _waitingSince;   // 0: the application is not waiting for body data
    private long _flushDeadline;  // 0: no flush waiting
    private readonly long _acceptedAt = Environment.TickCount64;

    /// <summary>
    /// Starts waiting for a request head: the connection's first, or the next on a kept-alive connection. Returns
    /// false when a graceful shutdown has begun (then no request should be read).
    /// </summary>
    public bool WaitForRequest(bool first)
    {
        Arm(first ? Wait.FirstRequest : Wait.NextRequest, first ? options.RequestHeadersTimeout : options.KeepAliveTimeout);
        // Arm's interlocked write and OnStopping's barrier order this read against a concurrent stop: either this
        // sees the stop, or OnStopping sees the wait and cancels the read.
        if (Volatile.Read(ref _stopping) == 0) return true;
        return first && ShortenToFirstRequestGrace();
    }

    /// <summary>Whether graceful shutdown has begun for this connection (the drain, after any shutdown delay).</summary>
    public bool IsStopping => Volatile.Read(ref _stopping) != 0;

    /// <summary>Bytes of a head arrived: an idle connection now has <see cref="ServerOptions.RequestHeadersTimeout"/> to finish it.</summary>
    public void HeadStarted()
    {
        var wait = (Wait)Volatile.Read(ref _wait);
        if (wait == Wait.NextRequest) Arm(Wait.Head, options.RequestHeadersTimeout);
        else if (wait == Wait.FirstRequest) Interlocked.Exchange(ref _wait, (int)Wait.Head);   // the first request's clock started at accept
    }

    /// <summary>The head is complete: no head timeout applies while the request is served.</summary>
    public void HeadComplete() => Interlocked.Exchange(ref _wait, (int)Wait.None);

    /// <summary>Stops all head waits (the connection is closing).</summary>
    public void Stop() => Interlocked.Exchange(ref _wait, (int)Wait.None);

    /// <summary>Which wait expired since the last call (and clears it); <see cref="Wait.None"/> when the cancellation had another cause.</summary>
    public Wait TakeExpired()
    {
        var expired = _expired;
        _expired = Wait.None;
        return expired;
    }

    /// <summary>A new request's body: the data-rate budget starts full.</summary>
    public void ResetBodyRate()
    {
        lock (_rateLock)
        {
            _credit = _maxCredit;
            _waitingSince = 0;
        }
    }

    /// <summary>The application starts waiting for body data: the budget drains until <see cref="BodyReadEnded"/>.</summary>
    public void BodyReadStarting()
    {
        lock (_rateLock) _waitingSince = Environment.TickCount64;
    }

    /// <summary>The wait for body data ended.</summary>
    public void BodyReadEnded()
    {
        long now = Environment.TickCount64;
        lock (_rateLock)
        {
            if (_waitingSince != 0) _credit -= _rate * (now - _waitingSince) / 1000;
            _waitingSince = 0;
        }
    }

    /// <summary>Body bytes arrived: they refill the budget, up to one grace period's worth.</summary>
    public void BodyBytesRead(int count)
    {
        lock (_rateLock) _credit = Math.Min(_credit + count, _maxCredit);
    }

    /// <summary>A flush is waiting for the client to read: it has <see cref="ServerOptions.RequestHeadersTimeout"/>.</summary>
    public void FlushStarting() => Volatile.Write(ref _flushDeadline, Environment.TickCount64 + (long)options.RequestHeadersTimeout.TotalMilliseconds);

    /// <summary>The flush completed (or failed).</summary>
    public void FlushEnded() => Volatile.Write(ref _flushDeadline, 0);

    /// <summary>Called by the server's heartbeat (another thread): expires what is due by cancelling the pending read or flush.</summary>
    public void Tick(long now)
    {
        long flushDeadline = Volatile.Read(ref _flushDeadline);
        if (flushDeadline != 0 && now >= flushDeadline) output.CancelPendingFlush();
        var wait = (Wait)Volatile.Read(ref _wait);
        if (wait != Wait.None)
        {
            if (now >= Volatile.Read(ref _deadline)) Expire(wait);
        }
        else if (_rate > 0 && BodyRateExhausted(now))
        {
            Expire(Wait.BodyRate);
        }
    }

    private bool BodyRateExhausted(long now)
    {
        lock (_rateLock) return _waitingSince != 0 && _credit - _rate * (now - _waitingSince) / 1000 < 0;
    }

    /// <summary>
    /// Called when the drain begins (another thread): a connection waiting for a request — idle between requests, or
    /// part of a head received — is not serving one, so its read is cancelled and it closes. The exception is a
    /// connection accepted less than <see cref="ServerOptions.FirstRequestGraceOnStop"/> ago that has not received a
    /// byte yet: its client connected while the listener was open and is sending its first request now, so it has
    /// until the grace ends (from accept) to send it, and is then served (with <c>Connection: close</c>).
    /// </summary>
    public void OnStopping()
    {
        Interlocked.Exchange(ref _stopping, 1);
        var wait = (Wait)Volatile.Read(ref _wait);
        if (wait == Wait.None) return;
        if (wait == Wait.FirstRequest && ShortenToFirstRequestGrace()) return;
        input.CancelPendingRead();
    }

    /// <summary>Bounds the first-request wait by the stop grace; false when the grace is already over.</summary>
    private bool ShortenToFirstRequestGrace()
    {
        long graceEnd = _acceptedAt + (long)Math.Min(options.FirstRequestGraceOnStop.TotalMilliseconds, options.RequestHeadersTimeout.TotalMilliseconds);
        if (Environment.TickCount64 >= graceEnd) return false;
        long deadline;
        do
        {
            deadline = Volatile.Read(ref _deadline);
            if (deadline <= graceEnd) return true;
        }
        while (Interlocked.CompareExchange(ref _deadline, graceEnd, deadline) != deadline);
        return true;
    }

    private void Arm(Wait wait, TimeSpan timeout)
    {
        Volatile.Write(ref _deadline, timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds);
        _expired = Wait.None;
        Interlocked.Exchange(ref _wait, (int)wait);
    }

    private void Expire(Wait wait)
    {
        _expired = wait;
        input.CancelPendingRead();
    }
}
