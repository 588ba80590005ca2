using System.Collections.Generic;
using System.Linq;
using System.Text;
using Kiln.Generator.Model;
using Kiln.Generator.Routing;

namespace Kiln.Generator.Emitting
{
    /// <summary>
    /// Emits the matcher: one method per DFA state. A state reads the next segment with <c>PathReader.Next</c>
    /// (which records where it lies, for the adapters), compares it against the state's UTF-8 literals, runs the
    /// state's typed/pattern tests only for segments that are no literal, and goes on to the next state; when the
    /// path ends, the request method picks the route. Each state says in a comment which routes it still leads to.
    /// Nothing allocates, nothing backtracks, and no branch is emitted that cannot be taken.
    /// </summary>
    internal static class MatcherEmitter
    {
        /// <summary>Up to this many literals in a state are compared one after another; more get a switch on the segment length first.</summary>
        private const int LiteralsWithoutSwitch = 3;

        private const string NotFound = "RouteMatch.NotFound";

        public static string Emit(RouterModel router)
        {
            var w = new SourceWriter();
            w.Lines(Names.Header).Line();
            if (router.Namespace is not null) w.Open("namespace " + router.Namespace);
            w.Open("partial class " + router.ClassName);

            w.Line("/// <inheritdoc/>");
            w.Line("protected override RouteMatch Match(ref PathReader path) => "
                + (router.Matcher.States.Count == 0 ? NotFound + "; // no routes" : Goto(0) + ";"));
            foreach (var state in router.Matcher.States)
                state.Emit(w.Line(), router);
            foreach (var test in router.Matcher.Tests)
                test.Emit(w.Line(), router);
            for (int i = 0; i < router.Enums.Count; i++)
                router.Enums[i].EmitParser(w.Line(), i);
            w.Close();
            if (router.Namespace is not null) w.Close();
            return w.ToString();
        }

        private static string Goto(int state) => state < 0 ? NotFound : Names.State(state) + "(ref path)";

        private static string Describe(RouterModel router, EquatableArray<int> routes)
        {
            var names = routes.Take(4).Select(r => router.Routes[r].HttpMethod + " " + router.Routes[r].Template.Text).ToList();
            if (routes.Count > 4) names.Add("and " + (routes.Count - 4) + " more");
            return SourceWriter.Comment(string.Join(", ", names));
        }

        private static void Emit(this MatcherState state, SourceWriter w, RouterModel router)
        {
            string where = state.Depth == 0 ? "at the start of the path"
                : "after " + state.Depth + (state.Depth == 1 ? " segment" : " segments") + " (such as " + SourceWriter.Comment(state.Example) + ")";
            w.Line("// " + Names.State(state.Id) + ", " + where + ": " + Describe(router, state.Routes));
            w.Open("private static RouteMatch " + Names.State(state.Id) + "(ref PathReader path)");
            if (state.ReadsSegment) state.EmitSegmentDispatch(w, router);
            else state.EmitRest(w, router);
            w.Close();
        }

        /// <summary>A state that reads one more segment: the route when the path ends here, else literals, then tests.</summary>
        private static void EmitSegmentDispatch(this MatcherState state, SourceWriter w, RouterModel router)
        {
            if (state.End is { } end)
            {
                w.Open("if (!path.Next(out var segment))");
                if (end.TakesRest) w.Line("path.TakeRest(); // a catch-all starting here takes the empty rest");
                end.Emit(w, router);
                w.Close();
            }
            else w.Line("if (!path.Next(out var segment)) return " + NotFound + ";");

            EmitLiterals(w, state.Literals);

            // Tests reject an empty segment, so it goes where no test passed unless only catch-alls may take it.
            int noTestPassed = state.Others.First(t => t.Mask == 0).State;
            if (state.EmptySegmentState != noTestPassed)
                w.Line("if (segment.IsEmpty) return " + Goto(state.EmptySegmentState) + ";");
            EmitTestDispatch(w, state.Tests, state.Others);
        }

        /// <summary>A state past which only catch-alls remain: the rest of the path (possibly empty) is theirs.</summary>
        private static void EmitRest(this MatcherState state, SourceWriter w, RouterModel router)
        {
            if (state.Rest is { } rest)
            {
                if (rest.TakesRest) w.Line("path.TakeRest(); // a catch-all starting here takes the rest");
                // When the path ends here, routes ending here may compete with the catch-alls; if not, one answer serves both.
                if (state.End is { } end && !SameAnswer(end, rest))
                {
                    w.Open("if (path.AtEnd)");
                    end.Emit(w, router);
                    w.Close();
                }
                rest.Emit(w, router);
                return;
            }
            // Routes end here and none goes deeper: a longer path matches nothing.
            w.Line("if (!path.AtEnd) return " + NotFound + ";");
            if (state.End!.TakesRest) w.Line("path.TakeRest(); // a catch-all starting here takes the empty rest");
            state.End.Emit(w, router);
        }

        private static void EmitLiterals(SourceWriter w, EquatableArray<LiteralEdge> literals)
        {
            if (literals.Count <= LiteralsWithoutSwitch)
            {
                foreach (var edge in literals) EmitLiteral(w, edge);
                return;
            }
            w.Open("switch (segment.Length)");
            foreach (var group in literals.GroupBy(l => Encoding.UTF8.GetByteCount(l.Text)).OrderBy(g => g.Key))
            {
                w.Line("case " + group.Key + ":");
                w.Indent();
                foreach (var edge in group) EmitLiteral(w, edge);
                w.Line("break;");
                w.Outdent();
            }
            w.Close();
        }

        private static void EmitLiteral(SourceWriter w, LiteralEdge edge)
        {
            string test = "IsLiteral(segment, " + SourceWriter.Utf8(edge.Text) + ")";
            if (edge.Tests.Count == 0)
            {
                w.Line("if (" + test + ") return " + Goto(edge.Targets[0].State) + ";");
                return;
            }
            // A literal some run-time test may also accept (an ISpanParsable type): the test decides which routes remain.
            w.Open("if (" + test + ")");
            EmitTestDispatch(w, edge.Tests, edge.Targets);
            w.Close();
        }

        /// <summary>
        /// Runs <paramref name="tests"/> on the segment and goes to the target of the combination that passed (bit i
        /// set: test i passed). Combinations that lead where "none passed" leads, and those the build proved
        /// impossible, share the final return.
        /// </summary>
        private static void EmitTestDispatch(SourceWriter w, EquatableArray<int> tests, EquatableArray<MaskTarget> targets)
        {
            int fallback = targets.First(t => t.Mask == 0).State;
            var others = targets.Where(t => t.State != fallback).ToList();
            if (tests.Count == 1)
            {
                if (others.Count == 1) w.Line("if (" + Names.Test(tests[0]) + "(segment)) return " + Goto(others[0].State) + ";");
            }
            else if (others.Count > 0)
            {
                w.Line("int mask = " + string.Join(" | ", tests.Select((t, i) => "(" + Names.Test(t) + "(segment) ? " + (1 << i) + " : 0)")) + ";");
                w.Open("switch (mask)");
                foreach (var group in others.GroupBy(t => t.State))
                {
                    foreach (var target in group) w.Line("case " + target.Mask + ":");
                    w.Line("    return " + Goto(group.Key) + ";");
                }
                w.Close();
            }
            w.Line("return " + Goto(fallback) + ";");
        }

        private static bool SameAnswer(Terminal a, Terminal b) => a.Methods.Equals(b.Methods) && a.AllowSet == b.AllowSet;

        /// <summary>The path ended (or a catch-all took the rest): the request method picks the route, or 405 with Allow.</summary>
        private static void Emit(this Terminal terminal, SourceWriter w, RouterModel router)
        {
            w.Open("switch (path.Method)");
            bool explicitHead = terminal.Methods.Any(m => m.Method == "HEAD");
            foreach (var target in terminal.Methods)
            {
                var route = router.Routes[target.Route];
                w.Line("case " + SourceWriter.Literal(target.Method) + ":");
                if (target.Method == "GET" && !explicitHead) w.Line("case \"HEAD\":");
                w.Line("    return RouteMatch.Route(" + target.Route + "); // " + SourceWriter.Comment(route.HttpMethod + " " + route.Template.Text + " -> " + route.Name));
            }
            w.Line("default:");
            w.Line("    return RouteMatch.MethodNotAllowed(" + SourceWriter.Literal(router.Matcher.AllowSets[terminal.AllowSet]) + ");");
            w.Close();
        }

        private static void Emit(this SegmentTest test, SourceWriter w, RouterModel router)
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
            test.EmitSplitter(w, router);
        }

        /// <summary>Splits a pattern segment into its values, right to left, by the value grammar's <c>PeelRight</c>; checks typed values.</summary>
        private static void EmitSplitter(this SegmentTest test, SourceWriter w, RouterModel router)
        {
            var spec = test.Spec;
            int count = spec.Pattern.Count(p => p.IsParameter);
            w.Line("// Splits a segment by the pattern " + SourceWriter.Comment(spec.Describe()) + " (the last parameter takes the shortest text).");
            w.Open("private static bool " + Names.Pattern(test.Id) + "(" + Names.Span + " s, global::System.Span<global::System.Range> v)");
            w.Line("int start = 0, end = s.Length;");
            var parts = spec.Pattern;
            int first = 0, last = parts.Count - 1;
            if (parts[0].Literal is { } prefix)
            {
                int n = Encoding.UTF8.GetByteCount(prefix);
                w.Line("if (end < " + n + " || !IsLiteral(s.Slice(0, " + n + "), " + SourceWriter.Utf8(prefix) + ")) return false;");
                w.Line("start = " + n + ";");
                first = 1;
            }
            if (parts[last].Literal is { } suffix)
            {
                int n = Encoding.UTF8.GetByteCount(suffix);
                w.Line("if (end - " + n + " < start || !IsLiteral(s.Slice(end - " + n + "), " + SourceWriter.Utf8(suffix) + ")) return false;");
                w.Line("end -= " + n + ";");
                last--;
            }
            int index = count - 1;
            for (int i = last; i > first; i -= 2)
                w.Line("if (!PeelRight(s, start, ref end, " + SourceWriter.Utf8(parts[i - 1].Literal!) + ", out v[" + index-- + "])) return false;");
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

        private static void EmitParser(this ValueType type, SourceWriter w, int index)
        {
            w.Line("// Parses " + type.DisplayName + " by member name (ASCII letters in either case, other characters exactly).");
            w.Open("private static bool " + Names.EnumParser(index) + "(" + Names.Span + " s, out " + type.TypeName + " value)");
            foreach (var name in type.EnumNames)
                w.Line("if (IsEnumName(s, " + SourceWriter.Utf8(name) + ")) { value = " + type.TypeName + ".@" + name + "; return true; }");
            w.Line("value = default;");
            w.Line("return false;");
            w.Close();
        }
    }
}
