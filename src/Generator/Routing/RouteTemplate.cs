namespace Kiln.Generator.Routing
{
    /// <summary>A part of a template segment: literal text, or a parameter.</summary>
    /// <param name="IsParameter">Whether this part is a parameter.</param>
    /// <param name="Text">The literal text, or the parameter name.</param>
    /// <param name="IsCatchAll">Whether the parameter is <c>&lt;*name&gt;</c>.</param>
    /// <param name="Offset">Where the part starts in the template text (for diagnostics).</param>
    internal sealed record TemplatePart(bool IsParameter, string Text, bool IsCatchAll, int Offset);

    /// <summary>One <c>/</c>-separated segment of a template.</summary>
    internal sealed record TemplateSegment(EquatableArray<TemplatePart> Parts)
    {
        public bool IsLiteral => Parts.Count == 1 && !Parts[0].IsParameter;

        /// <summary>A lone parameter (<c>&lt;id&gt;</c>), as opposed to one with a prefix or suffix.</summary>
        public bool IsSimpleParameter => Parts.Count == 1 && Parts[0].IsParameter && !Parts[0].IsCatchAll;

        public bool IsCatchAll => Parts.Count == 1 && Parts[0].IsCatchAll;
    }

    /// <summary>A parsed route template: <c>/accounts/&lt;id&gt;/history</c>.</summary>
    internal sealed record RouteTemplate(string Text, EquatableArray<TemplateSegment> Segments)
    {
        public bool HasCatchAll => Segments.Count > 0 && Segments[Segments.Count - 1].IsCatchAll;

        /// <summary>The number of segments a matching path has (for a catch-all, the segments before it).</summary>
        public int FixedSegmentCount => HasCatchAll ? Segments.Count - 1 : Segments.Count;
    }

    /// <summary>What is wrong with a template, where, and how to fix it.</summary>
    internal enum TemplateErrorKind
    {
        Malformed,
        DuplicateParameter,
    }

    /// <summary>A template error: kind, message (with the fix) and the character range in the template.</summary>
    internal sealed record TemplateError(TemplateErrorKind Kind, string Message, int Offset, int Length);
}
