using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Kiln.GeneratorBench;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

// Usage: dotnet run -c Release --project bench/GeneratorBench -- [--routes 1000] [--runs 5] [--baseline DIR] [--dump DIR]
//   --baseline DIR  also measure another build of Kiln (DIR holds its Kiln.Generator.dll, Kiln.dll and
//                   Kiln.Attributes.dll), taking turns with this build in every round so both see the same load.
//   --dump DIR      write the generated files of this build to DIR.
//   --compile DIR   only time compiling the app plus the .cs files in DIR (edited generated code, for experiments),
//                   against the baseline's runtime if --baseline is given.
var options = Options.Parse(args);
var variants = new List<Variant> { Variant.Current() };
if (options.Baseline is not null) variants.Insert(0, Variant.Load("baseline", options.Baseline));

var files = SyntheticApp.Files(options.Routes);
if (options.CompileOnly is not null)
{
    var generated = Directory.GetFiles(options.CompileOnly, "*.cs").Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToList();
    var costs = new List<double>();
    for (int round = -1; round < options.Runs; round++)
    {
        var with = Time(() => variants[0].Compile(files, generated));
        var without = Time(() => variants[0].Compile(files, []));
        if (round >= 0) costs.Add(with.Cpu - without.Cpu);
    }
    Console.WriteLine($"{options.CompileOnly}: {generated.Sum(g => g.Item2.Count(c => c == '\n')):N0} lines, compile cost median {Median(costs):F0} CPU ms (load {Load()})");
    return 0;
}
Console.WriteLine($"Synthetic app: {options.Routes} routes in {files.Count} files; {options.Runs} measured rounds after 1 warm-up; load {Load()}");
Console.WriteLine();

var results = variants.ToDictionary(v => v, _ => new Samples());
foreach (var variant in variants)
{
    var output = variant.Generate(files);
    results[variant].Output = output;
    if (options.Dump is not null && variant.Name == "current")
    {
        Directory.CreateDirectory(options.Dump);
        foreach (var (hint, text) in output) File.WriteAllText(Path.Combine(options.Dump, hint), text);
    }
}

for (int round = -1; round < options.Runs; round++)
{
    // Alternate the order, so neither build always runs right after the other's garbage.
    var order = round % 2 == 0 ? variants : Enumerable.Reverse(variants).ToList();
    foreach (var variant in order)
    {
        var samples = results[variant];
        var full = Time(() => variant.Generate(files));
        var (edit, cached) = variant.TimeEdit(files);
        var withOutput = Time(() => variant.Compile(files, samples.Output));
        var userOnly = Time(() => variant.Compile(files, []));
        if (round < 0) continue;   // warm-up: JIT the generator and Roslyn
        samples.Full.Add(full.Cpu);
        samples.Edit.Add(edit.Cpu);
        samples.EditCached = cached;
        samples.Compile.Add(withOutput.Cpu);
        samples.UserOnly.Add(userOnly.Cpu);
        samples.CompileCost.Add(withOutput.Cpu - userOnly.Cpu);
        samples.CompileCostWall.Add(withOutput.Wall - userOnly.Wall);
    }
    if (round >= 0) Console.Error.WriteLine($"round {round + 1}/{options.Runs} done; load {Load()}");
}

Console.WriteLine("CPU time of the process (all threads), so that the numbers hold on a loaded machine; wall time of the compile cost for reference.");
Console.WriteLine();
Console.WriteLine("| build | generated lines | generated KiB | generator full run (CPU ms) | after an edit (CPU ms) | outputs cached after the edit | compile, app + generated (CPU ms) | compile, app only (CPU ms) | compile cost of the generated code (CPU ms) | same, wall ms |");
Console.WriteLine("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|");
foreach (var variant in variants)
{
    var s = results[variant];
    int lines = s.Output.Sum(o => o.Text.Count(c => c == '\n'));
    double kib = s.Output.Sum(o => o.Text.Length) / 1024.0;
    Console.WriteLine($"| {variant.Name} | {lines:N0} | {kib:N0} | {Median(s.Full):F0} | {Median(s.Edit):F1} | {(s.EditCached ? "yes" : "no")} | {Median(s.Compile):F0} | {Median(s.UserOnly):F0} | **{Median(s.CompileCost):F0}** | {Median(s.CompileCostWall):F0} |");
}
Console.WriteLine();
Console.WriteLine("Medians over the rounds. Per file (current build):");
foreach (var (hint, text) in results[variants[^1]].Output)
    Console.WriteLine($"  {hint}: {text.Count(c => c == '\n'):N0} lines");
Console.WriteLine($"load {Load()}");
return 0;

static (double Wall, double Cpu) Time(Action action)
{
    var process = Process.GetCurrentProcess();
    var cpu = process.TotalProcessorTime;
    long start = Stopwatch.GetTimestamp();
    action();
    double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    process.Refresh();
    return (wall, (process.TotalProcessorTime - cpu).TotalMilliseconds);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Load() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

internal sealed class Samples
{
    public List<(string Hint, string Text)> Output = [];
    public List<double> Full = [], Edit = [], Compile = [], UserOnly = [], CompileCost = [], CompileCostWall = [];
    public bool EditCached;
}

internal sealed record Options(int Routes, int Runs, string? Baseline, string? Dump, string? CompileOnly)
{
    public static Options Parse(string[] args)
    {
        int routes = 1000, runs = 5;
        string? baseline = null, dump = null, compileOnly = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--routes": routes = int.Parse(args[++i]); break;
                case "--runs": runs = int.Parse(args[++i]); break;
                case "--baseline": baseline = args[++i]; break;
                case "--dump": dump = args[++i]; break;
                case "--compile": compileOnly = args[++i]; break;
                default: throw new ArgumentException("unknown option " + args[i]);
            }
        }
        if (routes % SyntheticApp.RoutesPerResource != 0) throw new ArgumentException("--routes must be a multiple of 10");
        if (runs < 1) throw new ArgumentException("--runs must be at least 1");
        return new Options(routes, runs, baseline, dump, compileOnly);
    }
}

/// <summary>One build of Kiln: its generator and the runtime assemblies its output compiles against.</summary>
internal sealed class Variant
{
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Preview);
    private readonly Func<IIncrementalGenerator> _generator;
    private readonly MetadataReference[] _references;

    private Variant(string name, Func<IIncrementalGenerator> generator, IEnumerable<string> kilnAssemblies)
    {
        Name = name;
        _generator = generator;
        _references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var f && (f.StartsWith("System.", StringComparison.Ordinal) || f is "mscorlib.dll" or "netstandard.dll"))
            .Concat(kilnAssemblies)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    }

    public string Name { get; }

    public static Variant Current() => new("current", () => new Kiln.Generator.RouterGenerator(),
        [typeof(Kiln.Router).Assembly.Location, typeof(Kiln.RouteAttribute).Assembly.Location]);

    /// <summary>Another build's generator, in its own load context (Roslyn itself is shared with this process).</summary>
    public static Variant Load(string name, string directory)
    {
        directory = Path.GetFullPath(directory);
        var context = new GeneratorContext(Path.Combine(directory, "Kiln.Generator.dll"));
        var type = context.LoadFromAssemblyPath(Path.Combine(directory, "Kiln.Generator.dll")).GetType("Kiln.Generator.RouterGenerator", throwOnError: true)!;
        return new Variant(name, () => (IIncrementalGenerator)Activator.CreateInstance(type)!,
            [Path.Combine(directory, "Kiln.dll"), Path.Combine(directory, "Kiln.Attributes.dll")]);
    }

    private sealed class GeneratorContext(string path) : AssemblyLoadContext("kiln-baseline-generator")
    {
        protected override Assembly? Load(AssemblyName name) =>
            name.Name == "Kiln.Generator" ? LoadFromAssemblyPath(path) : null;
    }

    private CSharpCompilation Compilation(IEnumerable<(string Path, string Text)> sources) =>
        CSharpCompilation.Create("Shop",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, Parse, path: s.Path)),
            _references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Enable));

    private GeneratorDriver Driver(bool track = false) =>
        CSharpGeneratorDriver.Create([_generator().AsSourceGenerator()], parseOptions: Parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    /// <summary>Runs the generator once on a fresh driver; returns its files (hint name, text).</summary>
    public List<(string Hint, string Text)> Generate(List<(string Path, string Text)> files)
    {
        var result = Driver().RunGenerators(Compilation(files)).GetRunResult();
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0) throw new InvalidOperationException(Name + ": generator errors:\n" + string.Join("\n", errors.Take(10)));
        return result.Results.SelectMany(r => r.GeneratedSources).Select(s => (s.HintName, s.SourceText.ToString())).OrderBy(s => s.HintName, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Times a re-run after an everyday edit (a line inserted at the top of one file, which moves every route in
    /// it); returns the time and whether every source output stayed cached.
    /// </summary>
    public ((double Wall, double Cpu) Time, bool Cached) TimeEdit(List<(string Path, string Text)> files)
    {
        var compilation = Compilation(files);
        var driver = Driver(track: true).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.First(t => t.FilePath == files[files.Count / 2].Path);
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText("// a comment that moves every line\n" + tree.GetText(), Parse, path: tree.FilePath));
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        driver = driver.RunGenerators(edited);
        double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        process.Refresh();
        var ms = (wall, (process.TotalProcessorTime - cpu).TotalMilliseconds);
        var run = driver.GetRunResult().Results.Single();
        bool cached = run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs)
            .All(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        return (ms, cached);
    }

    /// <summary>Parses and compiles (Release, emitted to memory) the app plus <paramref name="generated"/>.</summary>
    public void Compile(List<(string Path, string Text)> files, List<(string Hint, string Text)> generated)
    {
        var compilation = Compilation(files.Concat(generated.Select(g => (g.Hint, g.Text))));
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        if (!emit.Success)
            throw new InvalidOperationException(Name + ": compilation failed:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
    }
}
