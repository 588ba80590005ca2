using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace Kiln.Footprint;

/// <summary>
/// Turns the type and member references of an .mstat file into <see cref="TypeName"/>s: an instantiation belongs to
/// its generic definition's assembly and namespace, an array or pointer to its element type's, a nested type to its
/// outermost declaring type.
/// </summary>
internal sealed class Names(MetadataReader md) : ISignatureTypeProvider<TypeName, object?>
{
    private const string CoreLib = "System.Private.CoreLib";
    private readonly Dictionary<EntityHandle, TypeName> _types = new();

    public TypeName Type(EntityHandle handle)
    {
        if (_types.TryGetValue(handle, out var cached)) return cached;
        var type = handle.Kind switch
        {
            HandleKind.TypeReference => GetTypeFromReference(md, (TypeReferenceHandle)handle, 0),
            HandleKind.TypeDefinition => GetTypeFromDefinition(md, (TypeDefinitionHandle)handle, 0),
            HandleKind.TypeSpecification => md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null),
            _ => new TypeName("?", "", handle.Kind.ToString(), handle.Kind.ToString()),
        };
        return _types[handle] = type;
    }

    /// <summary>The declaring type and the display name of a method or field reference.</summary>
    public (TypeName Owner, string Name) Member(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.MethodSpecification:
            {
                var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                var (owner, name) = Member(spec.Method);
                var args = spec.DecodeSignature(this, null);
                return (owner, $"{name}<{string.Join(",", args.Select(a => a.Display))}>");
            }
            case HandleKind.MemberReference:
            {
                var member = md.GetMemberReference((MemberReferenceHandle)handle);
                var owner = Type(member.Parent);
                return (owner, owner.Display + "." + md.GetString(member.Name));
            }
            case HandleKind.MethodDefinition:
            {
                var method = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                var owner = Type(method.GetDeclaringType());
                return (owner, owner.Display + "." + md.GetString(method.Name));
            }
            case HandleKind.FieldDefinition:
            {
                var field = md.GetFieldDefinition((FieldDefinitionHandle)handle);
                var owner = Type(field.GetDeclaringType());
                return (owner, owner.Display + "." + md.GetString(field.Name));
            }
            default:
                return (new TypeName("?", "", "?", "?"), handle.Kind.ToString());
        }
    }

    public TypeName GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
    {
        var type = reader.GetTypeReference(handle);
        string name = reader.GetString(type.Name);
        switch (type.ResolutionScope.Kind)
        {
            case HandleKind.TypeReference:
            {
                var outer = GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, rawTypeKind);
                return outer with { Display = outer.Display + "+" + name };
            }
            case HandleKind.AssemblyReference:
            {
                var asm = reader.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope);
                string ns = reader.GetString(type.Namespace);
                return new TypeName(reader.GetString(asm.Name), ns, name, ns.Length == 0 ? name : ns + "." + name);
            }
            default:
            {
                string ns = reader.GetString(type.Namespace);
                return new TypeName("?", ns, name, ns.Length == 0 ? name : ns + "." + name);
            }
        }
    }

    public TypeName GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
    {
        var type = reader.GetTypeDefinition(handle);
        string name = reader.GetString(type.Name);
        if (type.IsNested)
        {
            var outer = GetTypeFromDefinition(reader, type.GetDeclaringType(), rawTypeKind);
            return outer with { Display = outer.Display + "+" + name };
        }
        string ns = reader.GetString(type.Namespace);
        return new TypeName("(mstat)", ns, name, ns.Length == 0 ? name : ns + "." + name);
    }

    public TypeName GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind)
        => Type(handle);

    public TypeName GetGenericInstantiation(TypeName genericType, ImmutableArray<TypeName> typeArguments)
        => genericType with { Display = $"{genericType.Display}<{string.Join(",", typeArguments.Select(a => a.Display))}>" };

    public TypeName GetSZArrayType(TypeName elementType) => elementType with { Display = elementType.Display + "[]" };

    public TypeName GetArrayType(TypeName elementType, ArrayShape shape)
        => elementType with { Display = elementType.Display + "[" + new string(',', shape.Rank - 1) + "]" };

    public TypeName GetByReferenceType(TypeName elementType) => elementType with { Display = elementType.Display + "&" };

    public TypeName GetPointerType(TypeName elementType) => elementType with { Display = elementType.Display + "*" };

    public TypeName GetPinnedType(TypeName elementType) => elementType;

    public TypeName GetModifiedType(TypeName modifier, TypeName unmodifiedType, bool isRequired) => unmodifiedType;

    public TypeName GetFunctionPointerType(MethodSignature<TypeName> signature)
        => new(CoreLib, "", "(function pointer)", "delegate*");

    public TypeName GetGenericMethodParameter(object? genericContext, int index) => new(CoreLib, "", "!!" + index, "!!" + index);

    public TypeName GetGenericTypeParameter(object? genericContext, int index) => new(CoreLib, "", "!" + index, "!" + index);

    public TypeName GetPrimitiveType(PrimitiveTypeCode typeCode)
    {
        string name = typeCode switch
        {
            PrimitiveTypeCode.IntPtr => "IntPtr",
            PrimitiveTypeCode.UIntPtr => "UIntPtr",
            PrimitiveTypeCode.TypedReference => "TypedReference",
            _ => typeCode.ToString(),
        };
        return new TypeName(CoreLib, "System", name, "System." + name);
    }
}
