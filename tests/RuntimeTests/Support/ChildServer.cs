using System.Diagnostics;
using System.Net;

namespace Kiln.RuntimeTests.Support;

/// <summary>
/// This test assembly is also a small server program (<c>dotnet Kiln.RuntimeTests.dll serve</c>), so a test can run
/// a server in a process of its own — with its own memory limit (<c>DOTNET_GCHeapHardLimit</c>) and its own
/// resident memory to measure. The child prints <c>listening on ADDRESS</c> and serves until its stdin closes.
/// </summary>
public sealed class ChildServer : IDisposable
{
    private readonly Process _process;

    private ChildServer(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the child with extra environment variables and waits until it listens.</summary>
    public static ChildServer Start(params (string Name, string Value)[] environment)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
            ?? (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet");
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(ChildServer).Assembly.Location);
        psi.ArgumentList.Add("serve");
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        var process = Process.Start(psi)!;
        var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        if (line is null || !line.StartsWith("listening on ", StringComparison.Ordinal))
            throw new InvalidOperationException("the child server did not start: " + line + process.StandardError.ReadToEnd());
        return new ChildServer(process, IPEndPoint.Parse(line["listening on ".Length..]));
    }

    /// <summary>The child's side: the routes the resource tests use.</summary>
    internal static async Task<int> ServeAsync()
    {
        var big = new byte[4 * 1024 * 1024];
        // Uploads in these tests pause while the test checks other clients: no data-rate limit gets in the way.
        var options = new ServerOptions { MinRequestBodyDataRate = 0 };
        options.Listen(IPAddress.Loopback, 0);
        await using var server = new HttpServer(request => request.Target switch
        {
            "/plaintext" => HttpResponse.Text("Hello, World!"),
            // An ordinary handler allocates: 32 KiB of fresh memory per request.
            "/alloc" => HttpResponse.Bytes(new byte[32 * 1024]),
            "/big" => HttpResponse.Bytes(big),
            "/upload" => UploadAsync(request),
            _ => HttpResponse.NotFound(),
        }, options) { ErrorLog = null };
        await server.StartAsync();
        Console.WriteLine("listening on " + server.BoundEndPoints[0]);
        await Console.In.ReadToEndAsync();
        await server.StopAsync();
        return 0;

        static async ValueTask<HttpResponse> UploadAsync(Request request)
            => HttpResponse.Text((await request.ReadBodyAsBytesAsync()).Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        try { _process.StandardInput.Close(); } catch (IOException) { }
        if (!_process.WaitForExit(10_000)) _process.Kill();
        _process.Dispose();
    }
}

/// <summary>The entry point of the test assembly when it runs as a child server (see <see cref="ChildServer"/>).</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["serve", ..]) return await ChildServer.ServeAsync();
        await Console.Error.WriteLineAsync("Kiln.RuntimeTests is a test assembly; 'serve' runs the child server some tests start.");
        return 2;
    }
}
