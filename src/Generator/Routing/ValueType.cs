namespace Kiln.Generator.Routing
{
    /// <summary>How a route, query or header value is parsed.</summary>
    internal enum ValueKind
    {
        String,
        SByte, Byte, Int16, UInt16, Int32, UInt32, Int64, UInt64, Int128, UInt128,
        Decimal, Double, Single,
        Guid,
        Bool,
        DateOnly,
        /// <summary><c>DateTime</c> in ISO 8601 (<c>Kiln.Shared.IsoDateTime</c>): UTC when an offset is written, never server local time.</summary>
        DateTime,
        /// <summary><c>DateTimeOffset</c> in ISO 8601 (<c>Kiln.Shared.IsoDateTime</c>): the offset as written, UTC when none is.</summary>
        DateTimeOffset,
        Enum,
        /// <summary>Any other <c>ISpanParsable&lt;T&gt;</c>: parsed at run time, unknown at build time.</summary>
        SpanParsable,
    }

    /// <summary>A value type as far as parsing is concerned.</summary>
    /// <param name="Kind">How it parses.</param>
    /// <param name="TypeName">Its fully qualified C# name (<c>global::System.Int32</c>).</param>
    /// <param name="DisplayName">A short name for messages (<c>int</c>).</param>
    /// <param name="EnumNames">For enums, the member names.</param>
    internal sealed record ValueType(ValueKind Kind, string TypeName, string DisplayName, EquatableArray<string> EnumNames)
    {
        public static ValueType Of(ValueKind kind, string typeName, string displayName) => new(kind, typeName, displayName, EquatableArray<string>.Empty);

        public static readonly ValueType String = Of(ValueKind.String, "string", "string");

        public bool IsInteger => Kind >= ValueKind.SByte && Kind <= ValueKind.UInt128;

        public bool IsFloat => Kind == ValueKind.Decimal || Kind == ValueKind.Double || Kind == ValueKind.Single;

        public bool IsSigned => Kind == ValueKind.SByte || Kind == ValueKind.Int16 || Kind == ValueKind.Int32 || Kind == ValueKind.Int64 || Kind == ValueKind.Int128;
    }
}
