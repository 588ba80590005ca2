using System.Collections.Frozen;

namespace Kiln;

/// <summary>The built-in table of content types by file extension, used by <see cref="StaticFiles"/>.</summary>
public static class ContentTypes
{
    /// <summary>The type for an unknown extension.</summary>
    public const string Default = "application/octet-stream";

    /// <summary>Extension (with the dot, case-insensitive) → Content-Type. Text types carry <c>charset=utf-8</c>.</summary>
    public static FrozenDictionary<string, string> ByExtension { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".htm"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".map"] = "application/json; charset=utf-8",
        [".webmanifest"] = "application/manifest+json; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
        [".md"] = "text/markdown; charset=utf-8",
        [".csv"] = "text/csv; charset=utf-8",
        [".xml"] = "application/xml; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".avif"] = "image/avif",
        [".ico"] = "image/x-icon",
        [".bmp"] = "image/bmp",
        [".woff"] = "font/woff",
        [".woff2"] = "font/woff2",
        [".ttf"] = "font/ttf",
        [".otf"] = "font/otf",
        [".mp3"] = "audio/mpeg",
        [".ogg"] = "audio/ogg",
        [".wav"] = "audio/wav",
        [".mp4"] = "video/mp4",
        [".webm"] = "video/webm",
        [".pdf"] = "application/pdf",
        [".zip"] = "application/zip",
        [".gz"] = "application/gzip",
        [".tgz"] = "application/gzip",
        [".br"] = "application/octet-stream",
        [".tar"] = "application/x-tar",
        [".7z"] = "application/x-7z-compressed",
        [".wasm"] = "application/wasm",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The Content-Type for <paramref name="path"/>'s extension, or <see cref="Default"/>.</summary>
    /// <param name="path">A file name or path.</param>
    /// <returns>The Content-Type.</returns>
    public static string ForPath(string path)
        => ByExtension.TryGetValue(Path.GetExtension(path), out var type) ? type : Default;
}
