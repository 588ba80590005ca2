using System.Text;
using System.Text.Json.Serialization;

namespace Kiln.RuntimeTests.Support;

public sealed record Message(string Text);

public sealed record HistoryEntry(int Id, decimal Amount);

[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(HistoryEntry[]))]
public sealed partial class TestJson : JsonSerializerContext;

/// <summary>A hand-written router for server tests (the generator is tested elsewhere): a few fixed paths.</summary>
public sealed class TestRouter : HandWrittenRouter
{
    private static readonly byte[] Hello = "Hello, World!"u8.ToArray();
    private static readonly byte[] Big = new byte[4 * 1024 * 1024];

    public override ValueTask<HttpResponse> RouteAsync(Request request)
    {
        var path = request.Path;
        if (path is null) return BadPath();
        bool get = request.Method is HttpMethods.Get or HttpMethods.Head;
        switch (path)
        {
            case "/plaintext":
                return get ? HttpResponse.Text("Hello, World!") : NotAllowed(request, "GET, HEAD");
            case "/bytes":
                return get ? HttpResponse.Bytes(Hello, "text/plain") : NotAllowed(request, "GET, HEAD");
            case "/json":
                return get ? HttpResponse.Json(new Message("Hello, World!"), TestJson.Default.Message) : NotAllowed(request, "GET, HEAD");
            case "/headers":
                return HttpResponse.Text("h").WithHeader("X-First", "1").WithHeader("X-Second", "2");
            case "/echo":
                return request.Method == HttpMethods.Post ? Echo(request) : NotAllowed(request, "POST");
            case "/ignore-body":
                return HttpResponse.Text("ignored");
            case "/length":
                return Length(request);
            case "/stream":
                return HttpResponse.Stream(async (body, ct) =>
                {
                    for (int i = 0; i < 3; i++) await body.WriteAsync(Encoding.UTF8.GetBytes($"part{i};"), ct);
                }, "text/plain");
            case "/throw":
                throw new InvalidOperationException("secret detail");
            case "/bad":
                throw new BadHttpRequestException("Nope.", 422);
            case "/drop":
                return HttpResponse.Drop;
            case "/close":
                return HttpResponse.Text("bye").WithHeader("Connection", "close");
            case "/echo-header":
                return HttpResponse.Text(request.Headers["X-Test"] ?? "(none)");
            case "/target":
                return HttpResponse.Text(request.Method + " " + request.Target);
            case "/slow":
                return Slow(request);
            case "/big":
                return HttpResponse.Bytes(Big);
            case "/remote":
                return HttpResponse.Text($"{request.RemoteEndPoint}|{request.LocalEndPoint}|{request.Scheme}");
        }
        if (path.StartsWith("/accounts/", StringComparison.Ordinal) && path.EndsWith("/history", StringComparison.Ordinal))
        {
            var id = path["/accounts/".Length..^"/history".Length];
            if (int.TryParse(id, out int n))
                return get ? HttpResponse.Json(new[] { new HistoryEntry(n, 10.5m), new HistoryEntry(n, -3m) }, TestJson.Default.HistoryEntryArray)
                    : NotAllowed(request, "GET, HEAD");
        }
        return NotFound();
    }

    private static async ValueTask<HttpResponse> Echo(Request request)
        => HttpResponse.Text(await request.ReadBodyAsStringAsync());

    private static async ValueTask<HttpResponse> Length(Request request)
        => HttpResponse.Text((await request.ReadBodyAsBytesAsync()).Length.ToString());

    private static async ValueTask<HttpResponse> Slow(Request request)
    {
        int ms = int.Parse(request.Query["ms"] ?? "200");
        await Task.Delay(ms);
        return HttpResponse.Text("slow done");
    }
}
