using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiln.Hosting;

/// <summary>
/// Runs the <see cref="HttpServer"/> for the host: <see cref="StartAsync"/> binds and starts accepting (the host's
/// start fails if a listener cannot be bound); <see cref="StopAsync"/> drains it — in-flight requests finish within
/// <see cref="ServerOptions.ShutdownTimeout"/>, or until the host's own shutdown timeout cancels the token.
/// </summary>
internal sealed class KilnHostedService(HttpServer server, Router router, ILogger logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        KilnLog.Listening(logger, string.Join(", ", server.BoundEndPoints), router.Routes.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        KilnLog.Stopping(logger);
        await server.StopAsync(cancellationToken).ConfigureAwait(false);
        KilnLog.Stopped(logger);
    }
}
