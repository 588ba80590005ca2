using System.Net;

namespace Kiln.RuntimeTests;

public class ForwardedHeadersTests
{
    private static readonly ForwardedHeaders Proxies = new("10.0.0.1", "172.16.0.0/12", "::1");

    private static async Task<Request> Through(ForwardedHeaders middleware, string peer, params (string, string)[] headers)
    {
        var request = Req.Get("/", headers).From(peer);
        await middleware.InvokeAsync(request, Req.Ok);
        return request;
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("203.0.113.7, 172.16.5.5", "203.0.113.7")]               // a second trusted proxy is skipped
    [InlineData("198.51.100.1, 203.0.113.7, 172.16.5.5", "203.0.113.7")] // the leftmost is client-written: not believed
    [InlineData("172.20.0.1, 172.16.5.5", "172.20.0.1")]                 // all trusted: the leftmost
    [InlineData("203.0.113.7:5555", "203.0.113.7")]
    [InlineData("[2001:db8::7]:5555", "2001:db8::7")]
    [InlineData("2001:db8::7", "2001:db8::7")]
    [InlineData("unknown, 172.16.5.5", "172.16.5.5")]                    // unknown stops the walk
    [InlineData("garbage", "10.0.0.1")]                                  // nothing usable: the peer stays the client
    [InlineData("12345", "10.0.0.1")]                                    // not a dotted quad
    public async Task X_forwarded_for_from_a_trusted_peer_sets_the_client(string xff, string client)
    {
        var request = await Through(Proxies, "10.0.0.1", ("X-Forwarded-For", xff));

        Assert.Equal(IPAddress.Parse(client), request.ClientAddress);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), ((IPEndPoint)request.RemoteEndPoint!).Address);   // the peer is kept
    }

    [Fact]
    public async Task Headers_from_an_untrusted_peer_are_ignored()
    {
        var request = await Through(Proxies, "203.0.113.99", ("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-Proto", "https"), ("Forwarded", "for=1.2.3.4;proto=https"));

        Assert.Equal(IPAddress.Parse("203.0.113.99"), request.ClientAddress);
        Assert.Equal("http", request.Scheme);
    }

    [Fact]
    public async Task Ipv4_mapped_peer_matches_an_ipv4_proxy()
    {
        var request = await Through(Proxies, "::ffff:10.0.0.1", ("X-Forwarded-For", "203.0.113.7"));

        Assert.Equal(IPAddress.Parse("203.0.113.7"), request.ClientAddress);
    }

    [Theory]
    [InlineData("https", "203.0.113.7", "https")]
    [InlineData("HTTPS", "203.0.113.7", "https")]
    [InlineData("gopher", "203.0.113.7", "http")]
    [InlineData("https, http", "203.0.113.7, 172.16.5.5", "https")]   // aligned from the right with the chosen hop
    [InlineData("https", "203.0.113.7, 172.16.5.5", "https")]         // one entry describes all
    public async Task X_forwarded_proto_sets_the_scheme(string xfp, string xff, string scheme)
    {
        var request = await Through(Proxies, "10.0.0.1", ("X-Forwarded-For", xff), ("X-Forwarded-Proto", xfp));

        Assert.Equal(scheme, request.Scheme);
    }

    [Theory]
    [InlineData("for=203.0.113.7;proto=https", "203.0.113.7", "https")]
    [InlineData("for=\"[2001:db8:cafe::17]:4711\";proto=https;by=10.0.0.1", "2001:db8:cafe::17", "https")]
    [InlineData("for=198.51.100.1;proto=http, for=203.0.113.7;proto=https, for=172.16.0.9;proto=http", "203.0.113.7", "https")]
    [InlineData("For=\"203.0.113.7:80\"", "203.0.113.7", "http")]
    [InlineData("for=unknown, for=172.16.0.9;proto=https", "172.16.0.9", "https")]
    [InlineData("for=_hidden", "10.0.0.1", "http")]
    [InlineData("proto=https", "10.0.0.1", "http")]                         // no for=: no address, no change
    public async Task Forwarded_sets_client_and_scheme(string forwarded, string client, string scheme)
    {
        var request = await Through(Proxies, "10.0.0.1", ("Forwarded", forwarded), ("X-Forwarded-For", "192.0.2.200"));

        Assert.Equal(IPAddress.Parse(client), request.ClientAddress);
        Assert.Equal(scheme, request.Scheme);
    }

    [Fact]
    public async Task Kinds_select_the_headers_read()
    {
        var onlyXff = new ForwardedHeaders("10.0.0.1") { Kinds = ForwardedHeaderKinds.XForwardedFor };

        var request = await Through(onlyXff, "10.0.0.1", ("Forwarded", "for=1.1.1.1"), ("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https"));

        Assert.Equal(IPAddress.Parse("203.0.113.7"), request.ClientAddress);
        Assert.Equal("http", request.Scheme);
    }

    [Fact]
    public void Network_parsing_and_trust()
    {
        Assert.True(Proxies.IsTrusted(IPAddress.Parse("172.31.255.255")));
        Assert.False(Proxies.IsTrusted(IPAddress.Parse("172.32.0.0")));
        Assert.True(Proxies.IsTrusted(IPAddress.IPv6Loopback));
        Assert.False(Proxies.IsTrusted(IPAddress.Parse("10.0.0.2")));
        Assert.Throws<FormatException>(() => ForwardedHeaders.ParseNetwork("10.0.0.0/33"));
    }

    [Fact]
    public async Task Client_address_is_reset_for_the_next_request_on_the_connection()
    {
        var request = await Through(Proxies, "10.0.0.1", ("X-Forwarded-For", "203.0.113.7"));

        request.Begin("GET"u8, "/next"u8, HttpProtocolVersion.Http11);

        Assert.Equal(IPAddress.Parse("10.0.0.1"), request.ClientAddress);
    }
}
