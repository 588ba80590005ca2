using System;
using System.Collections.Generic;

namespace Kiln.Generator.Routing
{
    /// <summary>A route as the matcher builder sees it: an ID (its index in the route table), a method, its parsed template and one spec per segment.</summary>
    /// <param name="Id">The route's index in the router's route table.</param>
    /// <param name="Method">The HTTP method token.</param>
    /// <param name="Template">The parsed template.</param>
    /// <param name="Specs">What each segment accepts (the template's segments typed by the method's parameters); a catch-all is the last spec.</param>
    internal sealed record RouteEntry(int Id, string Method, RouteTemplate Template, EquatableArray<SegmentSpec> Specs)
    {
        /// <summary>Types each segment of <paramref name="template"/> through <paramref name="typeOf"/> (parameter name → value type).</summary>
        public static RouteEntry Create(int id, string method, RouteTemplate template, Func<string, ValueType> typeOf)
        {
            var specs = new List<SegmentSpec>(template.Segments.Count);
            foreach (var segment in template.Segments) specs.Add(SegmentSpec.For(segment, typeOf));
            return new RouteEntry(id, method, template, specs.ToEquatableArray());
        }

        public bool HasCatchAll => Specs.Count > 0 && Specs[Specs.Count - 1].Rank == SegmentRank.CatchAll;

        /// <summary>Segments before the catch-all (or all of them).</summary>
        public int FixedCount => HasCatchAll ? Specs.Count - 1 : Specs.Count;

        public SegmentRank RankAt(int index) => index < FixedCount ? Specs[index].Rank : SegmentRank.CatchAll;
    }

    /// <summary>A run-time test on a segment (a typed parameter or a pattern); states refer to tests by ID. Equal specs share one test.</summary>
    internal sealed record SegmentTest(int Id, SegmentSpec Spec);

    /// <summary>Where a segment leads when the tests selected by <see cref="Mask"/> passed (bit i = the state's i-th test).</summary>
    internal sealed record MaskTarget(int Mask, int State);

    /// <summary>A segment equal to <see cref="Text"/>: the tests still to run on it (those the build could not decide) and the targets.</summary>
    internal sealed record LiteralEdge(string Text, EquatableArray<int> Tests, EquatableArray<MaskTarget> Targets);

    /// <summary>The route a method selects when matching ends in a state.</summary>
    internal sealed record MethodTarget(string Method, int Route);

    /// <summary>
    /// The outcome when matching ends: the route per method (by precedence), and the Allow set for 405/OPTIONS.
    /// <see cref="TakesRest"/>: a catch-all starting at this depth is a candidate, so the rest of the path from here
    /// (empty when the path ended) must be recorded as its value.
    /// </summary>
    internal sealed record Terminal(EquatableArray<MethodTarget> Methods, int AllowSet, bool TakesRest, EquatableArray<int> Routes);

    /// <summary>
    /// A DFA state: the set of routes still possible after <see cref="Depth"/> segments. When the path ends here,
    /// <see cref="End"/> decides; otherwise the next segment is compared against <see cref="Literals"/>, then the
    /// <see cref="Tests"/> run and <see cref="Others"/> picks the next state by their results. A state that reads
    /// no further segment (only catch-alls left) answers <see cref="Rest"/> for any longer path.
    /// </summary>
    /// <param name="Id">The state's number (0 is the root).</param>
    /// <param name="Depth">How many segments have been read on reaching it.</param>
    /// <param name="Example">A path prefix that reaches it (typed segments shown as <c>&lt;int&gt;</c>…), for comments.</param>
    /// <param name="Routes">The routes still possible.</param>
    /// <param name="ReadsSegment">Whether it reads another segment (else only catch-alls, or nothing, remain).</param>
    /// <param name="Literals">Literal segments and where they lead.</param>
    /// <param name="Tests">The tests run on a segment that is no literal.</param>
    /// <param name="Others">Where such a segment leads, by the tests that passed.</param>
    /// <param name="EmptySegmentState">Where an empty segment leads (-1: nowhere).</param>
    /// <param name="End">The outcome when the path ends here.</param>
    /// <param name="Rest">The outcome for any longer path, in a state that reads no segment.</param>
    internal sealed record MatcherState(
        int Id,
        int Depth,
        string Example,
        EquatableArray<int> Routes,
        bool ReadsSegment,
        EquatableArray<LiteralEdge> Literals,
        EquatableArray<int> Tests,
        EquatableArray<MaskTarget> Others,
        int EmptySegmentState,
        Terminal? End,
        Terminal? Rest);

    /// <summary>The whole matcher: states (0 is the root), the tests they run, and the distinct Allow header values.</summary>
    internal sealed record MatcherModel(EquatableArray<MatcherState> States, EquatableArray<SegmentTest> Tests, EquatableArray<string> AllowSets, int MaxDepth)
    {
        /// <summary>The ID of the test that checks <paramref name="spec"/> (a typed or pattern segment of some route).</summary>
        public int TestFor(SegmentSpec spec)
        {
            foreach (var test in Tests)
                if (test.Spec == spec) return test.Id;
            throw new InvalidOperationException("No matcher test for " + spec.Describe());
        }
    }

    /// <summary>Two routes for one method that match the same path with equal precedence (or identical templates).</summary>
    internal sealed record RouteConflict(int First, int Second, bool IsDuplicate, string ExamplePath);
}
