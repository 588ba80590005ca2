using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.GeneratorTests.Infrastructure;

/// <summary>
/// Lists what an assembly exposes to code outside it — public types and their public and protected members — one
/// declaration per line, sorted, read from metadata with Roslyn (so it works on any build of Kiln.dll).
/// </summary>
public static class PublicSurface
{
    private static readonly SymbolDisplayFormat Format = SymbolDisplayFormat.CSharpErrorMessageFormat
        .WithMemberOptions(SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType
            | SymbolDisplayMemberOptions.IncludeModifiers | SymbolDisplayMemberOptions.IncludeAccessibility | SymbolDisplayMemberOptions.IncludeContainingType
            | SymbolDisplayMemberOptions.IncludeRef)
        .WithParameterOptions(SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName
            | SymbolDisplayParameterOptions.IncludeParamsRefOut | SymbolDisplayParameterOptions.IncludeDefaultValue)
        .WithKindOptions(SymbolDisplayKindOptions.IncludeTypeKeyword)
        .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>The surface of the assembly at <paramref name="path"/>, limited to types for which <paramref name="include"/> holds.</summary>
    public static string Of(string path, Func<INamedTypeSymbol, bool>? include = null)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var f && (f.StartsWith("System.", StringComparison.Ordinal) || f is "mscorlib.dll" or "netstandard.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        var target = MetadataReference.CreateFromFile(path);
        references.Add(target);
        foreach (var sibling in Directory.GetFiles(Path.GetDirectoryName(path)!, "Kiln*.dll").Where(f => f != path))
            references.Add(MetadataReference.CreateFromFile(sibling));
        var compilation = CSharpCompilation.Create("surface", references: references);
        var assembly = (IAssemblySymbol)compilation.GetAssemblyOrModuleSymbol(target)!;
        var lines = new List<string>();
        foreach (var type in Types(assembly.GlobalNamespace).Where(t => Visible(t) && (include?.Invoke(t) ?? true)))
        {
            lines.Add(Declaration(type));
            if (type.TypeKind == TypeKind.Delegate) continue;
            foreach (var member in type.GetMembers().Where(m => Visible(m) && !m.IsImplicitlyDeclared && m is not INamedTypeSymbol))
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove }) continue;
                lines.Add("    " + member.ToDisplayString(Format));
            }
        }
        return string.Join("\n", lines) + "\n";
    }

    private static string Declaration(INamedTypeSymbol type)
    {
        var sb = new StringBuilder(SyntaxFacts.GetText(type.DeclaredAccessibility)).Append(' ');
        if (type.IsStatic) sb.Append("static ");
        else if (type.TypeKind == TypeKind.Class && type.IsAbstract) sb.Append("abstract ");
        else if (type.TypeKind == TypeKind.Class && type.IsSealed) sb.Append("sealed ");
        if (type.TypeKind == TypeKind.Delegate)
            return sb.Append("delegate ").Append(type.DelegateInvokeMethod!.ReturnType.ToDisplayString(Format)).Append(' ')
                .Append(type.ToDisplayString(Format).Replace("delegate ", "")).Append('(')
                .Append(string.Join(", ", type.DelegateInvokeMethod.Parameters.Select(p => p.ToDisplayString(Format)))).Append(')').ToString();
        return sb.Append(type.ToDisplayString(Format)).ToString();
    }

    private static IEnumerable<INamedTypeSymbol> Types(INamespaceSymbol ns)
    {
        foreach (var type in ns.GetTypeMembers().OrderBy(t => t.MetadataName, StringComparer.Ordinal))
            foreach (var t in WithNested(type)) yield return t;
        foreach (var child in ns.GetNamespaceMembers().OrderBy(n => n.Name, StringComparer.Ordinal))
            foreach (var t in Types(child)) yield return t;
    }

    private static IEnumerable<INamedTypeSymbol> WithNested(INamedTypeSymbol type)
    {
        yield return type;
        foreach (var nested in type.GetTypeMembers().OrderBy(t => t.MetadataName, StringComparer.Ordinal))
            foreach (var t in WithNested(nested)) yield return t;
    }

    /// <summary>Visible outside the assembly: public, or protected in a type that can be derived from.</summary>
    private static bool Visible(ISymbol symbol)
    {
        for (var s = symbol; s is not null && s is not INamespaceSymbol; s = s.ContainingSymbol)
        {
            bool visible = s.DeclaredAccessibility switch
            {
                Accessibility.Public => true,
                Accessibility.Protected or Accessibility.ProtectedOrInternal => s.ContainingType is { IsSealed: false, IsStatic: false },
                _ => false,
            };
            if (!visible) return false;
        }
        return true;
    }
}
