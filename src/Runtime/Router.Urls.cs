using System.Globalization;
using System.Text;
using Kiln.Shared;

namespace Kiln;

// The part of the generated-code contract that the typed URL builders (AppRouter.Urls.<Type>.<Method>) call:
// value formatting in the form the router parses, and a writer that percent-encodes by Kiln.Shared.UrlEncoding (the
// inverse of the router's decoding). Protected, so only generated routers (and their nested Urls classes) see it.
public abstract partial class Router
{
    /// <summary>
    /// Writes one URL for a generated builder: literal text encoded at build time, route values and query values
    /// encoded here. A value that no URL can carry so that the router reads it back (an empty or dot segment, a NUL
    /// in the path, a pattern value that would split elsewhere, a lone surrogate) throws <see cref="ArgumentException"/>
    /// instead of producing a URL that reaches another route or binds another value.
    /// </summary>
    protected sealed class UrlWriter
    {
        private readonly StringBuilder _url;
        private bool _hasQuery;

        /// <summary>Starts a URL with the template's first literal text (already encoded).</summary>
        /// <param name="encodedPrefix">The encoded text, starting with <c>/</c>.</param>
        public UrlWriter(string encodedPrefix) => _url = new StringBuilder(encodedPrefix, Math.Max(64, encodedPrefix.Length * 2));

        /// <summary>Appends literal template text that the generator has already encoded.</summary>
        /// <param name="encoded">The encoded text.</param>
        /// <returns>This writer.</returns>
        public UrlWriter Literal(string encoded)
        {
            _url.Append(encoded);
            return this;
        }

        /// <summary>Appends a whole segment's value (<c>&lt;id&gt;</c>): not empty, not <c>.</c> or <c>..</c>, no NUL.</summary>
        /// <param name="name">The parameter name (for the exception).</param>
        /// <param name="value">The formatted value.</param>
        /// <returns>This writer.</returns>
        public UrlWriter Segment(string name, string value)
        {
            CheckSegmentText(name, value);
            UrlEncoding.AppendSegment(_url, value);
            return this;
        }

        /// <summary>
        /// Appends a catch-all's value (<c>&lt;*path&gt;</c>): its <c>/</c> stay separators, except that when a piece
        /// between them is <c>.</c> or <c>..</c> every <c>/</c> is written as <c>%2F</c> (which the router turns back
        /// into <c>/</c>), so no dot segment is resolved away. The value may be empty; it may not be <c>.</c>, <c>..</c>
        /// or contain NUL.
        /// </summary>
        /// <param name="name">The parameter name (for the exception).</param>
        /// <param name="value">The value.</param>
        /// <returns>This writer.</returns>
        public UrlWriter Rest(string name, string value)
        {
            ArgumentNullException.ThrowIfNull(value, name);
            if (value.Contains('\0')) throw new ArgumentException("A path cannot carry NUL characters.", name);
            if (UrlEncoding.IsDotSegment(value))
                throw new ArgumentException($"'{value}' cannot be written as a path: the router resolves dot segments (RFC 3986), in any encoding.", name);
            var pieces = value.Split('/');
            if (Array.Exists(pieces, UrlEncoding.IsDotSegment))
            {
                UrlEncoding.AppendSegment(_url, value);   // every '/' as %2F: one segment, never a dot segment
                return this;
            }
            for (int i = 0; i < pieces.Length; i++)
            {
                if (i > 0) _url.Append('/');
                UrlEncoding.AppendSegment(_url, pieces[i]);
            }
            return this;
        }

        /// <summary>
        /// Appends a pattern segment (<c>img-&lt;id&gt;.png</c>, <c>&lt;name&gt;.&lt;ext&gt;</c>): literal text and values
        /// alternating, <paramref name="startsWithLiteral"/> saying which comes first. The segment is checked by the
        /// router's own split (<see cref="ValueGrammar.PeelRight"/>, from the right); values it would split
        /// differently throw.
        /// </summary>
        /// <param name="template">The segment as written in the template (for the exception).</param>
        /// <param name="startsWithLiteral">Whether <paramref name="parts"/>[0] is literal text.</param>
        /// <param name="parts">Literal text (not encoded) and formatted values, alternating.</param>
        /// <returns>This writer.</returns>
        public UrlWriter Pattern(string template, bool startsWithLiteral, params string[] parts)
        {
            // The segment as the router sees it after decoding: UTF-8, with '/' and '%' of values kept as %2F and %25.
            var view = new List<byte>();
            var valueRanges = new List<(int Start, int End)>();
            var separators = new List<string>();
            string? prefix = null, suffix = null;
            for (int i = 0; i < parts.Length; i++)
            {
                bool literal = (i % 2 == 0) == startsWithLiteral;
                string part = parts[i];
                if (literal)
                {
                    if (i == 0) prefix = part;
                    else if (i == parts.Length - 1) suffix = part;
                    else separators.Add(part);
                    view.AddRange(Encoding.UTF8.GetBytes(part));
                    continue;
                }
                ArgumentNullException.ThrowIfNull(part, template);
                if (part.Length == 0) throw new ArgumentException($"A value in the segment '{template}' cannot be empty: the router never matches an empty value.", template);
                if (part.Contains('\0')) throw new ArgumentException("A path cannot carry NUL characters.", template);
                int start = view.Count;
                foreach (byte b in Utf8Strict(part))
                {
                    if (b == '/') view.AddRange("%2F"u8.ToArray());
                    else if (b == '%') view.AddRange("%25"u8.ToArray());
                    else view.Add(b);
                }
                valueRanges.Add((start, view.Count));
            }
            var segment = view.ToArray().AsSpan();
            if (UrlEncoding.IsDotSegment(Encoding.UTF8.GetString(segment)))
                throw new ArgumentException($"The segment '{template}' cannot be '.' or '..': the router resolves dot segments.", template);
            // Replay the router's split: prefix, suffix, then the values from the right.
            int from = prefix is null ? 0 : Encoding.UTF8.GetByteCount(prefix);
            int end = segment.Length - (suffix is null ? 0 : Encoding.UTF8.GetByteCount(suffix));
            bool same = end >= from;
            for (int k = valueRanges.Count - 1; same && k > 0; k--)
            {
                int valueEnd = end;
                same = ValueGrammar.PeelRight(segment, from, ref end, Encoding.UTF8.GetBytes(separators[k - 1]), out int valueStart)
                    && valueStart == valueRanges[k].Start && valueEnd == valueRanges[k].End;
            }
            same = same && from == valueRanges[0].Start && end == valueRanges[0].End;
            if (!same)
                throw new ArgumentException($"These values cannot be written in the segment '{template}' so that the router splits them back the same way "
                    + "(it splits from the right at the last separator): a value contains the literal text that follows the previous value.", template);
            for (int i = 0; i < parts.Length; i++) UrlEncoding.AppendSegment(_url, parts[i]);
            return this;
        }

        /// <summary>Appends <c>key=value</c> to the query (nothing when <paramref name="value"/> is null).</summary>
        /// <param name="encodedKey">The query key, already encoded.</param>
        /// <param name="value">The formatted value, or null to leave the key out.</param>
        /// <returns>This writer.</returns>
        public UrlWriter Query(string encodedKey, string? value)
        {
            if (value is null) return this;
            _url.Append(_hasQuery ? '&' : '?').Append(encodedKey).Append('=');
            _hasQuery = true;
            UrlEncoding.AppendQueryComponent(_url, value);
            return this;
        }

        /// <summary>The URL (path and query).</summary>
        /// <returns>The URL.</returns>
        public override string ToString() => _url.ToString();

        private static void CheckSegmentText(string name, string value)
        {
            ArgumentNullException.ThrowIfNull(value, name);
            if (value.Length == 0) throw new ArgumentException("A route value cannot be empty: the router never matches an empty segment.", name);
            if (UrlEncoding.IsDotSegment(value))
                throw new ArgumentException($"'{value}' cannot be a path segment: the router resolves dot segments (RFC 3986), in any encoding.", name);
            if (value.Contains('\0')) throw new ArgumentException("A path cannot carry NUL characters.", name);
        }

        private static byte[] Utf8Strict(string text)
        {
            try
            {
                return s_strictUtf8.GetBytes(text);
            }
            catch (EncoderFallbackException e)
            {
                throw new ArgumentException("The text contains a lone surrogate (invalid UTF-16), which no URL can carry.", nameof(text), e);
            }
        }

        private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    }

    /// <summary>Formats a route or query value for a URL: invariant, in the form the router parses (integers, decimal, Guid "D", other <see cref="IFormattable"/> types).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    protected static string UrlValue<T>(T value) => value switch
    {
        null => throw new ArgumentNullException(nameof(value)),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? throw new ArgumentException("The value formats as null.", nameof(value)),
    };

    /// <summary>Formats a boolean as <c>true</c> or <c>false</c>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    protected static string UrlValue(bool value) => value ? "true" : "false";

    /// <summary>Formats a double so that it parses back to the same value; NaN and infinities have no URL form and throw.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    protected static string UrlValue(double value) => double.IsFinite(value)
        ? value.ToString("R", CultureInfo.InvariantCulture)
        : throw new ArgumentOutOfRangeException(nameof(value), value, "NaN and infinities cannot be written in a URL that the router parses.");

    /// <summary>Formats a float so that it parses back to the same value; NaN and infinities have no URL form and throw.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    protected static string UrlValue(float value) => float.IsFinite(value)
        ? value.ToString("R", CultureInfo.InvariantCulture)
        : throw new ArgumentOutOfRangeException(nameof(value), value, "NaN and infinities cannot be written in a URL that the router parses.");

    /// <summary>Formats a date as <c>yyyy-MM-dd</c>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    protected static string UrlValue(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Formats a date-time in ISO 8601 (round-trip form): a UTC value with <c>Z</c>, an unspecified one as written,
    /// and a local one as its UTC instant (the router never uses the server's local time).
    /// </summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    protected static string UrlValue(DateTime value) =>
        (value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value).ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Formats a date-time with offset in ISO 8601 (round-trip form, offset kept).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    protected static string UrlValue(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);
}
