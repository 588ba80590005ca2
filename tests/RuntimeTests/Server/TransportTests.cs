using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kiln.RuntimeTests.Support;

namespace Kiln.RuntimeTests.Server;

/// <summary>Unix domain sockets, TLS (PEM and PFX), SO_REUSEPORT.</summary>
public class TransportTests
{
    /// <summary>The transport of every server these tests start (see <see cref="Transports"/>).</summary>
    protected virtual ServerTransport Transport => ServerTransport.Sockets;

    [Fact]
    public async Task Unix_socket_serves_curl()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kiln-{Guid.NewGuid():N}.sock");
        await using (var server = await TestServer.StartAsync(Transport, o => o.ListenUnix(path), listen: false))
        {
            Assert.IsType<UnixDomainSocketEndPoint>(server.Server.BoundEndPoints[0]);
            var (code, stdout, stderr) = await Curl.RunAsync("--unix-socket", path, "http://localhost/plaintext", "http://localhost/json");
            Assert.True(code == 0, stderr);
            Assert.Equal("Hello, World!{\"Text\":\"Hello, World!\"}", stdout);
        }
        Assert.False(File.Exists(path), "the socket file is removed on stop");
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    [Fact]
    public async Task Https_with_a_pfx_certificate_serves_curl()
    {
        using var created = SelfSigned();
        using var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12, "pw"), "pw");
        await using var server = await TestServer.StartAsync(Transport, o => o.ListenTls(IPAddress.Loopback, 0, certificate), listen: false);
        var (code, stdout, stderr) = await Curl.RunAsync("-k", $"https://127.0.0.1:{server.Port}/remote", $"https://127.0.0.1:{server.Port}/plaintext");
        Assert.True(code == 0, stderr);
        Assert.EndsWith("|https" + "Hello, World!", stdout);
    }

    [Fact]
    public async Task Https_with_a_pem_certificate_serves_curl_and_rejects_plain_http()
    {
        using var created = SelfSigned();
        var dir = Directory.CreateTempSubdirectory("kiln-pem");
        try
        {
            var certPath = Path.Combine(dir.FullName, "cert.pem");
            var keyPath = Path.Combine(dir.FullName, "key.pem");
            await File.WriteAllTextAsync(certPath, created.ExportCertificatePem());
            await File.WriteAllTextAsync(keyPath, created.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            using var certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            await using var server = await TestServer.StartAsync(Transport, o => o.ListenTls(IPAddress.Loopback, 0, certificate), listen: false);
            var (code, stdout, stderr) = await Curl.RunAsync("-k", "-X", "POST", "--data-binary", "over tls", $"https://127.0.0.1:{server.Port}/echo");
            Assert.True(code == 0, stderr);
            Assert.Equal("over tls", stdout);

            // Plain HTTP on the TLS port fails the handshake; the connection is dropped and counted out.
            var (plain, _, _) = await Curl.RunAsync($"http://127.0.0.1:{server.Port}/plaintext");
            Assert.NotEqual(0, plain);
            await server.WaitForConnectionsAsync(0);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]   // a named address: the listener's
    [InlineData("0.0.0.0", "127.0.0.1")]     // the wildcard: the address the connection arrived on
    [InlineData("::1", "::1")]
    public async Task Request_knows_both_ends_of_its_connection(string bind, string connectTo)
    {
        await using var server = await TestServer.StartAsync(Transport, o => o.Listen(IPAddress.Parse(bind), 0), listen: false);
        var target = new IPEndPoint(IPAddress.Parse(connectTo), server.Port);
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(target);
        using var client = new RawClient(socket);
        var clientAddress = (IPEndPoint)socket.LocalEndPoint!;
        await client.SendAsync("GET /remote HTTP/1.1\r\nHost: x\r\n\r\n");
        var answer = (await client.ReadResponseAsync()).Text;
        Assert.Equal($"{clientAddress}|{target}|http", answer);
    }

    [Fact]
    public async Task First_answer_after_an_idle_start_has_a_current_date()
    {
        await using var server = await TestServer.StartAsync(Transport);
        await Task.Delay(4000);   // the server idles before its first connection
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await client.ReadResponseAsync();
        var date = DateTimeOffset.Parse(response.Header("Date")!, System.Globalization.CultureInfo.InvariantCulture);
        var age = DateTimeOffset.UtcNow - date;
        // The heartbeat refreshes the line at least once a second and it has one-second resolution: up to 2 s old, plus
        // scheduling on a busy machine. A Date from the start would be at least 3 s old.
        Assert.InRange(age.TotalSeconds, -1, 2.6);
    }

    [Fact]
    public async Task Unix_socket_peer_has_no_address()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kiln-{Guid.NewGuid():N}.sock");
        await using var server = await TestServer.StartAsync(Transport, o => o.ListenUnix(path), listen: false);
        var (code, stdout, stderr) = await Curl.RunAsync("--unix-socket", path, "http://localhost/remote");
        Assert.True(code == 0, stderr);
        Assert.Equal($"|{path}|http", stdout);
    }

    [Fact]
    public async Task Reuse_port_lets_two_servers_share_a_port()
    {
        await using var first = await TestServer.StartAsync(Transport, o => o.ReusePort = true);
        await using var second = await TestServer.StartAsync(Transport, o => { o.ReusePort = true; o.Listen(IPAddress.Loopback, first.Port); }, listen: false);
        Assert.Equal(first.Port, second.Port);
        var (code, stdout, _) = await Curl.RunAsync(first.Url + "/plaintext");
        Assert.Equal((0, "Hello, World!"), (code, stdout));

        // Without the option the same bind fails.
        var options = new ServerOptions { Transport = Transport };
        options.Listen(IPAddress.Loopback, first.Port);
        await using var third = new HttpServer(new TestRouter(), options) { ErrorLog = null };
        var error = Assert.Throws<SocketException>(() => third.StartAsync().GetAwaiter().GetResult());
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }
}

/// <summary>The same tests on the epoll transport.</summary>
public sealed class TransportTestsOnEpoll : TransportTests
{
    protected override ServerTransport Transport => Transports.Epoll;
}
