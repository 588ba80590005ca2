namespace Kiln.GeneratorTests.Infrastructure;

/// <summary>
/// Data shared by every Kiln worktree, kept outside the repository in <c>../shared</c> (next to the folder that holds
/// <c>Generated.sln</c>). Tests read it where it lies; it is never copied into the repository.
/// </summary>
public static class SharedData
{
    /// <summary>Set to 1 to make a missing shared file a failure instead of a skipped test (for CI).</summary>
    public const string RequireVariable = "KILN_REQUIRE_SHARED";

    /// <summary>The repository root: the nearest folder above the test binaries that contains Generated.sln.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Generated.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>The full path of <paramref name="relativePath"/> under ../shared, or null when it does not exist.</summary>
    public static string? Find(string relativePath)
    {
        var root = RepositoryRoot();
        if (root is null) return null;
        var path = Path.GetFullPath(Path.Combine(root, "..", "shared", relativePath));
        return File.Exists(path) ? path : null;
    }

    /// <summary>The file's path; fails the test when it is missing (the test is only run then with KILN_REQUIRE_SHARED=1).</summary>
    public static string Require(string relativePath) =>
        Find(relativePath) ?? throw new FileNotFoundException(
            $"../shared/{relativePath} was not found next to the repository root ({RepositoryRoot() ?? "no Generated.sln above " + AppContext.BaseDirectory}), and {RequireVariable}=1 requires it.");

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";
}

/// <summary>A fact that needs a file from ../shared: skipped, with the reason, when the file is missing — unless KILN_REQUIRE_SHARED=1.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string relativePath)
    {
        if (SharedData.Find(relativePath) is null && !SharedData.Required)
            Skip = $"../shared/{relativePath} is not present next to the repository root; this test reads the shared route data in place. Set {SharedData.RequireVariable}=1 to fail instead of skipping.";
    }
}
