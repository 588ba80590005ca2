using System.Text;

namespace Kiln.Benchmarks;

/// <summary>One row of the GitHub API route set, with a concrete path to look up.</summary>
/// <param name="Index">The row number (0-based); the route method is called <c>R{Index}</c>.</param>
/// <param name="Method">The method token (interned by <see cref="HttpMethods.Intern(string)"/>).</param>
/// <param name="Template">The template in Kiln's syntax (<c>/repos/&lt;owner&gt;/&lt;repo&gt;</c>).</param>
/// <param name="Path">The template with every parameter filled in (<c>/repos/julienschmidt/httprouter</c>).</param>
public sealed record GitHubRoute(int Index, string Method, string Template, string Path)
{
    /// <summary>The template in ASP.NET Core's syntax (<c>{owner}</c>, <c>{*rest}</c>).</summary>
    public string AspNetTemplate => Template.Replace("<*", "{*").Replace('<', '{').Replace('>', '}');

    /// <summary>The route method's name in the generated source.</summary>
    public string Name => "R" + Index;
}

/// <summary>
/// Reads the GitHub API route set (the one julienschmidt/go-http-routing-benchmark and matchit use) from
/// <c>../shared/routes/github-api.tsv</c> next to the repository. The data is third-party: it is read at run time
/// and never copied into the repository, nor is C# generated from it.
/// </summary>
public static class GitHubRoutes
{
    /// <summary>The number of rows the set has; the benchmarks' OperationsPerInvoke.</summary>
    public const int Count = 203;

    /// <summary>Parameter values used to fill templates, as in the go benchmark's paths (<c>/repos/julienschmidt/httprouter/stargazers</c>).</summary>
    private static readonly Dictionary<string, string> s_values = new()
    {
        ["owner"] = "julienschmidt",
        ["repo"] = "httprouter",
        ["user"] = "gopher",
        ["target_user"] = "octocat",
        ["assignee"] = "octocat",
        ["org"] = "golang",
        ["id"] = "12345",
        ["number"] = "42",
        ["sha"] = "6dcb09b5b57875f334f61aebed695e2e4193db5e",
        ["ref"] = "main",
        ["branch"] = "master",
        ["name"] = "bug",
        ["access_token"] = "e72e16c7e42f292c6912e7710c838347ae178b4a",
        ["client_id"] = "0123456789abcdef",
        ["email"] = "gopher@golang.org",
        ["keyword"] = "router",
        ["repository"] = "httprouter",
        ["state"] = "open",
    };

    private static IReadOnlyList<GitHubRoute>? s_routes;

    /// <summary>The routes in file order.</summary>
    public static IReadOnlyList<GitHubRoute> All => s_routes ??= Load(FindFile());

    /// <summary>
    /// The TSV: <c>KILN_GITHUB_ROUTES</c> if set, otherwise <c>../shared/routes/github-api.tsv</c> relative to the
    /// repository root, found by walking up from the working directory and from the executable's directory
    /// (BenchmarkDotNet runs the benchmarks from a generated folder under bin/).
    /// </summary>
    public static string FindFile()
    {
        var fromEnv = Environment.GetEnvironmentVariable("KILN_GITHUB_ROUTES");
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (!File.Exists(System.IO.Path.Combine(dir.FullName, "Generated.sln"))) continue;
                var candidate = System.IO.Path.Combine(dir.FullName, "..", "shared", "routes", "github-api.tsv");
                if (File.Exists(candidate)) return System.IO.Path.GetFullPath(candidate);
            }
        }
        throw new FileNotFoundException(
            "github-api.tsv not found: expected ../shared/routes/github-api.tsv next to the repository root, or set KILN_GITHUB_ROUTES.");
    }

    private static IReadOnlyList<GitHubRoute> Load(string file)
    {
        var routes = new List<GitHubRoute>();
        foreach (var line in File.ReadLines(file))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var tab = line.IndexOf('\t');
            var method = HttpMethods.Intern(line[..tab]);
            var template = line[(tab + 1)..].Trim();
            routes.Add(new GitHubRoute(routes.Count, method, template, Fill(template)));
        }
        if (routes.Count != Count)
            throw new InvalidDataException($"{file}: expected {Count} routes, found {routes.Count} (OperationsPerInvoke assumes {Count}).");
        return routes;
    }

    private static string Fill(string template)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            if (template[i] != '<') { sb.Append(template[i]); continue; }
            int close = template.IndexOf('>', i);
            var name = template[(i + 1)..close].TrimStart('*');
            sb.Append(s_values.TryGetValue(name, out var value) ? value : name);
            i = close;
        }
        return sb.ToString();
    }

    /// <summary>The parameter names of a template, in order.</summary>
    public static IEnumerable<string> Parameters(string template)
    {
        for (int i = template.IndexOf('<'); i >= 0; i = template.IndexOf('<', i + 1))
            yield return template[(i + 1)..template.IndexOf('>', i)].TrimStart('*');
    }
}
