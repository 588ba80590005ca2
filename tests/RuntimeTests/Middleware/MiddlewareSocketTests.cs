using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Serialization;

namespace Kiln.RuntimeTests;

/// <summary>
/// A real <see cref="HttpServer"/> on 127.0.0.1:0 with every built-in registered through its <c>Use*</c>
/// extension, driven by curl.
/// </summary>
public sealed class MiddlewareServerFixture : IAsyncLifetime
{
    public StaticFilesFixture Files { get; } = new();
    public StringWriter Log { get; } = new();
    public StringWriter Errors { get; } = new();
    public ManualTime Time { get; } = new();
    public string BaseUrl { get; private set; } = "";
    private HttpServer? _server;

    /// <summary>The routes behind the middleware: a hand-written router matching on the path.</summary>
    private sealed class TestRouter(ClientRateLimiter limiter, StaticFiles files) : Support.HandWrittenRouter
    {
        private readonly Handler _limited = Pipeline.Compose(_ => HttpResponse.Text("limited ok"), limiter);
        // A per-route chain, as the generator composes [Use<ApiKeyAuth>].
        private readonly Handler _admin = Pipeline.Compose(r => HttpResponse.Text("hello " + r.Items["user"]), new ApiKeyAuth("k3y"));

        public override ValueTask<HttpResponse> RouteAsync(Request request)
        {
            var path = request.Path;
            if (path is null) return BadPath();
            if (path.StartsWith("/assets/", StringComparison.Ordinal)) return files.ServeAsync(request, path["/assets/".Length..]);
            return path switch
            {
                "/text" => HttpResponse.Text("plain text"),
                "/big" => HttpResponse.Text(string.Concat(Enumerable.Repeat("compress me please, ", 500))),
                "/json" => HttpResponse.Json(Enumerable.Range(0, 200).Select(i => new Pet("pet" + i, i)).ToList(), MiddlewareJson.Default.ListPet),
                "/boom" => throw new InvalidOperationException("secret detail: Password=hunter2"),
                "/whoami" => HttpResponse.Text($"{request.ClientAddress} {request.Scheme} {request.RemoteEndPoint} {request.LocalEndPoint}"),
                "/limited" => _limited(request),
                "/rewritten" => HttpResponse.Text("rewritten to " + request.Target),
                "/items" => HttpResponse.Text("items"),
                "/admin" => _admin(request),
                _ => NotFound(),
            };
        }
    }

    public async Task InitializeAsync()
    {
        var options = new ServerOptions();
        options.Listen(IPAddress.Loopback, 0);
        // The route's StaticFiles streams anything over 1 KiB, so big.bin (5000 bytes) goes out chunked.
        var router = new TestRouter(new ClientRateLimiter(perSecond: 1, burst: 2, Time), new StaticFiles(Files.Root, new StaticFileOptions { MaxBufferedFileSize = 1024 }));
        _server = new HttpServer(router, options) { ErrorLog = TextWriter.Synchronized(Errors) };
        _server.UseForwardedHeaders("127.0.0.1")
            .UseLogging(TextWriter.Synchronized(Log), LogFormat.Common)
            .UseExceptionHandler(TextWriter.Synchronized(Errors))
            .UseCors(new CorsOptions { AllowedOrigins = ["https://app.example"], AllowedMethods = ["PUT"], AllowedHeaders = ["X-Api-Key"], MaxAge = TimeSpan.FromSeconds(60) })
            .UseCompression()
            .UseStaticFiles(Files.Root, requestPathPrefix: "/files");
        _server.Use((request, next) =>
        {
            if (request.Headers["X-Block"] is "yes") return HttpResponse.Text("blocked", 403);
            if (request.Headers["X-Drop"] is "yes") return HttpResponse.Drop;
            if (request.Path == "/old") request.Rewrite(target: "/rewritten?from=old");
            return next(request);
        });
        await _server.StartAsync();
        var endPoint = (IPEndPoint)_server.BoundEndPoints[0];
        BaseUrl = $"http://127.0.0.1:{endPoint.Port}";
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        Files.Dispose();
    }
}

/// <summary>An API-key check for a group of routes: 401 without a key, 403 with a wrong one; the caller goes in <c>Items</c>.</summary>
public sealed class ApiKeyAuth(string key) : IMiddleware
{
    public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        switch (request.Headers["X-Api-Key"])
        {
            case null: return HttpResponse.Text("Unauthorized", 401).WithHeader("WWW-Authenticate", "ApiKey");
            case var k when k == key:
                request.Items["user"] = "admin@" + request.ClientAddress;
                return next(request);
            default: return HttpResponse.Text("Forbidden", 403);
        }
    }
}

public sealed record CurlResult(int ExitCode, int Status, string Head, byte[] Body, string Error = "")
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string[] Headers(string name) =>
        Head.Split("\r\n").Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 1)..].Trim()).ToArray();

    public string? Header(string name)
    {
        foreach (var line in Head.Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }
}

public class MiddlewareSocketTests(MiddlewareServerFixture fx) : IClassFixture<MiddlewareServerFixture>
{
    /// <summary>Runs curl; the head goes to a file (-D) and the body to stdout.</summary>
    private async Task<CurlResult> Curl(params string[] args)
    {
        var headFile = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-sS", "--max-time", "20", "-D", headFile }) psi.ArgumentList.Add(a);
            foreach (var a in args) psi.ArgumentList.Add(a.StartsWith('/') ? fx.BaseUrl + a : a);   // a path is a URL on the server
            using var process = Process.Start(psi)!;
            var body = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(body);
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            await copy;
            await stderr;
            var head = await File.ReadAllTextAsync(headFile);
            int status = head.Length > 12 && int.TryParse(head.AsSpan(9, 3), out var s) ? s : 0;
            return new CurlResult(process.ExitCode, status, head, body.ToArray(), await stderr);
        }
        finally
        {
            File.Delete(headFile);
        }
    }

    private string LogLineFor(string marker) =>
        fx.Log.ToString().Split(Environment.NewLine).Single(l => l.Contains(marker, StringComparison.Ordinal));

    [Fact]
    public async Task Pass_through_and_request_logging_in_common_log_format()
    {
        var marker = Guid.NewGuid().ToString("N");

        var r = await Curl("/text?m=" + marker);

        Assert.Equal(200, r.Status);
        Assert.Equal("plain text", r.Text);
        Assert.Matches(@"^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] ""GET /text\?m=" + marker + @" HTTP/1\.1"" 200 10$", LogLineFor(marker));
    }

    [Fact]
    public async Task Block_by_header_and_drop_without_answering()
    {
        var blocked = await Curl("-H", "X-Block: yes", "/text");
        var dropped = await Curl("-H", "X-Drop: yes", "/text");

        Assert.Equal(403, blocked.Status);
        Assert.Equal("blocked", blocked.Text);
        Assert.Equal(52, dropped.ExitCode);   // curl: "Empty reply from server"
        Assert.Equal("", dropped.Head);
    }

    [Fact]
    public async Task Api_key_on_a_route_group_answers_401_403_or_passes_with_items()
    {
        var none = await Curl("/admin");
        var wrong = await Curl("-H", "X-Api-Key: nope", "/admin");
        var right = await Curl("-H", "X-Api-Key: k3y", "/admin");

        Assert.Equal(401, none.Status);
        Assert.Equal("ApiKey", none.Header("WWW-Authenticate"));
        Assert.Equal(403, wrong.Status);
        Assert.Equal(200, right.Status);
        Assert.Equal("hello admin@127.0.0.1", right.Text);
    }

    [Fact]
    public async Task Large_static_files_stream_chunked_and_ranges_apply()
    {
        var expected = File.ReadAllBytes(Path.Combine(fx.Files.Root, "big.bin"));

        var whole = await Curl("/assets/big.bin");
        var part = await Curl("-H", "Range: bytes=4000-", "/assets/big.bin");

        Assert.Equal(200, whole.Status);
        Assert.Equal("chunked", whole.Header("Transfer-Encoding"));
        Assert.Equal(expected, whole.Body);
        Assert.Equal(206, part.Status);
        Assert.Equal("bytes 4000-4999/5000", part.Header("Content-Range"));
        Assert.Equal(expected[4000..], part.Body);
    }

    [Fact]
    public async Task Rewrite_before_routing()
    {
        var r = await Curl("/old");

        Assert.Equal("rewritten to /rewritten?from=old", r.Text);
    }

    [Fact]
    public async Task Exception_handler_answers_500_without_details_and_logs_it()
    {
        var r = await Curl("/boom");

        Assert.Equal(500, r.Status);
        Assert.Equal("Internal Server Error", r.Text);
        Assert.DoesNotContain("hunter2", r.Head + r.Text);
        Assert.Contains("InvalidOperationException: secret detail", fx.Errors.ToString());
    }

    [Fact]
    public async Task Static_files_with_type_etag_304_range_416_and_head()
    {
        var full = await Curl("/files/hello.txt");
        var etag = full.Header("ETag")!;
        var notModified = await Curl("-H", "If-None-Match: " + etag, "/files/hello.txt");
        var range = await Curl("-H", "Range: bytes=7-12", "/files/hello.txt");
        var unsatisfiable = await Curl("-H", "Range: bytes=500-", "/files/hello.txt");
        var head = await Curl("-I", "/files/hello.txt");

        Assert.Equal(200, full.Status);
        Assert.Equal(StaticFilesFixture.Hello, full.Text);
        Assert.Equal("text/plain; charset=utf-8", full.Header("Content-Type"));
        Assert.Equal("20", full.Header("Content-Length"));
        Assert.StartsWith("W/\"", etag);
        Assert.NotNull(full.Header("Last-Modified"));
        Assert.Equal(304, notModified.Status);
        Assert.Empty(notModified.Body);
        Assert.Equal(206, range.Status);
        Assert.Equal("static", range.Text);
        Assert.Equal("bytes 7-12/20", range.Header("Content-Range"));
        Assert.Equal(416, unsatisfiable.Status);
        Assert.Equal("bytes */20", unsatisfiable.Header("Content-Range"));
        Assert.Equal(200, head.Status);
        Assert.Equal("20", head.Header("Content-Length"));
        Assert.Equal(etag, head.Header("ETag"));
    }

    [Fact]
    public async Task Static_file_head_over_a_raw_socket_sends_headers_and_no_body()
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, new Uri(fx.BaseUrl).Port);
        var stream = client.GetStream();
        await stream.WriteAsync("HEAD /files/hello.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"u8.ToArray());
        var all = new MemoryStream();
        await stream.CopyToAsync(all);   // the server closes after the answer
        var text = Encoding.ASCII.GetString(all.ToArray());

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", text);
        Assert.Contains("\r\nContent-Length: 20\r\n", text);
        Assert.EndsWith("\r\n\r\n", text);      // nothing after the head
    }

    [Theory]
    [InlineData("/files/../secret.txt")]
    [InlineData("/files/%2e%2e/secret.txt")]
    [InlineData("/files/..%2Fsecret.txt")]
    [InlineData("/files/escape.txt")]
    [InlineData("/files/outdir/secret.txt")]
    [InlineData("/files/.env")]
    [InlineData("/assets/..%2F..%2Fsecret.txt")]
    public async Task Static_files_never_leave_the_root(string target)
    {
        var r = await Curl("--path-as-is", target);

        Assert.True(r.Status is 404 or 400, $"{target}: {r.Status}");
        Assert.DoesNotContain("secret", r.Text);
    }

    [Fact]
    public async Task Static_files_from_a_catch_all_route()
    {
        var r = await Curl("/assets/sub/data.json");

        Assert.Equal(200, r.Status);
        Assert.Equal("{}", r.Text);
        Assert.Equal("application/json; charset=utf-8", r.Header("Content-Type"));
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip;q=1, br;q=0.5", "gzip")]
    public async Task Compression_by_accept_encoding(string accept, string expected)
    {
        var decoded = await Curl("--compressed", "-H", "Accept-Encoding: " + accept, "/big");
        var json = await Curl("--compressed", "-H", "Accept-Encoding: " + accept, "/json");

        Assert.Equal(expected, decoded.Header("Content-Encoding"));
        Assert.Equal("Accept-Encoding", decoded.Header("Vary"));
        Assert.True(int.Parse(decoded.Header("Content-Length")!) < 1000);
        Assert.Equal(string.Concat(Enumerable.Repeat("compress me please, ", 500)), decoded.Text);
        Assert.Equal(expected, json.Header("Content-Encoding"));
        Assert.StartsWith("""[{"Name":"pet0","Age":0}""", json.Text);
    }

    [Fact]
    public async Task Compression_skips_small_bodies_and_clients_that_do_not_ask()
    {
        var small = await Curl("-H", "Accept-Encoding: br", "/text");
        var none = await Curl("/big");

        Assert.Null(small.Header("Content-Encoding"));
        Assert.Equal("plain text", small.Text);
        Assert.Null(none.Header("Content-Encoding"));
        Assert.Equal(10000, none.Body.Length);
    }

    [Fact]
    public async Task Forwarded_headers_from_the_trusted_loopback_proxy()
    {
        var direct = await Curl("/whoami");
        var xff = await Curl("-H", "X-Forwarded-For: 203.0.113.9, 127.0.0.1", "-H", "X-Forwarded-Proto: https", "/whoami");
        var forwarded = await Curl("-H", "Forwarded: for=\"[2001:db8::5]:4711\";proto=https", "/whoami");

        Assert.StartsWith("127.0.0.1 http 127.0.0.1:", direct.Text);
        Assert.StartsWith("203.0.113.9 https 127.0.0.1:", xff.Text);
        Assert.StartsWith("2001:db8::5 https 127.0.0.1:", forwarded.Text);
        Assert.EndsWith(fx.BaseUrl["http://".Length..], direct.Text);   // local endpoint
    }

    [Fact]
    public async Task Logging_reports_the_forwarded_client()
    {
        var marker = Guid.NewGuid().ToString("N");

        await Curl("-H", "X-Forwarded-For: 198.51.100.77", "/text?m=" + marker);

        Assert.StartsWith("198.51.100.77 - - [", LogLineFor(marker));
    }

    [Fact]
    public async Task Cors_preflight_and_simple_request()
    {
        var preflight = await Curl("-X", "OPTIONS", "-H", "Origin: https://app.example", "-H", "Access-Control-Request-Method: PUT",
            "-H", "Access-Control-Request-Headers: x-api-key", "/items");
        var simple = await Curl("-H", "Origin: https://app.example", "/items");
        var other = await Curl("-H", "Origin: https://evil.example", "/items");

        Assert.Equal(204, preflight.Status);
        Assert.Equal("https://app.example", preflight.Header("Access-Control-Allow-Origin"));
        Assert.Equal("GET, HEAD, POST, PUT", preflight.Header("Access-Control-Allow-Methods"));
        Assert.Equal("X-Api-Key", preflight.Header("Access-Control-Allow-Headers"));
        Assert.Equal("60", preflight.Header("Access-Control-Max-Age"));
        Assert.Equal(200, simple.Status);
        Assert.Equal("items", simple.Text);
        Assert.Equal("https://app.example", simple.Header("Access-Control-Allow-Origin"));
        Assert.Equal(["Accept-Encoding", "Origin"], simple.Headers("Vary"));   // compression is inside CORS
        Assert.Null(other.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Rate_limited_route_answers_429_with_retry_after()
    {
        // The fixture's clock never moves, so the bucket (burst 2) does not refill during the test.
        string[] client = ["-H", "X-Forwarded-For: 192.0.2.123"];

        var first = await Curl([.. client, "/limited"]);
        var second = await Curl([.. client, "/limited"]);
        var third = await Curl([.. client, "/limited"]);
        var otherClient = await Curl("-H", "X-Forwarded-For: 192.0.2.124", "/limited");

        Assert.Equal([200, 200, 429, 200], new[] { first.Status, second.Status, third.Status, otherClient.Status });
        Assert.Equal("1", third.Header("Retry-After"));
        Assert.Equal("limited ok", first.Text);
    }
}
