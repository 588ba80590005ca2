using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Model;
using Kiln.Generator.Routing;

namespace Kiln.Generator.Emitting
{
    /// <summary>
    /// Emits one adapter per route: it binds every parameter (route values from the recorded segments, query,
    /// headers, body, specials), calls the method, and turns its result into an <c>HttpResponse</c>. A value that is
    /// missing or does not parse answers 400 naming the parameter; nothing is looked up by reflection.
    /// </summary>
    internal static class AdapterEmitter
    {
        public static string Emit(RouterModel router)
        {
            var w = new SourceWriter();
            w.Lines(Names.Header).Line();
            if (router.Namespace is not null) w.Open("namespace " + router.Namespace);
            w.Open("partial class " + router.ClassName);
            foreach (var json in router.JsonTypes)
            {
                w.Line("private static readonly " + Names.JsonTypeInfo + "<" + json.TypeName + "> " + Names.Json(json.Index) + " =");
                w.Line("    (" + Names.JsonTypeInfo + "<" + json.TypeName + ">)" + json.ContextType + ".Default.GetTypeInfo(typeof(" + json.TypeName + "))!;");
            }
            foreach (var route in router.Routes)
            {
                w.Line();
                EmitAdapter(w, route, router.Methods[route.MethodIndex], router);
            }
            w.Close();
            if (router.Namespace is not null) w.Close();
            return w.ToString();
        }

        /// <summary>The local holding a parameter's value: prefixed, so user names never collide with <c>request</c> or <c>result</c>.</summary>
        private static string Local(ParameterModel p) => "p_" + p.Name;

        /// <summary>
        /// The body parameter whose read the adapter continues after with <c>Then</c> (string, bytes, memory, or a
        /// required JSON body), or -1. Such adapters, and those whose method returns a Task, are not async methods:
        /// the compiler writes a state machine for every async method, which made large route tables slow to build.
        /// </summary>
        private static int ContinuedBody(RouteMethod method)
        {
            for (int i = 0; i < method.Parameters.Count; i++)
            {
                var p = method.Parameters[i];
                if (p.Source != ParameterSource.Body || p.Body == BodyKind.Stream) continue;
                return p.Body is BodyKind.String or BodyKind.Bytes or BodyKind.Memory || (p.Body == BodyKind.Json && !p.IsOptional) ? i : -1;
            }
            return -1;
        }

        /// <summary>An optional JSON body (read only when there is one) keeps the adapter an async method.</summary>
        private static bool NeedsAsync(RouteMethod method) =>
            method.Parameters.Any(p => p.Source == ParameterSource.Body && p.Body == BodyKind.Json && p.IsOptional);

        private static void EmitAdapter(SourceWriter w, RouteModel route, RouteMethod method, RouterModel router)
        {
            bool isAsync = NeedsAsync(method);
            int body = isAsync ? -1 : ContinuedBody(method);
            string signature = string.Join(", ", method.Parameters.Select(p => p.Name));
            w.Line("// " + SourceWriter.Comment(route.HttpMethod + " " + route.Template.Text + " -> " + method.DisplayName + "(" + signature + ")"));
            w.Open("private " + (isAsync ? "async " : "") + Names.ValueTaskOfResponse + " " + Names.Adapter(route, method) + "(" + Names.Request + " request)");
            var patternSegments = new HashSet<int>();
            for (int i = 0; i < (body < 0 ? method.Parameters.Count : body); i++)
                EmitBinding(w, method.Parameters[i], route, router, patternSegments);
            if (body < 0) EmitCall(w, method, router, self: null, isAsync);
            else EmitBodyContinuation(w, route, method, router, body);
            w.Close();
        }

        /// <summary>
        /// <c>return Then(request.ReadBody…(), state, static (state, p_body) => { …the rest of the adapter… });</c>:
        /// the state carries the values bound so far, the request when later parameters need it, and the router when
        /// the method is an instance method (its target is a field).
        /// </summary>
        private static void EmitBodyContinuation(SourceWriter w, RouteModel route, RouteMethod method, RouterModel router, int body)
        {
            var p = method.Parameters[body];
            string pending = p.Body switch
            {
                BodyKind.String => "request.ReadBodyAsStringAsync()",
                BodyKind.Bytes or BodyKind.Memory => "request.ReadBodyAsBytesAsync()",
                _ => "request.ReadFromJsonAsync(" + Names.Json(router.JsonTypes.First(j => j.TypeName == p.TypeName).Index) + ")",
            };
            if (p.Body == BodyKind.Json) w.Line("if (!request.HasBody) return MissingBody(" + SourceWriter.Literal(p.Name) + ");");

            var state = method.Parameters.Take(body).Select(Local).ToList();
            if (body + 1 < method.Parameters.Count) state.Add("request");
            if (!method.IsStatic) state.Add("this");
            string Inner(string name) => name == "this" ? "router" : name;
            string lambda = state.Count switch
            {
                0 => pending + ", static " + Local(p) + " =>",
                1 => pending + ", " + state[0] + ", static (" + Inner(state[0]) + ", " + Local(p) + ") =>",
                _ => pending + ", (" + string.Join(", ", state) + "), static (state, " + Local(p) + ") =>",
            };
            w.Open("return Then(" + lambda);
            if (state.Count > 1) w.Line("var (" + string.Join(", ", state.Select(Inner)) + ") = state;");
            if (p.Body == BodyKind.Json && !p.IsValueType) w.Line("if (" + Local(p) + " is null) return MissingBody(" + SourceWriter.Literal(p.Name) + ");");
            var patternSegments = new HashSet<int>();   // spans bound before the body are not in the lambda's scope
            for (int i = body + 1; i < method.Parameters.Count; i++)
                EmitBinding(w, method.Parameters[i], route, router, patternSegments);
            EmitCall(w, method, router, self: method.IsStatic ? null : "router", isAsync: false);
            w.Close(");");
        }

        /// <summary>Calls the method and returns its result as a response.</summary>
        private static void EmitCall(SourceWriter w, RouteMethod method, RouterModel router, string? self, bool isAsync)
        {
            string arguments = string.Join(", ", method.Parameters.Select(p => Local(p)));
            string target = method.IsStatic
                ? method.ContainingType
                : (self is null ? "" : self + ".") + Names.Field(router.ConstructorArguments.First(a => !a.IsMiddleware && a.TypeName == method.ContainingType));
            string call = target + "." + method.MethodName + "(" + arguments + ")";
            var result = method.Result;
            if (result.Await != AwaitKind.None && !isAsync)
            {
                // The method's task goes to a shared helper instead of an await (see ContinuedBody).
                switch (result.Kind)
                {
                    case ResultKind.Void:
                        w.Line("return NoContentAfter(" + call + ");");
                        break;
                    case ResultKind.Response:
                        w.Line("return " + (result.Await == AwaitKind.Task ? "new " + Names.ValueTaskOfResponse + "(" + call + ")" : call) + ";");
                        break;
                    default:
                        w.Line("return Then(" + call + ", static result => " + Convert(result, router) + ");");
                        break;
                }
                return;
            }
            if (result.Await != AwaitKind.None) call = "await " + call + ".ConfigureAwait(false)";
            switch (result.Kind)
            {
                case ResultKind.Void:
                    w.Line(call + ";");
                    w.Line("return " + Names.HttpResponse + ".NoContent();");
                    break;
                case ResultKind.Response:
                    w.Line("return " + call + ";");
                    break;
                default:
                    w.Line("var result = " + call + ";");
                    w.Line("return " + Convert(result, router) + ";");
                    break;
            }
        }

        private static string Convert(ResultModel result, RouterModel router) => result.Kind switch
        {
            ResultKind.String => "result is null ? " + Names.HttpResponse + ".NoContent() : " + Names.HttpResponse + ".Text(result)",
            ResultKind.Bytes => "result is null ? " + Names.HttpResponse + ".NoContent() : " + Names.HttpResponse + ".Bytes(result)",
            ResultKind.Memory => Names.HttpResponse + ".Bytes(result)",
            ResultKind.Formatted => (result.IsValueType ? "" : "result is null ? " + Names.HttpResponse + ".NoContent() : ")
                + Names.HttpResponse + ".Text(string.Create(global::System.Globalization.CultureInfo.InvariantCulture, $\"{result" + FormatOf(result.TypeName) + "}\"))",
            ResultKind.BodyWriter => "result is null ? " + Names.HttpResponse + ".NoContent() : " + Names.HttpResponse + ".Stream(result)",
            _ => (result.IsValueType ? "" : "result is null ? " + Names.HttpResponse + ".NoContent() : ")
                + Names.HttpResponse + ".Json(result, " + Names.Json(router.JsonTypes.First(j => j.TypeName == result.TypeName).Index) + ")",
        };

        /// <summary>Dates are written in the form the same API accepts (ISO 8601), not the invariant culture's MM/dd/yyyy.</summary>
        private static string FormatOf(string? typeName) => typeName?.TrimEnd('?') switch
        {
            "global::System.DateOnly" => ":yyyy-MM-dd",
            "global::System.DateTime" or "global::System.DateTimeOffset" => ":O",
            _ => "",
        };

        private static void EmitBinding(SourceWriter w, ParameterModel p, RouteModel route, RouterModel router, HashSet<int> patternSegments)
        {
            switch (p.Source)
            {
                case ParameterSource.Request:
                    w.Line("var " + Local(p) + " = request;");
                    return;
                case ParameterSource.CancellationToken:
                    w.Line("var " + Local(p) + " = request.Aborted;");
                    return;
                case ParameterSource.RemoteEndPoint:
                case ParameterSource.LocalEndPoint:
                    string property = p.Source == ParameterSource.RemoteEndPoint ? "RemoteEndPoint" : "LocalEndPoint";
                    w.Line("var " + Local(p) + " = request." + property + " as " + p.TypeName + ";");
                    return;
                case ParameterSource.Service:
                    // One GetService(typeof(T)) per request on the request's services (its DI scope under a host).
                    if (p.IsOptional)
                        w.Line("var " + Local(p) + " = request.Services?.GetService(typeof(" + p.TypeName + ")) as " + p.TypeName + ";");
                    else
                        w.Line("var " + Local(p) + " = (" + p.TypeName + ")RequiredService(request, typeof(" + p.TypeName + "), "
                            + SourceWriter.Literal(p.Name) + ", " + SourceWriter.Literal(Names.Display(p.TypeName)) + ");");
                    return;
                case ParameterSource.Route:
                    EmitRouteValue(w, p, route.Values.First(v => v.Name == p.Name), router, patternSegments);
                    return;
                case ParameterSource.Query:
                case ParameterSource.Header:
                    EmitTextValue(w, p, router);
                    return;
                default:
                    EmitBody(w, p, router);
                    return;
            }
        }

        private static void EmitRouteValue(SourceWriter w, ParameterModel p, RouteValueRef value, RouterModel router, HashSet<int> patternSegments)
        {
            string span;
            if (value.Kind == RouteValueKind.Rest) span = "RouteRest(request, " + value.Segment + ")";
            else if (value.Kind == RouteValueKind.Pattern)
            {
                string parts = "parts" + value.Segment;
                if (patternSegments.Add(value.Segment))
                {
                    w.Line("global::System.Span<global::System.Range> " + parts + " = stackalloc global::System.Range[" + value.PatternCount + "];");
                    w.Line(Names.Pattern(value.PatternTest) + "(RouteSegment(request, " + value.Segment + "), " + parts + ");");
                }
                span = "RouteSegment(request, " + value.Segment + ")[" + parts + "[" + value.PatternIndex + "]]";
            }
            else span = "RouteSegment(request, " + value.Segment + ")";

            if (p.Value!.Kind == ValueKind.String)
            {
                w.Line("string " + Local(p) + " = RouteString(" + span + ");");
                return;
            }
            // The matcher already proved the value parses (by the same grammar); the check keeps the adapter safe on its own.
            w.Line("if (!" + Names.ParseCall(p.Value, span, "out " + p.Value.TypeName + " " + Local(p), router) + ") return "
                + "InvalidValue(\"route value\", " + SourceWriter.Literal(p.Name) + ", " + SourceWriter.Literal(p.Value.DisplayName) + ");");
        }

        private static void EmitTextValue(SourceWriter w, ParameterModel p, RouterModel router)
        {
            string source = p.Source == ParameterSource.Query ? "query parameter" : "header";
            string lookup = p.Source == ParameterSource.Query ? "request.Query" : "request.Headers";
            var value = p.Value!;
            string key = SourceWriter.Literal(p.Key);
            string invalid = "return InvalidValue(" + SourceWriter.Literal(source) + ", " + key + ", " + SourceWriter.Literal(value.DisplayName) + ");";

            if (p.Collection is not null)
            {
                string raws = Local(p) + "Raw";
                w.Line("var " + raws + " = " + lookup + (p.Source == ParameterSource.Query ? ".GetAll(" : ".GetValues(") + key + ");");
                string array = Local(p) + "Values";
                if (value.Kind == ValueKind.String) w.Line("var " + array + " = " + raws + ";");
                else
                    w.Line("if (!TryParseAll<" + value.TypeName + ">(" + raws + ", " + Names.Parser(value, router) + ", out var " + array + ")) " + invalid);
                w.Line("var " + Local(p) + " = " + (p.Collection == "list" ? "new global::System.Collections.Generic.List<" + value.TypeName + ">(" + array + ")" : array) + ";");
                return;
            }

            string raw = Local(p) + "Raw";
            string missing = p.DefaultValue is not null ? Local(p) + " = " + p.DefaultValue + ";"
                : p.IsOptional ? Local(p) + " = default;"
                : "return MissingValue(" + SourceWriter.Literal(source) + ", " + key + ");";
            w.Line(p.TypeName + " " + Local(p) + ";");
            if (value.Kind == ValueKind.String)
            {
                w.Line("var " + raw + " = " + lookup + "[" + key + "];");
                w.Line("if (" + raw + " is null) " + missing);
                w.Line("else " + Local(p) + " = " + raw + ";");
                return;
            }
            // Typed values parse straight from the request's bytes: no string is created.
            string lookupBytes = p.Source == ParameterSource.Query
                ? "request.Query.TryGetUtf8(" + key + ", out var " + raw + ")"
                : "request.Headers.TryGetRaw(" + SourceWriter.Utf8(p.Key) + ", out var " + raw + ")";
            w.Line("if (!" + lookupBytes + ") " + missing);
            if (p.IsNullableValueType)
            {
                w.Line("else if (" + Names.ParseCall(value, raw, "out " + value.TypeName + " " + Local(p) + "Parsed", router) + ") " + Local(p) + " = " + Local(p) + "Parsed;");
                w.Line("else " + invalid);
            }
            else
                w.Line("else if (!" + Names.ParseCall(value, raw, "out " + Local(p), router) + ") " + invalid);
        }

        private static void EmitBody(SourceWriter w, ParameterModel p, RouterModel router)
        {
            switch (p.Body)
            {
                case BodyKind.Stream:
                    w.Line("var " + Local(p) + " = request.Body;");
                    return;
                case BodyKind.String:
                    w.Line("var " + Local(p) + " = await request.ReadBodyAsStringAsync().ConfigureAwait(false);");
                    return;
                case BodyKind.Bytes:
                    w.Line("var " + Local(p) + " = await request.ReadBodyAsBytesAsync().ConfigureAwait(false);");
                    return;
                case BodyKind.Memory:
                    w.Line("global::System.ReadOnlyMemory<byte> " + Local(p) + " = await request.ReadBodyAsBytesAsync().ConfigureAwait(false);");
                    return;
                default:
                    var json = router.JsonTypes.First(j => j.TypeName == p.TypeName);
                    if (p.IsOptional)
                    {
                        w.Line(p.TypeName + (p.IsNullableValueType ? "?" : "") + " " + Local(p) + " = " + (p.DefaultValue ?? "default") + ";");
                        w.Line("if (request.HasBody) " + Local(p) + " = await request.ReadFromJsonAsync(" + Names.Json(json.Index) + ").ConfigureAwait(false);");
                    }
                    else
                    {
                        w.Line("if (!request.HasBody) return MissingBody(" + SourceWriter.Literal(p.Name) + ");");
                        w.Line("var " + Local(p) + " = await request.ReadFromJsonAsync(" + Names.Json(json.Index) + ").ConfigureAwait(false);");
                        if (!p.IsValueType)
                            w.Line("if (" + Local(p) + " is null) return MissingBody(" + SourceWriter.Literal(p.Name) + ");");
                    }
                    return;
            }
        }
    }
}
