using Microsoft.Extensions.Logging;

namespace Kiln.Hosting;

/// <summary>
/// Kiln's log events: their categories, IDs and structured fields, each defined once with
/// <see cref="LoggerMessage.Define{T1}(LogLevel, EventId, string)"/> (no per-call parsing, no boxing of the fields).
/// </summary>
internal static class KilnLog
{
    /// <summary>Server events: start, stop, limit violations, handler exceptions.</summary>
    public const string ServerCategory = "Kiln.Server";

    /// <summary>The access log: one event per request.</summary>
    public const string RequestsCategory = "Kiln.Requests";

    public static readonly EventId ListeningId = new(1, "Listening");
    public static readonly EventId StoppingId = new(2, "Stopping");
    public static readonly EventId StoppedId = new(3, "Stopped");
    public static readonly EventId ServerWarningId = new(10, "ServerWarning");
    public static readonly EventId ServerErrorId = new(11, "ServerError");
    public static readonly EventId RequestId = new(20, "Request");

    private static readonly Action<ILogger, string, int, Exception?> s_listening = LoggerMessage.Define<string, int>(
        LogLevel.Information, ListeningId, "Kiln listening on {Addresses} ({RouteCount} routes)");

    private static readonly Action<ILogger, Exception?> s_stopping = LoggerMessage.Define(
        LogLevel.Information, StoppingId, "Kiln stopping: draining in-flight requests");

    private static readonly Action<ILogger, Exception?> s_stopped = LoggerMessage.Define(
        LogLevel.Information, StoppedId, "Kiln stopped");

    private static readonly Action<ILogger, string, Exception?> s_serverWarning = LoggerMessage.Define<string>(
        LogLevel.Warning, ServerWarningId, "{Message}");

    private static readonly Action<ILogger, string, Exception?> s_serverError = LoggerMessage.Define<string>(
        LogLevel.Error, ServerErrorId, "{Message}");

    private static readonly Action<ILogger, string, string, int, double, string, Exception?> s_request = LoggerMessage.Define<string, string, int, double, string>(
        LogLevel.Information, RequestId, "{Method} {Path} {StatusCode} {ElapsedMilliseconds:0.###} ms {RemoteAddress}",
        new LogDefineOptions { SkipEnabledCheck = true });

    public static void Listening(ILogger logger, string addresses, int routes) => s_listening(logger, addresses, routes, null);

    public static void Stopping(ILogger logger) => s_stopping(logger, null);

    public static void Stopped(ILogger logger) => s_stopped(logger, null);

    public static void ServerWarning(ILogger logger, string message) => s_serverWarning(logger, message, null);

    public static void ServerError(ILogger logger, string message) => s_serverError(logger, message, null);

    /// <summary>The access-log event; the caller has checked <see cref="ILogger.IsEnabled"/> for <see cref="LogLevel.Information"/>.</summary>
    public static void Request(ILogger logger, string method, string path, int status, double milliseconds, string remote)
        => s_request(logger, method, path, status, milliseconds, remote, null);
}
