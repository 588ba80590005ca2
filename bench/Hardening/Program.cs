// Resource-exhaustion measurements for docs/benchmarks.md (see README.md here):
//   dotnet run -c Release --project bench/Hardening -- serve [--urls http://127.0.0.1:18280]
//   dotnet run -c Release --project bench/Hardening -- oom           # 32 x 8 MiB uploads under a 192 MiB GC heap limit
//   dotnet run -c Release --project bench/Hardening -- non-reading 200   # RSS per client that never reads its answers
//   dotnet run -c Release --project bench/Hardening -- attack 127.0.0.1:18280 300   # hostile clients for the soak (soak.sh)
using Kiln.Hardening;

return args.FirstOrDefault() switch
{
    "serve" => await HardeningServer.RunAsync(args[1..]),
    "oom" => await OutOfMemoryRepro.RunAsync(args[1..]),
    "non-reading" => await NonReadingClients.RunAsync(args[1..]),
    "attack" => await Attackers.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Kiln.Hardening serve [--urls URL] | oom [connections] | non-reading [clients] | attack [address] [seconds]");
    return 2;
}
