using Kiln.Generator.Routing;

namespace Kiln.Generator.Model
{
    /// <summary>Where a method parameter's value comes from.</summary>
    internal enum ParameterSource { Route, Query, Header, Body, Request, CancellationToken, RemoteEndPoint, LocalEndPoint, Service }

    /// <summary>How a body parameter is read.</summary>
    internal enum BodyKind { None, String, Bytes, Memory, Stream, Json }

    /// <summary>What a route method's (awaited) result is turned into.</summary>
    internal enum ResultKind { Void, String, Bytes, Memory, Response, BodyWriter, Json, Formatted }

    /// <summary>Whether the method returns a Task or ValueTask of its result.</summary>
    internal enum AwaitKind { None, Task, ValueTask }

    /// <summary>One method parameter and how to bind it.</summary>
    /// <param name="Name">The C# parameter name.</param>
    /// <param name="TypeName">Its fully qualified type (<c>global::System.Int32</c>).</param>
    /// <param name="Source">Where the value comes from.</param>
    /// <param name="Key">The query key or header name.</param>
    /// <param name="Value">For route/query/header values: how to parse one value (the element type for collections).</param>
    /// <param name="IsOptional">Whether a missing value is allowed (nullable, or has a default).</param>
    /// <param name="DefaultValue">The C# expression of the default value, when there is one.</param>
    /// <param name="IsNullableValueType">Whether the type is <c>Nullable&lt;T&gt;</c>.</param>
    /// <param name="Collection">For repeated query keys: "array", "list" or null.</param>
    /// <param name="Body">How a body parameter is read.</param>
    /// <param name="IsValueType">Whether the (unwrapped) type is a value type.</param>
    internal sealed record ParameterModel(
        string Name,
        string TypeName,
        ParameterSource Source,
        string Key,
        ValueType? Value,
        bool IsOptional,
        string? DefaultValue,
        bool IsNullableValueType,
        string? Collection,
        BodyKind Body,
        bool IsValueType = false);

    /// <summary>The method's result.</summary>
    /// <param name="Kind">What it becomes.</param>
    /// <param name="Await">Whether it is awaited first.</param>
    /// <param name="TypeName">The (awaited) result type, for JSON.</param>
    /// <param name="IsValueType">Whether that type is a value type (so it is never null).</param>
    internal sealed record ResultModel(ResultKind Kind, AwaitKind Await, string? TypeName, bool IsValueType = false);

    /// <summary>One route attribute on a method, its template parsed once (by the parser).</summary>
    /// <param name="HttpMethod">The HTTP method token.</param>
    /// <param name="Template">The parsed template.</param>
    /// <param name="Name">The endpoint name from the attribute, if any.</param>
    internal sealed record RouteDefinition(string HttpMethod, RouteTemplate Template, string? Name);

    /// <summary>
    /// Everything the emitted router depends on about one route method: what the parser read from the symbol,
    /// and nothing else.
    /// </summary>
    /// <remarks>
    /// Models are values: strings, bools, enums, equatable arrays and records of those. No <c>ISymbol</c>,
    /// <c>SyntaxNode</c>, <c>Location</c>, <c>Compilation</c> or <c>Diagnostic</c> may appear here, and no source
    /// location either: inserting a line above a route, or growing a method body, must leave this model equal so the
    /// incremental pipeline proves the output unchanged. Locations and diagnostics travel beside it in
    /// <see cref="ParsedMethod"/>. Tests walk every tracked step's output for Roslyn objects and drive edits that move
    /// code.
    /// </remarks>
    /// <param name="ContainingType">The declaring type, fully qualified.</param>
    /// <param name="ContainingTypeName">Its simple name.</param>
    /// <param name="IsStatic">Whether the method is static (else the router takes an instance of the type).</param>
    /// <param name="MethodName">The method name.</param>
    /// <param name="Routes">Its routes whose templates parsed.</param>
    /// <param name="Parameters">How each parameter binds (parameters that cannot be bound are left out, with a diagnostic).</param>
    /// <param name="Result">What its result becomes.</param>
    /// <param name="Middleware">The <c>[Use]</c> middleware types, class first, then method.</param>
    /// <param name="RateLimit">The <c>[RateLimit]</c> arguments as C# literals (per second, burst), or empty.</param>
    /// <param name="JsonTypes">Types sent or received as JSON.</param>
    /// <param name="IsValid">Whether the method had no errors (only valid methods are routed).</param>
    /// <param name="InternalTypes">The router's constructor argument types this method brings (its class, if the method is an
    /// instance method, and its middleware) that are not public, so the generated constructor must be internal.</param>
    /// <param name="IsPublic">Whether code in another assembly can call the method (it and its containing types are public), so its URL
    /// builder can be public too.</param>
    internal sealed record RouteMethod(
        string ContainingType,
        string ContainingTypeName,
        bool IsStatic,
        string MethodName,
        EquatableArray<RouteDefinition> Routes,
        EquatableArray<ParameterModel> Parameters,
        ResultModel Result,
        EquatableArray<string> Middleware,
        EquatableArray<string> RateLimit,
        EquatableArray<string> JsonTypes,
        bool IsValid,
        EquatableArray<string> InternalTypes = default,
        bool IsPublic = false)
    {
        /// <summary>"Accounts.GetHistory" — the default endpoint name and how messages name the method.</summary>
        public string DisplayName => ContainingTypeName + "." + MethodName;

        /// <summary>The parameter named <paramref name="name"/>.</summary>
        public ParameterModel Parameter(string name)
        {
            foreach (var p in Parameters)
                if (p.Name == name) return p;
            throw new System.InvalidOperationException(DisplayName + " has no parameter " + name);
        }
    }

    /// <summary>Where one route attribute sits in source (aligned with <see cref="RouteMethod.Routes"/>).</summary>
    /// <param name="Attribute">The attribute.</param>
    /// <param name="Template">The best place to point at the template: inside the string, or the argument.</param>
    internal sealed record RouteSite(SourceSpan? Attribute, SourceSpan? Template);

    /// <summary>
    /// The parser's output for one method: the location-free <see cref="RouteMethod"/> that the router is built
    /// from, and beside it what only diagnostics need — where the method and each route are, and the method's own errors.
    /// </summary>
    internal sealed record ParsedMethod(RouteMethod Method, EquatableArray<RouteSite> Sites, EquatableArray<DiagnosticInfo> Diagnostics, SourceSpan? Location = null);

    /// <summary>A <c>JsonSerializerContext</c> and the types it declares.</summary>
    internal sealed record JsonContextModel(string ContextType, EquatableArray<string> Types);

    /// <summary>A user-declared <c>[Router] partial class</c>, as the router is built from it (no location).</summary>
    internal sealed record RouterDeclaration(string? Namespace, string Name, string Accessibility, bool IsValid);

    /// <summary>The parser's output for a <c>[Router]</c> class: the declaration, where it is, and its errors.</summary>
    internal sealed record ParsedRouterDeclaration(RouterDeclaration Declaration, SourceSpan? Location, EquatableArray<DiagnosticInfo> Diagnostics);
}
