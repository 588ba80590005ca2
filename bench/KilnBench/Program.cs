// Kiln's side of the load benchmark: the same routes as bench/Baselines/Kestrel, served by HttpServer.
//   dotnet run -c Release --project bench/KilnBench -- --urls http://127.0.0.1:5002 [--transport epoll|sockets]
//   dotnet run -c Release --project bench/KilnBench -- --alloc [/plaintext] [requests] [depth]
//   dotnet run -c Release --project bench/KilnBench -- --alloc-host [/plaintext|/scoped] [requests] [depth] [--access-log]
//   dotnet run -c Release --project bench/KilnBench -- --telemetry-cost [/plaintext] [requests per round] [rounds]
using Kiln;
using Kiln.LoadBench;

if (args.Length > 0 && args[0] == "--alloc-host")
{
    var rest = args.Skip(1).Where(a => a != "--access-log").ToArray();
    return await HostedAllocationCheck.RunAsync(rest.Length > 0 ? rest[0] : "/plaintext", rest.Length > 1 ? int.Parse(rest[1]) : 100_000,
        rest.Length > 2 ? int.Parse(rest[2]) : 1, accessLog: args.Contains("--access-log"));
}

if (args.Length > 0 && args[0] == "--alloc")
{
    string path = args.Length > 1 ? args[1] : "/plaintext";
    int requests = args.Length > 2 ? int.Parse(args[2]) : 100_000;
    int depth = args.Length > 3 ? int.Parse(args[3]) : 1;
    return await AllocationCheck.RunAsync(path, requests, depth);
}

if (args.Length > 0 && args[0] == "--telemetry-cost")
{
    string path = args.Length > 1 ? args[1] : "/plaintext";
    int requests = args.Length > 2 ? int.Parse(args[2]) : 50_000;
    int rounds = args.Length > 3 ? int.Parse(args[3]) : 6;
    return await TelemetryCost.RunAsync(path, requests, rounds);
}

var options = ServerOptions.FromArgs(args, defaultPort: 5002);
int transport = Array.IndexOf(args, "--transport");
if (transport >= 0) options.Transport = args[transport + 1] == "sockets" ? ServerTransport.Sockets : ServerTransport.Epoll;
await using var server = new HttpServer(new BenchRouter(), options) { ErrorLog = null };
await server.StartAsync();
Console.WriteLine($"Kiln listening on {string.Join(", ", server.BoundEndPoints)} ({options.Transport} transport)");
await server.RunAsync();
return 0;
