using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Model;
using Kiln.Generator.Routing;

namespace Kiln.Generator.Emitting
{
    /// <summary>
    /// Emits the matcher: one method per DFA state, comparing the bytes of each path segment (a switch on its
    /// length, then <c>SequenceEqual</c> against UTF-8 literals, which the JIT unrolls into word compares), running
    /// the state's typed/pattern tests only for segments that are no literal, and recording segment boundaries for
    /// the adapters. Nothing allocates; nothing backtracks.
    /// </summary>
    internal static class MatcherEmitter
    {
        public static string Emit(RouterModel router)
        {
            var w = new SourceWriter();
            w.Lines(Names.Header).Line();
            if (router.Namespace is not null) w.Open("namespace " + router.Namespace);
            w.Open("partial class " + router.ClassName);

            w.Line("/// <inheritdoc/>");
            w.Line("protected override int Match(" + Names.Span + " path, " + Names.RoutePath + " route, string method)");
            w.Line(router.Matcher.States.Count == 0 ? "    => NoMatch; // no routes" : "    => " + Names.State(0) + "(path, path.Length == 1 ? 2 : 1, route, method);");
            foreach (var state in router.Matcher.States)
            {
                w.Line();
                EmitState(w, state, router);
            }
            foreach (var test in router.Matcher.Tests)
            {
                w.Line();
                EmitTest(w, test, router);
            }
            for (int i = 0; i < router.Enums.Count; i++)
            {
                w.Line();
                EmitEnumParser(w, router.Enums[i], i);
            }
            w.Close();
            if (router.Namespace is not null) w.Close();
            return w.ToString();
        }

        private static string Describe(RouterModel router, EquatableArray<int> routes)
        {
            var names = routes.Take(4).Select(r => router.Routes[r].HttpMethod + " " + router.Routes[r].Template.Text).ToList();
            if (routes.Count > 4) names.Add("and " + (routes.Count - 4) + " more");
            return SourceWriter.Comment(string.Join(", ", names));
        }

        private static void EmitState(SourceWriter w, MatcherState state, RouterModel router)
        {
            w.Line("// " + Names.State(state.Id) + ", after " + state.Depth + " segment(s): " + Describe(router, state.Routes));
            w.Open("private static int " + Names.State(state.Id) + "(" + Names.Span + " path, int pos, " + Names.RoutePath + " route, string method)");
            if (state.End is not null || state.ReadsSegment)
            {
                w.Open("if (pos > path.Length)");
                if (state.End is { } end) EmitTerminal(w, end, state.Depth, router);
                else w.Line("return NoMatch;");
                w.Close();
            }
            if (!state.ReadsSegment)
            {
                if (state.Rest is { } rest)
                {
                    w.Line("// Only catch-alls remain: the rest of the path is theirs.");
                    w.Line("route.SetSegment(" + state.Depth + ", pos, path.Length);");
                    EmitTerminal(w, rest, state.Depth, router);
                }
                else w.Line("return NoMatch;");
                w.Close();
                return;
            }

            w.Line("int end = " + Names.Memory + ".IndexOf(path.Slice(pos), (byte)'/');");
            w.Line("end = end < 0 ? path.Length : pos + end;");
            w.Line("route.SetSegment(" + state.Depth + ", pos, end);");
            w.Line("var segment = path.Slice(pos, end - pos);");
            if (state.Literals.Count > 0)
            {
                w.Open("switch (segment.Length)");
                foreach (var group in state.Literals.GroupBy(l => System.Text.Encoding.UTF8.GetByteCount(l.Text)).OrderBy(g => g.Key))
                {
                    w.Open("case " + group.Key + ":");
                    foreach (var edge in group)
                    {
                        if (edge.Tests.Count == 0)
                            w.Line("if (" + Names.Memory + ".SequenceEqual(segment, " + SourceWriter.Utf8(edge.Text) + ")) return " + Goto(edge.Targets[0].State) + ";");
                        else
                        {
                            w.Open("if (" + Names.Memory + ".SequenceEqual(segment, " + SourceWriter.Utf8(edge.Text) + "))");
                            EmitMaskDispatch(w, edge.Tests, edge.Targets);
                            w.Close();
                        }
                    }
                    w.Line("break;");
                    w.Close();
                }
                w.Close();
            }
            w.Line("if (segment.IsEmpty) return " + Goto(state.EmptySegmentState) + ";");
            if (state.Tests.Count == 0) w.Line("return " + Goto(state.Others[0].State) + ";");
            else EmitMaskDispatch(w, state.Tests, state.Others);
            w.Close();
        }

        private static string Goto(int state) => state < 0 ? "NoMatch" : Names.State(state) + "(path, end + 1, route, method)";

        private static void EmitMaskDispatch(SourceWriter w, EquatableArray<int> tests, EquatableArray<MaskTarget> targets)
        {
            w.Line("int mask = 0;");
            for (int i = 0; i < tests.Count; i++)
                w.Line("if (" + Names.Test(tests[i]) + "(segment)) mask |= " + (1 << i) + ";");
            w.Open("switch (mask)");
            foreach (var target in targets)
                w.Line("case " + target.Mask + ": return " + Goto(target.State) + ";");
            w.Line("default: return NoMatch;");
            w.Close();
        }

        private static void EmitTerminal(SourceWriter w, Terminal terminal, int depth, RouterModel router)
        {
            if (terminal.SetsEmptyRest) w.Line("route.SetSegment(" + depth + ", path.Length, path.Length);");
            w.Open("switch (method)");
            bool explicitHead = terminal.Methods.Any(m => m.Method == "HEAD");
            foreach (var target in terminal.Methods)
            {
                var route = router.Routes[target.Route];
                w.Line("case " + SourceWriter.Literal(target.Method) + ":");
                if (target.Method == "GET" && !explicitHead) w.Line("case \"HEAD\":");
                w.Line("    return " + target.Route + "; // " + SourceWriter.Comment(route.HttpMethod + " " + route.Template.Text + " -> " + route.Name));
            }
            w.Line("default:");
            w.Line("    return " + (-2 - terminal.AllowSet) + "; // Allow: " + router.Matcher.AllowSets[terminal.AllowSet]);
            w.Close();
        }

        private static void EmitTest(SourceWriter w, SegmentTest test, RouterModel router)
        {
            var spec = test.Spec;
            w.Line("// " + Names.Test(test.Id) + ": does a segment match " + SourceWriter.Comment(spec.Describe()) + "?");
            if (spec.Rank == SegmentRank.Typed)
            {
                w.Line("private static bool " + Names.Test(test.Id) + "(" + Names.Span + " segment) => "
                    + Names.ParseCall(spec.Type!, "segment", "out " + spec.Type!.TypeName + " _", router) + ";");
                return;
            }
            int count = spec.Pattern.Count(p => p.IsParameter);
            w.Open("private static bool " + Names.Test(test.Id) + "(" + Names.Span + " segment)");
            w.Line("global::System.Span<global::System.Range> values = stackalloc global::System.Range[" + count + "];");
            w.Line("return " + Names.Pattern(test.Id) + "(segment, values);");
            w.Close();
            w.Line();
            w.Line("// Splits a segment by the pattern " + SourceWriter.Comment(spec.Describe()) + " (the last parameter takes the shortest text).");
            w.Open("internal static bool " + Names.Pattern(test.Id) + "(" + Names.Span + " s, global::System.Span<global::System.Range> v)");
            w.Line("int start = 0, end = s.Length;");
            var parts = spec.Pattern;
            int first = 0, last = parts.Count - 1;
            if (parts[0].Literal is { } prefix)
            {
                w.Line("if (!" + Names.Memory + ".StartsWith(s, " + SourceWriter.Utf8(prefix) + ")) return false;");
                w.Line("start = " + System.Text.Encoding.UTF8.GetByteCount(prefix) + ";");
                first = 1;
            }
            if (parts[last].Literal is { } suffix)
            {
                int n = System.Text.Encoding.UTF8.GetByteCount(suffix);
                w.Line("if (end - " + n + " < start || !" + Names.Memory + ".EndsWith(s, " + SourceWriter.Utf8(suffix) + ")) return false;");
                w.Line("end -= " + n + ";");
                last--;
            }
            int index = count - 1;
            for (int i = last; i > first; i -= 2)
                w.Line("if (!" + Names.Bind + ".PeelRight(s, start, ref end, " + SourceWriter.Utf8(parts[i - 1].Literal!) + ", out v[" + index-- + "])) return false;");
            w.Line("if (end <= start) return false;");
            w.Line("v[0] = start..end;");
            var checks = new List<string>();
            int k = 0;
            foreach (var part in parts)
            {
                if (!part.IsParameter) continue;
                if (part.Type!.Kind != ValueKind.String)
                    checks.Add(Names.ParseCall(part.Type, "s[v[" + k + "]]", "out " + part.Type.TypeName + " _", router));
                k++;
            }
            w.Line("return " + (checks.Count == 0 ? "true" : string.Join(" && ", checks)) + ";");
            w.Close();
        }

        private static void EmitEnumParser(SourceWriter w, ValueType type, int index)
        {
            w.Line("// Parses " + type.DisplayName + " by member name (ASCII case-insensitive).");
            w.Open("private static bool " + Names.EnumParser(index) + "(" + Names.Span + " s, out " + type.TypeName + " value)");
            foreach (var name in type.EnumNames)
                w.Line("if (global::System.Text.Ascii.EqualsIgnoreCase(s, " + SourceWriter.Utf8(name) + ")) { value = " + type.TypeName + ".@" + name + "; return true; }");
            w.Line("value = default;");
            w.Line("return false;");
            w.Close();
        }
    }
}
