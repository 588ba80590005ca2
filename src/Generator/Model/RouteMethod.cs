using Kiln.Generator.Routing;

namespace Kiln.Generator.Model
{
    /// <summary>Where a method parameter's value comes from.</summary>
    internal enum ParameterSource { Route, Query, Header, Body, Request, CancellationToken, RemoteEndPoint, LocalEndPoint }

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

    /// <summary>One route attribute on a method.</summary>
    /// <param name="Method">The HTTP method token.</param>
    /// <param name="Template">The template text.</param>
    /// <param name="Name">The endpoint name from the attribute, if any.</param>
    /// <param name="Location">The attribute.</param>
    /// <param name="TemplateLocation">The template string's contents, only when they map 1:1 to source characters (for pointing inside).</param>
    /// <param name="ArgumentLocation">The template argument expression.</param>
    internal sealed record RouteAttributeModel(string Method, string Template, string? Name, SourceSpan? Location, SourceSpan? TemplateLocation, SourceSpan? ArgumentLocation)
    {
        /// <summary>The best place to point at the whole template.</summary>
        public SourceSpan? TemplateOrArgument => TemplateLocation ?? ArgumentLocation ?? Location;
    }

    /// <summary>
    /// Everything the generator needs to know about one route method — the only output of the parsing step.
    /// </summary>
    /// <remarks>
    /// Models are values: strings, bools, enums, equatable arrays and records of those. No <c>ISymbol</c>,
    /// <c>SyntaxNode</c>, <c>Location</c>, <c>Compilation</c> or <c>Diagnostic</c> may appear here (locations travel
    /// as <see cref="SourceSpan"/>), so the incremental pipeline can cache every step. A test walks every tracked
    /// step's output and fails on any Roslyn object.
    /// </remarks>
    internal sealed record RouteMethod(
        string ContainingType,
        string ContainingTypeName,
        bool IsStatic,
        string MethodName,
        EquatableArray<RouteAttributeModel> Routes,
        EquatableArray<ParameterModel> Parameters,
        ResultModel Result,
        EquatableArray<string> Middleware,
        EquatableArray<string> RateLimit,
        EquatableArray<string> JsonTypes,
        EquatableArray<DiagnosticInfo> Diagnostics)
    {
        /// <summary>"Accounts.GetHistory" — the default endpoint name and how messages name the method.</summary>
        public string DisplayName => ContainingTypeName + "." + MethodName;

        /// <summary>Whether the method can be routed: it has no errors (warnings leave it in the router).</summary>
        public bool IsValid
        {
            get
            {
                foreach (var d in Diagnostics)
                    if (Kiln.Generator.Diagnostics.IsError(d.Id)) return false;
                return true;
            }
        }
    }

    /// <summary>A <c>JsonSerializerContext</c> and the types it declares.</summary>
    internal sealed record JsonContextModel(string ContextType, EquatableArray<string> Types);

    /// <summary>A user-declared <c>[Router] partial class</c>.</summary>
    internal sealed record RouterDeclaration(string? Namespace, string Name, string Accessibility, SourceSpan? Location, EquatableArray<DiagnosticInfo> Diagnostics);
}
