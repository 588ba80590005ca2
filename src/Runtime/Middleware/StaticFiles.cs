using System.Buffers;
using System.Globalization;
using System.Text;

namespace Kiln;

/// <summary>Options of <see cref="StaticFiles"/>.</summary>
public sealed class StaticFileOptions
{
    /// <summary>
    /// The URL path under which the directory is served when used as middleware (<c>/files</c> serves
    /// <c>/files/a.txt</c> from <c>root/a.txt</c>). <c>/</c> (the default) serves the whole URL space; requests that
    /// match no file fall through to the next handler.
    /// </summary>
    public string RequestPathPrefix { get; init; } = "/";

    /// <summary>
    /// Files up to this size are read into memory and sent with a Content-Length; larger ones are streamed from disk
    /// with chunked transfer coding. 1 MiB by default.
    /// </summary>
    public long MaxBufferedFileSize { get; init; } = 1024 * 1024;

    /// <summary>Whether names starting with a dot (<c>.env</c>, <c>.git/</c>) are served. Off by default.</summary>
    public bool ServeHiddenFiles { get; init; }

    /// <summary>The file served for a directory, or <see langword="null"/> to serve no directories. <c>index.html</c> by default.</summary>
    public string? IndexFile { get; init; } = "index.html";

    /// <summary>A Cache-Control value added to every file response (none by default).</summary>
    public string? CacheControl { get; init; }

    /// <summary>Extra or overriding extension → Content-Type mappings (extension with the dot), consulted before <see cref="ContentTypes"/>.</summary>
    public IReadOnlyDictionary<string, string>? ContentTypes { get; init; }
}

/// <summary>
/// Serves files from a directory: as middleware under a URL prefix, or from a route (<c>/files/&lt;*path&gt;</c>)
/// through <see cref="ServeAsync"/>. Answers GET and HEAD with content types by extension, a weak ETag and
/// Last-Modified (304 for If-None-Match / If-Modified-Since) and single byte ranges (206 / 416).
/// </summary>
/// <remarks>
/// <para>Safety: a relative path is refused (404) when it has <c>..</c> or <c>.</c> segments, a backslash, a NUL, is
/// rooted, or names a hidden file; then the path is resolved component by component through every symbolic link,
/// and the file is served only when the final resolved path is inside the root's own resolved path. Links that
/// stay inside the root work.</para>
/// <para>Bodies: files up to <see cref="StaticFileOptions.MaxBufferedFileSize"/> are read into an exact-size array
/// and sent as bytes, so the client gets a Content-Length (and a progress bar); larger files are streamed with
/// <see cref="HttpResponse.Stream"/>, which the server sends chunked, so memory stays flat.</para>
/// <para>Ranges: one range (<c>bytes=a-b</c>, <c>bytes=a-</c>, <c>bytes=-n</c>) gets 206 with Content-Range; a range
/// beyond the end gets 416 with <c>Content-Range: bytes */length</c>. Multiple ranges and malformed Range headers are
/// ignored and the whole file is sent with 200 (RFC 9110 allows this; multipart/byteranges is not implemented).
/// <c>If-Range</c> is honoured with a date equal to Last-Modified; the ETag is weak, so an ETag in If-Range never
/// matches and the whole file is sent.</para>
/// </remarks>
public sealed class StaticFiles : IMiddleware
{
    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];
    private const int MaxLinks = 40;   // as Linux's ELOOP limit

    private readonly StaticFileOptions _options;
    private readonly string _realRoot;
    private readonly string _prefix;
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Serves the directory <paramref name="root"/>.</summary>
    /// <param name="root">The directory; relative paths are taken from the current directory. It must exist.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    public StaticFiles(string root, StaticFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _options = options ?? new StaticFileOptions();
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"The static files root '{full}' does not exist.");
        _realRoot = Path.TrimEndingDirectorySeparator(RealPath(full) ?? throw new IOException($"Cannot resolve '{full}' (too many links)."));
        var prefix = _options.RequestPathPrefix;
        if (prefix.Length == 0 || prefix[0] != '/') throw new ArgumentException("RequestPathPrefix must start with '/'.", nameof(options));
        _prefix = prefix.TrimEnd('/');
    }

    /// <summary>The root directory, fully resolved (symbolic links followed).</summary>
    public string Root => _realRoot;

    /// <summary>
    /// Serves the file at <paramref name="relativePath"/> under the root (for a route such as
    /// <c>[Get("/files/&lt;*path&gt;")]</c>): the file, 304, 206, 416, 405 for methods other than GET and HEAD, or 404.
    /// </summary>
    /// <param name="request">The request (method, conditional and Range headers).</param>
    /// <param name="relativePath">The path under the root, <c>/</c>-separated, already percent-decoded.</param>
    /// <returns>The response.</returns>
    public ValueTask<HttpResponse> ServeAsync(Request request, string relativePath)
    {
        if (!IsGetOrHead(request.Method))
            return new(HttpResponse.Text("Method Not Allowed", 405).WithHeader("Allow", "GET, HEAD"));
        var file = Resolve(relativePath);
        return file is null ? new(HttpResponse.NotFound()) : ServeFileAsync(request, file);
    }

    /// <summary>
    /// Serves GET and HEAD requests under <see cref="StaticFileOptions.RequestPathPrefix"/> that name a file; every
    /// other request goes to <paramref name="next"/>.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="next">The rest of the pipeline.</param>
    /// <returns>The response.</returns>
    public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        if (!IsGetOrHead(request.Method) || request.Path is not { } path) return next(request);
        string rest;
        if (_prefix.Length == 0) rest = path;
        else if (path.StartsWith(_prefix, StringComparison.Ordinal) && (path.Length == _prefix.Length || path[_prefix.Length] == '/'))
            rest = path[_prefix.Length..];
        else return next(request);
        var file = Resolve(DecodeKeptEscapes(rest.TrimStart('/')));
        return file is null ? next(request) : ServeFileAsync(request, file);
    }

    private static bool IsGetOrHead(string method) => ReferenceEquals(method, HttpMethods.Get) || ReferenceEquals(method, HttpMethods.Head);

    // Request.Path keeps %2F and %25 encoded so a route segment cannot be split; a file path may have both.
    private static string DecodeKeptEscapes(string path)
    {
        if (!path.Contains('%')) return path;
        var sb = new StringBuilder(path.Length);
        for (int i = 0; i < path.Length; i++)
        {
            if (path[i] == '%' && i + 2 < path.Length)
            {
                var code = path.AsSpan(i + 1, 2);
                if (code.Equals("2F", StringComparison.OrdinalIgnoreCase)) { sb.Append('/'); i += 2; continue; }
                if (code.Equals("25", StringComparison.Ordinal)) { sb.Append('%'); i += 2; continue; }
            }
            sb.Append(path[i]);
        }
        return sb.ToString();
    }

    /// <summary>The resolved path of the file <paramref name="relativePath"/> names, or <see langword="null"/> when it must not be served.</summary>
    internal string? Resolve(string relativePath)
    {
        if (relativePath.AsSpan().IndexOfAny('\0', '\\') >= 0 || Path.IsPathRooted(relativePath)) return null;
        var sb = new StringBuilder(_realRoot.Length + relativePath.Length + 1).Append(_realRoot);
        foreach (var segment in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment is "." or "..") return null;
            if (segment[0] == '.' && !_options.ServeHiddenFiles) return null;
            if (OperatingSystem.IsWindows() && segment.AsSpan().IndexOfAny(":*?\"<>|") >= 0) return null;
            sb.Append(Path.DirectorySeparatorChar).Append(segment);
        }
        var real = RealPath(sb.ToString());
        if (real is null || !IsInsideRoot(real)) return null;
        if (Directory.Exists(real))
        {
            if (_options.IndexFile is null) return null;
            real = RealPath(Path.Join(real, _options.IndexFile));
            if (real is null || !IsInsideRoot(real)) return null;
        }
        return File.Exists(real) ? real : null;
    }

    private bool IsInsideRoot(string real)
        => real.Length == _realRoot.Length ? real.Equals(_realRoot, PathComparison)
         : real.Length > _realRoot.Length && real.StartsWith(_realRoot, PathComparison)
           // a root that is itself a filesystem root ("/") already ends with the separator
           && (Array.IndexOf(Separators, _realRoot[^1]) >= 0 || Array.IndexOf(Separators, real[_realRoot.Length]) >= 0);

    /// <summary>
    /// Resolves every symbolic link in the absolute <paramref name="path"/>, component by component, as
    /// <c>realpath(3)</c> does (a <c>..</c> inside a link target applies to the resolved directory). Components that
    /// do not exist are kept as they are. <see langword="null"/> when links nest too deep or cannot be read.
    /// </summary>
    internal static string? RealPath(string path)
    {
        var root = Path.GetPathRoot(path);
        if (string.IsNullOrEmpty(root)) return null;
        var pending = new Stack<string>();
        PushComponents(pending, path.AsSpan(root.Length));
        string current = root;
        int links = 0;
        try
        {
            while (pending.TryPop(out var component))
            {
                if (component is "" or ".") continue;
                if (component == "..")
                {
                    current = Path.GetDirectoryName(current) ?? current;
                    continue;
                }
                var next = Path.Join(current, component);
                var target = new FileInfo(next).LinkTarget;
                if (target is null)
                {
                    current = next;
                    continue;
                }
                if (++links > MaxLinks) return null;
                if (Path.IsPathRooted(target))
                {
                    var targetRoot = Path.GetPathRoot(target)!;
                    current = targetRoot;
                    PushComponents(pending, target.AsSpan(targetRoot.Length));
                }
                else PushComponents(pending, target);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return current;
    }

    private static void PushComponents(Stack<string> pending, ReadOnlySpan<char> path)
    {
        var parts = path.ToString().Split(Separators, StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }

    private async ValueTask<HttpResponse> ServeFileAsync(Request request, string path)
    {
        FileInfo info = new(path);
        long length;
        DateTime modified;
        try
        {
            length = info.Length;
            modified = info.LastWriteTimeUtc;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HttpResponse.NotFound();
        }
        var lastModified = new DateTime(modified.Ticks - modified.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        string etag = "W/\"" + length.ToString("x", CultureInfo.InvariantCulture) + "-" + modified.Ticks.ToString("x", CultureInfo.InvariantCulture) + "\"";
        string lastModifiedText = lastModified.ToString("r", CultureInfo.InvariantCulture);

        if (NotModified(request, etag, lastModified))
            return WithValidators(HttpResponse.Status(304), etag, lastModifiedText);

        string contentType = ContentTypeFor(path);
        long start = 0, count = length;
        int status = 200;
        string? contentRange = null;
        if (ReferenceEquals(request.Method, HttpMethods.Get) && request.Headers["Range"] is { } range && IfRangeHolds(request, lastModified))
        {
            switch (ParseRange(range, length, out long first, out long last))
            {
                case RangeResult.Unsatisfiable:
                    return WithValidators(HttpResponse.Text("Range Not Satisfiable", 416), etag, lastModifiedText)
                        .WithHeader("Content-Range", "bytes */" + length.ToString(CultureInfo.InvariantCulture));
                case RangeResult.Satisfiable:
                    start = first;
                    count = last - first + 1;
                    status = 206;
                    contentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {first}-{last}/{length}");
                    break;
            }
        }

        HttpResponse response;
        if (count <= _options.MaxBufferedFileSize)
        {
            byte[] body = new byte[count];
            int read = 0;
            try
            {
                using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
                while (read < body.Length)
                {
                    int n = await RandomAccess.ReadAsync(handle, body.AsMemory(read), start + read, request.Aborted).ConfigureAwait(false);
                    if (n == 0) break;   // the file shrank since it was measured
                    read += n;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return HttpResponse.NotFound();
            }
            response = HttpResponse.Bytes(body.AsMemory(0, read), contentType, status);
        }
        else
        {
            response = HttpResponse.Stream((stream, ct) => CopyAsync(path, start, count, stream, ct), contentType, status);
        }

        response = WithValidators(response, etag, lastModifiedText).WithHeader("Accept-Ranges", "bytes");
        if (contentRange is not null) response = response.WithHeader("Content-Range", contentRange);
        return response;
    }

    private HttpResponse WithValidators(HttpResponse response, string etag, string lastModified)
    {
        response = response.WithHeader("ETag", etag).WithHeader("Last-Modified", lastModified);
        return _options.CacheControl is { } cc ? response.WithHeader("Cache-Control", cc) : response;
    }

    private string ContentTypeFor(string path)
    {
        var ext = Path.GetExtension(path);
        if (_options.ContentTypes is { } extra && extra.TryGetValue(ext, out var custom)) return custom;
        return ContentTypes.ForPath(path);
    }

    private static async ValueTask CopyAsync(string path, long start, long count, Stream body, CancellationToken ct)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long position = start, remaining = count;
            while (remaining > 0)
            {
                int n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), position, ct).ConfigureAwait(false);
                if (n == 0) break;
                await body.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                position += n;
                remaining -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>RFC 9110 §13.2.2: If-None-Match (weak comparison) wins over If-Modified-Since.</summary>
    private static bool NotModified(Request request, string etag, DateTime lastModified)
    {
        if (request.Headers["If-None-Match"] is { } inm)
        {
            foreach (var candidate in inm.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (candidate == "*" || Opaque(candidate).SequenceEqual(Opaque(etag))) return true;
            return false;
        }
        return request.Headers["If-Modified-Since"] is { } ims && TryParseHttpDate(ims, out var since) && lastModified <= since;
    }

    private static ReadOnlySpan<char> Opaque(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag.AsSpan(2) : tag;

    private static bool IfRangeHolds(Request request, DateTime lastModified)
    {
        if (request.Headers["If-Range"] is not { } ifRange) return true;
        // Our ETag is weak and If-Range needs a strong match, so only an exact date can hold.
        return TryParseHttpDate(ifRange, out var date) && date == lastModified;
    }

    private static bool TryParseHttpDate(string value, out DateTime date)
    {
        bool ok = DateTime.TryParseExact(value.Trim(), "r", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out date);
        date = DateTime.SpecifyKind(date, DateTimeKind.Utc);
        return ok;
    }

    internal enum RangeResult { Ignore, Satisfiable, Unsatisfiable }

    /// <summary>Parses a single <c>bytes=</c> range against <paramref name="length"/>; anything else is ignored.</summary>
    internal static RangeResult ParseRange(string header, long length, out long first, out long last)
    {
        first = last = 0;
        var spec = header.AsSpan().Trim();
        if (!spec.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return RangeResult.Ignore;
        spec = spec[6..].Trim();
        if (spec.Contains(',')) return RangeResult.Ignore;   // multiple ranges: send the whole file
        int dash = spec.IndexOf('-');
        if (dash < 0) return RangeResult.Ignore;
        var a = spec[..dash].Trim();
        var b = spec[(dash + 1)..].Trim();
        if (a.IsEmpty)
        {
            if (!TryDigits(b, out long suffix)) return RangeResult.Ignore;
            if (suffix == 0 || length == 0) return RangeResult.Unsatisfiable;
            first = Math.Max(0, length - suffix);
            last = length - 1;
            return RangeResult.Satisfiable;
        }
        if (!TryDigits(a, out first)) return RangeResult.Ignore;
        if (b.IsEmpty) last = long.MaxValue;
        else if (!TryDigits(b, out last) || last < first) return RangeResult.Ignore;
        if (first >= length) return RangeResult.Unsatisfiable;
        last = Math.Min(last, length - 1);
        return RangeResult.Satisfiable;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.IsEmpty) return false;
        foreach (char c in text)
        {
            if (c is < '0' or > '9') return false;
            // Saturate instead of overflowing: a huge position is simply past the end.
            value = value > (long.MaxValue - 9) / 10 ? long.MaxValue : value * 10 + (c - '0');
        }
        return true;
    }
}
