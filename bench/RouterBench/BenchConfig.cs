using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Kiln.Benchmarks;

/// <summary>
/// The job every benchmark here uses: short (the whole suite runs in a few minutes on 2 cores) but with many short
/// iterations — 1 launch, 5 warm-up and 100 measured iterations of about 25 ms — so that on a machine other
/// processes load unevenly, the Min and Median columns still show the code's speed; the Mean shows the machine's.
/// The benchmarks run in this process (<see cref="InProcessEmitToolchain"/>): BenchmarkDotNet's usual generated
/// project took longer than its 2-minute build timeout on a busy 2-core machine, and every measured routine here is
/// already JIT-compiled to tier 1 by the warm-up either way.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(100)
            .WithIterationTime(TimeInterval.FromMilliseconds(25))
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("Short100x25ms-InProcess"));
    }
}
