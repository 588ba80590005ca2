using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Kiln.Footprint;

/// <summary>What one entry of the binary is.</summary>
internal enum EntryKind { Method, Type, Blob, RvaField, FrozenObject, Resource }

/// <summary>A type as the report groups it: by its assembly, namespace and outermost declaring type.</summary>
/// <param name="Assembly">The defining assembly (of the generic definition, for an instantiation).</param>
/// <param name="Namespace">The namespace of the outermost declaring type.</param>
/// <param name="Outer">The outermost declaring type's name (state machines and closures count for their type).</param>
/// <param name="Display">The full name, with nesting and type arguments.</param>
internal sealed record TypeName(string Assembly, string Namespace, string Outer, string Display)
{
    public string OuterFullName => Namespace.Length == 0 ? Outer : Namespace + "." + Outer;
}

/// <summary>One sized entry of the binary; <see cref="Owner"/> is null for blobs that belong to no type.</summary>
internal sealed record Entry(EntryKind Kind, TypeName? Owner, string Name, int Size);

/// <summary>
/// An .mstat file (format 2.x): an ECMA-335 assembly whose global methods <c>Methods</c>, <c>Types</c>, <c>Blobs</c>,
/// <c>RvaFields</c>, <c>FrozenObjects</c> and <c>ManifestResources</c> list every object ILC placed in the binary as
/// IL (<c>ldtoken entity; ldc.i4 size; …</c>). Sizes are those of the objects as the program sees them: a type's
/// MethodTable, a frozen string or a generic dictionary counts its expanded size, although on disk it is part of the
/// compressed <c>DehydratedData</c> blob (see <see cref="ContainerBlobs"/>); methods count code, GC info and EH info
/// (not their unwind data in <c>.eh_frame</c>). The native runtime is not in the file at all.
/// </summary>
internal sealed class MstatFile
{
    public required Version Version { get; init; }
    public required ImmutableArray<Entry> Entries { get; init; }

    /// <summary>Blobs whose contents <see cref="Entries"/> already lists (not counted again in <see cref="Total"/>).</summary>
    public required ImmutableDictionary<string, int> ContainerBlobs { get; init; }

    public long Total => Entries.Sum(e => (long)e.Size);

    public static MstatFile Read(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var version = md.GetAssemblyDefinition().Version;
        if (version.Major != 2) throw new NotSupportedException($"{path}: mstat format {version}; this reader understands 2.x.");
        var names = new Names(md);

        var bodies = new Dictionary<string, MethodBodyBlock>();
        var global = md.GetTypeDefinition(MetadataTokens.TypeDefinitionHandle(1));
        foreach (var h in global.GetMethods())
        {
            var m = md.GetMethodDefinition(h);
            if (m.RelativeVirtualAddress != 0) bodies[md.GetString(m.Name)] = pe.GetMethodBody(m.RelativeVirtualAddress);
        }
        IEnumerable<Operand> Ops(string method) => bodies.TryGetValue(method, out var b) ? Operands(b) : [];

        var entries = ImmutableArray.CreateBuilder<Entry>();
        foreach (var r in Records(Ops("Methods"), 5))
        {
            var (owner, name) = names.Member(r[0].Handle);
            entries.Add(new Entry(EntryKind.Method, owner, name, r[1].Int + r[2].Int + r[3].Int));   // code + GC info + EH info
        }
        foreach (var r in Records(Ops("Types"), 3))
        {
            var type = names.Type(r[0].Handle);
            entries.Add(new Entry(EntryKind.Type, type, type.Display, r[1].Int));
        }
        foreach (var r in Records(Ops("RvaFields"), 3))
        {
            var (owner, name) = names.Member(r[0].Handle);
            entries.Add(new Entry(EntryKind.RvaField, owner, name, r[1].Int));
        }
        foreach (var r in FrozenRecords(Ops("FrozenObjects")))
        {
            var type = names.Type(r.Type);
            var owner = r.Owner.IsNil ? type : names.Type(r.Owner);
            entries.Add(new Entry(EntryKind.FrozenObject, owner, type.Display, r.Size));
        }
        foreach (var r in Records(Ops("ManifestResources"), 3))
        {
            var asm = md.GetAssemblyReference(MetadataTokens.AssemblyReferenceHandle(r[0].Int & 0xFFFFFF));
            var owner = new TypeName(md.GetString(asm.Name), "", "(resources)", "(resources)");
            entries.Add(new Entry(EntryKind.Resource, owner, md.GetUserString(MetadataTokens.UserStringHandle(r[1].Int & 0xFFFFFF)), r[2].Int));
        }
        var containers = ImmutableDictionary.CreateBuilder<string, int>();
        foreach (var r in Records(Ops("Blobs"), 2))
        {
            string name = md.GetUserString(MetadataTokens.UserStringHandle(r[0].Int & 0xFFFFFF));
            if (Containers.Contains(name)) containers[name] = r[1].Int;
            else entries.Add(new Entry(EntryKind.Blob, null, name, r[1].Int));
        }
        return new MstatFile { Version = version, Entries = entries.ToImmutable(), ContainerBlobs = containers.ToImmutable() };
    }

    /// <summary>
    /// Blobs that hold entries listed individually: the types, frozen objects, generic dictionaries and statics
    /// (dehydrated: compressed on disk, expanded into the <c>.hydrated</c> section at start-up), the frozen objects
    /// again (format 2 lists them as a blob too) and RVA data.
    /// </summary>
    private static readonly HashSet<string> Containers = ["DehydratedData", "ArrayOfFrozenObjects", "FieldRvaData"];

    private readonly record struct Operand(bool IsToken, int Int)
    {
        public EntityHandle Handle => MetadataTokens.EntityHandle(Int);
    }

    private static IEnumerable<Operand[]> Records(IEnumerable<Operand> ops, int width)
    {
        var record = new List<Operand>(width);
        foreach (var op in ops)
        {
            record.Add(op);
            if (record.Count == width)
            {
                yield return record.ToArray();
                record.Clear();
            }
        }
    }

    // ldtoken type; ldc.i4 size; ldc.i4 name; then ldtoken owner or ldc.i4 0.
    private static IEnumerable<(EntityHandle Type, int Size, EntityHandle Owner)> FrozenRecords(IEnumerable<Operand> ops)
    {
        var record = new List<Operand>(4);
        foreach (var op in ops)
        {
            record.Add(op);
            if (record.Count == 4)
            {
                yield return (record[0].Handle, record[1].Int, record[3].IsToken ? record[3].Handle : default);
                record.Clear();
            }
        }
    }

    /// <summary>The operands of a body made of ldtoken, ldstr and ldc.i4 (all forms) only.</summary>
    private static IEnumerable<Operand> Operands(MethodBodyBlock body)
    {
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            byte op = il.ReadByte();
            if (op == 0x2A) yield break;                               // ret
            yield return op switch
            {
                0xD0 => new Operand(true, il.ReadInt32()),             // ldtoken
                0x72 => new Operand(false, il.ReadInt32()),            // ldstr (user string token)
                0x20 => new Operand(false, il.ReadInt32()),            // ldc.i4
                0x1F => new Operand(false, il.ReadSByte()),            // ldc.i4.s
                >= 0x15 and <= 0x1E => new Operand(false, op - 0x16),  // ldc.i4.m1 … ldc.i4.8
                _ => throw new InvalidDataException($"Unexpected IL opcode 0x{op:X2} in an mstat record list."),
            };
        }
    }
}
