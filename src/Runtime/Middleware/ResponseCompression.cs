using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Kiln;

/// <summary>Options of <see cref="ResponseCompression"/>.</summary>
public sealed class CompressionOptions
{
    /// <summary>Bodies smaller than this many bytes are sent as they are (1 KiB by default).</summary>
    public int MinimumSize { get; init; } = 1024;

    /// <summary>The compression level; <see cref="CompressionLevel.Fastest"/> by default (brotli quality 1, gzip level 1).</summary>
    public CompressionLevel Level { get; init; } = CompressionLevel.Fastest;

    /// <summary>Whether brotli (<c>br</c>) is offered.</summary>
    public bool EnableBrotli { get; init; } = true;

    /// <summary>Whether gzip is offered.</summary>
    public bool EnableGzip { get; init; } = true;
}

/// <summary>
/// Compresses response bodies with brotli or gzip, chosen by the request's Accept-Encoding (q-values honoured;
/// brotli wins a tie), and adds <c>Vary: Accept-Encoding</c>.
/// </summary>
/// <remarks>
/// Only whole bodies are compressed: text, bytes and JSON (serialized here with its <c>JsonTypeInfo</c>). Left as
/// they are: streamed bodies, HEAD requests, 1xx/204/206/304 responses, responses that already have a
/// Content-Encoding or Content-Range, <c>Cache-Control: no-transform</c>, already-compressed types (images except
/// SVG, audio, video, fonts, archives), bodies under <see cref="CompressionOptions.MinimumSize"/>, and bodies that
/// would not get smaller. A strong ETag becomes weak on a compressed response, since the bytes differ.
/// </remarks>
public sealed class ResponseCompression : IMiddleware
{
    private readonly CompressionOptions _options;

    /// <summary>Creates the middleware.</summary>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    public ResponseCompression(CompressionOptions? options = null) => _options = options ?? new CompressionOptions();

    internal enum Coding : byte { Identity, Gzip, Brotli }

    /// <inheritdoc />
    public async ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        var response = await next(request).ConfigureAwait(false);
        if (ReferenceEquals(request.Method, HttpMethods.Head) || _options.Level == CompressionLevel.NoCompression || !IsEligible(response))
            return response;
        response = WithVary(response);
        var coding = Choose(request.Headers["Accept-Encoding"], _options.EnableBrotli, _options.EnableGzip);
        if (coding == Coding.Identity) return response;

        ReadOnlyMemory<byte> body = response.BodyKind switch
        {
            ResponseBodyKind.Text => Encoding.UTF8.GetBytes(response.TextBody!),
            ResponseBodyKind.Json => JsonSerializer.SerializeToUtf8Bytes(response.JsonValue, response.JsonTypeInfo!),
            _ => response.BodyBytes,
        };
        var contentType = response.ContentType!;
        if (body.Length < _options.MinimumSize)
            return response.BodyKind == ResponseBodyKind.Json ? response.WithBody(body, contentType) : response;

        var compressed = coding == Coding.Brotli ? Brotli(body.Span, _options.Level) : Gzip(body.Span, _options.Level);
        if (compressed.Length >= body.Length)
            return response.BodyKind == ResponseBodyKind.Json ? response.WithBody(body, contentType) : response;

        response = response.WithBody(compressed, contentType).WithHeader("Content-Encoding", coding == Coding.Brotli ? "br" : "gzip");
        if (response.GetHeader("ETag") is { } etag && !etag.StartsWith("W/", StringComparison.Ordinal))
            response = response.WithoutHeader("ETag").WithHeader("ETag", "W/" + etag);
        return response;
    }

    private static bool IsEligible(HttpResponse response)
    {
        if (response.BodyKind is not (ResponseBodyKind.Text or ResponseBodyKind.Bytes or ResponseBodyKind.Json)) return false;
        if (response.StatusCode is < 200 or 204 or 206 or 304) return false;
        if (response.ContentType is null || IsCompressedType(response.ContentType)) return false;
        for (var h = response.Headers; h is not null; h = h.Next)
        {
            if (h.Name.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase) || h.Name.Equals("Content-Range", StringComparison.OrdinalIgnoreCase))
                return false;
            if (h.Name.Equals("Cache-Control", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("no-transform", StringComparison.OrdinalIgnoreCase))
                return false;
        }
        return true;
    }

    private static HttpResponse WithVary(HttpResponse response)
    {
        for (var h = response.Headers; h is not null; h = h.Next)
            if (h.Name.Equals("Vary", StringComparison.OrdinalIgnoreCase)
                && (h.Value.Contains("Accept-Encoding", StringComparison.OrdinalIgnoreCase) || h.Value.Trim() == "*"))
                return response;
        return response.WithHeader("Vary", "Accept-Encoding");
    }

    /// <summary>Whether <paramref name="contentType"/> is already compressed, so compressing it again wastes CPU.</summary>
    internal static bool IsCompressedType(string contentType)
    {
        var media = contentType.AsSpan();
        int semi = media.IndexOf(';');
        if (semi >= 0) media = media[..semi];
        media = media.Trim();
        if (media.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
            return !media.Equals("image/svg+xml", StringComparison.OrdinalIgnoreCase) && !media.Equals("image/bmp", StringComparison.OrdinalIgnoreCase)
                && !media.Equals("image/x-icon", StringComparison.OrdinalIgnoreCase);
        if (media.StartsWith("video/", StringComparison.OrdinalIgnoreCase) || media.StartsWith("audio/", StringComparison.OrdinalIgnoreCase))
            return true;
        foreach (var type in CompressedTypes)
            if (media.Equals(type, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static readonly string[] CompressedTypes =
    [
        "application/zip", "application/gzip", "application/x-gzip", "application/x-bzip2", "application/x-xz",
        "application/zstd", "application/x-7z-compressed", "application/x-rar-compressed", "application/x-brotli",
        "font/woff", "font/woff2", "application/pdf",
    ];

    /// <summary>Picks the coding from an Accept-Encoding value: highest q above zero, brotli on a tie, <c>*</c> for the unlisted.</summary>
    internal static Coding Choose(string? acceptEncoding, bool brotli = true, bool gzip = true)
    {
        if (string.IsNullOrWhiteSpace(acceptEncoding)) return Coding.Identity;
        double? qBr = null, qGzip = null, qStar = null;
        var header = acceptEncoding.AsSpan();
        foreach (var itemRange in header.Split(','))
        {
            var item = header[itemRange];
            int semi = item.IndexOf(';');
            var name = (semi < 0 ? item : item[..semi]).Trim();
            if (!TryQuality(semi < 0 ? default : item[(semi + 1)..], out double q)) continue;   // a malformed q: ignore the item
            if (name.Equals("br", StringComparison.OrdinalIgnoreCase)) qBr = q;
            else if (name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase)) qGzip = q;
            else if (name is "*") qStar = q;
        }
        double br = brotli ? qBr ?? qStar ?? 0 : 0;
        double gz = gzip ? qGzip ?? qStar ?? 0 : 0;
        if (br <= 0 && gz <= 0) return Coding.Identity;
        return br >= gz ? Coding.Brotli : Coding.Gzip;
    }

    /// <summary>Reads <c>q=</c> from the parameters after a coding (1 when absent); false when it is not a number in [0, 1].</summary>
    private static bool TryQuality(ReadOnlySpan<char> parameters, out double q)
    {
        q = 1;
        foreach (var range in parameters.Split(';'))
        {
            var p = parameters[range].Trim();
            if (p.Length < 2 || (p[0] is not ('q' or 'Q')) || p[1] != '=') continue;
            return double.TryParse(p[2..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out q) && q is >= 0 and <= 1;
        }
        return true;
    }

    private static byte[] Brotli(ReadOnlySpan<byte> source, CompressionLevel level)
    {
        int quality = level switch { CompressionLevel.Fastest => 1, CompressionLevel.SmallestSize => 11, _ => 4 };
        var buffer = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(source.Length));
        try
        {
            if (!BrotliEncoder.TryCompress(source, buffer, out int written, quality, window: 22))
                throw new InvalidOperationException("Brotli compression failed.");
            return buffer.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlyMemory<byte> Gzip(ReadOnlySpan<byte> source, CompressionLevel level)
    {
        var output = new MemoryStream(source.Length / 2 + 64);
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
            gzip.Write(source);
        return new ReadOnlyMemory<byte>(output.GetBuffer(), 0, (int)output.Length);
    }
}
