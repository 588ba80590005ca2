using Microsoft.CodeAnalysis;

namespace Kiln.Generator.Parsing
{
    /// <summary>Metadata names the parser recognises.</summary>
    internal static class KnownTypes
    {
        public const string RouteAttribute = "Kiln.RouteAttribute";
        public const string GetAttribute = "Kiln.GetAttribute";
        public const string PostAttribute = "Kiln.PostAttribute";
        public const string PutAttribute = "Kiln.PutAttribute";
        public const string DeleteAttribute = "Kiln.DeleteAttribute";
        public const string PatchAttribute = "Kiln.PatchAttribute";
        public const string RouterAttribute = "Kiln.RouterAttribute";
        public const string UseAttribute = "Kiln.UseAttribute`1";
        public const string RateLimitAttribute = "Kiln.RateLimitAttribute";
        public const string JsonSerializableAttribute = "System.Text.Json.Serialization.JsonSerializableAttribute";

        public static readonly string[] RouteAttributes = { RouteAttribute, GetAttribute, PostAttribute, PutAttribute, DeleteAttribute, PatchAttribute };

        public static readonly SymbolDisplayFormat FullyQualified = SymbolDisplayFormat.FullyQualifiedFormat
            .WithMiscellaneousOptions(SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions
                & ~SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        public static readonly SymbolDisplayFormat Short = SymbolDisplayFormat.MinimallyQualifiedFormat
            .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

        public static string FullName(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(FullyQualified);

        public static bool Is(ITypeSymbol? type, string metadataName)
        {
            if (type is null) return false;
            var name = type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + type.MetadataName : type.MetadataName;
            return name == metadataName;
        }
    }
}
