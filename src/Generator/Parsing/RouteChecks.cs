using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Kiln.Generator.Model;
using Kiln.Generator.Routing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Generator.Parsing
{
    /// <summary>
    /// Checks for code that compiles but would misbehave at run time: each adds a diagnostic (with the fix in its
    /// message) instead of letting the router build something the author did not mean.
    /// </summary>
    internal static class RouteChecks
    {
        /// <summary>
        /// KILN031: <c>[Use&lt;T&gt;]</c> or <c>[RateLimit]</c> on a method with no route attribute. Only route methods
        /// get a handler the middleware could wrap, so the attribute would silently do nothing.
        /// </summary>
        public static EquatableArray<DiagnosticInfo> AttributeWithoutRoute(GeneratorAttributeSyntaxContext context, System.Threading.CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not IMethodSymbol method) return EquatableArray<DiagnosticInfo>.Empty;
            foreach (var attribute in method.GetAttributes())
                if (KnownTypes.RouteAttributes.Any(name => KnownTypes.Is(attribute.AttributeClass, name)))
                    return EquatableArray<DiagnosticInfo>.Empty;
            string display = method.ContainingType.Name + "." + method.Name;
            return context.Attributes
                .Select(a => DiagnosticInfo.Create(Diagnostics.AttributeWithoutRoute,
                    SourceSpan.From(a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation()), Display(a), display))
                .ToEquatableArray();
        }

        private static string Display(AttributeData attribute) =>
            attribute.AttributeClass is { IsGenericType: true, TypeArguments.Length: 1 } use
                ? "[Use<" + use.TypeArguments[0].ToDisplayString(KnownTypes.Short) + ">]"
                : "[RateLimit]";

        /// <summary>
        /// KILN018: a route attribute on a local function, lambda, accessor or operator. The generator routes only
        /// methods declared in a type, so anything else would be silently ignored.
        /// </summary>
        public static DiagnosticInfo? NotARouteMethod(IMethodSymbol method, SourceSpan? attribute)
        {
            string? what = method.MethodKind switch
            {
                MethodKind.Ordinary => null,
                MethodKind.LocalFunction => "The local function '" + method.Name + "'",
                MethodKind.AnonymousFunction => "A lambda",
                MethodKind.PropertyGet or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove
                    => "The accessor " + method.ContainingType.Name + "." + method.AssociatedSymbol?.Name + "." + AccessorKeyword(method.MethodKind),
                MethodKind.UserDefinedOperator or MethodKind.Conversion => "The operator " + method.ContainingType.Name + "." + method.Name,
                MethodKind.ExplicitInterfaceImplementation => null,   // KILN011: it is private to the type
                _ => "The " + method.MethodKind.ToString().ToLowerInvariant() + " " + method.ContainingType.Name + "." + method.Name,
            };
            return what is null ? null : DiagnosticInfo.Create(Diagnostics.NotARouteMethod, attribute, what);
        }

        private static string AccessorKeyword(MethodKind kind) => kind switch
        {
            MethodKind.PropertyGet => "get",
            MethodKind.PropertySet => "set",
            MethodKind.EventAdd => "add",
            _ => "remove",
        };

        /// <summary>Methods registered with IANA (and PURGE), which clients always send in upper case.</summary>
        private static readonly HashSet<string> s_knownMethods = new(System.StringComparer.Ordinal)
        {
            "ACL", "BASELINE-CONTROL", "BIND", "CHECKIN", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD", "LABEL",
            "LINK", "LOCK", "MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL", "MKREDIRECTREF", "MKWORKSPACE", "MOVE", "OPTIONS",
            "ORDERPATCH", "PATCH", "POST", "PRI", "PROPFIND", "PROPPATCH", "PURGE", "PUT", "QUERY", "REBIND", "REPORT",
            "SEARCH", "TRACE", "UNBIND", "UNCHECKOUT", "UNLINK", "UNLOCK", "UPDATE", "UPDATEREDIRECTREF", "VERSION-CONTROL",
        };

        /// <summary>KILN021: <c>[Route("get", …)]</c> — a known method in a case no client sends.</summary>
        public static DiagnosticInfo? MethodTokenCase(string method, SourceSpan? where)
        {
            string upper = method.ToUpperInvariant();
            return upper != method && s_knownMethods.Contains(upper)
                ? DiagnosticInfo.Create(Diagnostics.MethodTokenCase, where, method, upper)
                : null;
        }

        /// <summary>KILN025: methods whose request-target is never a path, so the server answers them before routing.</summary>
        public static DiagnosticInfo? UnroutableMethod(string method, SourceSpan? where)
        {
            string? why = method switch
            {
                "CONNECT" => "a CONNECT request names a host and port (authority-form), never a path, and the server answers it 400 before routing; Kiln is not a tunnelling proxy",
                "PRI" => "PRI is the HTTP/2 connection preface (PRI * HTTP/2.0), which the HTTP/1.1 server rejects before routing",
                _ => null,
            };
            return why is null ? null : DiagnosticInfo.Create(Diagnostics.UnroutableMethod, where, method, why);
        }

        /// <summary>
        /// KILN022: a whole literal segment written as another framework writes parameters — <c>:id</c> (Express,
        /// Rails, Go routers) or <c>*</c>/<c>**</c>/<c>*path</c> (wildcards) — which Kiln would match literally.
        /// </summary>
        public static void ForeignSyntax(RouteAttributeModel route, RouteTemplate template, List<DiagnosticInfo> diagnostics)
        {
            foreach (var segment in template.Segments)
            {
                if (!segment.IsLiteral) continue;
                var part = segment.Parts[0];
                string text = part.Text;
                string? kind = null, fix = null;
                if (text.Length > 1 && text[0] == ':' && IsIdentifier(text, 1))
                {
                    kind = "route parameters";
                    fix = "<" + text.Substring(1) + ">";
                }
                else if (text == "*" || text == "**")
                {
                    kind = "the rest of the path";
                    fix = "<*rest>";
                }
                else if (text.Length > 1 && text[0] == '*' && IsIdentifier(text, text.Length > 2 && text[1] == '*' ? 2 : 1))
                {
                    kind = "the rest of the path";
                    fix = "<*" + text.TrimStart('*') + ">";
                }
                if (kind is null) continue;
                var where = route.TemplateLocation is { } t ? t.Slice(part.Offset, text.Length) : route.TemplateOrArgument;
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ForeignTemplateSyntax, where, template.Text, text, kind, fix!));
            }
        }

        private static bool IsIdentifier(string text, int from)
        {
            if (from >= text.Length || !(char.IsLetter(text[from]) || text[from] == '_')) return false;
            for (int i = from; i < text.Length; i++)
                if (!(char.IsLetterOrDigit(text[i]) || text[i] == '_')) return false;
            return true;
        }

        /// <summary>Methods whose requests carry no body (RFC 9110 §9.3: GET and HEAD content has no meaning; TRACE must have none).</summary>
        private static readonly string[] s_bodiless = { "GET", "HEAD", "TRACE" };

        /// <summary>Methods whose content is allowed but has no defined meaning, so clients and proxies may drop it.</summary>
        private static readonly string[] s_bodyDiscouraged = { "DELETE", "OPTIONS" };

        /// <summary>KILN019/KILN020: a body parameter on a route whose requests carry no body (every such request would answer 400).</summary>
        public static void BodyOnBodilessRoute(IParameterSymbol parameter, string display, IReadOnlyList<RouteAttributeModel> routes, List<DiagnosticInfo> diagnostics)
        {
            var where = SourceSpan.From(parameter.Locations.FirstOrDefault());
            var bodiless = routes.FirstOrDefault(r => s_bodiless.Contains(r.Method));
            if (bodiless is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BodyOnBodilessMethod, where, parameter.Name, display, bodiless.Method, bodiless.Template));
                return;
            }
            var discouraged = routes.FirstOrDefault(r => s_bodyDiscouraged.Contains(r.Method));
            if (discouraged is not null)
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BodyOnDelete, where, parameter.Name, display, discouraged.Method, discouraged.Template));
        }

        /// <summary>KILN009: a <c>[Header]</c> name no request can carry, or an empty <c>[Query]</c> key (every request would answer 400).</summary>
        public static string? KeyProblem(ParameterSource source, string? key)
        {
            if (key is null) return null;
            if (source == ParameterSource.Query)
                return key.Length == 0 ? "[Query(\"\")] names no query key; give the key, or write [Query] to use the parameter's name" : null;
            foreach (char c in key)
            {
                bool token = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".IndexOf(c) >= 0;
                if (!token)
                    return "\"" + key + "\" is not a header field name a request can carry ('" + (c < ' ' ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString()) + "' is not allowed); use letters, digits and '-', for example [Header(\"X-Request-Id\")]";
            }
            return key.Length == 0 ? "[Header(\"\")] names no header; give the field name, for example [Header(\"X-Request-Id\")]" : null;
        }

        /// <summary>KILN023: a default value on a route parameter, which every matching path supplies.</summary>
        public static DiagnosticInfo? DefaultNeverApplies(IParameterSymbol parameter, string display, string template)
        {
            if (!parameter.HasExplicitDefaultValue) return null;
            var syntax = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as ParameterSyntax;
            var where = SourceSpan.From(syntax?.Default?.GetLocation() ?? parameter.Locations.FirstOrDefault());
            return DiagnosticInfo.Create(Diagnostics.DefaultNeverApplies, where, parameter.Name, display, template);
        }

        /// <summary>KILN024: <c>[RateLimit]</c> values the limiter's constructor rejects.</summary>
        public static void RateLimit(IMethodSymbol method, List<DiagnosticInfo> diagnostics)
        {
            foreach (var owner in RouteMethodParser.ClassScopes(method.ContainingType).Prepend<ISymbol>(method))
            {
                foreach (var a in owner.GetAttributes())
                {
                    if (!KnownTypes.Is(a.AttributeClass, "Kiln.RateLimitAttribute") || a.ConstructorArguments.Length != 2) continue;
                    if (a.ConstructorArguments[0].Value is not double perSecond || a.ConstructorArguments[1].Value is not int burst) continue;
                    string? problem = !(perSecond > 0) || double.IsInfinity(perSecond)
                        ? "perSecond must be a positive, finite number of requests per second (0.5 is one every two seconds)"
                        : burst < 1 ? "burst must be at least 1 (the number of requests a client may make at once)"
                        : null;
                    if (problem is null) continue;
                    var where = SourceSpan.From(a.ApplicationSyntaxReference?.GetSyntax().GetLocation());
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidRateLimit, where,
                        perSecond.ToString("R", CultureInfo.InvariantCulture), burst.ToString(CultureInfo.InvariantCulture), problem));
                }
            }
        }
    }
}
