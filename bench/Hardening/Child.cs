using System.Diagnostics;
using System.Net;

namespace Kiln.Hardening;

/// <summary>The server as a child process (its own memory, optionally its own GC heap limit); killed on dispose.</summary>
public sealed class Child : IDisposable
{
    private readonly Process _process;

    private Child(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public int Pid => _process.Id;

    public static Child Start(string? gcHeapHardLimit = null, params string[] serverArgs)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true };
        // Run the same program again in "serve" mode: as "dotnet Kiln.Hardening.dll" or as the apphost.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(typeof(Child).Assembly.Location);
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add("--stdin");
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var arg in serverArgs) psi.ArgumentList.Add(arg);
        if (gcHeapHardLimit is not null) psi.Environment["DOTNET_GCHeapHardLimit"] = gcHeapHardLimit;
        var process = Process.Start(psi)!;
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the server did not start");
        return new Child(process, IPEndPoint.Parse(line["listening on ".Length..]));
    }

    /// <summary>Resident set size in bytes (VmRSS).</summary>
    public long Rss()
    {
        if (_process.HasExited) return 0;
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    /// <summary>CPU time used so far (user + system), in clock ticks (/proc/PID/stat).</summary>
    public long CpuTicks()
    {
        if (_process.HasExited) return 0;
        var fields = File.ReadAllText($"/proc/{_process.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[11]) + long.Parse(fields[12]);   // utime, stime (fields 14 and 15 of stat)
    }

    /// <summary>"running", or how the process ended.</summary>
    public string State => _process.HasExited ? $"exited with code {_process.ExitCode}" : "running";

    public void Dispose()
    {
        try { _process.StandardInput.Close(); } catch (IOException) { }
        if (!_process.WaitForExit(10_000)) _process.Kill();
        _process.Dispose();
    }
}
