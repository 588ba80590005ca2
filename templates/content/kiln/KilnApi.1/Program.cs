using Kiln;
using Kiln.Generated;
using KilnApi._1;

// Where to listen: --urls http://127.0.0.1:9000 or the KILN_URLS variable; http://127.0.0.1:8080 by default.
var options = ServerOptions.FromArgs(args);

// AppRouter is generated at build time from the [Get]/[Post]/... methods. Its constructor takes an instance of
// each class that has instance route methods; here, the store.
var router = new AppRouter(new TodoStore());

await using var server = new HttpServer(router, options);
server.UseLogging(Console.Out);

await server.StartAsync();
Console.WriteLine($"KilnApi.1: {router.Routes.Count} routes, listening on {string.Join(", ", server.BoundEndPoints)}");
await server.RunAsync();   // until Ctrl+C or SIGTERM; then in-flight requests finish
