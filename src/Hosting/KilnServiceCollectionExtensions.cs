using Kiln;
using Kiln.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Kiln in a .NET generic host (<c>Host.CreateApplicationBuilder</c>).</summary>
public static class KilnServiceCollectionExtensions
{
    /// <summary>
    /// Serves <typeparamref name="TRouter"/> from the host: registers the router (created once from the container by
    /// its generated <c>(IServiceProvider)</c> constructor, so its route classes and <c>[Use]</c> middleware must be
    /// registered), the <see cref="ServerOptions"/> (bound from the configuration section <c>Kiln</c>, then
    /// <paramref name="configure"/>), the <see cref="HttpServer"/>, and a hosted service that starts it with the host
    /// and drains it on <c>StopAsync</c>. Every request runs in its own scope: <see cref="Request.Services"/> is the
    /// scope's provider (so <c>[Service]</c> parameters get scoped services), created when the request first reads
    /// it and disposed after the response. Server
    /// events and one access-log entry per request go to <see cref="ILogger"/> (categories <c>Kiln.Server</c> and
    /// <c>Kiln.Requests</c>).
    /// </summary>
    /// <typeparam name="TRouter">The generated router, for example <c>Kiln.Generated.AppRouter</c>.</typeparam>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Changes the options after configuration has been applied (code has the last word);
    /// without any listener from either, the server listens on <c>http://127.0.0.1:8080</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <example>
    /// <code>
    /// var builder = Host.CreateApplicationBuilder(args);
    /// builder.Services.AddSingleton&lt;AccountStore&gt;();
    /// builder.Services.AddScoped&lt;UnitOfWork&gt;();
    /// builder.Services.AddKiln&lt;AppRouter&gt;(options =&gt; options.MaxRequestBodySize = 1 &lt;&lt; 20);
    /// await builder.Build().RunAsync();   // Kiln__Urls=http://0.0.0.0:8080, or --Kiln:Urls ...
    /// </code>
    /// </example>
    public static IServiceCollection AddKiln<TRouter>(this IServiceCollection services, Action<ServerOptions>? configure = null)
        where TRouter : Router, IRouterFactory<TRouter>
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider => TRouter.Create(provider));
        services.AddSingleton(provider => KilnConfiguration.CreateOptions(provider.GetService<IConfiguration>(), configure));
        services.AddSingleton(provider =>
        {
            var loggers = provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            var server = new HttpServer(provider.GetRequiredService<TRouter>(), provider.GetRequiredService<ServerOptions>())
            {
                ErrorLog = new ServerLogWriter(loggers.CreateLogger(KilnLog.ServerCategory)),
            };
            server.Use(new AccessLog(loggers.CreateLogger(KilnLog.RequestsCategory)).Middleware);
            server.Use(new RequestScopes(provider.GetRequiredService<IServiceScopeFactory>()).Middleware);
            return server;
        });
        services.AddSingleton<IHostedService>(provider => new KilnHostedService(
            provider.GetRequiredService<HttpServer>(),
            provider.GetRequiredService<TRouter>(),
            (provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(KilnLog.ServerCategory)));
        return services;
    }
}
