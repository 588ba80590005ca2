using Microsoft.CodeAnalysis;

namespace Kiln.Generator
{
    /// <summary>Every diagnostic Kiln reports: stable IDs, one page each under docs/diagnostics/.</summary>
    internal static class Diagnostics
    {
        private const string Routing = "Kiln.Routing";
        private const string Binding = "Kiln.Binding";
        private const string HelpBase = "docs/diagnostics/";

        private static DiagnosticDescriptor Error(string id, string title, string message, string category) =>
            new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");

        /// <summary>For code that is legitimate but almost certainly not what its author meant.</summary>
        private static DiagnosticDescriptor Warning(string id, string title, string message, string category) =>
            new(id, title, message, category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");

        public static readonly DiagnosticDescriptor MalformedTemplate = Error("KILN001", "Malformed route template",
            "Route template \"{0}\" is malformed: {1}", Routing);

        public static readonly DiagnosticDescriptor DuplicateParameter = Error("KILN002", "Duplicate template parameter",
            "Route template \"{0}\": {1}", Routing);

        public static readonly DiagnosticDescriptor TemplateParameterWithoutMethodParameter = Error("KILN003", "Template parameter has no method parameter",
            "Route template \"{0}\" declares <{1}>, but {2} has no parameter named '{1}'; add a parameter '{1}' or rename the template parameter", Routing);

        public static readonly DiagnosticDescriptor RouteParameterMissingFromTemplate = Error("KILN004", "Method parameter not supplied by every route",
            "Parameter '{0}' of {1} is bound from the route in \"{2}\" but \"{3}\" has no <{0}>; add <{0}> to \"{3}\", or move that route to its own method", Routing);

        public static readonly DiagnosticDescriptor UnparsableRouteType = Error("KILN005", "Route parameter type cannot be parsed from a path segment",
            "Parameter '{0}' has type {1}, which cannot be parsed from a path segment; use string, an integer type, Guid, bool, an enum, DateOnly, decimal, double, float, or a type implementing ISpanParsable<T>", Routing);

        public static readonly DiagnosticDescriptor InvalidMethodToken = Error("KILN006", "Invalid HTTP method",
            "\"{0}\" is not a valid HTTP method token; use letters such as GET, POST or PURGE (RFC 9110 token characters, no spaces)", Routing);

        public static readonly DiagnosticDescriptor DuplicateRoute = Error("KILN007", "Duplicate route",
            "Route {0} {1} is declared twice: here and by {2} at {3}; remove one of them", Routing);

        public static readonly DiagnosticDescriptor AmbiguousRoutes = Error("KILN008", "Ambiguous routes",
            "Routes {0} {1} (here) and {0} {2} (at {3}) both match paths such as {4} with equal precedence; make one more specific (a literal segment, or a typed parameter) or merge them", Routing);

        public static readonly DiagnosticDescriptor UnsupportedParameter = Error("KILN009", "Unsupported parameter",
            "Parameter '{0}' of {1} cannot be bound: {2}", Binding);

        public static readonly DiagnosticDescriptor UnsupportedReturnType = Error("KILN010", "Unsupported return type",
            "{0} returns {1}, which Kiln cannot turn into a response: {2}", Binding);

        public static readonly DiagnosticDescriptor InaccessibleMethod = Error("KILN011", "Route method cannot be called by the generated router",
            "{0} cannot be a route: {1}", Binding);

        public static readonly DiagnosticDescriptor MissingJsonTypeInfo = Error("KILN012", "No JsonSerializerContext declares the type",
            "{0} is sent or received as JSON but no JsonSerializerContext in this project declares it; add [JsonSerializable(typeof({1}))] to a partial class deriving from JsonSerializerContext", Binding);

        public static readonly DiagnosticDescriptor AmbiguousParameterSource = Error("KILN013", "Parameter has more than one source",
            "Parameter '{0}' of {1} could come from {2}; keep exactly one source attribute", Binding);

        public static readonly DiagnosticDescriptor NotAMiddleware = Error("KILN014", "[Use] type cannot be wired by the generated router",
            "[Use<{0}>] cannot be wired: {1}", Binding);

        public static readonly DiagnosticDescriptor RouteTableTooComplex = Error("KILN015", "Route table too complex",
            "{0}", Routing);

        public static readonly DiagnosticDescriptor InvalidRouterDeclaration = Error("KILN016", "Invalid [Router] class",
            "{0}", Routing);

        public static readonly DiagnosticDescriptor MultipleBodyParameters = Error("KILN017", "More than one body parameter",
            "{0} binds both '{1}' and '{2}' from the request body; a request has one body, so keep one [Body] parameter (wrap several values in one JSON type)", Binding);

        public static readonly DiagnosticDescriptor NotARouteMethod = Error("KILN018", "Route attribute on something that is not a method of a type",
            "{0} cannot be a route: only methods declared in a class or struct can be; move the code into such a method (static, or an instance method of a class) and put the route attribute there", Routing);

        public static readonly DiagnosticDescriptor BodyOnBodilessMethod = Error("KILN019", "Body parameter on a route whose requests carry no body",
            "Parameter '{0}' of {1} is read from the request body, but the method is routed for {2} (\"{3}\") and {2} requests carry no body; bind it from the route, the query or a header, or route the method with POST, PUT or PATCH", Binding);

        public static readonly DiagnosticDescriptor BodyOnDelete = Warning("KILN020", "Body parameter on a DELETE or OPTIONS route",
            "Parameter '{0}' of {1} is read from the request body of a {2} request (\"{3}\"); {2} content has no defined meaning and clients and proxies may drop it; prefer route, query or header values, or suppress KILN020 when your clients do send one", Binding);

        public static readonly DiagnosticDescriptor MethodTokenCase = Error("KILN021", "HTTP method in the wrong case",
            "\"{0}\" never matches: HTTP methods are case-sensitive and clients send {1} in upper case; write \"{1}\"", Routing);

        public static readonly DiagnosticDescriptor ForeignTemplateSyntax = Warning("KILN022", "Template segment looks like another framework's parameter syntax",
            "Route template \"{0}\": the segment '{1}' matches only that literal text; Kiln writes {2} as {3}", Routing);

        public static readonly DiagnosticDescriptor DefaultNeverApplies = Warning("KILN023", "Route parameter default value never applies",
            "The default value of '{0}' never applies: {1} binds '{0}' from the path in every route (\"{2}\"), so a request without it does not reach the method; remove the default, or serve the shorter path from another method", Binding);

        public static readonly DiagnosticDescriptor InvalidRateLimit = Error("KILN024", "Invalid [RateLimit] values",
            "[RateLimit({0}, {1})] would throw when the router is created: {2}", Binding);

        public static readonly DiagnosticDescriptor UnroutableMethod = Error("KILN025", "Route for a method whose requests never reach the router",
            "{0} routes never match: {1}; remove the route", Routing);

        public static readonly DiagnosticDescriptor ServiceOfValueType = Error("KILN026", "[Service] parameter of a value type",
            "Parameter '{0}' of {1} is [Service] but its type {2} is a value type; services are objects registered by type (AddSingleton/AddScoped take classes): inject a class or interface that holds the value, or bind it from the route, query or a header", Binding);
        public static readonly DiagnosticDescriptor UnnamedUrlBuilders = Warning("KILN040", "Routes of one method need distinct names for their URL builders",
            "{0} has {1} routes, so its URL builders are named by each route's Name ({2}.<Name>(...)), but {3}; give every route of the method a distinct Name that is a C# identifier (for example Name = \"ByLogin\"); until then {2} has no URL builders", Routing);


        public static readonly DiagnosticDescriptor UrlBuilderCollision = Warning("KILN041", "Two URL builders would have the same name and parameter types",
            "{0} would be declared twice, {1} and {2}, which C# does not allow; {3}; until then neither is generated (the routes are still served)", Routing);

        public static readonly DiagnosticDescriptor UrlClassNotOwn = Warning("KILN042", "A route class has no URL builder class of its own",
            "{0} gets no URL builder: {1}; rename the class; until then Urls.{2} is not generated for it (the route is still served)", Routing);

        public static readonly DiagnosticDescriptor OpenApiParameterNames = Warning("KILN043", "Two templates of one OpenAPI path name their parameters differently",
            "{0} and {1} (at {2}) have one OpenAPI path, {3}, since OpenAPI paths that differ only in parameter names are identical; the document lists {0} there, with {4}; use the same parameter names in both templates", Routing);


        public static readonly DiagnosticDescriptor NoRoutes = Warning("KILN030", "No route methods",
            "{0} has no routes: no method in this project has a route attribute, so it answers 404 to every request; add one, for example [Get(\"/hello\")] public static string Hello() => \"Hello\";", Routing);

        public static readonly DiagnosticDescriptor AttributeWithoutRoute = Warning("KILN031", "[Use] or [RateLimit] on a method without a route",
            "{0} on {1} does nothing: {1} has no route attribute ([Get], [Post], [Route]…), so the router never calls it and nothing applies {0}; add a route attribute to {1}, or move {0} to a route method or its class", Binding);

        /// <summary>Whether the diagnostic <paramref name="id"/> is an error (which keeps its method out of the router).</summary>
        public static bool IsError(string id)
        {
            foreach (var d in All)
                if (d.Id == id) return d.DefaultSeverity == DiagnosticSeverity.Error;
            return true;
        }

        /// <summary>Every descriptor, for lookup by ID when diagnostics are reported from models.</summary>
        public static readonly DiagnosticDescriptor[] All =
        {
            MalformedTemplate, DuplicateParameter, TemplateParameterWithoutMethodParameter, RouteParameterMissingFromTemplate,
            UnparsableRouteType, InvalidMethodToken, DuplicateRoute, AmbiguousRoutes, UnsupportedParameter, UnsupportedReturnType,
            InaccessibleMethod, MissingJsonTypeInfo, AmbiguousParameterSource, NotAMiddleware, RouteTableTooComplex,
            InvalidRouterDeclaration, MultipleBodyParameters, NotARouteMethod, BodyOnBodilessMethod, BodyOnDelete, MethodTokenCase,
            ForeignTemplateSyntax, DefaultNeverApplies, InvalidRateLimit, UnroutableMethod, ServiceOfValueType, UnnamedUrlBuilders, UrlBuilderCollision, UrlClassNotOwn, OpenApiParameterNames, NoRoutes, AttributeWithoutRoute,
        };
    }
}
