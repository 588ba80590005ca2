using System.Text;

namespace Kiln.GeneratorBench;

/// <summary>
/// A synthetic app of <c>resources × 10</c> routes, spread over one file per ten resources, shaped like a typical
/// REST API: per resource a list (two query parameters), create (string body), get/put/delete by <c>int</c> id, a
/// nested list and item (<c>Guid</c>), a lookup by name (string), a catch-all and a pattern segment. Results are
/// strings, so the compile cost measured is Kiln's, not System.Text.Json's generator.
/// </summary>
public static class SyntheticApp
{
    public const int RoutesPerResource = 10;

    /// <summary>The source files (path, text) for <paramref name="routes"/> routes (a multiple of 10).</summary>
    public static List<(string Path, string Text)> Files(int routes)
    {
        int resources = routes / RoutesPerResource;
        var files = new List<(string, string)>();
        for (int first = 0; first < resources; first += 10)
        {
            var sb = new StringBuilder();
            sb.Append("namespace Shop.Api").Append(first / 10).Append(";\n\n");
            for (int k = first; k < Math.Min(first + 10, resources); k++) Resource(sb, k);
            files.Add(($"Resources{first / 10}.cs", sb.ToString()));
        }
        return files;
    }

    private static void Resource(StringBuilder sb, int k)
    {
        string r = "/api/res" + k;
        sb.Append($$"""
            public static class Resource{{k}}
            {
                [global::Kiln.Get("{{r}}")]
                public static string List([global::Kiln.Query] int limit = 50, [global::Kiln.Query] string? q = null) => "list {{k}} " + limit + q;

                [global::Kiln.Post("{{r}}")]
                public static string Create([global::Kiln.Body] string body) => "created {{k}} " + body.Length;

                [global::Kiln.Get("{{r}}/<id>")]
                public static string Get(int id) => "get {{k}} " + id;

                [global::Kiln.Put("{{r}}/<id>")]
                public static string Update(int id, [global::Kiln.Body] string body) => "updated {{k}} " + id;

                [global::Kiln.Delete("{{r}}/<id>")]
                public static void Delete(int id) { }

                [global::Kiln.Get("{{r}}/<id>/items")]
                public static string Items(int id, [global::Kiln.Query] int page = 1) => "items {{k}} " + id + " " + page;

                [global::Kiln.Get("{{r}}/<id>/items/<itemId>")]
                public static string Item(int id, global::System.Guid itemId) => "item {{k}} " + itemId;

                [global::Kiln.Get("{{r}}/by-name/<name>")]
                public static string ByName(string name) => "by name {{k}} " + name;

                [global::Kiln.Get("{{r}}/<id>/files/<*path>")]
                public static string File(int id, string path) => "file {{k}} " + path;

                [global::Kiln.Get("{{r}}/<id>/report.<format>")]
                public static string Report(int id, string format) => "report {{k}} " + format;
            }


            """);
    }
}
