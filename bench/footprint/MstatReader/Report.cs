namespace Kiln.Footprint;

/// <summary>The tables the tool prints (Markdown, so they paste into docs/benchmarks.md).</summary>
internal static class Report
{
    private static readonly (string Title, Func<Entry, string> Key)[] Groupings =
    [
        ("assembly", e => e.Owner?.Assembly ?? "(blobs)"),
        ("namespace", e => e.Owner is null ? "(blobs)" : $"{e.Owner.Namespace} ({e.Owner.Assembly})"),
        ("type", e => e.Owner?.OuterFullName ?? "(blob) " + e.Name),
    ];

    public static void Summary(MstatFile mstat, long? binarySize, int top)
    {
        long total = mstat.Total;
        Console.WriteLine($"mstat format {mstat.Version}: {Kib(total)} of managed code and data as the program sees it"
            + (binarySize is { } b ? $"; the binary is {Kib(b)}" : ""));
        Console.WriteLine("(types, frozen objects and generic dictionaries at their expanded size; on disk they are in "
            + string.Join(", ", mstat.ContainerBlobs.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {Kib(c.Value)}")) + ")");
        Console.WriteLine();
        Console.WriteLine("| kind | entries | size |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var g in mstat.Entries.GroupBy(e => e.Kind).OrderByDescending(g => g.Sum(e => e.Size)))
            Console.WriteLine($"| {g.Key} | {g.Count()} | {Kib(g.Sum(e => (long)e.Size))} |");
        foreach (var (title, key) in Groupings)
        {
            Console.WriteLine();
            Console.WriteLine($"| by {title} (top {top}) | size | share |");
            Console.WriteLine("|---|---:|---:|");
            foreach (var (name, size) in Group(mstat, key).Take(top))
                Console.WriteLine($"| {name} | {Kib(size)} | {100.0 * size / total:0.0} % |");
        }
    }

    public static int Diff(MstatFile before, MstatFile after, int top)
    {
        Console.WriteLine($"managed part: {Kib(before.Total)} → {Kib(after.Total)} ({Signed(after.Total - before.Total)})");
        foreach (var (title, key) in Groupings)
        {
            var a = Group(before, key).ToDictionary(x => x.Name, x => x.Size);
            var b = Group(after, key).ToDictionary(x => x.Name, x => x.Size);
            var changes = a.Keys.Union(b.Keys)
                .Select(k => (Name: k, Before: a.GetValueOrDefault(k), After: b.GetValueOrDefault(k)))
                .Where(x => x.Before != x.After)
                .OrderByDescending(x => Math.Abs(x.After - x.Before))
                .Take(top);
            Console.WriteLine();
            Console.WriteLine($"| by {title} (largest {top} changes) | before | after | change |");
            Console.WriteLine("|---|---:|---:|---:|");
            foreach (var (name, was, now) in changes)
                Console.WriteLine($"| {name} | {Kib(was)} | {Kib(now)} | {Signed(now - was)} |");
        }
        return 0;
    }

    public static int Grep(MstatFile mstat, string text)
    {
        foreach (var e in Matching(mstat, [text]).OrderByDescending(e => e.Size))
            Console.WriteLine($"{e.Size,9:N0}  {e.Kind,-12} {e.Name}");
        return 0;
    }

    /// <summary>Exit status 1 and a list when any entry belongs to or names one of <paramref name="names"/>.</summary>
    public static int Forbid(MstatFile mstat, string[] names)
    {
        int status = 0;
        foreach (var name in names)
        {
            var hits = Matching(mstat, [name]).ToList();
            if (hits.Count == 0)
            {
                Console.WriteLine($"ok: nothing names {name}");
                continue;
            }
            status = 1;
            Console.WriteLine($"FORBIDDEN: {hits.Count} entries ({Kib(hits.Sum(e => (long)e.Size))}) name {name}, for example:");
            foreach (var e in hits.OrderByDescending(e => e.Size).Take(5)) Console.WriteLine($"  {e.Size,9:N0}  {e.Kind,-12} {e.Name}");
        }
        return status;
    }

    // "[Assembly]" matches the entries of that assembly; any other name matches an entry whose own or owner's full
    // name contains it.
    private static IEnumerable<Entry> Matching(MstatFile mstat, string[] names)
        => mstat.Entries.Where(e => names.Any(n => n.StartsWith('[') && n.EndsWith(']')
            ? e.Owner?.Assembly == n[1..^1]
            : e.Name.Contains(n, StringComparison.Ordinal) || (e.Owner?.Display.Contains(n, StringComparison.Ordinal) ?? false)));

    private static IEnumerable<(string Name, long Size)> Group(MstatFile mstat, Func<Entry, string> key)
        => mstat.Entries.GroupBy(key).Select(g => (g.Key, g.Sum(e => (long)e.Size))).OrderByDescending(x => x.Item2);

    private static string Kib(long bytes) => $"{bytes / 1024.0:N1} KiB";

    private static string Signed(long bytes) => (bytes >= 0 ? "+" : "−") + Kib(Math.Abs(bytes));
}
