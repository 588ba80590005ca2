using System.Net;
using Kiln.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiln.LoadBench;

/// <summary>A scoped service for the hosted allocation check: created and disposed once per request that asks for it.</summary>
public sealed class BenchUnitOfWork
{
    public int Id { get; } = 1;
}

/// <summary>A route that takes a scoped service by <c>[Service]</c> (served only under a host).</summary>
public static class ScopedRoutes
{
    [Get("/scoped")]
    public static HttpResponse Scoped([Service] BenchUnitOfWork work) => HttpResponse.Text("Hello, World!", "text/plain");
}

/// <summary>
/// The allocation check under Kiln.Hosting: the same server and client as <see cref="AllocationCheck"/>, but the
/// server built by <c>services.AddKiln&lt;BenchRouter&gt;()</c> in a generic host, so every request runs in a DI
/// scope. Logging providers are cleared (the access log's level is off, as in production with Information disabled
/// for Kiln.Requests), so what remains is the scope.
/// </summary>
public static class HostedAllocationCheck
{
    public static async Task<int> RunAsync(string path, int requests, int depth, bool accessLog)
    {
        var builder = Host.CreateApplicationBuilder(["--Kiln:Urls=http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        if (accessLog) builder.Logging.AddProvider(new DiscardingLoggerProvider());
        builder.Services.AddScoped<BenchUnitOfWork>();
        builder.Services.AddKiln<BenchRouter>();
        using var host = builder.Build();
        await host.StartAsync();
        var server = host.Services.GetRequiredService<HttpServer>();
        try
        {
            return AllocationCheck.Measure((IPEndPoint)server.BoundEndPoints[0], path, requests, depth,
                accessLog ? "host, access log on" : "host");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>A logger that is enabled and writes nothing: the cost of producing the access-log event only.</summary>
    private sealed class DiscardingLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Discarding();
        public void Dispose() { }

        private sealed class Discarding : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) { }
        }
    }
}
