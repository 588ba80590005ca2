using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Kiln;

/// <summary>How <see cref="RequestLogging"/> formats a line.</summary>
public enum LogFormat : byte
{
    /// <summary>
    /// <c>2026-11-21T22:33:29.123Z 127.0.0.1 GET /files/a.txt?x=1 200 1234B 0.42ms</c> — ISO 8601 UTC time, client,
    /// method, target, status, body bytes (<c>-</c> when unknown), duration.
    /// </summary>
    Default,
    /// <summary>
    /// The NCSA Common Log Format: <c>127.0.0.1 - - [21/Nov/2026:22:33:29 +0000] "GET /a.txt HTTP/1.1" 200 1234</c>.
    /// </summary>
    Common,
}

/// <summary>One logged request, as handed to a callback by <see cref="RequestLogging"/>.</summary>
/// <param name="Timestamp">When the request started (UTC).</param>
/// <param name="ClientAddress">The effective client address (<see cref="Request.ClientAddress"/>), if known.</param>
/// <param name="Method">The method, as received (before any rewrite further down the pipeline).</param>
/// <param name="Target">The request-target, as received (path and query).</param>
/// <param name="Version">The HTTP version.</param>
/// <param name="StatusCode">The response status; 0 when the connection was dropped without an answer.</param>
/// <param name="Bytes">The body size in bytes; <see langword="null"/> for streamed bodies, whose size is not known up front.</param>
/// <param name="Duration">The time the rest of the pipeline took to produce the response.</param>
public readonly record struct RequestLogEntry(
    DateTimeOffset Timestamp, IPAddress? ClientAddress, string Method, string Target, HttpProtocolVersion Version,
    int StatusCode, long? Bytes, TimeSpan Duration)
{
    /// <summary>Formats the entry as one line (no newline) in <paramref name="format"/>.</summary>
    /// <param name="format">The line format.</param>
    /// <returns>The line.</returns>
    public string Format(LogFormat format = LogFormat.Default)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(96);
        string client = ClientAddress?.ToString() ?? "-";
        if (format == LogFormat.Common)
        {
            sb.Append(client).Append(" - - [")
              .Append(Timestamp.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss", inv)).Append(" +0000] \"")
              .Append(Method).Append(' ').Append(Target).Append(Version == HttpProtocolVersion.Http10 ? " HTTP/1.0\" " : " HTTP/1.1\" ")
              .Append(StatusCode.ToString(inv)).Append(' ')
              .Append(Bytes is { } b ? b.ToString(inv) : "-");
        }
        else
        {
            sb.Append(Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", inv)).Append(' ')
              .Append(client).Append(' ').Append(Method).Append(' ').Append(Target).Append(' ')
              .Append(StatusCode.ToString(inv)).Append(' ')
              .Append(Bytes is { } b ? b.ToString(inv) + "B" : "-").Append(' ')
              .Append(Duration.TotalMilliseconds.ToString("0.##", inv)).Append("ms");
        }
        return sb.ToString();
    }
}

/// <summary>
/// Logs one line (or one <see cref="RequestLogEntry"/>) per request: method, target, status, body bytes, duration.
/// </summary>
/// <remarks>
/// A JSON body is serialized here (once; the response then carries the bytes) so that its size is known. A request
/// whose handler throws is logged with status 500 and the exception is rethrown for an outer handler. HEAD, 204 and
/// 304 responses are logged with 0 bytes, since none are sent.
/// </remarks>
public sealed class RequestLogging : IMiddleware
{
    private readonly Action<RequestLogEntry> _sink;
    private readonly TimeProvider _time;

    /// <summary>Logs to <paramref name="writer"/>, one line per request.</summary>
    /// <param name="writer">Where lines go; writes are serialized, so a writer shared by many connections is safe.</param>
    /// <param name="format">The line format.</param>
    /// <param name="time">The clock (for tests); the system clock by default.</param>
    public RequestLogging(TextWriter writer, LogFormat format = LogFormat.Default, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var synchronized = TextWriter.Synchronized(writer);
        _sink = entry => synchronized.WriteLine(entry.Format(format));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Hands each request's entry to <paramref name="sink"/> (called on the request's own task).</summary>
    /// <param name="sink">The callback; it must be thread-safe and should not block.</param>
    /// <param name="time">The clock (for tests); the system clock by default.</param>
    public RequestLogging(Action<RequestLogEntry> sink, TimeProvider? time = null)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        var timestamp = _time.GetUtcNow();
        long start = _time.GetTimestamp();
        string method = request.Method, target = request.Target;
        var client = request.ClientAddress;
        HttpResponse response;
        try
        {
            response = await next(request).ConfigureAwait(false);
        }
        catch
        {
            _sink(new RequestLogEntry(timestamp, request.ClientAddress ?? client, method, target, request.Version,
                500, null, _time.GetElapsedTime(start)));
            throw;
        }

        if (response.BodyKind == ResponseBodyKind.Json)
            response = response.WithBody(JsonSerializer.SerializeToUtf8Bytes(response.JsonValue, response.JsonTypeInfo!), response.ContentType!);
        long? bytes = response.BodyKind switch
        {
            _ when response.IsDrop => 0,
            _ when ReferenceEquals(method, HttpMethods.Head) || response.StatusCode is 204 or 304 => 0,
            ResponseBodyKind.Text => Encoding.UTF8.GetByteCount(response.TextBody!),
            ResponseBodyKind.Bytes => response.BodyBytes.Length,
            ResponseBodyKind.Stream => null,
            _ => 0,
        };
        // ClientAddress is read again: a forwarded-headers middleware further in may have set it.
        _sink(new RequestLogEntry(timestamp, request.ClientAddress ?? client, method, target, request.Version,
            response.IsDrop ? 0 : response.StatusCode, bytes, _time.GetElapsedTime(start)));
        return response;
    }
}
