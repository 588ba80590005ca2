using Kiln.Generator.Routing;

namespace Kiln.Generator.Model
{
    /// <summary>Where a route value sits in the matched path.</summary>
    /// <param name="Name">The template parameter name.</param>
    /// <param name="Segment">Its segment index.</param>
    /// <param name="CatchAll">Whether it takes the rest of the path.</param>
    /// <param name="PatternTest">For a pattern segment, the matcher test that splits it (else -1).</param>
    /// <param name="PatternIndex">Its index among the pattern's parameters.</param>
    /// <param name="PatternCount">How many parameters the pattern has.</param>
    internal sealed record RouteValueRef(string Name, int Segment, bool CatchAll, int PatternTest, int PatternIndex, int PatternCount);

    /// <summary>One row of the route table: a (method, template) pair and the route method it calls.</summary>
    internal sealed record RouteModel(int Id, string HttpMethod, string Template, string Name, int MethodIndex, EquatableArray<RouteValueRef> Values);

    /// <summary>A constructor argument of the generated router (an instance route class or a middleware type).</summary>
    internal sealed record ConstructorArgument(string TypeName, string ParameterName, bool IsMiddleware);

    /// <summary>A JSON type and the context that declares it.</summary>
    internal sealed record JsonTypeRef(string TypeName, string ContextType, int Index);

    /// <summary>
    /// The whole router: the route table, the methods, the matcher, the wiring. Built by a pure function from the
    /// collected method models; equatable, so unchanged inputs skip emission.
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
        EquatableArray<ValueType> Enums);

    /// <summary>The result of the collect step: the router to emit (if any) and diagnostics about the table.</summary>
    internal sealed record RouterBuildResult(RouterModel? Router, EquatableArray<DiagnosticInfo> Diagnostics);
}
