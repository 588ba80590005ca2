using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Kiln.Generator.Model;
using Kiln.Generator.Routing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Generator.Parsing
{
    /// <summary>One route attribute as read from source: its arguments and where they are (for diagnostics).</summary>
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
    /// Turns one annotated method symbol into a <see cref="ParsedMethod"/>: the location-free <see cref="RouteMethod"/>
    /// (templates parsed here, once) and, beside it, the route locations and the method's diagnostics as data.
    /// </summary>
    internal static class RouteMethodParser
    {
        /// <summary>
        /// The syntax a route attribute can sit on: methods, and also local functions, lambdas, accessors and operators,
        /// so that a route on one of those is reported (KILN018) instead of silently ignored.
        /// </summary>
        public static bool CanCarryRoute(SyntaxNode node) =>
            node is MethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax
                or OperatorDeclarationSyntax or ConversionOperatorDeclarationSyntax or DestructorDeclarationSyntax;

        public static ParsedMethod? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not IMethodSymbol method) return null;
            var diagnostics = new List<DiagnosticInfo>();
            var methodLocation = SourceSpan.From(method.Locations.FirstOrDefault());
            var containing = method.ContainingType;
            string display = containing.Name + "." + method.Name;

            if (RouteChecks.NotARouteMethod(method, SourceSpan.From(context.Attributes.FirstOrDefault()?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation())) is { } notAMethod)
                return Rejected(method, notAMethod);

            var routes = ReadRoutes(method, diagnostics, cancellationToken);
            if (routes is null) return null;   // an argument is not a constant: the compiler reports it (CS0182)
            CheckAccessibility(method, display, methodLocation, diagnostics);

            // Templates: parse each, report template errors inside the string.
            var templates = new List<(RouteAttributeModel Attribute, RouteTemplate Template)>();
            foreach (var route in routes)
            {
                var (template, errors) = TemplateParser.Parse(route.Template);
                foreach (var error in errors)
                {
                    var where = route.TemplateLocation is { } t ? t.Slice(error.Offset, System.Math.Min(error.Length, System.Math.Max(1, route.Template.Length - error.Offset))) : route.TemplateOrArgument;
                    var descriptor = error.Kind == TemplateErrorKind.DuplicateParameter ? Diagnostics.DuplicateParameter : Diagnostics.MalformedTemplate;
                    diagnostics.Add(DiagnosticInfo.Create(descriptor, where, route.Template, error.Message));
                }
                if (!HttpMethodsAreTokens(route.Method))
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidMethodToken, route.Location, route.Method));
                if (template is null) continue;
                templates.Add((route, template));
                RouteChecks.ForeignSyntax(route, template, diagnostics);
            }

            var routeNames = new HashSet<string>(templates.SelectMany(t => t.Template.Segments.SelectMany(s => s.Parts).Where(p => p.IsParameter).Select(p => p.Text)));
            var jsonTypes = new SortedSet<string>(System.StringComparer.Ordinal);
            var parameters = new List<ParameterModel>();
            bool bodyAllowedImplicitly = routes.Count > 0 && routes.All(r => r.Method is "POST" or "PUT" or "PATCH");
            ParameterModel? bodyParameter = null;
            foreach (var p in method.Parameters)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var parameter = ParseParameter(p, display, routeNames, bodyAllowedImplicitly, diagnostics);
                if (parameter is null) continue;
                if (parameter.Source == ParameterSource.Body)
                {
                    if (bodyParameter is not null)
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MultipleBodyParameters, SourceSpan.From(p.Locations.FirstOrDefault()), display, bodyParameter.Name, parameter.Name));
                    bodyParameter = parameter;
                    if (parameter.Body == BodyKind.Json) jsonTypes.Add(parameter.TypeName);
                    RouteChecks.BodyOnBodilessRoute(p, display, routes, diagnostics);
                }
                if (parameter.Source == ParameterSource.Route && templates.Count > 0
                    && RouteChecks.DefaultNeverApplies(p, display, templates[0].Template.Text) is { } neverApplies)
                    diagnostics.Add(neverApplies);
                parameters.Add(parameter);
            }

            // Every template parameter needs a method parameter; every route parameter must be in every template.
            foreach (var (attribute, template) in templates)
            {
                foreach (var part in template.Segments.SelectMany(s => s.Parts).Where(x => x.IsParameter))
                {
                    if (!method.Parameters.Any(x => x.Name == part.Text))
                    {
                        var where = attribute.TemplateLocation is { } t ? t.Slice(part.Offset, part.Text.Length + (part.IsCatchAll ? 3 : 2)) : attribute.TemplateOrArgument;
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TemplateParameterWithoutMethodParameter, where, attribute.Template, part.Text, display));
                    }
                }
                foreach (var p in parameters.Where(x => x.Source == ParameterSource.Route))
                {
                    if (!template.Segments.SelectMany(s => s.Parts).Any(x => x.IsParameter && x.Text == p.Name))
                    {
                        var other = templates.First(t => t.Template.Segments.SelectMany(s => s.Parts).Any(x => x.IsParameter && x.Text == p.Name));
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.RouteParameterMissingFromTemplate, attribute.TemplateOrArgument, p.Name, display, other.Attribute.Template, attribute.Template));
                    }
                }
            }

            var result = ParseResult(method, display, methodLocation, diagnostics);
            if (result.Kind == ResultKind.Json && result.TypeName is not null) jsonTypes.Add(result.TypeName);

            var middleware = ReadMiddleware(method, diagnostics);
            var rateLimit = ReadRateLimit(method);
            RouteChecks.RateLimit(method, diagnostics);

            var model = new RouteMethod(
                ContainingType: KnownTypes.FullName(containing),
                ContainingTypeName: containing.Name,
                IsStatic: method.IsStatic,
                MethodName: method.Name,
                Routes: templates.Select(t => new RouteDefinition(t.Attribute.Method, t.Template, t.Attribute.Name)).ToEquatableArray(),
                Parameters: parameters.ToEquatableArray(),
                Result: result,
                Middleware: middleware,
                RateLimit: rateLimit,
                JsonTypes: jsonTypes.ToEquatableArray(),
                InternalTypes: InternalWiringTypes(method, middleware),
                IsPublic: method.DeclaredAccessibility == Accessibility.Public && IsPublic(method.ContainingType),
                IsValid: !diagnostics.Any(d => Diagnostics.IsError(d.Id)));   // warnings leave the method in the router
            var sites = templates.Select(t => new RouteSite(t.Attribute.Location, t.Attribute.TemplateOrArgument)).ToEquatableArray();
            if (model.IsValid && UrlBuilderNames.For(model, out var unnamed) is null && unnamed is { } why)
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnnamedUrlBuilders, sites[why.Route].Attribute, display,
                    model.Routes.Count.ToString(CultureInfo.InvariantCulture), "Urls." + containing.Name + "." + method.Name, why.Reason));
            return new ParsedMethod(model, sites, diagnostics.Distinct().ToEquatableArray(), methodLocation);
        }

        /// <summary>The constructor argument types <paramref name="method"/> brings that are not public.</summary>
        private static EquatableArray<string> InternalWiringTypes(IMethodSymbol method, EquatableArray<string> middleware)
        {
            var types = new List<string>();
            if (!method.IsStatic && !IsPublic(method.ContainingType)) types.Add(KnownTypes.FullName(method.ContainingType));
            foreach (var owner in ClassScopes(method.ContainingType).Append<ISymbol>(method))
                foreach (var a in owner.GetAttributes())
                    if (a.AttributeClass is { IsGenericType: true, TypeArguments.Length: 1 } use && KnownTypes.Is(use.OriginalDefinition, KnownTypes.UseAttribute)
                        && middleware.Contains(KnownTypes.FullName(use.TypeArguments[0])) && !IsPublic(use.TypeArguments[0]))
                        types.Add(KnownTypes.FullName(use.TypeArguments[0]));
            return types.Distinct().ToEquatableArray();
        }

        /// <summary>Whether code in another assembly can name <paramref name="type"/>: it, its containing types and its type arguments are public.</summary>
        private static bool IsPublic(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol array) return IsPublic(array.ElementType);
            if (type is not INamedTypeSymbol named) return false;
            for (var t = named; t is not null; t = t.ContainingType)
                if (t.DeclaredAccessibility != Accessibility.Public) return false;
            return named.TypeArguments.All(IsPublic);
        }

        /// <summary>A method that only carries <paramref name="diagnostic"/>: it is left out of the router.</summary>
        private static ParsedMethod Rejected(IMethodSymbol method, DiagnosticInfo diagnostic) => new(
            new RouteMethod(
                ContainingType: KnownTypes.FullName(method.ContainingType),
                ContainingTypeName: method.ContainingType.Name,
                IsStatic: method.IsStatic,
                MethodName: method.Name,
                Routes: EquatableArray<RouteDefinition>.Empty,
                Parameters: EquatableArray<ParameterModel>.Empty,
                Result: new ResultModel(ResultKind.Void, AwaitKind.None, null),
                Middleware: EquatableArray<string>.Empty,
                RateLimit: EquatableArray<string>.Empty,
                JsonTypes: EquatableArray<string>.Empty,
                IsValid: false),
            EquatableArray<RouteSite>.Empty,
            new[] { diagnostic }.ToEquatableArray());

        private static bool HttpMethodsAreTokens(string method)
        {
            if (method.Length == 0) return false;
            foreach (char c in method)
            {
                bool ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".IndexOf(c) >= 0;
                if (!ok) return false;
            }
            return true;
        }

        /// <summary>The method's route attributes, or null when an argument is not a constant (a compiler error already).</summary>
        private static List<RouteAttributeModel>? ReadRoutes(IMethodSymbol method, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var routes = new List<RouteAttributeModel>();
            foreach (var attribute in method.GetAttributes())
            {
                var cls = attribute.AttributeClass;
                if (cls is null || !KnownTypes.RouteAttributes.Any(n => KnownTypes.Is(cls, n))) continue;
                var args = attribute.ConstructorArguments;
                if (args.Any(a => a.Kind == TypedConstantKind.Error)) return null;
                string? httpMethod, template;
                int templateArg;
                if (KnownTypes.Is(cls, KnownTypes.RouteAttribute))
                {
                    if (args.Length != 2) continue;
                    httpMethod = args[0].Value as string;
                    template = args[1].Value as string;
                    templateArg = 1;
                }
                else
                {
                    if (args.Length != 1) continue;
                    httpMethod = cls.Name.Substring(0, cls.Name.Length - "Attribute".Length).ToUpperInvariant();
                    template = args[0].Value as string;
                    templateArg = 0;
                }
                string? name = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;
                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                var location = SourceSpan.From(syntax?.GetLocation());
                SourceSpan? templateLocation = null, argumentLocation = null;
                if (syntax?.ArgumentList is { } list && list.Arguments.Count > templateArg)
                {
                    var expression = list.Arguments[templateArg].Expression;
                    argumentLocation = SourceSpan.From(expression.GetLocation());
                    // Point inside the literal when its characters map 1:1 to the value (no escapes, not verbatim/raw).
                    if (expression is LiteralExpressionSyntax literal && literal.Token.IsKind(SyntaxKind.StringLiteralToken)
                        && template is not null && literal.Token.Text == "\"" + template + "\"" && argumentLocation is not null)
                        templateLocation = argumentLocation.Slice(1, template.Length);
                }
                if (syntax?.ArgumentList is { } arguments && templateArg == 1 && arguments.Arguments.Count > 0 && httpMethod is not null
                    && RouteChecks.MethodTokenCase(httpMethod, SourceSpan.From(arguments.Arguments[0].Expression.GetLocation())) is { } wrongCase)
                    diagnostics.Add(wrongCase);
                if (syntax?.ArgumentList is { } methodArguments && templateArg == 1 && methodArguments.Arguments.Count > 0 && httpMethod is not null
                    && RouteChecks.UnroutableMethod(httpMethod, SourceSpan.From(methodArguments.Arguments[0].Expression.GetLocation())) is { } unroutable)
                    diagnostics.Add(unroutable);
                if (httpMethod is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidMethodToken, location, "null"));
                    continue;
                }
                if (template is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MalformedTemplate, argumentLocation ?? location, "null", "the template is null; write a path such as \"/things\"."));
                    continue;
                }
                routes.Add(new RouteAttributeModel(httpMethod, template, name, location, templateLocation, argumentLocation));
            }
            return routes;
        }

        private static void CheckAccessibility(IMethodSymbol method, string display, SourceSpan? location, List<DiagnosticInfo> diagnostics)
        {
            string? problem = null;
            if (method.IsGenericMethod) problem = "generic methods cannot be routes; make it non-generic (the router needs concrete types at build time)";
            else if (method.ContainingType.IsGenericType) problem = "its containing type is generic; move the method to a non-generic class";
            else if (method.ContainingType.TypeKind == TypeKind.Interface) problem = "interface methods cannot be routes; put the route on the implementing class";
            else if (!method.IsStatic && method.ContainingType.IsAbstract) problem = "instance methods of abstract classes cannot be routes; make it static or move it to a concrete class";
            else if (!method.IsStatic && method.ContainingType.IsValueType) problem = "instance methods of a struct cannot be routes: the router would call them on its own copy of the struct; make the method static or declare " + method.ContainingType.Name + " as a class";
            else if (!IsAccessible(method)) problem = "it is private or protected (or inside such a type); make it internal or public so the generated router can call it";
            else if (method.IsAsync && method.ReturnsVoid) problem = "async void methods cannot be awaited; return Task instead";
            if (problem is not null)
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InaccessibleMethod, location, display, problem));
        }

        internal static bool IsAccessible(ISymbol symbol)
        {
            for (var s = symbol; s is not null && s is not INamespaceSymbol; s = s.ContainingSymbol)
            {
                if (s.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal) return false;
            }
            return true;
        }

        internal static bool IsTypeUsable(ITypeSymbol type)
        {
            if (type.IsAnonymousType || type.TypeKind == TypeKind.Error || type is IPointerTypeSymbol || type is IFunctionPointerTypeSymbol) return false;
            if (type is IArrayTypeSymbol array) return IsTypeUsable(array.ElementType);
            if (type is INamedTypeSymbol named)
            {
                if (!IsAccessible(named)) return false;
                foreach (var arg in named.TypeArguments)
                    if (!IsTypeUsable(arg)) return false;
            }
            if (type is ITypeParameterSymbol) return false;
            return true;
        }

        private static ParameterModel? ParseParameter(IParameterSymbol p, string display, HashSet<string> routeNames, bool bodyAllowedImplicitly, List<DiagnosticInfo> diagnostics)
        {
            var location = SourceSpan.From(p.Locations.FirstOrDefault());
            ParameterModel? Fail(string why)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedParameter, location, p.Name, display, why));
                return null;
            }
            if (p.RefKind != RefKind.None) return Fail("ref, out and in parameters cannot be bound; take the value as a plain parameter");
            if (!IsTypeUsable(p.Type)) return Fail("its type " + p.Type.ToDisplayString(KnownTypes.Short) + " is not accessible to generated code (anonymous, private, or a pointer); make the type internal or public");

            string typeName = KnownTypes.FullName(p.Type);
            // Explicit sources.
            var sources = new List<(ParameterSource Source, string? Key)>();
            foreach (var a in p.GetAttributes())
            {
                if (KnownTypes.Is(a.AttributeClass, "Kiln.QueryAttribute"))
                    sources.Add((ParameterSource.Query, a.ConstructorArguments.Length == 1 ? a.ConstructorArguments[0].Value as string : null));
                else if (KnownTypes.Is(a.AttributeClass, "Kiln.HeaderAttribute"))
                    sources.Add((ParameterSource.Header, a.ConstructorArguments.Length == 1 ? a.ConstructorArguments[0].Value as string : null));
                else if (KnownTypes.Is(a.AttributeClass, "Kiln.BodyAttribute"))
                    sources.Add((ParameterSource.Body, null));
                else if (KnownTypes.Is(a.AttributeClass, "Kiln.ServiceAttribute"))
                    sources.Add((ParameterSource.Service, null));
            }
            bool inTemplate = routeNames.Contains(p.Name);
            if (sources.Count + (inTemplate ? 1 : 0) > 1)
            {
                var names = sources.Select(s => "[" + s.Source + "]").ToList();
                if (inTemplate) names.Insert(0, "the route template (<" + p.Name + ">)");
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.AmbiguousParameterSource, location, p.Name, display, string.Join(" and ", names)));
                return null;
            }

            var unwrapped = ValueTypeClassifier.UnwrapNullable(p.Type, out bool nullableValue);
            bool nullableReference = p.Type.IsReferenceType && p.NullableAnnotation == NullableAnnotation.Annotated;
            string? defaultValue = p.HasExplicitDefaultValue ? FormatDefault(p) : null;
            bool optional = nullableValue || nullableReference || p.HasExplicitDefaultValue;

            if (inTemplate)
            {
                var value = ValueTypeClassifier.Classify(unwrapped);
                if (value is null || nullableValue)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnparsableRouteType, location, p.Name, p.Type.ToDisplayString(KnownTypes.Short)));
                    return null;
                }
                return new ParameterModel(p.Name, typeName, ParameterSource.Route, p.Name, value, false, null, false, null, BodyKind.None);
            }

            if (sources.Count == 0)
            {
                // Implicit sources by type.
                if (KnownTypes.Is(p.Type, "Kiln.Request")) return Special(ParameterSource.Request);
                if (KnownTypes.Is(p.Type, "System.Threading.CancellationToken")) return Special(ParameterSource.CancellationToken);
                if (KnownTypes.Is(unwrapped, "System.Net.IPEndPoint") || KnownTypes.Is(unwrapped, "System.Net.EndPoint"))
                    return Special(p.Name.StartsWith("local", System.StringComparison.OrdinalIgnoreCase) ? ParameterSource.LocalEndPoint : ParameterSource.RemoteEndPoint);
                if (IsQueryable(p.Type, out _, out _))
                    sources.Add((ParameterSource.Query, null));
                else if (bodyAllowedImplicitly)
                    sources.Add((ParameterSource.Body, null));
                else
                    return Fail("its type " + p.Type.ToDisplayString(KnownTypes.Short) + " is not in the template and cannot come from the query string; add <" + p.Name + "> to the template, mark it [Body] (it is read from the body implicitly only when every route of the method is POST, PUT or PATCH), or [Header(\"...\")]");
            }

            var (source, key) = sources[0];
            if (source == ParameterSource.Service)
            {
                if (p.Type.IsValueType)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ServiceOfValueType, location, p.Name, display, p.Type.ToDisplayString(KnownTypes.Short)));
                    return null;
                }
                // A null default or a nullable annotation makes the service optional: null when it is not registered.
                bool optionalService = nullableReference || p.HasExplicitDefaultValue;
                return new ParameterModel(p.Name, KnownTypes.FullName(unwrapped), ParameterSource.Service, "", null, optionalService, null, false, null, BodyKind.None);
            }
            switch (source)
            {
                case ParameterSource.Query:
                case ParameterSource.Header:
                {
                    if (!IsQueryable(p.Type, out var element, out var collection))
                        return Fail("its type " + p.Type.ToDisplayString(KnownTypes.Short) + " cannot be parsed from text; use a simple type (string, number, Guid, bool, enum, DateOnly, ISpanParsable<T>) or an array of one");
                    if (source == ParameterSource.Header && key is null)
                        return Fail("[Header] needs the header name, for example [Header(\"X-Request-Id\")]");
                    if (RouteChecks.KeyProblem(source, key) is { } keyProblem) return Fail(keyProblem);
                    var value = ValueTypeClassifier.Classify(element!)!;
                    return new ParameterModel(p.Name, typeName, source, key ?? p.Name, value, optional || collection is not null, defaultValue, nullableValue, collection, BodyKind.None);
                }
                default:
                {
                    BodyKind body;
                    if (unwrapped.SpecialType == SpecialType.System_String) body = BodyKind.String;
                    else if (unwrapped is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte }) body = BodyKind.Bytes;
                    else if (IsByteMemory(unwrapped)) body = KnownTypes.Is(((INamedTypeSymbol)unwrapped).OriginalDefinition, "System.Memory`1") ? BodyKind.Bytes : BodyKind.Memory;
                    else if (KnownTypes.Is(unwrapped, "System.IO.Stream")) body = BodyKind.Stream;
                    else if (IsStream(unwrapped))
                        return Fail("the body is read as a Stream, not a " + unwrapped.ToDisplayString(KnownTypes.Short) + "; declare the parameter as Stream");
                    else if (unwrapped.SpecialType == SpecialType.System_Object || unwrapped.TypeKind == TypeKind.Dynamic || unwrapped.TypeKind == TypeKind.Interface && !IsJsonCollection(unwrapped))
                        return Fail("a body of type " + p.Type.ToDisplayString(KnownTypes.Short) + " cannot be deserialized without reflection; declare a concrete type");
                    else body = BodyKind.Json;
                    return new ParameterModel(p.Name, body == BodyKind.Json ? KnownTypes.FullName(unwrapped) : typeName, ParameterSource.Body, "", null, optional, defaultValue, nullableValue, null, body, unwrapped.IsValueType);
                }
            }

            ParameterModel Special(ParameterSource s) => new(p.Name, typeName, s, "", null, true, null, false, null, BodyKind.None);
        }

        private static bool IsJsonCollection(ITypeSymbol type) => ValueTypeClassifier.CollectionElement(type, out _) is not null;

        private static bool IsQueryable(ITypeSymbol type, out ITypeSymbol? element, out string? collection)
        {
            var t = ValueTypeClassifier.UnwrapNullable(type, out _);
            if (ValueTypeClassifier.Classify(t) is not null)
            {
                element = t;
                collection = null;
                return true;
            }
            var e = ValueTypeClassifier.CollectionElement(type, out collection);
            if (e is not null && ValueTypeClassifier.Classify(e) is not null)
            {
                element = e;
                return true;
            }
            element = null;
            collection = null;
            return false;
        }

        private static string FormatDefault(IParameterSymbol p)
        {
            var value = p.ExplicitDefaultValue;
            var type = ValueTypeClassifier.UnwrapNullable(p.Type, out _);
            if (value is null) return "default";
            if (type.TypeKind == TypeKind.Enum)
                return "(" + KnownTypes.FullName(type) + ")" + System.Convert.ToString(value, CultureInfo.InvariantCulture);
            return value switch
            {
                string s => SymbolDisplay.FormatLiteral(s, quote: true),
                bool b => b ? "true" : "false",
                char c => SymbolDisplay.FormatLiteral(c, quote: true),
                decimal m => m.ToString(CultureInfo.InvariantCulture) + "m",
                double d => d.ToString("R", CultureInfo.InvariantCulture) + "d",
                float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
                _ => "(" + KnownTypes.FullName(type) + ")" + System.Convert.ToString(value, CultureInfo.InvariantCulture),
            };
        }

        private static ResultModel ParseResult(IMethodSymbol method, string display, SourceSpan? location, List<DiagnosticInfo> diagnostics)
        {
            var type = method.ReturnType;
            var awaitKind = AwaitKind.None;
            if (method.ReturnsVoid) return new ResultModel(ResultKind.Void, AwaitKind.None, null);
            if (type is INamedTypeSymbol named)
            {
                if (KnownTypes.Is(named, "System.Threading.Tasks.Task")) return new ResultModel(ResultKind.Void, AwaitKind.Task, null);
                if (KnownTypes.Is(named, "System.Threading.Tasks.ValueTask")) return new ResultModel(ResultKind.Void, AwaitKind.ValueTask, null);
                if (named.IsGenericType && KnownTypes.Is(named.OriginalDefinition, "System.Threading.Tasks.Task`1")) { awaitKind = AwaitKind.Task; type = named.TypeArguments[0]; }
                else if (named.IsGenericType && KnownTypes.Is(named.OriginalDefinition, "System.Threading.Tasks.ValueTask`1")) { awaitKind = AwaitKind.ValueTask; type = named.TypeArguments[0]; }
            }
            ResultModel Fail(string why)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedReturnType, location, display, method.ReturnType.ToDisplayString(KnownTypes.Short), why));
                return new ResultModel(ResultKind.Void, awaitKind, null);
            }
            if (method.ReturnsByRef || method.ReturnsByRefReadonly) return Fail("ref returns cannot be sent; return the value");
            if (type.SpecialType == SpecialType.System_String) return new ResultModel(ResultKind.String, awaitKind, null);
            if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte }) return new ResultModel(ResultKind.Bytes, awaitKind, null);
            if (IsByteMemory(type)) return new ResultModel(ResultKind.Memory, awaitKind, null);
            if (KnownTypes.Is(type, "Kiln.HttpResponse")) return new ResultModel(ResultKind.Response, awaitKind, null);
            if (IsAwaitable(type))
                return Fail("a task of a task is never awaited to its value (the inner task would be sent as JSON); await the inner task and return " + (awaitKind == AwaitKind.ValueTask ? "ValueTask<T>" : "Task<T>"));
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable && KnownTypes.Is(nullable.TypeArguments[0], "Kiln.HttpResponse"))
                return Fail("HttpResponse? would be sent as JSON; return HttpResponse and answer a missing value with HttpResponse.NotFound() or HttpResponse.NoContent()");
            if (IsStream(type))
                return Fail("a Stream would be sent as JSON; return HttpResponse.Stream((body, ct) => source.CopyToAsync(body, ct), contentType) or a BodyWriter");
            var simple = ValueTypeClassifier.UnwrapNullable(type, out bool nullableSimple);
            if (ValueTypeClassifier.Classify(simple) is { Kind: not ValueKind.String })
                return new ResultModel(ResultKind.Formatted, awaitKind, KnownTypes.FullName(type), !nullableSimple && type.IsValueType);
            if (KnownTypes.Is(type, "Kiln.BodyWriter")) return new ResultModel(ResultKind.BodyWriter, awaitKind, null);
            if (type.SpecialType == SpecialType.System_Object || type.TypeKind == TypeKind.Dynamic)
                return Fail("object cannot be serialized without reflection; declare the concrete result type");
            if (type.IsAnonymousType) return Fail("anonymous types have no JsonTypeInfo; declare a record for the result");
            if (type.TypeKind == TypeKind.Interface && ValueTypeClassifier.CollectionElement(type, out _) is null)
                return Fail("an interface result cannot be serialized without reflection; return a concrete type");
            if (type.TypeKind == TypeKind.Delegate) return Fail("delegates cannot be sent; return Kiln.BodyWriter to stream a body");
            if (type.TypeKind == TypeKind.TypeParameter)
                return Fail("type parameters are not supported; return the value");
            if (!IsTypeUsable(type)) return Fail("the type is not accessible to generated code; make it internal or public");
            return new ResultModel(ResultKind.Json, awaitKind, KnownTypes.FullName(type), type.IsValueType && !(type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T }));
        }

        /// <summary><c>ReadOnlyMemory&lt;byte&gt;</c> or <c>Memory&lt;byte&gt;</c>: sent and received as raw bytes (JSON would make them base64).</summary>
        private static bool IsByteMemory(ITypeSymbol type) =>
            type is INamedTypeSymbol { IsGenericType: true } m && m.TypeArguments[0].SpecialType == SpecialType.System_Byte
            && (KnownTypes.Is(m.OriginalDefinition, "System.ReadOnlyMemory`1") || KnownTypes.Is(m.OriginalDefinition, "System.Memory`1"));

        private static bool IsAwaitable(ITypeSymbol type) =>
            KnownTypes.Is(type, "System.Threading.Tasks.Task") || KnownTypes.Is(type, "System.Threading.Tasks.ValueTask")
            || type is INamedTypeSymbol { IsGenericType: true } g
               && (KnownTypes.Is(g.OriginalDefinition, "System.Threading.Tasks.Task`1") || KnownTypes.Is(g.OriginalDefinition, "System.Threading.Tasks.ValueTask`1"));

        private static bool IsStream(ITypeSymbol type)
        {
            for (var t = type; t is not null; t = t.BaseType)
                if (KnownTypes.Is(t, "System.IO.Stream")) return true;
            return false;
        }

        private static EquatableArray<string> ReadMiddleware(IMethodSymbol method, List<DiagnosticInfo> diagnostics)
        {
            var list = new List<string>();
            foreach (var owner in ClassScopes(method.ContainingType).Append<ISymbol>(method))
            {
                foreach (var a in owner.GetAttributes())
                {
                    // [Use<T>]: the attribute's constraint already makes a T that is not an IMiddleware a compiler error.
                    if (a.AttributeClass is not { IsGenericType: true, TypeArguments.Length: 1 } use || !KnownTypes.Is(use.OriginalDefinition, KnownTypes.UseAttribute)) continue;
                    var type = use.TypeArguments[0];
                    if (type.TypeKind == TypeKind.Error || !type.AllInterfaces.Any(i => KnownTypes.Is(i, "Kiln.IMiddleware")) && !KnownTypes.Is(type, "Kiln.IMiddleware")) continue;
                    string? problem = type is ITypeParameterSymbol ? "a type parameter cannot be a constructor argument of the generated router; name a concrete middleware type"
                        : !IsTypeUsable(type) ? "it is not accessible to generated code (private or protected, or nested in such a type); make it internal or public"
                        : null;
                    if (problem is not null)
                    {
                        var where = SourceSpan.From(a.ApplicationSyntaxReference?.GetSyntax().GetLocation());
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotAMiddleware, where, type.ToDisplayString(KnownTypes.Short), problem));
                        continue;
                    }
                    string name = KnownTypes.FullName(type);
                    if (!list.Contains(name)) list.Add(name);
                }
            }
            return list.ToEquatableArray();
        }

        /// <summary>
        /// The types whose class-level <c>[Use]</c> and <c>[RateLimit]</c> reach a method of <paramref name="type"/>,
        /// outermost first: each containing type (a route in a nested class is inside the outer class), and before each
        /// type its base classes (a route in a derived class is one of the base class's routes, as ASP.NET Core's
        /// filters on a base controller apply to derived ones). Without this, <c>[Use&lt;Auth&gt;]</c> on a base class
        /// would silently not run.
        /// </summary>
        internal static IEnumerable<INamedTypeSymbol> ClassScopes(INamedTypeSymbol type)
        {
            var containing = new List<INamedTypeSymbol>();
            for (var t = type; t is not null; t = t.ContainingType) containing.Insert(0, t);
            foreach (var t in containing)
            {
                var bases = new List<INamedTypeSymbol>();
                for (var b = t.BaseType; b is not null && b.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); b = b.BaseType)
                    bases.Insert(0, b);
                foreach (var b in bases) yield return b;
                yield return t;
            }
        }

        /// <summary>The nearest <c>[RateLimit]</c>: the method's, else the innermost class scope's.</summary>
        private static EquatableArray<string> ReadRateLimit(IMethodSymbol method)
        {
            foreach (var owner in ClassScopes(method.ContainingType).Reverse().Prepend<ISymbol>(method))
            {
                foreach (var a in owner.GetAttributes())
                {
                    if (!KnownTypes.Is(a.AttributeClass, "Kiln.RateLimitAttribute") || a.ConstructorArguments.Length != 2) continue;
                    string perSecond = System.Convert.ToDouble(a.ConstructorArguments[0].Value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
                    string burst = System.Convert.ToInt32(a.ConstructorArguments[1].Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                    return new[] { perSecond, burst }.ToEquatableArray();
                }
            }
            return EquatableArray<string>.Empty;
        }
    }
}
