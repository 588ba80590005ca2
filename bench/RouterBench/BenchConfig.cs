using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Kiln.Benchmarks;

/// <summary>
/// The job every benchmark here uses: short (the whole suite runs in a few minutes on 2 cores) but with many short
/// iterations — 1 launch, 5 warm-up and 40 measured iterations of about 25 ms — so that on a machine other
/// processes load unevenly, the Min and Median columns still show the code's speed; the Mean shows the machine's.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(40)
            .WithIterationTime(TimeInterval.FromMilliseconds(25))
            .WithId("Short40x25ms"));
    }
}
