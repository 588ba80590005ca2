using Kiln.GeneratorTests.Infrastructure;

// Usage: dotnet run --project bench/ApiSurface -- ASSEMBLY.dll...
// Prints, for each assembly, its public surface: one declaration per line, sorted (see PublicSurface).
// bench/ApiSurface/diff.sh BASE [HEAD] builds src/Runtime and src/Attributes at two commits and diffs their surfaces.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Kiln.ApiSurface ASSEMBLY.dll...");
    return 2;
}
foreach (var path in args)
{
    Console.WriteLine("// " + Path.GetFileName(path));
    Console.Write(PublicSurface.Of(Path.GetFullPath(path)));
}
return 0;
