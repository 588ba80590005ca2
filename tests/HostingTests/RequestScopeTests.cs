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
        public bool Disposed;
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public async Task A_request_that_resolves_no_service_creates_no_scope_and_one_that_does_gets_one_disposed_after_it()
    {
        var services = new ServiceCollection();
        services.AddScoped<UnitOfWork>();
        await using var root = services.BuildServiceProvider(validateScopes: true);
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
        await using var server = new HttpServer(handler, new ServerOptions()) { ErrorLog = null };
        server.Use(new RequestScopes(scopes).Middleware);
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
