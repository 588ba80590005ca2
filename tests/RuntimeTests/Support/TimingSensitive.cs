namespace Kiln.RuntimeTests.Support;

/// <summary>
/// Tests that use short timeouts (hundreds of milliseconds) run in this collection, alone, after the parallel ones:
/// on a two-core machine a parallel load test could otherwise delay a request past its own timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "timing-sensitive";
}
