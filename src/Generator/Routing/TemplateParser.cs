using System.Collections.Generic;
using System.Collections.Immutable;

namespace Kiln.Generator.Routing
{
    /// <summary>
    /// Parses route templates. Grammar: <c>"/" | ("/" segment)+</c>; a segment is literal text and
    /// <c>&lt;name&gt;</c> parameters (at least one literal character between two parameters), or a lone
    /// <c>&lt;*name&gt;</c> catch-all as the last segment. Literal characters are RFC 3986 pchars (without
    /// percent-encoding) or non-ASCII text, compared against the decoded path.
    /// </summary>
    internal static class TemplateParser
    {
        public static (RouteTemplate? Template, ImmutableArray<TemplateError> Errors) Parse(string text)
        {
            var errors = ImmutableArray.CreateBuilder<TemplateError>();
            if (text.Length == 0 || text[0] != '/')
            {
                errors.Add(Malformed("A template must start with '/'; write \"/" + text.TrimStart('/') + "\".", 0, text.Length == 0 ? 0 : 1));
                return (null, errors.ToImmutable());
            }
            var segments = ImmutableArray.CreateBuilder<TemplateSegment>();
            var names = new HashSet<string>();
            if (text == "/")
                return (new RouteTemplate(text, EquatableArray<TemplateSegment>.Empty), errors.ToImmutable());

            int pos = 1;
            while (true)
            {
                int end = IndexOfSlashOutsideBrackets(text, pos);
                var segment = ParseSegment(text, pos, end, names, errors);
                if (segment is not null) segments.Add(segment);
                if (end == text.Length) break;
                pos = end + 1;
                if (pos == text.Length)
                {
                    errors.Add(Malformed("A template must not end with '/'; remove the trailing slash (requests with one are redirected, see docs/routing.md).", end, 1));
                    break;
                }
            }

            for (int i = 0; i < segments.Count - 1; i++)
            {
                foreach (var part in segments[i].Parts)
                    if (part.IsCatchAll)
                        errors.Add(Malformed("The catch-all <*" + part.Text + "> must be the last segment; move it to the end or make it a one-segment <" + part.Text + ">.", part.Offset, part.Text.Length + 3));
            }
            if (segments.Count > 60)
                errors.Add(Malformed("A template may have at most 60 segments.", 0, text.Length));

            return errors.Count > 0
                ? (null, errors.ToImmutable())
                : (new RouteTemplate(text, segments.ToImmutable()), errors.ToImmutable());
        }

        private static int IndexOfSlashOutsideBrackets(string text, int from)
        {
            bool inside = false;
            for (int i = from; i < text.Length; i++)
            {
                if (text[i] == '<') inside = true;
                else if (text[i] == '>') inside = false;
                else if (text[i] == '/' && !inside) return i;
            }
            return text.Length;
        }

        private static TemplateSegment? ParseSegment(string text, int start, int end, HashSet<string> names, ImmutableArray<TemplateError>.Builder errors)
        {
            if (start == end)
            {
                errors.Add(Malformed("Empty segment ('//'); remove the extra '/'.", start - 1, 2));
                return null;
            }
            var parts = ImmutableArray.CreateBuilder<TemplatePart>();
            int errorCount = errors.Count;
            int i = start;
            var literal = new System.Text.StringBuilder();
            int literalStart = start;
            while (i < end)
            {
                char c = text[i];
                if (c == '<')
                {
                    int close = text.IndexOf('>', i + 1);
                    int nextOpen = text.IndexOf('<', i + 1);
                    if (close < 0 || close > end || (nextOpen >= 0 && nextOpen < close))
                    {
                        errors.Add(Malformed("Unbalanced '<': close the parameter with '>' (for example <id>).", i, (close < 0 || close > end ? end : close) - i));
                        return null;
                    }
                    if (literal.Length > 0)
                    {
                        parts.Add(new TemplatePart(false, literal.ToString(), false, literalStart));
                        literal.Clear();
                    }
                    else if (parts.Count > 0)
                    {
                        errors.Add(Malformed("Two parameters need literal text between them (for example <name>.<ext>).", i, close - i + 1));
                    }
                    bool catchAll = i + 1 < close && text[i + 1] == '*';
                    string name = text.Substring(i + (catchAll ? 2 : 1), close - i - (catchAll ? 2 : 1));
                    if (name.Length == 0)
                        errors.Add(Malformed("A parameter needs a name: write <id>, not <>.", i, close - i + 1));
                    else if (!IsIdentifier(name))
                        errors.Add(Malformed(InvalidNameMessage(name, catchAll), i, close - i + 1));
                    else if (!names.Add(name))
                        errors.Add(new TemplateError(TemplateErrorKind.DuplicateParameter, "The parameter <" + name + "> appears twice; give each parameter its own name.", i, close - i + 1));
                    parts.Add(new TemplatePart(true, name, catchAll, i));
                    i = close + 1;
                    literalStart = i;
                    continue;
                }
                if (c == '>')
                {
                    errors.Add(Malformed("Unbalanced '>': open the parameter with '<'.", i, 1));
                    return null;
                }
                if (c == '{' && ForeignParameter(text, i, end) is { } foreign)
                {
                    errors.Add(foreign);
                    i += foreign.Length;
                    continue;
                }
                if (!IsLiteralChar(c))
                {
                    errors.Add(Malformed(c switch
                    {
                        '?' => "'?' starts a query string, and a template matches only the path; bind query values with method parameters (for example [Query] int page).",
                        '#' => "'#' starts a fragment, which clients never send; remove it.",
                        _ => "'" + Printable(c) + "' is not allowed in a template literal; use unreserved characters, or write the decoded character (templates match the percent-decoded path).",
                    }, i, 1));
                    i++;
                    continue;
                }
                literal.Append(c);
                i++;
            }
            if (literal.Length > 0) parts.Add(new TemplatePart(false, literal.ToString(), false, literalStart));
            if (errors.Count > errorCount) return null;

            var segment = new TemplateSegment(parts.ToImmutable());
            if (segment.IsLiteral && (segment.Parts[0].Text == "." || segment.Parts[0].Text == ".."))
            {
                errors.Add(Malformed("'.' and '..' segments never match: paths are normalized before matching.", start, end - start));
                return null;
            }
            foreach (var part in parts)
                if (part.IsCatchAll && parts.Count > 1)
                    errors.Add(Malformed("A catch-all <*" + part.Text + "> must be a whole segment, without a prefix or suffix.", part.Offset, part.Text.Length + 3));
            return segment;
        }

        /// <summary><c>{id}</c>, <c>{id:int}</c>, <c>{*path}</c>: ASP.NET Core's syntax, answered with Kiln's spelling.</summary>
        private static TemplateError? ForeignParameter(string text, int open, int end)
        {
            int close = text.IndexOf('}', open + 1);
            if (close < 0 || close >= end) return null;
            string inner = text.Substring(open + 1, close - open - 1);
            bool catchAll = inner.StartsWith("*", System.StringComparison.Ordinal);
            string name = inner.TrimStart('*');
            int cut = name.IndexOfAny(new[] { ':', '=', '?' });
            if (cut >= 0) name = name.Substring(0, cut);
            if (name.Length == 0 || !IsIdentifier(name)) return null;
            string kiln = "<" + (catchAll ? "*" : "") + name + ">";
            string typeNote = inner.IndexOf(':') >= 0 ? " (the method parameter's type is the constraint)" : "";
            return Malformed("'{" + inner + "}' is another framework's route syntax; Kiln writes parameters as " + kiln + typeNote + ".", open, close - open + 1);
        }

        private static string InvalidNameMessage(string name, bool catchAll)
        {
            int colon = name.IndexOf(':');
            if (colon > 0 && IsIdentifier(name.Substring(0, colon)))
            {
                string n = name.Substring(0, colon), type = name.Substring(colon + 1);
                return "'" + name + "' is not a valid parameter name: a template does not name types; write <" + (catchAll ? "*" : "") + n + "> and declare the method parameter as " + (type.Length > 0 ? type : "the type") + " " + n + ".";
            }
            if (name.Length > 1 && name[name.Length - 1] == '?' && IsIdentifier(name.Substring(0, name.Length - 1)))
                return "'" + name + "' is not a valid parameter name: a segment cannot be optional; write <" + name.Substring(0, name.Length - 1) + "> and serve the path without it from another method.";
            return "'" + name + "' is not a valid parameter name; use a C# identifier matching the method parameter (letters, digits, '_').";
        }

        private static string Printable(char c) => c < ' ' || c == 127 ? "\\u" + ((int)c).ToString("X4") : c.ToString();

        private static bool IsIdentifier(string name)
        {
            if (!(char.IsLetter(name[0]) || name[0] == '_')) return false;
            foreach (char c in name)
                if (!(char.IsLetterOrDigit(c) || c == '_')) return false;
            return true;
        }

        private static bool IsLiteralChar(char c)
        {
            if (c > 127) return !char.IsWhiteSpace(c) && !char.IsControl(c);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') return true;
            switch (c)
            {
                case '-': case '.': case '_': case '~':
                case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';': case '=':
                case ':': case '@':
                    return true;
                default:
                    return false;
            }
        }

        private static TemplateError Malformed(string message, int offset, int length)
            => new(TemplateErrorKind.Malformed, message, offset, length < 1 ? 1 : length);
    }
}
