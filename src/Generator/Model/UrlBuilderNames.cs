using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.Generator.Model
{
    /// <summary>
    /// How the typed URL builders of a route method are named — one rule, asked by the parser (for KILN040) and by
    /// <see cref="UrlBuilderPlan"/> (which leaves out the builders of a method the rule refuses). A method with one route gets
    /// <c>Urls.T.M(...)</c>; a method with several gets <c>Urls.T.M.&lt;Name&gt;(...)</c>, one per route, named by the
    /// route's <c>Name</c>, which must then be a C# identifier, unique among the method's routes and not the method's name.
    /// </summary>
    internal static class UrlBuilderNames
    {
        /// <summary>The builder name of each of <paramref name="method"/>'s routes, or null with the reason when they cannot be named.</summary>
        /// <param name="method">The route method.</param>
        /// <param name="problem">Why not (for the diagnostic), with the route index it concerns.</param>
        public static string[]? For(RouteMethod method, out (int Route, string Reason)? problem)
        {
            problem = null;
            var routes = method.Routes;
            if (routes.Count == 1) return new[] { method.MethodName };
            var names = new string[routes.Count];
            var seen = new HashSet<string>(System.StringComparer.Ordinal);
            for (int i = 0; i < routes.Count; i++)
            {
                string? name = routes[i].Name;
                string template = routes[i].HttpMethod + " " + routes[i].Template.Text;
                if (name is null)
                    problem = (i, "the route " + template + " has no Name");
                else if (!SyntaxFacts.IsValidIdentifier(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
                    problem = (i, "the Name \"" + name + "\" of " + template + " is not a C# identifier");
                else if (name == method.MethodName)
                    problem = (i, "the Name \"" + name + "\" of " + template + " is the method's own name");
                else if (!seen.Add(name))
                    problem = (i, "the Name \"" + name + "\" is used by two of its routes");
                if (problem is not null) return null;
                names[i] = name!;
            }
            return names;
        }
    }
}
