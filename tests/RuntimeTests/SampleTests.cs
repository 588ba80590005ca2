using System.Net;
using Kiln.Generated;
using Kiln.RuntimeTests.Support;
using Sample;

namespace Kiln.RuntimeTests;

/// <summary>
/// The sample's generated router behind a real server, as the sample's Program.cs wires it (logging, compression,
/// static files under /files, the API-key group), requested with curl over loopback and with the server's in-memory
/// client (<see cref="HttpServer.CreateClient"/>), which goes through the same connection code without a socket.
/// </summary>
public sealed class SampleTests : IAsyncLifetime
{
    private readonly StringWriter _log = new();
    private HttpServer _server = null!;
    private string _url = "";

    public async Task InitializeAsync()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Generated.sln"))) root = Path.GetDirectoryName(root)!;
        var store = new AccountStore();
        var router = new AppRouter(store, new Admin(store), new Site(new StaticFiles(Path.Combine(root, "sample", "wwwroot"))), new ApiKeyMiddleware("secret"));
        var options = new ServerOptions();
        options.Listen(IPAddress.Loopback, 0);
        _server = new HttpServer(router, options);
        _server.UseLogging(TextWriter.Synchronized(_log)).UseCompression().UseOpenApi(AppRouter.OpenApiJson, "/openapi.json");
        await _server.StartAsync();
        _url = "http://127.0.0.1:" + ((IPEndPoint)_server.BoundEndPoints[0]).Port;
    }

    public async Task DisposeAsync() => await _server.StopAsync();

    [Fact]
    public async Task Serves_the_accounts_api_and_logs_each_request()
    {
        var (exit, body, _) = await Curl.RunAsync(_url + "/accounts/42/history");
        Assert.Equal(0, exit);
        Assert.StartsWith("{\"accountId\":42,\"transactions\":[", body);

        var created = await Curl.RunAsync("-i", "-X", "POST", _url + "/accounts", "-H", "Content-Type: application/json", "-d", "{\"owner\":\"Linus\",\"initialDeposit\":10}");
        Assert.Contains("HTTP/1.1 201 Created", created.Stdout);
        Assert.Contains("Location: /accounts/101", created.Stdout);
        Assert.Equal("{\"id\":101,\"owner\":\"Linus\",\"balance\":10}", (await Curl.RunAsync(_url + "/accounts/101")).Stdout);

        await Poll.UntilAsync(() => _log.ToString().Contains("GET /accounts/101 200"), 5000, () => _log.ToString());
        Assert.Contains("GET /accounts/42/history 200", _log.ToString());
        Assert.Contains("POST /accounts 201", _log.ToString());
    }

    /// <summary>
    /// The sample's OpenAPI document, served at /openapi.json, is the one committed in
    /// <c>tests/RuntimeTests/Snapshots/Sample.openapi.verified.json</c> (CI validates that file's twin, fetched from the
    /// NativeAOT binary, with an OpenAPI 3.1 validator). A change writes <c>Sample.openapi.received.json</c> and fails;
    /// <c>KILN_ACCEPT_SNAPSHOTS=1</c> accepts it.
    /// </summary>
    [Fact]
    public async Task Serves_its_build_time_OpenAPI_document_as_committed()
    {
        var response = await Curl.RunAsync("-s", "-D", "-", _url + "/openapi.json");
        Assert.Contains("Content-Type: application/json; charset=utf-8", response.Stdout);
        var body = response.Stdout[(response.Stdout.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Equal(AppRouter.OpenApiJson, body);
        Assert.Contains("\"/accounts/{id}/history\"", body);
        Assert.Contains("\"operationId\": \"AccountStore_Create\"", body);

        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Generated.sln"))) root = Path.GetDirectoryName(root)!;
        var verified = Path.Combine(root, "tests", "RuntimeTests", "Snapshots", "Sample.openapi.verified.json");
        var received = Path.ChangeExtension(verified, null).Replace(".verified", ".received") + ".json";
        if (File.Exists(verified) && File.ReadAllText(verified) == body)
        {
            File.Delete(received);
            return;
        }
        if (Environment.GetEnvironmentVariable("KILN_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(verified)!);
            File.WriteAllText(verified, body);
            return;
        }
        File.WriteAllText(received, body);
        Assert.Fail($"The sample's OpenAPI document differs from {verified}; review {received} and accept it (KILN_ACCEPT_SNAPSHOTS=1).");
    }

    [Fact]
    public async Task Guards_the_admin_group_with_the_api_key()
    {
        using var client = _server.CreateClient();
        using var denied = await client.GetAsync("/admin/stats");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/stats") { Headers = { { "X-Api-Key", "secret" } } };
        using var allowed = await client.SendAsync(request);
        using var unguarded = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("accounts: 3", await allowed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, unguarded.StatusCode);
        Assert.Equal($"127.0.0.1 http {Environment.ProcessId}", await client.GetStringAsync("/whoami"));
    }

    [Fact]
    public async Task Serves_static_files_with_validators()
    {
        using var client = _server.CreateClient();
        using var first = await client.GetAsync("/files/index.html");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/html", first.Content.Headers.ContentType?.MediaType);
        var etag = first.Headers.ETag!;

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/files/index.html") { Headers = { IfNoneMatch = { etag } } };
        using var again = await client.SendAsync(conditional);
        // HttpClient would remove the dot segments itself: curl sends them as they are.
        var traversal = await Curl.RunAsync("-s", "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", _url + "/files/%2e%2e/Program.cs");

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Equal("404", traversal.Stdout);
    }

    [Fact]
    public async Task Compresses_large_bodies_for_clients_that_accept_it()
    {
        var plain = await Curl.RunAsync(_url + "/files/guide.txt");
        var compressed = await Curl.RunAsync("-i", "--compressed", "-H", "Accept-Encoding: gzip", _url + "/files/guide.txt");
        var headers = compressed.Stdout[..compressed.Stdout.IndexOf("\r\n\r\n", StringComparison.Ordinal)];

        Assert.Contains("Content-Encoding: gzip", headers);
        Assert.Contains("Vary: Accept-Encoding", headers);
        Assert.EndsWith(plain.Stdout, compressed.Stdout);
        Assert.True(plain.Stdout.Length > 1024);
    }
}
