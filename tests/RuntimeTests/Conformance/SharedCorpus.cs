using System.Text.Json;

namespace Kiln.RuntimeTests.Conformance;

/// <summary>
/// Finds <c>../shared/conformance</c> next to the repository (the folder holding Generated.sln) and reads its
/// JSON Lines files. A fresh clone has no <c>../shared</c>: corpus tests are then skipped with a reason, unless
/// <c>KILN_REQUIRE_SHARED=1</c> (set by CI), which makes a missing corpus a failure.
/// </summary>
public static class SharedCorpus
{
    public static string? Directory { get; } = Find();

    public static bool Required => Environment.GetEnvironmentVariable("KILN_REQUIRE_SHARED") == "1";

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Generated.sln")))
            {
                var conformance = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance"));
                return System.IO.Directory.Exists(conformance) ? conformance : null;
            }
        }
        return null;
    }

    public static string? MissingReason(string file)
    {
        if (Directory is null) return "../shared/conformance is not next to this repository (fresh clone); set KILN_REQUIRE_SHARED=1 to make this a failure";
        return File.Exists(Path.Combine(Directory, file)) ? null : $"../shared/conformance/{file} is missing";
    }

    public static IReadOnlyList<JsonElement> Rows(string file)
    {
        var path = Path.Combine(Directory ?? throw new InvalidOperationException(MissingReason(file)), file);
        return File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }
}

/// <summary>
/// A fact over a corpus file from <c>../shared</c>: skipped with a stated reason when the file is missing, unless
/// <c>KILN_REQUIRE_SHARED=1</c>, in which case the test runs and fails on the missing file.
/// </summary>
public sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute(string file)
    {
        var missing = SharedCorpus.MissingReason(file);
        if (missing is not null && !SharedCorpus.Required) Skip = missing;
    }
}
