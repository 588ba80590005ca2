using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Kiln.GeneratorTests.Infrastructure;

/// <summary>
/// Source text with the expected diagnostic location marked: <c>[|…|]</c> for the primary location and
/// <c>{|…|}</c> for an additional location. The markers are removed before compiling.
/// </summary>
public sealed class MarkedSource
{
    public string Text { get; }
    public LinePositionSpan? Primary { get; }
    public LinePositionSpan? Additional { get; }

    public MarkedSource(string marked)
    {
        var input = marked.Replace("\r\n", "\n");
        var output = new System.Text.StringBuilder();
        int primaryStart = -1, primaryEnd = -1, additionalStart = -1, additionalEnd = -1;
        for (int i = 0; i < input.Length; i++)
        {
            string two = i + 1 < input.Length ? input.Substring(i, 2) : "";
            switch (two)
            {
                case "[|": primaryStart = output.Length; i++; continue;
                case "|]": primaryEnd = output.Length; i++; continue;
                case "{|": additionalStart = output.Length; i++; continue;
                case "|}": additionalEnd = output.Length; i++; continue;
            }
            output.Append(input[i]);
        }
        Text = output.ToString();
        var source = SourceText.From(Text);
        if (primaryStart >= 0) Primary = source.Lines.GetLinePositionSpan(TextSpan.FromBounds(primaryStart, primaryEnd));
        if (additionalStart >= 0) Additional = source.Lines.GetLinePositionSpan(TextSpan.FromBounds(additionalStart, additionalEnd));
    }

    /// <summary>"Routes.cs(3,17)-(3,20)", 1-based, the way compilers print locations.</summary>
    public static string Describe(string path, LinePositionSpan span) =>
        $"{path}({span.Start.Line + 1},{span.Start.Character + 1})-({span.End.Line + 1},{span.End.Character + 1})";

    public static string Describe(Location location) => Describe(Path.GetFileName(location.GetLineSpan().Path), location.GetLineSpan().Span);
}
