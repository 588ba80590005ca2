using System.Runtime.CompilerServices;

namespace Kiln.GeneratorTests.Infrastructure;

/// <summary>
/// Snapshot files after Verify's convention: <c>Name.verified.cs</c> is committed; a mismatch writes
/// <c>Name.received.cs</c> beside it and fails with a diff. Set <c>KILN_ACCEPT_SNAPSHOTS=1</c> to accept the received
/// text (or move the file over the verified one). Swapping in Verify.SourceGenerators later keeps the files.
/// </summary>
public static class Snapshot
{
    public static void Verify(string actual, string name, [CallerFilePath] string callerFile = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        Directory.CreateDirectory(directory);
        var verified = Path.Combine(directory, name + ".verified.cs");
        var received = Path.Combine(directory, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        if (Environment.GetEnvironmentVariable("KILN_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {name}.verified.cs yet. Review {received} and accept it (KILN_ACCEPT_SNAPSHOTS=1)."
            : $"Snapshot {name} differs (received file: {received}):\n{Diff(expected, actual)}");
    }

    /// <summary>A short line diff: the first differing lines with context.</summary>
    public static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        int first = 0;
        while (first < a.Length && first < b.Length && a[first] == b[first]) first++;
        int endA = a.Length - 1, endB = b.Length - 1;
        while (endA > first && endB > first && a[endA] == b[endB]) { endA--; endB--; }
        var lines = new List<string> { $"@@ line {first + 1} @@" };
        for (int i = Math.Max(0, first - 2); i < first; i++) lines.Add("  " + a[i]);
        for (int i = first; i <= endA && i < a.Length && i < first + 40; i++) lines.Add("- " + a[i]);
        for (int i = first; i <= endB && i < b.Length && i < first + 40; i++) lines.Add("+ " + b[i]);
        return string.Join("\n", lines);
    }
}
