// mstat: what is in a NativeAOT binary, from the .mstat file ILC writes with -p:IlcGenerateMstatFile=true.
//
//   dotnet run --project bench/footprint/MstatReader -- FILE.mstat [--binary FILE] [--top N]   top contributors
//   dotnet run --project bench/footprint/MstatReader -- --diff BASE.mstat NEW.mstat [--top N]  what changed
//   dotnet run --project bench/footprint/MstatReader -- FILE.mstat --grep TEXT                 entries naming TEXT
//   dotnet run --project bench/footprint/MstatReader -- FILE.mstat --forbid NAME[,NAME...]     exit 1 if present
//
// A NAME or TEXT matches an entry whose full name (or whose declaring type's) contains it; [Assembly] matches every
// entry of that assembly ([System.Console]).
//
// Sizes are bytes of the binary's managed part: method code with its GC and EH info, type structures
// (MethodTables), frozen objects (string literals, preinitialized statics), RVA data, resources and other blobs
// (metadata for stack traces and reflection, dispatch maps, …). With --binary, the rest of the file — the native
// runtime, the C library glue, ELF headers and symbol tables — is shown as "not in the mstat".
using System.Globalization;
using Kiln.Footprint;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
try
{
    return Run(args);
}
catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException)
{
    Console.Error.WriteLine("mstat: " + e.Message);
    return 2;
}

static int Run(string[] args)
{
    int top = 25;
    string? binary = null, grep = null, forbid = null, diffBase = null;
    var files = new List<string>();
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--top": top = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--binary": binary = Value(); break;
            case "--grep": grep = Value(); break;
            case "--forbid": forbid = Value(); break;
            case "--diff": diffBase = Value(); break;
            default: files.Add(args[i]); break;
        }
    }
    if (files.Count != 1)
        throw new ArgumentException("usage: mstat FILE.mstat [--binary FILE] [--top N] | --diff BASE.mstat NEW.mstat | FILE.mstat --grep TEXT | FILE.mstat --forbid NAME[,NAME...]");

    var mstat = MstatFile.Read(files[0]);
    if (diffBase is not null) return Report.Diff(MstatFile.Read(diffBase), mstat, top);
    if (forbid is not null) return Report.Forbid(mstat, forbid.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    if (grep is not null) return Report.Grep(mstat, grep);
    Report.Summary(mstat, binary is null ? null : new FileInfo(binary).Length, top);
    return 0;
}
