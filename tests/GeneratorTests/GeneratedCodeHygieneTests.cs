using Kiln.GeneratorTests.Differential;
using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.GeneratorTests;

/// <summary>
/// The emitted matcher has no dead branch: no test whose outcome leads where its failure leads, no switch case that
/// returns what follows the switch, no <c>default</c> in a dispatch on test results. (Compiler warnings and
/// <c>#pragma</c> are checked on every compilation in <see cref="GeneratorHarness.Compile"/>.)
/// </summary>
public class GeneratedCodeHygieneTests
{
    public static IEnumerable<object[]> Seeds => Enumerable.Range(1, 12).Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_matcher_of_a_random_table_has_no_dead_branch(int seed)
    {
        var routes = RandomTables.Accepted(new RandomTables(seed).Table(DifferentialTests.RoutesPerTable));
        AssertNoDeadBranch(Matcher(TableSource.For(routes)));
    }

    [Theory]
    [InlineData("GET /items/new; GET /items/<id:int>; GET /items/<c:Color>; GET /items/<s>; GET /items/<*rest>")]
    [InlineData("GET /files/<*p>; GET /files; POST /files/<name>; PURGE /files/<*key>; HEAD /files/x")]
    [InlineData("GET /<x>.<y:int>; GET /<z>.png; GET /v<n:int>; GET /a/b/c/d; GET /a/<x:Guid>/<d:Date>")]
    [InlineData("GET /a; GET /b; GET /c; GET /dd; GET /eee; GET /<x:int>; GET /<y:bool>/<*r>")]
    public void The_matcher_of_a_hand_written_table_has_no_dead_branch(string table) =>
        AssertNoDeadBranch(Matcher(TableSource.For(ConflictTests.Parse(table))));

    private static string Matcher(string source)
    {
        var (result, _) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        return GeneratorHarness.Generated(result, "AppRouter.Matcher.g.cs");
    }

    private static void AssertNoDeadBranch(string matcher)
    {
        var root = CSharpSyntaxTree.ParseText(matcher).GetRoot();
        var problems = new List<string>();
        foreach (var block in root.DescendantNodes().OfType<BlockSyntax>())
        {
            var statements = block.Statements;
            for (int i = 0; i + 1 < statements.Count; i++)
            {
                var next = ReturnOf(statements[i + 1]);
                if (next is null) continue;
                // if (test) return X; return X;
                if (statements[i] is IfStatementSyntax { Else: null } branch && ReturnOf(branch.Statement) == next)
                    problems.Add("an if that returns what follows it: " + branch);
                // switch (...) { case k: return X; } return X;
                if (statements[i] is SwitchStatementSyntax dispatch)
                    foreach (var section in dispatch.Sections.Where(s => s.Statements.Count == 1 && ReturnOf(s.Statements[0]) == next))
                        problems.Add("a case that returns what follows the switch: " + section);
            }
        }
        foreach (var dispatch in root.DescendantNodes().OfType<SwitchStatementSyntax>().Where(s => s.Expression.ToString() == "mask"))
            if (dispatch.Sections.Any(s => s.Labels.Any(l => l is DefaultSwitchLabelSyntax)))
                problems.Add("a default in a dispatch on test results: " + dispatch);
        Assert.True(problems.Count == 0, string.Join("\n\n", problems) + "\n\n" + matcher);
        Assert.Contains("RouteMatch.Route(", matcher, StringComparison.Ordinal);
    }

    private static string? ReturnOf(StatementSyntax statement) => statement switch
    {
        ReturnStatementSyntax r => r.Expression?.ToString(),
        BlockSyntax { Statements.Count: 1 } b => ReturnOf(b.Statements[0]),
        _ => null,
    };
}
