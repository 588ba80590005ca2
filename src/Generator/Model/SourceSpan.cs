using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Kiln.Generator.Model
{
    /// <summary>A source location as plain values (file, character span, line span), so models never hold a <see cref="Location"/>.</summary>
    internal sealed record SourceSpan(string FilePath, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
    {
        public static SourceSpan? From(Location? location)
        {
            if (location is null || location.SourceTree is null) return null;
            var line = location.GetLineSpan();
            return new SourceSpan(line.Path, location.SourceSpan.Start, location.SourceSpan.Length,
                line.StartLinePosition.Line, line.StartLinePosition.Character, line.EndLinePosition.Line, line.EndLinePosition.Character);
        }

        /// <summary>A sub-span on the same line (used to point inside a template string).</summary>
        public SourceSpan Slice(int offset, int length) =>
            new(FilePath, Start + offset, length, StartLine, StartColumn + offset, StartLine, StartColumn + offset + length);

        public Location ToLocation() => Location.Create(FilePath, new TextSpan(Start, Length),
            new LinePositionSpan(new LinePosition(StartLine, StartColumn), new LinePosition(EndLine, EndColumn)));

        /// <summary>"File.cs:12" — used in messages that name another route.</summary>
        public string Display => System.IO.Path.GetFileName(FilePath) + ":" + (StartLine + 1);
    }

    /// <summary>A diagnostic as values: its descriptor's ID, where it points, and its message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, SourceSpan? Location, EquatableArray<string> Arguments, EquatableArray<SourceSpan> AdditionalLocations)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SourceSpan? location, params string[] arguments)
            => new(descriptor.Id, location, arguments.ToEquatableArray(), EquatableArray<SourceSpan>.Empty);

        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SourceSpan? location, SourceSpan[] additional, params string[] arguments)
            => new(descriptor.Id, location, arguments.ToEquatableArray(), additional.ToEquatableArray());
    }
}
