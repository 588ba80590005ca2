using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace Kiln;

/// <summary>
/// A token bucket per client address (<see cref="Request.ClientAddress"/>): each client may make
/// <c>burst</c> requests at once and <c>perSecond</c> requests per second after that; beyond it the answer is
/// <c>429 Too Many Requests</c> with <c>Retry-After</c> (whole seconds, rounded up) and the handler is not called.
/// </summary>
/// <remarks>
/// <para>Per route, <c>[RateLimit(perSecond, burst)]</c> makes the generated router construct one of these for the
/// route; globally, <c>server.UseRateLimiting(perSecond, burst)</c> limits every request.</para>
/// <para>Memory is bounded: a bucket left alone long enough to refill completely is the same as a new one, so such
/// idle buckets are swept out (at most once per refill period, and when the table is full); and at most
/// <see cref="MaxClients"/> buckets exist — clients that arrive while the table is full share one overflow bucket.
/// Behind a reverse proxy, put <see cref="ForwardedHeaders"/> first, or every client is the proxy.</para>
/// </remarks>
public sealed class ClientRateLimiter : IMiddleware
{
    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens = tokens;
        public long Updated = updated;
        public bool Evicted;
    }

    private static readonly IPAddress Unknown = IPAddress.IPv6None;

    private readonly double _perSecond;
    private readonly int _burst;
    private readonly TimeProvider _time;
    private readonly long _fillTicks;           // timestamp ticks for an empty bucket to refill
    private readonly long _sweepTicks;
    private readonly ConcurrentDictionary<IPAddress, Bucket> _buckets = new();
    private readonly Bucket _overflow;
    private long _lastSweep;
    private int _sweeping;

    /// <summary>Creates the limiter.</summary>
    /// <param name="perSecond">The sustained rate per client, in requests per second (may be fractional: 0.5 is one every two seconds).</param>
    /// <param name="burst">How many requests a client may make at once (the bucket size), at least 1.</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> by default (tests pass a manual one).</param>
    public ClientRateLimiter(double perSecond, int burst, TimeProvider? time = null)
    {
        if (!(perSecond > 0) || double.IsInfinity(perSecond)) throw new ArgumentOutOfRangeException(nameof(perSecond), "The rate must be positive.");
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _perSecond = perSecond;
        _burst = burst;
        _time = time ?? TimeProvider.System;
        double fill = Math.Ceiling(burst / perSecond * _time.TimestampFrequency);
        _fillTicks = fill >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)fill;
        _sweepTicks = Math.Max(_fillTicks, _time.TimestampFrequency);
        _lastSweep = _time.GetTimestamp();
        _overflow = new Bucket(burst, _lastSweep);
    }

    /// <summary>The most clients tracked at once (100 000 by default); beyond it new clients share one bucket.</summary>
    public int MaxClients { get; init; } = 100_000;

    /// <summary>The number of clients currently tracked.</summary>
    public int ClientCount => _buckets.Count;

    /// <inheritdoc />
    public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        double wait = Take(request.ClientAddress);
        if (wait <= 0) return next(request);
        long seconds = Math.Max(1, (long)Math.Ceiling(wait));
        return new(HttpResponse.Text("Too Many Requests", 429).WithHeader("Retry-After", seconds.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Takes a token for <paramref name="client"/>; returns 0 when allowed, else the seconds until a token is due.</summary>
    internal double Take(IPAddress? client)
    {
        var key = client is null ? Unknown : client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        long now = _time.GetTimestamp();
        if (now - Volatile.Read(ref _lastSweep) >= _sweepTicks) Sweep(now);
        while (true)
        {
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                if (_buckets.Count >= MaxClients)
                {
                    // At most one sweep a second here, so a flood of new addresses cannot make every request O(n).
                    if (now - Volatile.Read(ref _lastSweep) >= _time.TimestampFrequency) Sweep(now);
                    if (_buckets.Count >= MaxClients) return TakeFrom(_overflow, now) ?? 0;
                }
                bucket = _buckets.GetOrAdd(key, static (_, state) => new Bucket(state.Burst, state.Now), (Burst: (double)_burst, Now: now));
            }
            // null: the bucket was swept out between lookup and lock; look it up again.
            if (TakeFrom(bucket, now) is { } wait) return wait;
        }
    }

    private double? TakeFrom(Bucket bucket, long now)
    {
        lock (bucket)
        {
            if (bucket.Evicted) return null;
            if (now > bucket.Updated)
            {
                double refill = (now - bucket.Updated) * _perSecond / _time.TimestampFrequency;
                bucket.Tokens = Math.Min(_burst, bucket.Tokens + refill);
                bucket.Updated = now;
            }
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return 0;
            }
            return (1 - bucket.Tokens) / _perSecond;
        }
    }

    /// <summary>Removes buckets that have been idle long enough to be full again (one sweeper at a time).</summary>
    private void Sweep(long now)
    {
        if (Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0) return;
        try
        {
            Volatile.Write(ref _lastSweep, now);
            foreach (var (key, bucket) in _buckets)
            {
                lock (bucket)
                {
                    if (now - bucket.Updated < _fillTicks) continue;
                    bucket.Evicted = true;
                }
                _buckets.TryRemove(new KeyValuePair<IPAddress, Bucket>(key, bucket));
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
