// The URL encoding rules, linked as source into both Kiln.Generator (netstandard2.0) and Kiln (the runtime): the
// inverse of how the router reads a request-target. The generator encodes a template's literal text at build time,
// the runtime encodes route and query values when a generated URL builder runs; both must write exactly what the
// router's decoding (Kiln.Routing.PathNormalizer, RoutePath.Decode, QueryCollection) turns back into the same text.
// Keep it netstandard2.0-clean.
using System;
using System.Text;

namespace Kiln.Shared
{
    /// <summary>
    /// Percent-encoding for path segments and query components (RFC 3986). Kept as they are: unreserved characters
    /// (<c>A-Z a-z 0-9 - . _ ~</c>) and the sub-delimiters and <c>:</c> <c>@</c> that the component allows; every
    /// other byte of the text's UTF-8 form is written as <c>%XX</c> (upper-case hex). Inside a segment that includes
    /// <c>/</c>, <c>?</c>, <c>#</c>, <c>%</c>, space and every non-ASCII character; inside a query component also
    /// <c>&amp;</c>, <c>=</c> and <c>+</c> (the router reads <c>+</c> as a space).
    /// </summary>
    internal static class UrlEncoding
    {
        private const string Hex = "0123456789ABCDEF";

        // Strict UTF-8: a lone surrogate cannot be written as a URL the router reads back, so it throws.
        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        /// <summary>Whether the ASCII byte <paramref name="b"/> stays as it is inside a path segment (RFC 3986 <c>pchar</c>).</summary>
        public static bool IsSegmentSafe(byte b) => IsUnreserved(b) || b == '!' || b == '$' || b == '&' || b == '\'' || b == '(' || b == ')'
            || b == '*' || b == '+' || b == ',' || b == ';' || b == '=' || b == ':' || b == '@';

        /// <summary>
        /// Whether the ASCII byte <paramref name="b"/> stays as it is inside a query key or value: <c>pchar</c>, <c>/</c>
        /// and <c>?</c>, without the separators <c>&amp;</c> and <c>=</c> and without <c>+</c>.
        /// </summary>
        public static bool IsQuerySafe(byte b) => IsUnreserved(b) || b == '!' || b == '$' || b == '\'' || b == '(' || b == ')'
            || b == '*' || b == ',' || b == ';' || b == ':' || b == '@' || b == '/' || b == '?';

        private static bool IsUnreserved(byte b) =>
            (uint)(b - 'a') <= 'z' - 'a' || (uint)(b - 'A') <= 'Z' - 'A' || (uint)(b - '0') <= 9 || b == '-' || b == '.' || b == '_' || b == '~';

        /// <summary>Appends <paramref name="text"/> encoded as (part of) one path segment: a <c>/</c> in it becomes <c>%2F</c>.</summary>
        /// <exception cref="ArgumentException">The text is not valid UTF-16 (a lone surrogate).</exception>
        public static void AppendSegment(StringBuilder output, string text) => Append(output, text, query: false);

        /// <summary>Appends <paramref name="text"/> encoded as a query key or value.</summary>
        /// <exception cref="ArgumentException">The text is not valid UTF-16 (a lone surrogate).</exception>
        public static void AppendQueryComponent(StringBuilder output, string text) => Append(output, text, query: true);

        /// <summary><paramref name="text"/> encoded as (part of) one path segment.</summary>
        public static string EncodeSegment(string text)
        {
            var output = new StringBuilder(text.Length + 8);
            AppendSegment(output, text);
            return output.ToString();
        }

        /// <summary><paramref name="text"/> encoded as a query key or value.</summary>
        public static string EncodeQueryComponent(string text)
        {
            var output = new StringBuilder(text.Length + 8);
            AppendQueryComponent(output, text);
            return output.ToString();
        }

        /// <summary>Whether <paramref name="segment"/> is a dot segment (<c>.</c> or <c>..</c>), which the router removes (RFC 3986 §5.2.4) in any encoding.</summary>
        public static bool IsDotSegment(string segment) => segment == "." || segment == "..";

        private static void Append(StringBuilder output, string text, bool query)
        {
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (c < 0x80)
                {
                    byte b = (byte)c;
                    if (query ? IsQuerySafe(b) : IsSegmentSafe(b)) output.Append(c);
                    else AppendEscape(output, b);
                    i++;
                    continue;
                }
                // A run of non-ASCII characters: its UTF-8 bytes, each escaped.
                int start = i;
                while (i < text.Length && text[i] >= 0x80) i++;
                byte[] bytes;
                try
                {
                    bytes = Utf8.GetBytes(text.Substring(start, i - start));
                }
                catch (EncoderFallbackException e)
                {
                    throw new ArgumentException("The text contains a lone surrogate (invalid UTF-16), which no URL can carry.", nameof(text), e);
                }
                foreach (byte b in bytes) AppendEscape(output, b);
            }
        }

        private static void AppendEscape(StringBuilder output, byte b) => output.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
    }
}
