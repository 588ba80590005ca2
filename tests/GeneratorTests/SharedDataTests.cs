using Kiln.GeneratorTests.Infrastructure;

namespace Kiln.GeneratorTests;

/// <summary>How tests that read ../shared behave when the data is missing: skipped with a reason, or failed under KILN_REQUIRE_SHARED=1.</summary>
public class SharedDataTests
{
    [Fact]
    public void The_repository_root_is_found_above_the_test_binaries() =>
        Assert.True(File.Exists(Path.Combine(SharedData.RepositoryRoot()!, "Generated.sln")));

    [Fact]
    public void A_missing_shared_file_skips_the_test_with_a_reason_unless_required()
    {
        var skip = new SharedDataFactAttribute("routes/no-such-file.tsv").Skip;

        if (SharedData.Required) Assert.Null(skip);
        else Assert.Contains("../shared/routes/no-such-file.tsv is not present", skip, StringComparison.Ordinal);
    }

    [Fact]
    public void Requiring_a_missing_shared_file_fails_naming_it()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SharedData.Require("routes/no-such-file.tsv"));
        Assert.Contains("../shared/routes/no-such-file.tsv", e.Message, StringComparison.Ordinal);
    }
}
