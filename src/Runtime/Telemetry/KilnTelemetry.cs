using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Kiln;

/// <summary>
/// The names under which Kiln publishes its telemetry: one <see cref="Meter"/> and one <see cref="ActivitySource"/>,
/// both named <c>Kiln</c>. Instruments and tags follow the OpenTelemetry HTTP semantic conventions
/// (<c>http.server.request.duration</c>, <c>http.server.active_requests</c>), plus Kiln's own <c>kiln.*</c>
/// instruments; docs/observability.md lists them. Nothing is measured until a listener subscribes.
/// </summary>
/// <example>
/// <code>
/// using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(KilnTelemetry.MeterName)...Build();
/// using var traces = Sdk.CreateTracerProviderBuilder().AddSource(KilnTelemetry.ActivitySourceName)...Build();
/// </code>
/// </example>
public static class KilnTelemetry
{
    /// <summary>The name of Kiln's <see cref="Meter"/>: <c>Kiln</c>.</summary>
    public const string MeterName = "Kiln";

    /// <summary>The name of Kiln's <see cref="ActivitySource"/>: <c>Kiln</c>.</summary>
    public const string ActivitySourceName = "Kiln";
}

/// <summary>
/// Kiln's meter, activity source and instruments (one set per process, as the BCL's own HTTP instrumentation does),
/// and the conventions' names for their tags. Every instrument is cheap to check: <see cref="Instrument.Enabled"/> is
/// a field read, <see cref="ActivitySource.HasListeners"/> likewise, and nothing else runs when both are false.
/// </summary>
internal static class Instruments
{
    public static readonly Meter Meter = new(KilnTelemetry.MeterName);

    public static readonly ActivitySource Source = new(KilnTelemetry.ActivitySourceName);

    /// <summary>The conventions' advice for <c>http.server.request.duration</c>, in seconds.</summary>
    internal static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram(
        "http.server.request.duration", unit: "s", description: "Duration of HTTP server requests.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    public static readonly UpDownCounter<long> ActiveRequests = Meter.CreateUpDownCounter<long>(
        "http.server.active_requests", unit: "{request}", description: "Number of active HTTP server requests.");

    public static readonly UpDownCounter<long> ActiveConnections = Meter.CreateUpDownCounter<long>(
        "kiln.active_connections", unit: "{connection}", description: "Number of connections that are currently open (TLS handshakes included).");

    public static readonly Counter<long> AcceptPauses = Meter.CreateCounter<long>(
        "kiln.accept_pauses", unit: "{pause}",
        description: "Times the server stopped accepting because MaxConcurrentConnections connections were open; new clients wait in the listen backlog until one closes.");

    public static readonly Counter<long> RejectedRequests = Meter.CreateCounter<long>(
        "kiln.rejected_requests", unit: "{request}",
        description: "Requests the server answered itself because they broke a limit, a timeout or the HTTP/1.1 grammar; error.type says which.");

    /// <summary>Counts a request the server refused itself (<c>kiln.rejected_requests</c>): a flag check when nobody listens.</summary>
    public static void Rejected(string reason, int status)
    {
        if (RejectedRequests.Enabled)
            RejectedRequests.Add(1, new(ErrorType, reason), new(StatusCode, StatusCodeTag(status)));
    }

    // Tag names, from the OpenTelemetry semantic conventions.
    public const string Method = "http.request.method";
    public const string MethodOriginal = "http.request.method_original";
    public const string Route = "http.route";
    public const string StatusCode = "http.response.status_code";
    public const string Scheme = "url.scheme";
    public const string Path = "url.path";
    public const string ProtocolVersion = "network.protocol.version";
    public const string ErrorType = "error.type";

    /// <summary><c>http.request.method</c>: the known methods as they are (RFC 9110's and PATCH), anything else <c>_OTHER</c>.</summary>
    public static string MethodTag(string method) => IsKnown(method) ? method : "_OTHER";

    /// <summary>Whether the method is one the conventions call known (the interned ones: compared by reference).</summary>
    public static bool IsKnown(string method) =>
        ReferenceEquals(method, HttpMethods.Get) || ReferenceEquals(method, HttpMethods.Post) || ReferenceEquals(method, HttpMethods.Head)
        || ReferenceEquals(method, HttpMethods.Put) || ReferenceEquals(method, HttpMethods.Delete) || ReferenceEquals(method, HttpMethods.Patch)
        || ReferenceEquals(method, HttpMethods.Options) || ReferenceEquals(method, HttpMethods.Trace) || ReferenceEquals(method, HttpMethods.Connect);

    /// <summary><c>network.protocol.version</c>.</summary>
    public static string VersionTag(HttpProtocolVersion version) => version == HttpProtocolVersion.Http10 ? "1.0" : "1.1";

    private static readonly object?[] s_statusCodes = new object?[600];

    /// <summary>A status code as a tag value, boxed once per code rather than once per request.</summary>
    public static object StatusCodeTag(int status)
    {
        if ((uint)status >= (uint)s_statusCodes.Length) return status;
        return s_statusCodes[status] ??= status;
    }

    /// <summary>The status code as <c>error.type</c> for a server error (5xx), cached.</summary>
    public static string? ServerErrorType(int status) => status switch
    {
        500 => "500",
        501 => "501",
        502 => "502",
        503 => "503",
        504 => "504",
        505 => "505",
        >= 500 and < 600 => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}
