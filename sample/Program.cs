using Kiln;
using Kiln.Generated;
using Sample;

// Where to listen: --urls http://127.0.0.1:9000 or KILN_URLS; 127.0.0.1:8080 by default.
var options = ServerOptions.FromArgs(args);

var store = new AccountStore();
var files = new StaticFiles(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
var apiKey = Environment.GetEnvironmentVariable("KILN_SAMPLE_API_KEY") ?? "let-me-in";

// The generated router takes the instances its routes need, in a fixed order (see docs/routing.md).
var router = new AppRouter(store, new Admin(store), new Site(files), new ApiKeyMiddleware(apiKey));

await using var server = new HttpServer(router, options);
// Readiness (/health/ready: 503 once shutdown begins) and liveness (/health/live) probes, ahead of everything else.
server.UseHealthEndpoints();
// Behind a reverse proxy: believe its X-Forwarded-For/-Proto, and only its (KILN_TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8).
if (Environment.GetEnvironmentVariable("KILN_TRUSTED_PROXIES") is { Length: > 0 } proxies)
    server.UseForwardedHeaders(proxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
server.UseLogging(Console.Out)
      .UseCompression()
      .UseOpenApi(AppRouter.OpenApiJson, "/openapi.json");   // the build-time OpenAPI 3.1 document (docs/openapi.md)

await server.StartAsync();
Console.WriteLine($"kiln-sample: {router.Routes.Count} routes, listening on {string.Join(", ", server.BoundEndPoints)}");
await server.RunAsync();
