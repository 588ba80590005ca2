using Kiln.GeneratorTests.Infrastructure;

namespace Kiln.GeneratorTests;

/// <summary>
/// The emitted matcher for small tables, one rule each, reviewed as snapshots (accept with KILN_ACCEPT_SNAPSHOTS=1).
/// Their behaviour is tested by running them (DifferentialTests); these show what users read.
/// </summary>
public class MatcherSnapshotTests
{
    /// <summary>Several methods on one path, an explicit HEAD, a custom method, and a catch-all that may be empty.</summary>
    private const string Methods = """
        namespace Cache;

        public static class Files
        {
            [Get("/files")] public static string List() => "";
            [Route("HEAD", "/files")] public static string Probe() => "";
            [Post("/files/<name>")] public static string Upload(string name) => name;
            [Get("/files/<*path>")] public static string Read(string path) => path;
            [Route("PURGE", "/files/<*path>")] public static string Purge(string path) => path;
        }
        """;

    /// <summary>Prefix/suffix patterns, two values in one segment, and a typed parameter after a pattern.</summary>
    private const string Patterns = """
        namespace Docs;

        public static class Pages
        {
            [Get("/docs/<name>.<ext>")] public static string Doc(string name, string ext) => name;
            [Get("/docs/<page>")] public static string Page(string page) => page;
            [Get("/images/img-<id>.png")] public static string Image(int id) => "";
            [Get("/v<version>/status")] public static string Status(int version) => "";
            [Get("/café/<day>")] public static string Menu(DateOnly day) => "";
        }
        """;

    [Fact]
    public void Methods_matcher() => Snapshot.Verify(Generate(Methods, "AppRouter.Matcher.g.cs"), "Methods.Matcher");

    [Fact]
    public void Methods_router() => Snapshot.Verify(Generate(Methods, "AppRouter.g.cs"), "Methods.Router");

    [Fact]
    public void Patterns_matcher() => Snapshot.Verify(Generate(Patterns, "AppRouter.Matcher.g.cs"), "Patterns.Matcher");

    private static string Generate(string source, string hintName)
    {
        var (result, _) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        return GeneratorHarness.Generated(result, hintName);
    }
}
