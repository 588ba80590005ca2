using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Kiln.Shared;

namespace Kiln.Generator.Routing
{
    /// <summary>Precedence of a segment kind, most specific first. Compared segment by segment from the left.</summary>
    internal enum SegmentRank
    {
        Literal = 0,
        Pattern = 1,     // a parameter with literal text around it: img-<id>.png
        Typed = 2,       // a lone parameter whose type constrains it: <id> with int id
        String = 3,      // a lone string parameter
        CatchAll = 4,
    }

    /// <summary>One piece of a pattern segment: literal text, or (when <see cref="Literal"/> is null) a parameter of a type.</summary>
    /// <remarks>Parameter names are not part of it: two routes whose patterns differ only in names share one test.</remarks>
    internal sealed record PatternPart(string? Literal, ValueType? Type)
    {
        public bool IsParameter => Literal is null;
    }

    /// <summary>
    /// What one template segment of one route accepts. A value: equal specs accept the same segments, so the
    /// matcher runs one test for all routes whose segment has an equal typed or pattern spec.
    /// </summary>
    internal sealed record SegmentSpec(SegmentRank Rank, string? Literal, ValueType? Type, EquatableArray<PatternPart> Pattern)
    {
        /// <summary>Whether matching this segment needs a run-time test (a typed parameter or a pattern).</summary>
        public bool NeedsTest => Rank is SegmentRank.Typed or SegmentRank.Pattern;

        public static SegmentSpec ForLiteral(string text) => new(SegmentRank.Literal, text, null, EquatableArray<PatternPart>.Empty);

        /// <summary>Builds the spec for <paramref name="segment"/>, typing parameters through <paramref name="typeOf"/>.</summary>
        public static SegmentSpec For(TemplateSegment segment, Func<string, ValueType> typeOf)
        {
            if (segment.IsLiteral) return ForLiteral(segment.Parts[0].Text);
            if (segment.IsCatchAll) return new SegmentSpec(SegmentRank.CatchAll, null, ValueType.String, EquatableArray<PatternPart>.Empty);
            if (segment.IsSimpleParameter)
            {
                var type = typeOf(segment.Parts[0].Text);
                return new SegmentSpec(type.Kind == ValueKind.String ? SegmentRank.String : SegmentRank.Typed, null, type, EquatableArray<PatternPart>.Empty);
            }
            var parts = segment.Parts.Select(p => p.IsParameter ? new PatternPart(null, typeOf(p.Text)) : new PatternPart(p.Text, null));
            return new SegmentSpec(SegmentRank.Pattern, null, null, parts.ToEquatableArray());
        }

        /// <summary>Build-time answer to "does this spec accept the literal segment <paramref name="text"/>".</summary>
        public Acceptance Accepts(string text)
        {
            switch (Rank)
            {
                case SegmentRank.Literal: return Literal == text ? Acceptance.Yes : Acceptance.No;
                case SegmentRank.String:
                case SegmentRank.CatchAll: return text.Length > 0 || Rank == SegmentRank.CatchAll ? Acceptance.Yes : Acceptance.No;
                case SegmentRank.Typed: return ValueOracle.Accepts(Type!, text);
                default: return PatternAccepts(text);
            }
        }

        private Acceptance PatternAccepts(string text)
        {
            var values = PatternMatcher.Split(Pattern, text);
            if (values is null) return Acceptance.No;
            var result = Acceptance.Yes;
            int v = 0;
            foreach (var part in Pattern)
            {
                if (part.Literal is not null) continue;
                var a = ValueOracle.Accepts(part.Type!, values[v++]);
                if (a == Acceptance.No) return Acceptance.No;
                if (a == Acceptance.Unknown) result = Acceptance.Unknown;
            }
            return result;
        }

        /// <summary>Whether two specs of the same rank could accept one segment (false only when provably disjoint).</summary>
        public static bool CanOverlap(SegmentSpec a, SegmentSpec b)
        {
            if (a.Rank == SegmentRank.Typed && b.Rank == SegmentRank.Typed) return ValueOracle.CanOverlap(a.Type!, b.Type!);
            if (a.Rank == SegmentRank.Pattern && b.Rank == SegmentRank.Pattern)
            {
                string pa = a.Pattern[0].Literal ?? "", pb = b.Pattern[0].Literal ?? "";
                string sa = a.Pattern[a.Pattern.Count - 1].Literal ?? "", sb = b.Pattern[b.Pattern.Count - 1].Literal ?? "";
                bool prefixes = pa.StartsWith(pb, StringComparison.Ordinal) || pb.StartsWith(pa, StringComparison.Ordinal);
                bool suffixes = sa.EndsWith(sb, StringComparison.Ordinal) || sb.EndsWith(sa, StringComparison.Ordinal);
                if (!prefixes || !suffixes) return false;
                // The same literals split a segment the same way, so the values must overlap pairwise.
                if (SameShape(a, b))
                {
                    for (int i = 0; i < a.Pattern.Count; i++)
                        if (a.Pattern[i].Type is { } ta && !ValueOracle.CanOverlap(ta, b.Pattern[i].Type!)) return false;
                    return true;
                }
                // A typed parameter at one end holds that end's first (or last) character: <id> of type int cannot end in ".png".
                // And every literal character of one must be possible somewhere in the other: v<int> has no '.'.
                return EndsCanMeet(a, b) && EndsCanMeet(b, a) && LiteralsFit(a, b) && LiteralsFit(b, a);
            }
            return true;
        }

        private static bool SameShape(SegmentSpec a, SegmentSpec b)
        {
            if (a.Pattern.Count != b.Pattern.Count) return false;
            for (int i = 0; i < a.Pattern.Count; i++)
                if ((a.Pattern[i].Literal is null) != (b.Pattern[i].Literal is null) || a.Pattern[i].Literal is { } l && l != b.Pattern[i].Literal) return false;
            return true;
        }

        /// <summary>Whether each character of <paramref name="b"/>'s literals may occur in a segment that matches <paramref name="a"/>.</summary>
        private static bool LiteralsFit(SegmentSpec a, SegmentSpec b)
        {
            foreach (var part in b.Pattern)
            {
                if (part.Literal is null) continue;
                foreach (char c in part.Literal)
                {
                    bool possible = false;
                    foreach (var p in a.Pattern)
                        if (p.Literal is { } l ? l.IndexOf(c) >= 0 : ValueOracle.MayContain(p.Type!, c)) { possible = true; break; }
                    if (!possible) return false;
                }
            }
            return true;
        }

        /// <summary>Whether <paramref name="a"/>'s leading/trailing typed parameter can hold <paramref name="b"/>'s literal prefix/suffix character.</summary>
        private static bool EndsCanMeet(SegmentSpec a, SegmentSpec b)
        {
            var first = a.Pattern[0];
            var last = a.Pattern[a.Pattern.Count - 1];
            string pb = b.Pattern[0].Literal ?? "", sb = b.Pattern[b.Pattern.Count - 1].Literal ?? "";
            if (first.Type is { } tf && pb.Length > 0 && !ValueOracle.MayContain(tf, pb[0])) return false;
            if (last.Type is { } tl && sb.Length > 0 && !ValueOracle.MayContain(tl, sb[sb.Length - 1])) return false;
            return true;
        }

        public string Describe() => Rank switch
        {
            SegmentRank.Literal => Literal!,
            SegmentRank.CatchAll => "<*>",
            SegmentRank.Pattern => string.Concat(Pattern.Select(p => p.Literal ?? "<" + p.Type!.DisplayName + ">")),
            _ => "<" + Type!.DisplayName + ">",
        };
    }

    /// <summary>
    /// Splits a segment by a pattern's literal parts, matching from the right: the last parameter takes the
    /// shortest text that lets the suffix match (<c>&lt;name&gt;.&lt;ext&gt;</c> on <c>a.b.c</c> gives name=a.b,
    /// ext=c). The split runs on the segment's UTF-8 bytes with <see cref="ValueGrammar.PeelRight"/>, the rule the
    /// emitted <c>P</c><i>n</i> splitter of each pattern applies at run time.
    /// </summary>
    internal static class PatternMatcher
    {
        /// <summary>The parameter values of <paramref name="text"/> in order, or null when it does not fit the pattern.</summary>
        public static List<string>? Split(EquatableArray<PatternPart> pattern, string text)
        {
            var s = Encoding.UTF8.GetBytes(text);
            int first = 0, last = pattern.Count - 1;
            int start = 0, end = s.Length;
            if (pattern[0].Literal is { } prefixText)
            {
                var prefix = Encoding.UTF8.GetBytes(prefixText);
                if (!s.AsSpan().StartsWith(prefix)) return null;
                start = prefix.Length;
                first = 1;
            }
            if (pattern[last].Literal is { } suffixText)
            {
                var suffix = Encoding.UTF8.GetBytes(suffixText);
                if (end - suffix.Length < start || !s.AsSpan().EndsWith(suffix)) return null;
                end -= suffix.Length;
                last--;
            }
            // pattern[first..last] is P (L P)*: peel parameters off the right.
            var values = new List<string>();
            for (int i = last; i > first; i -= 2)
            {
                int valueEnd = end;
                if (!ValueGrammar.PeelRight(s, start, ref end, Encoding.UTF8.GetBytes(pattern[i - 1].Literal!), out int valueStart)) return null;
                values.Insert(0, Encoding.UTF8.GetString(s, valueStart, valueEnd - valueStart));
            }
            if (end - start <= 0) return null;
            values.Insert(0, Encoding.UTF8.GetString(s, start, end - start));
            return values;
        }
    }
}
