using Kiln.Generator.Routing;

namespace Kiln.Generator.Model
{
    /// <summary>How a route value is cut out of the matched path.</summary>
    internal enum RouteValueKind
    {
        /// <summary>A whole segment (<c>&lt;id&gt;</c>).</summary>
        Segment,
        /// <summary>The rest of the path from the segment on (<c>&lt;*path&gt;</c>).</summary>
        Rest,
        /// <summary>One parameter of a pattern segment (<c>img-&lt;id&gt;.png</c>), split by the pattern's test.</summary>
        Pattern,
    }

    /// <summary>Where a route value sits in the matched path.</summary>
    /// <param name="Name">The template parameter name.</param>
    /// <param name="Segment">Its segment index.</param>
    /// <param name="Kind">How it is cut out.</param>
    /// <param name="PatternTest">For a pattern segment, the matcher test that splits it (else -1).</param>
    /// <param name="PatternIndex">Its index among the pattern's parameters.</param>
    /// <param name="PatternCount">How many parameters the pattern has.</param>
    internal sealed record RouteValueRef(string Name, int Segment, RouteValueKind Kind, int PatternTest = -1, int PatternIndex = 0, int PatternCount = 1);

    /// <summary>One row of the route table: a (method, template) pair and the route method it calls.</summary>
    /// <param name="Id">Its index in the table (what the matcher returns).</param>
    /// <param name="HttpMethod">The HTTP method token.</param>
    /// <param name="Template">The parsed template.</param>
    /// <param name="Name">The endpoint name.</param>
    /// <param name="MethodIndex">The route method, as an index into <see cref="RouterModel.Methods"/>.</param>
    /// <param name="Values">Where each route value sits.</param>
    internal sealed record RouteModel(int Id, string HttpMethod, RouteTemplate Template, string Name, int MethodIndex, EquatableArray<RouteValueRef> Values);

    /// <summary>A constructor argument of the generated router (an instance route class or a middleware type).</summary>
    /// <param name="TypeName">The argument's type, fully qualified.</param>
    /// <param name="ParameterName">The constructor parameter's name.</param>
    /// <param name="IsMiddleware">Whether it is a <c>[Use]</c> middleware (else an instance route class).</param>
    /// <param name="IsPublic">Whether the type is public (else the constructor must be internal).</param>
    internal sealed record ConstructorArgument(string TypeName, string ParameterName, bool IsMiddleware, bool IsPublic = true);

    /// <summary>A JSON type and the context that declares it.</summary>
    internal sealed record JsonTypeRef(string TypeName, string ContextType, int Index);

    /// <summary>
    /// The whole router: the route table, the methods, the matcher, the wiring. Built by a pure function from the
    /// collected method models; equatable and free of source locations, so an edit that changes no route leaves it
    /// equal and skips emission.
    /// </summary>
    internal sealed record RouterModel(
        string? Namespace,
        string ClassName,
        string Accessibility,
        bool IsUserDeclared,
        EquatableArray<RouteModel> Routes,
        EquatableArray<RouteMethod> Methods,
        MatcherModel Matcher,
        EquatableArray<ConstructorArgument> ConstructorArguments,
        EquatableArray<JsonTypeRef> JsonTypes,
        EquatableArray<ValueType> Enums,
        EquatableArray<UrlGroupModel> UrlGroups,
        EquatableArray<OpenApiPathItem> OpenApiPaths);

    /// <summary>What a <see cref="TableProblem"/> is about.</summary>
    internal enum TableProblemKind
    {
        /// <summary>Two routes with the same method and template (KILN007).</summary>
        DuplicateRoute,
        /// <summary>Two routes of one method that match the same paths with equal precedence (KILN008).</summary>
        AmbiguousRoutes,
        /// <summary>A JSON type that no JsonSerializerContext declares (KILN012).</summary>
        MissingJsonType,
        /// <summary>The matcher could not be built (KILN015).</summary>
        TooComplex,
        /// <summary>A router with no route methods at all (KILN030).</summary>
        NoRoutes,
        /// <summary>Two URL builders with one name and the same parameter types (KILN041).</summary>
        UrlBuilderCollision,
        /// <summary>A URL builder named like the class of another overload's named builders (KILN041).</summary>
        UrlBuilderNamedLikeClass,
        /// <summary>A route class without a <c>Urls.&lt;Type&gt;</c> of its own: named <c>Urls</c>, or sharing its simple name (KILN042).</summary>
        UrlClassNotOwn,
        /// <summary>A route documented under another route's OpenAPI path, whose parameters it names differently (KILN043).</summary>
        OpenApiParameterNames,
    }

    /// <summary>A route, by its method's model and its index among the method's routes.</summary>
    internal sealed record RouteRef(RouteMethod Method, int Route)
    {
        public RouteDefinition Definition => Method.Routes[Route];
    }

    /// <summary>
    /// A problem with the route table as a whole, as data without locations (so the build step stays cacheable):
    /// the routes it concerns and the facts for the message. The generator attaches locations from the parsed
    /// methods when it reports it (<see cref="TableDiagnostics"/>).
    /// </summary>
    /// <param name="Kind">What is wrong.</param>
    /// <param name="Route">The route to report at (the later one of a pair), if any.</param>
    /// <param name="Other">The other route of a conflicting pair.</param>
    /// <param name="Detail">The example path of a conflict, the JSON type, the builder's message, the URL builder that collides, or
    /// the route classes that share a <c>Urls.&lt;Type&gt;</c>.</param>
    internal sealed record TableProblem(TableProblemKind Kind, RouteRef? Route, RouteRef? Other, string Detail);

    /// <summary>The result of the build step: the router to emit (if any) and the table's problems.</summary>
    internal sealed record RouterBuildResult(RouterModel? Router, EquatableArray<TableProblem> Problems);
}
