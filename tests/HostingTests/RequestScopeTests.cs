using Kiln.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.HostingTests;

/// <summary>The request-scope middleware creates a scope only for requests that read <see cref="Request.Services"/>.</summary>
public sealed class RequestScopeTests
{
    /// <summary>The container's scope factory, counting the scopes it creates.</summary>
    private sealed class CountingScopes(IServiceScopeFactory inner) : IServiceScopeFactory
    {
        public int Created;

        public IServiceScope CreateScope()
        {
            Interlocked.Increment(ref Created);
            return inner.CreateScope();
        }
    }

    private sealed class UnitOfWork : IDisposable
    {
        public volatile bool Disposed;
        public void Dispose() => Disposed = true;
    }

    private sealed class Committer : IAsyncDisposable
    {
        public UnitOfWork? Unit;
        public bool? UnitDisposedWhenCommitted;

        public ValueTask DisposeAsync()
        {
            UnitDisposedWhenCommitted = Unit?.Disposed;
            return default;
        }
    }

    /// <summary>A container with <see cref="UnitOfWork"/> registered scoped, validating scopes.</summary>
    private static ServiceProvider Root()
    {
        var services = new ServiceCollection();
        services.AddScoped<UnitOfWork>();
        return services.BuildServiceProvider(validateScopes: true);
    }

    /// <summary>A server answering with <paramref name="handler"/> behind the request-scope middleware.</summary>
    private static HttpServer Serve(Handler handler, IServiceScopeFactory scopes)
    {
        var server = new HttpServer(handler, new ServerOptions()) { ErrorLog = null };
        server.Use(new RequestScopes(scopes).Middleware);
        return server;
    }

    [Fact]
    public async Task The_scope_outlives_what_was_registered_for_disposal_before_it_was_created()
    {
        await using var root = Root();
        var committer = new Committer();
        Handler handler = request =>
        {
            request.RegisterForDispose(committer);                               // a middleware's transaction
            committer.Unit = request.Services!.GetRequiredService<UnitOfWork>();  // enlisted by the handler
            return new(HttpResponse.Text("ok"));
        };
        await using var server = Serve(handler, root.GetRequiredService<IServiceScopeFactory>());
        using var client = server.CreateClient();

        Assert.Equal("ok", await client.GetStringAsync("/"));
        await Poll.UntilAsync(() => committer.UnitDisposedWhenCommitted is not null, 5000, () => "not committed");
        Assert.False(committer.UnitDisposedWhenCommitted);
        await Poll.UntilAsync(() => committer.Unit!.Disposed, 5000, () => "the scope was not disposed");
    }

    [Fact]
    public async Task Services_read_after_the_response_is_null_and_creates_no_scope()
    {
        await using var root = Root();
        var scopes = new CountingScopes(root.GetRequiredService<IServiceScopeFactory>());
        var captured = new TaskCompletionSource<Request>();
        Handler handler = request =>
        {
            captured.TrySetResult(request);   // work that outlives the request keeps a reference to it
            return new(HttpResponse.Text("ok"));
        };
        await using var server = Serve(handler, scopes);
        using var client = server.CreateClient();

        using var message = new HttpRequestMessage(HttpMethod.Get, "/");
        message.Headers.ConnectionClose = true;   // the connection ends with this response
        using var response = await client.SendAsync(message);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        var request = await captured.Task;
        await Poll.UntilAsync(() => server.ConnectionCount == 0, 5000, () => "the connection is still open");

        Assert.Null(request.Services);
        Assert.Equal(0, scopes.Created);
    }

    [Fact]
    public async Task A_request_that_resolves_no_service_creates_no_scope_and_one_that_does_gets_one_disposed_after_it()
    {
        await using var root = Root();
        var scopes = new CountingScopes(root.GetRequiredService<IServiceScopeFactory>());
        var units = new List<UnitOfWork>();
        Handler handler = request =>
        {
            if (request.Path == "/plain") return new(HttpResponse.Text("plain"));
            var unit = request.Services!.GetRequiredService<UnitOfWork>();
            units.Add(unit);
            bool same = ReferenceEquals(unit, request.Services!.GetRequiredService<UnitOfWork>());
            return new(HttpResponse.Text("same=" + same + " disposed=" + unit.Disposed));
        };
        await using var server = Serve(handler, scopes);
        using var client = server.CreateClient();

        Assert.Equal("plain", await client.GetStringAsync("/plain"));
        Assert.Equal("plain", await client.GetStringAsync("/plain"));
        Assert.Equal(0, scopes.Created);

        Assert.Equal("same=True disposed=False", await client.GetStringAsync("/scoped"));
        Assert.Equal(1, scopes.Created);
        await Poll.UntilAsync(() => units[0].Disposed, 5000, () => "the scope was not disposed");
        Assert.Equal("same=True disposed=False", await client.GetStringAsync("/scoped"));
        Assert.Equal(2, scopes.Created);
        Assert.NotSame(units[0], units[1]);
    }
}
