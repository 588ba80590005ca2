using System;
using System.Collections.Generic;
using System.Linq;

namespace Kiln.Generator.Routing
{
    /// <summary>
    /// Builds the segment DFA at build time (as ASP.NET Core's DfaMatcherBuilder does at start-up): each state is
    /// the set of routes a path prefix can still reach, so matching never backtracks. Precedence is decided per
    /// terminal state; routes of one method left tied there are conflicts, returned as data.
    /// </summary>
    internal sealed class MatcherBuilder
    {
        /// <summary>Beyond this many distinct typed/pattern parameters at one position, the builder refuses the table.</summary>
        public const int MaxTestsPerState = 8;

        /// <summary>A safety bound on the DFA's size.</summary>
        public const int MaxStates = 20000;

        private readonly IReadOnlyList<RouteEntry> _routes;
        private readonly List<StateDraft> _states = new();
        private readonly Dictionary<string, int> _stateIndex = new(StringComparer.Ordinal);
        private readonly List<SegmentTest> _tests = new();
        private readonly Dictionary<SegmentSpec, int> _testIndex = new();
        private readonly List<string> _allowSets = new();
        private readonly List<RouteConflict> _conflicts = new();
        private readonly HashSet<(int, int)> _conflictPairs = new();

        private MatcherBuilder(IReadOnlyList<RouteEntry> routes) => _routes = routes;

        private sealed class StateDraft
        {
            public int Id;
            public int Depth;
            public int[] Routes = Array.Empty<int>();
            public string Example = "";
            public MatcherState? Built;
        }

        /// <summary>Builds the matcher for <paramref name="routes"/> (IDs must equal their indexes).</summary>
        /// <returns>The matcher, the conflicts, and an error message when the table is too complex to build.</returns>
        public static (MatcherModel Matcher, IReadOnlyList<RouteConflict> Conflicts, string? Error) Build(IReadOnlyList<RouteEntry> routes)
        {
            var builder = new MatcherBuilder(routes);
            string? error = builder.Run();
            var matcher = new MatcherModel(
                builder._states.Select(s => s.Built!).Where(s => s is not null).ToEquatableArray(),
                builder._tests.ToEquatableArray(),
                builder._allowSets.ToEquatableArray(),
                routes.Count == 0 ? 0 : routes.Max(r => r.FixedCount));
            return (matcher, builder._conflicts.OrderBy(c => c.First).ThenBy(c => c.Second).ToList(), error);
        }

        private string? Run()
        {
            GetState(0, Enumerable.Range(0, _routes.Count).ToArray(), "");
            for (int i = 0; i < _states.Count; i++)
            {
                if (_states.Count > MaxStates)
                    return "The route table needs more than " + MaxStates + " matcher states; split overlapping parameter types across fewer positions.";
                var error = BuildState(_states[i]);
                if (error is not null) return error;
            }
            return null;
        }

        private int GetState(int depth, int[] routes, string example)
        {
            if (routes.Length == 0) return -1;
            Array.Sort(routes);
            string key = depth + ":" + string.Join(",", routes);
            if (_stateIndex.TryGetValue(key, out int id)) return id;
            id = _states.Count;
            _states.Add(new StateDraft { Id = id, Depth = depth, Routes = routes, Example = example });
            _stateIndex.Add(key, id);
            return id;
        }

        private string? BuildState(StateDraft state)
        {
            int d = state.Depth;
            var routes = state.Routes.Select(i => _routes[i]).ToList();
            var persistent = routes.Where(r => r.HasCatchAll && r.FixedCount <= d).Select(r => r.Id).ToArray();
            var deeper = routes.Where(r => r.FixedCount > d).ToList();

            var endCandidates = routes.Where(r => r.HasCatchAll ? r.FixedCount <= d : r.FixedCount == d).ToList();
            var end = endCandidates.Count > 0 ? Terminal(endCandidates, d, state.Example.Length == 0 ? "/" : state.Example, isEnd: true) : null;

            if (deeper.Count == 0)
            {
                var restCandidates = routes.Where(r => r.HasCatchAll && r.FixedCount <= d).ToList();
                var rest = restCandidates.Count > 0 ? Terminal(restCandidates, d, state.Example + "/x", isEnd: false) : null;
                state.Built = new MatcherState(state.Id, d, state.Example, state.Routes.ToEquatableArray(), false,
                    EquatableArray<LiteralEdge>.Empty, EquatableArray<int>.Empty, EquatableArray<MaskTarget>.Empty, -1, end, rest);
                return null;
            }

            var stringRoutes = deeper.Where(r => r.Specs[d].Rank == SegmentRank.String).Select(r => r.Id).ToArray();

            // The state's run-time tests, in a stable order.
            var localTests = new List<int>();
            var testRoutes = new Dictionary<int, List<int>>();
            foreach (var r in deeper)
            {
                var spec = r.Specs[d];
                if (!spec.NeedsTest) continue;
                if (!_testIndex.TryGetValue(spec, out int testId))
                {
                    testId = _tests.Count;
                    _tests.Add(new SegmentTest(testId, spec));
                    _testIndex.Add(spec, testId);
                }
                if (!testRoutes.TryGetValue(testId, out var list))
                {
                    testRoutes.Add(testId, list = new List<int>());
                    localTests.Add(testId);
                }
                list.Add(r.Id);
            }
            if (localTests.Count > MaxTestsPerState)
                return "More than " + MaxTestsPerState + " differently typed parameters compete at segment " + (d + 1) + " of " + state.Example + "/...; give some of them a literal prefix or move them to other positions.";

            // Literal edges.
            var literals = new List<LiteralEdge>();
            foreach (var group in deeper.Where(r => r.Specs[d].Rank == SegmentRank.Literal).GroupBy(r => r.Specs[d].Literal!).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var baseSet = new List<int>(persistent);
                baseSet.AddRange(group.Select(r => r.Id));
                baseSet.AddRange(stringRoutes);
                var residual = new List<int>();
                foreach (int t in localTests)
                {
                    switch (_tests[t].Spec.Accepts(group.Key))
                    {
                        case Acceptance.Yes: baseSet.AddRange(testRoutes[t]); break;
                        case Acceptance.Unknown: residual.Add(t); break;
                    }
                }
                var targets = Masks(residual, baseSet, testRoutes, d + 1, _ => state.Example + "/" + group.Key);
                literals.Add(new LiteralEdge(group.Key, residual.ToEquatableArray(), targets));
            }

            var otherBase = new List<int>(persistent);
            otherBase.AddRange(stringRoutes);
            // The example of a target: the spec of the first test that passed, or (none passed) a string segment.
            var others = Masks(localTests, otherBase, testRoutes, d + 1, mask =>
                state.Example + "/" + (mask == 0 ? "<string>" : _tests[localTests[LowestBit(mask)]].Spec.Describe()));
            int empty = GetState(d + 1, persistent.ToArray(), state.Example + "/");

            state.Built = new MatcherState(state.Id, d, state.Example, state.Routes.ToEquatableArray(), true, literals.ToEquatableArray(),
                localTests.ToEquatableArray(), others, empty, end, null);
            return null;
        }

        private static int LowestBit(int mask)
        {
            int bit = 0;
            while ((mask & (1 << bit)) == 0) bit++;
            return bit;
        }

        private EquatableArray<MaskTarget> Masks(List<int> tests, List<int> baseSet, Dictionary<int, List<int>> testRoutes, int depth, Func<int, string> example)
        {
            var targets = new List<MaskTarget>();
            for (int mask = 0; mask < 1 << tests.Count; mask++)
            {
                if (!Feasible(tests, mask)) continue;
                var set = new HashSet<int>(baseSet);
                for (int bit = 0; bit < tests.Count; bit++)
                    if ((mask & (1 << bit)) != 0) set.UnionWith(testRoutes[tests[bit]]);
                targets.Add(new MaskTarget(mask, GetState(depth, set.ToArray(), example(mask))));
            }
            return targets.ToEquatableArray();
        }

        private bool Feasible(List<int> tests, int mask)
        {
            for (int i = 0; i < tests.Count; i++)
            {
                if ((mask & (1 << i)) == 0) continue;
                for (int j = i + 1; j < tests.Count; j++)
                    if ((mask & (1 << j)) != 0 && !SegmentSpec.CanOverlap(_tests[tests[i]].Spec, _tests[tests[j]].Spec))
                        return false;
            }
            return true;
        }

        private Terminal Terminal(List<RouteEntry> candidates, int depth, string example, bool isEnd)
        {
            var methods = new List<MethodTarget>();
            foreach (var group in candidates.GroupBy(r => r.Method).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var ordered = group.ToList();
                ordered.Sort((a, b) => Compare(a, b, depth, isEnd) is var c && c != 0 ? c : a.Id.CompareTo(b.Id));
                var best = ordered[0];
                foreach (var other in ordered.Skip(1))
                {
                    if (Compare(best, other, depth, isEnd) != 0) break;
                    var pair = (Math.Min(best.Id, other.Id), Math.Max(best.Id, other.Id));
                    if (_conflictPairs.Add(pair))
                        _conflicts.Add(new RouteConflict(pair.Item1, pair.Item2, best.Template.Text == other.Template.Text, example));
                }
                methods.Add(new MethodTarget(group.Key, best.Id));
            }
            var allow = AllowHeader(methods.Select(m => m.Method));
            int allowIndex = _allowSets.IndexOf(allow);
            if (allowIndex < 0)
            {
                allowIndex = _allowSets.Count;
                _allowSets.Add(allow);
            }
            bool takesRest = candidates.Any(r => r.HasCatchAll && r.FixedCount == depth);
            return new Terminal(methods.ToEquatableArray(), allowIndex, takesRest, candidates.Select(r => r.Id).OrderBy(i => i).ToEquatableArray());
        }

        /// <summary>Precedence: per segment from the left, literal &lt; pattern &lt; typed &lt; string &lt; catch-all; then a route that ends here beats a catch-all with an empty rest.</summary>
        internal static int Compare(RouteEntry a, RouteEntry b, int depth, bool isEnd)
        {
            for (int i = 0; i < depth; i++)
            {
                int c = a.RankAt(i).CompareTo(b.RankAt(i));
                if (c != 0) return c;
            }
            if (isEnd && a.HasCatchAll != b.HasCatchAll) return a.HasCatchAll ? 1 : -1;
            return 0;
        }

        /// <summary>The Allow header for a set of routed methods: HEAD with GET, and OPTIONS (answered automatically).</summary>
        internal static string AllowHeader(IEnumerable<string> methods)
        {
            var set = new HashSet<string>(methods, StringComparer.Ordinal);
            if (set.Contains("GET")) set.Add("HEAD");
            set.Add("OPTIONS");
            string[] order = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };
            var known = order.Where(set.Contains);
            var custom = set.Where(m => Array.IndexOf(order, m) < 0).OrderBy(m => m, StringComparer.Ordinal);
            return string.Join(", ", known.Concat(custom));
        }
    }
}
