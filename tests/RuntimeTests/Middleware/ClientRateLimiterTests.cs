using System.Net;

namespace Kiln.RuntimeTests;

public class ClientRateLimiterTests
{
    private readonly ManualTime _time = new();
    private int _calls;

    private async Task<HttpResponse> Hit(ClientRateLimiter limiter, string client = "198.51.100.1")
        => await limiter.InvokeAsync(Req.Get("/").From(client), r => { _calls++; return Req.Ok(r); });

    [Fact]
    public async Task Allows_the_burst_then_answers_429_with_retry_after_without_calling_next()
    {
        var limiter = new ClientRateLimiter(perSecond: 1, burst: 3, _time);

        for (int i = 0; i < 3; i++) Assert.Equal(200, (await Hit(limiter)).StatusCode);
        var limited = await Hit(limiter);

        Assert.Equal(429, limited.StatusCode);
        Assert.Equal("1", limited.GetHeader("Retry-After"));
        Assert.Equal(3, _calls);
    }

    [Fact]
    public async Task Refills_at_the_rate()
    {
        var limiter = new ClientRateLimiter(perSecond: 2, burst: 2, _time);
        await Hit(limiter); await Hit(limiter);
        Assert.Equal(429, (await Hit(limiter)).StatusCode);

        _time.Advance(TimeSpan.FromMilliseconds(250));   // half a token
        Assert.Equal(429, (await Hit(limiter)).StatusCode);
        _time.Advance(TimeSpan.FromMilliseconds(250));   // one token
        Assert.Equal(200, (await Hit(limiter)).StatusCode);
        Assert.Equal(429, (await Hit(limiter)).StatusCode);
    }

    [Theory]
    [InlineData(0.5, "2")]      // one token every two seconds
    [InlineData(0.1, "10")]
    [InlineData(10, "1")]       // a tenth of a second rounds up to one whole second
    public async Task Retry_after_is_whole_seconds_rounded_up(double perSecond, string retryAfter)
    {
        var limiter = new ClientRateLimiter(perSecond, burst: 1, _time);
        await Hit(limiter);

        Assert.Equal(retryAfter, (await Hit(limiter)).GetHeader("Retry-After"));
    }

    [Fact]
    public async Task Idle_time_never_grants_more_than_the_burst()
    {
        var limiter = new ClientRateLimiter(perSecond: 1, burst: 2, _time);
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(200, (await Hit(limiter)).StatusCode);
        Assert.Equal(200, (await Hit(limiter)).StatusCode);
        Assert.Equal(429, (await Hit(limiter)).StatusCode);
    }

    [Fact]
    public async Task Each_client_has_its_own_bucket_and_mapped_addresses_are_the_same_client()
    {
        var limiter = new ClientRateLimiter(perSecond: 1, burst: 1, _time);

        Assert.Equal(200, (await Hit(limiter, "198.51.100.1")).StatusCode);
        Assert.Equal(200, (await Hit(limiter, "198.51.100.2")).StatusCode);
        Assert.Equal(429, (await Hit(limiter, "::ffff:198.51.100.1")).StatusCode);
        Assert.Equal(200, (await Hit(limiter, "2001:db8::1")).StatusCode);
    }

    [Fact]
    public async Task Uses_the_forwarded_client_address()
    {
        var limiter = new ClientRateLimiter(perSecond: 1, burst: 1, _time);
        var pipeline = Pipeline.Compose([new ForwardedHeaders("10.0.0.1").InvokeAsync, limiter.InvokeAsync], Req.Ok);

        var first = await pipeline(Req.Get("/", ("X-Forwarded-For", "203.0.113.1")).From("10.0.0.1"));
        var second = await pipeline(Req.Get("/", ("X-Forwarded-For", "203.0.113.2")).From("10.0.0.1"));
        var again = await pipeline(Req.Get("/", ("X-Forwarded-For", "203.0.113.1")).From("10.0.0.1"));

        Assert.Equal([200, 200, 429], new[] { first.StatusCode, second.StatusCode, again.StatusCode });
    }

    [Fact]
    public async Task Idle_full_buckets_are_evicted()
    {
        var limiter = new ClientRateLimiter(perSecond: 1, burst: 2, _time);
        for (int i = 0; i < 50; i++) await Hit(limiter, $"198.51.100.{i}");
        Assert.Equal(50, limiter.ClientCount);

        _time.Advance(TimeSpan.FromSeconds(1));          // half refilled: nothing may go yet
        await Hit(limiter, "203.0.113.1");
        Assert.Equal(51, limiter.ClientCount);

        _time.Advance(TimeSpan.FromSeconds(2));          // every bucket full again
        await Hit(limiter, "203.0.113.2");
        Assert.Equal(1, limiter.ClientCount);
    }

    [Fact]
    public async Task Beyond_max_clients_new_clients_share_one_overflow_bucket()
    {
        var limiter = new ClientRateLimiter(perSecond: 1, burst: 1, _time) { MaxClients = 2 };
        await Hit(limiter, "198.51.100.1");
        await Hit(limiter, "198.51.100.2");

        var third = await Hit(limiter, "198.51.100.3");
        var fourth = await Hit(limiter, "198.51.100.4");

        Assert.Equal(200, third.StatusCode);
        Assert.Equal(429, fourth.StatusCode);
        Assert.Equal(2, limiter.ClientCount);
    }

    [Fact]
    public async Task Concurrent_requests_never_exceed_the_burst()
    {
        var limiter = new ClientRateLimiter(perSecond: 1, burst: 100, _time);
        int allowed = 0;

        await Parallel.ForAsync(0, 1000, async (_, _) =>
        {
            var response = await limiter.InvokeAsync(Req.Get("/").From("198.51.100.9"), Req.Ok);
            if (response.StatusCode == 200) Interlocked.Increment(ref allowed);
        });

        Assert.Equal(100, allowed);
    }

    [Fact]
    public void Rejects_nonsense_settings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientRateLimiter(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientRateLimiter(double.NaN, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientRateLimiter(1, 0));
    }

    [Fact]
    public async Task Requests_without_an_address_share_one_bucket()
    {
        var limiter = new ClientRateLimiter(perSecond: 1, burst: 1, _time);

        Assert.Equal(200, (await limiter.InvokeAsync(Req.Get("/"), Req.Ok)).StatusCode);
        Assert.Equal(429, (await limiter.InvokeAsync(Req.Get("/"), Req.Ok)).StatusCode);
    }
}
