using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Model;
using Kiln.Generator.Routing;
using Kiln.Shared;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.Generator.Emitting
{
    /// <summary>
    /// Emits the typed URL builders: <c>Urls.&lt;Type&gt;.&lt;Method&gt;(route values…, query values…)</c> returning the
    /// path and query of one route. Literal template text is percent-encoded here, at build time, by
    /// <see cref="UrlEncoding"/>; values are formatted and encoded at run time by <c>Router.UrlWriter</c> with the same
    /// rules, the inverse of the router's decoding.
    /// </summary>
    internal static class UrlEmitter
    {
        private const string Writer = "global::Kiln.Router.UrlWriter";
        private const string Value = "global::Kiln.Router.UrlValue";

        public static string Emit(RouterModel router)
        {
            var w = new SourceWriter();
            w.Lines(Names.Header);
            w.Line("#nullable enable").Line();
            if (router.Namespace is not null) w.Open("namespace " + router.Namespace);
            w.Open("partial class " + router.ClassName);
            w.Line("/// <summary>");
            w.Line("/// Typed URL builders, one per route: <c>Urls.Type.Method(route values, query values)</c> returns the route's path and");
            w.Line("/// query, every value formatted invariantly and percent-encoded so that this router matches the same route and binds the");
            w.Line("/// same values. Renaming or retyping a route parameter breaks callers at compile time.");
            w.Line("/// </summary>");
            w.Open("public static class Urls");
            var enums = new EnumFormatters("global::" + (router.Namespace is null ? "" : router.Namespace + ".") + router.ClassName);
            for (int g = 0; g < router.UrlGroups.Count; g++)
            {
                if (g > 0) w.Line();
                router.UrlGroups[g].EmitGroup(router, w, enums);
            }
            w.Close();
            // Enum formatters sit beside Urls, not in it: every name inside Urls is a route class's.
            for (int i = 0; i < enums.Types.Count; i++)
            {
                w.Line();
                EmitEnumFormatter(w, enums.Types[i], i);
            }
            w.Close();
            if (router.Namespace is not null) w.Close();
            return w.ToString();
        }

        /// <summary><c>Urls.&lt;Type&gt;</c>: each builder, those of a method with several routes in a class named by the method.</summary>
        private static void EmitGroup(this UrlGroupModel group, RouterModel router, SourceWriter w, EnumFormatters enums)
        {
            w.Line("/// <summary>URLs of the routes declared by <c>" + Xml(group.Name) + "</c>.</summary>");
            w.Open("public static partial class " + Identifier(group.Name));
            var builders = group.Builders;
            for (int i = 0; i < builders.Count; i++)
            {
                if (i > 0) w.Line();
                var builder = builders[i];
                var method = router.Methods[builder.Method];
                if (builder.Class is null)
                {
                    method.EmitBuilder(w, builder, Access(method), enums);
                    continue;
                }
                // One class per name: overloads with several routes each share it.
                int end = i;
                while (end + 1 < builders.Count && builders[end + 1].Class == builder.Class) end++;
                var members = Enumerable.Range(i, end - i + 1).Select(k => builders[k]).ToList();
                bool anyPublic = members.Any(b => router.Methods[b.Method].IsPublic);
                w.Line("/// <summary>URLs of the routes of <c>" + Xml(method.DisplayName) + "</c>, by route name.</summary>");
                w.Open((anyPublic ? "public" : "internal") + " static class " + Identifier(builder.Class));
                for (int k = 0; k < members.Count; k++)
                {
                    if (k > 0) w.Line();
                    var member = router.Methods[members[k].Method];
                    member.EmitBuilder(w, members[k], Access(member), enums);
                }
                w.Close();
                i = end;
            }
            w.Close();
        }

        private static string Access(RouteMethod method) => method.IsPublic ? "public" : "internal";

        private static void EmitBuilder(this RouteMethod method, SourceWriter w, UrlBuilderModel builder, string access, EnumFormatters enums)
        {
            string name = builder.Name;
            var route = method.Routes[builder.Route];
            var template = route.Template;
            var arguments = UrlBuilderPlan.Arguments(method, builder.Route);
            var routeParameters = arguments.Where(a => a.Kind == UrlArgumentKind.Route).Select(a => a.Parameter).ToList();
            var required = arguments.Where(a => a.Kind == UrlArgumentKind.RequiredQuery).Select(a => a.Parameter).ToList();
            var optional = arguments.Where(a => a.IsOptional).Select(a => a.Parameter).ToList();
            var signature = arguments.Select(a => a.TypeName + " " + Identifier(a.Parameter.Name) + (a.IsOptional ? " = null" : "")).ToList();

            w.Line("/// <summary>The URL of <c>" + Xml(route.HttpMethod + " " + template.Text) + "</c> (<c>" + Xml(method.DisplayName) + "</c>).</summary>");
            foreach (var p in routeParameters)
                w.Line("/// <param name=\"" + p.Name + "\">The route value <c>" + Xml(p.Name) + "</c>.</param>");
            foreach (var p in required)
                w.Line("/// <param name=\"" + p.Name + "\">The query value <c>" + Xml(p.Key) + "</c>.</param>");
            foreach (var p in optional)
                w.Line("/// <param name=\"" + p.Name + "\">The query value <c>" + Xml(p.Key) + "</c>" + (p.Collection is not null ? ", once per item" : "") + "; left out when null.</param>");
            w.Line("/// <returns>The path and query, percent-encoded.</returns>");
            if (signature.Count == 0)
            {
                w.Line(access + " static string " + Identifier(name) + "() => " + SourceWriter.Literal(ConstantPath(template)) + ";");
                return;
            }
            w.Line("/// <exception cref=\"global::System.ArgumentException\">A value that no URL can carry so that this router reads it back (an empty or dot segment, NUL in the path, a non-finite number).</exception>");
            w.Open(access + " static string " + Identifier(name) + "(" + string.Join(", ", signature) + ")");

            var chain = PathCalls(template, method, enums);
            if (optional.Any(p => p.Collection is not null))
            {
                // Locals named so that no parameter (a user's name) hides them.
                string url = Local("__url", arguments), item = Local("__item", arguments);
                w.Line("var " + url + " = " + chain[0] + ";");
                foreach (var call in chain.Skip(1)) w.Line(url + call + ";");
                foreach (var p in required) w.Line(url + ".Query(" + SourceWriter.Literal(UrlEncoding.EncodeQueryComponent(p.Key)) + ", " + Format(p.Value!, Identifier(p.Name), enums) + ");");
                foreach (var p in optional)
                {
                    string key = SourceWriter.Literal(UrlEncoding.EncodeQueryComponent(p.Key));
                    if (p.Collection is not null)
                    {
                        w.Line("if (" + Identifier(p.Name) + " is not null)");
                        w.Line("    foreach (var " + item + " in " + Identifier(p.Name) + ") " + url + ".Query(" + key + ", " + Format(p.Value!, item, enums) + ");");
                    }
                    else w.Line(url + ".Query(" + key + ", " + OptionalFormat(p, enums) + ");");
                }
                w.Line("return " + url + ".ToString();");
            }
            else
            {
                foreach (var p in required) chain.Add(".Query(" + SourceWriter.Literal(UrlEncoding.EncodeQueryComponent(p.Key)) + ", " + Format(p.Value!, Identifier(p.Name), enums) + ")");
                foreach (var p in optional) chain.Add(".Query(" + SourceWriter.Literal(UrlEncoding.EncodeQueryComponent(p.Key)) + ", " + OptionalFormat(p, enums) + ")");
                if (chain.Count == 1) w.Line("return " + chain[0] + ".ToString();");
                else
                {
                    w.Line("return " + chain[0]);
                    foreach (var call in chain.Skip(1)) w.Line("    " + call);
                    w.Line("    .ToString();");
                }
            }
            w.Close();
        }

        /// <summary>The encoded path of a template without parameters.</summary>
        private static string ConstantPath(RouteTemplate template) =>
            "/" + string.Join("/", template.Segments.Select(segment => UrlEncoding.EncodeSegment(segment.Parts[0].Text)));

        /// <summary>The writer's construction and one call per path piece: literal text (encoded now) and values.</summary>
        private static List<string> PathCalls(RouteTemplate template, RouteMethod method, EnumFormatters enums)
        {
            var calls = new List<string>();
            var literal = new System.Text.StringBuilder("/");
            void Flush()
            {
                if (literal.Length == 0) return;
                string text = SourceWriter.Literal(literal.ToString());
                calls.Add(calls.Count == 0 ? "new " + Writer + "(" + text + ")" : ".Literal(" + text + ")");
                literal.Clear();
            }
            for (int s = 0; s < template.Segments.Count; s++)
            {
                if (s > 0) literal.Append('/');
                var segment = template.Segments[s];
                if (segment.IsLiteral)
                {
                    literal.Append(UrlEncoding.EncodeSegment(segment.Parts[0].Text));
                    continue;
                }
                Flush();
                if (segment.IsCatchAll || segment.IsSimpleParameter)
                {
                    var p = method.Parameter(segment.Parts[0].Text);
                    string value = Format(p.Value!, Identifier(p.Name), enums);
                    calls.Add((segment.IsCatchAll ? ".Rest(" : ".Segment(") + SourceWriter.Literal(p.Name) + ", " + value + ")");
                    continue;
                }
                var parts = segment.Parts.Select(part => part.IsParameter
                    ? Format(method.Parameter(part.Text).Value!, Identifier(part.Text), enums)
                    : SourceWriter.Literal(part.Text));
                string shown = string.Concat(segment.Parts.Select(part => part.IsParameter ? "<" + part.Text + ">" : part.Text));
                calls.Add(".Pattern(" + SourceWriter.Literal(shown) + ", " + (segment.Parts[0].IsParameter ? "false" : "true") + ", " + string.Join(", ", parts) + ")");
            }
            Flush();
            if (calls.Count == 0) calls.Add("new " + Writer + "(\"/\")");
            return calls;
        }

        /// <summary>The text of <paramref name="expression"/> (of type <paramref name="type"/>) in the form the router parses.</summary>
        private static string Format(ValueType type, string expression, EnumFormatters enums)
        {
            switch (type.Kind)
            {
                case ValueKind.String:
                    return expression;
                case ValueKind.Enum:
                    return enums.For(type) + "(" + expression + ")";
                default:
                    return Value + "(" + expression + ")";
            }
        }

        /// <summary>An optional query value: null stays null (the key is left out).</summary>
        private static string OptionalFormat(ParameterModel p, EnumFormatters enums)
        {
            string name = Identifier(p.Name);
            if (p.Value!.Kind == ValueKind.String) return name;
            return p.Value.IsValueTypeKind()
                ? name + ".HasValue ? " + Format(p.Value, name + ".Value", enums) + " : null"
                : name + " is null ? null : " + Format(p.Value, name, enums);
        }

        /// <summary>Every kind but string (and a reference type implementing ISpanParsable) is a value type.</summary>
        private static bool IsValueTypeKind(this ValueType type) => type.Kind != ValueKind.String && type.Kind != ValueKind.SpanParsable;

        private static string EnumFormatter(int index) => "FormatEnum" + index;

        /// <summary>
        /// The enum formatters the builders call, numbered in order of first use. They are members of the router class,
        /// called by their full name: inside <c>Urls</c> a route class could have any name, <c>FormatEnum0</c> included.
        /// </summary>
        private sealed class EnumFormatters(string owner)
        {
            public List<ValueType> Types { get; } = new();

            /// <summary>The full name of the formatter of <paramref name="type"/>.</summary>
            public string For(ValueType type)
            {
                int index = Types.FindIndex(e => e.TypeName == type.TypeName);
                if (index < 0)
                {
                    index = Types.Count;
                    Types.Add(type);
                }
                return owner + "." + EnumFormatter(index);
            }
        }

        private static void EmitEnumFormatter(SourceWriter w, ValueType type, int index)
        {
            w.Line("// " + SourceWriter.Comment(type.DisplayName) + " by member name (the router parses names); a value without a name has no URL form.");
            w.Open("private static string " + EnumFormatter(index) + "(" + type.TypeName + " value)");
            foreach (var name in type.EnumNames)
                w.Line("if (value == " + type.TypeName + ".@" + name + ") return " + SourceWriter.Literal(name) + ";");
            w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"Only named members of " + SourceWriter.Comment(type.DisplayName).Replace("\"", "") + " can be written in a URL.\");");
            w.Close();
        }

        /// <summary><paramref name="name"/>, with underscores added until no argument has that name.</summary>
        private static string Local(string name, List<UrlArgument> arguments)
        {
            while (arguments.Any(a => a.Parameter.Name == name)) name += "_";
            return name;
        }

        private static string Identifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) == SyntaxKind.VarKeyword ? "@" + name : name;

        private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
