using Kiln.RuntimeTests.Support;
using Kiln.Server;

namespace Kiln.RuntimeTests.Server;

/// <summary>The server's clock thread: periodic work without timers or the thread pool.</summary>
public class ServerClockTests
{
    [Fact]
    public async Task Runs_each_task_on_its_own_period_on_one_named_thread()
    {
        using var clock = new ServerClock(_ => { });
        int fast = 0, slow = 0;
        string? thread = null;
        clock.Every(TimeSpan.FromMilliseconds(10), _ => { Interlocked.Increment(ref fast); thread = Thread.CurrentThread.Name; });
        clock.Every(TimeSpan.FromHours(1), _ => Interlocked.Increment(ref slow));
        await Poll.UntilAsync(() => Volatile.Read(ref fast) >= 5, 10_000, () => $"fast ticks: {fast}");
        Assert.Equal(0, Volatile.Read(ref slow));   // an hour has not passed
        Assert.Equal("kiln-clock", thread);
    }

    [Fact]
    public async Task A_failing_task_is_logged_and_runs_again()
    {
        var log = new List<string>();
        using var clock = new ServerClock(line => { lock (log) log.Add(line); });
        int runs = 0;
        clock.Every(TimeSpan.FromMilliseconds(5), _ =>
        {
            Interlocked.Increment(ref runs);
            throw new InvalidOperationException("boom");
        });
        await Poll.UntilAsync(() => Volatile.Read(ref runs) >= 3, 10_000, () => $"runs: {runs}");
        lock (log) Assert.Contains(log, line => line.Contains("boom", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispose_stops_the_ticks_and_refuses_new_tasks()
    {
        var clock = new ServerClock(_ => { });
        int ticks = 0;
        clock.Every(TimeSpan.FromMilliseconds(5), _ => Interlocked.Increment(ref ticks));
        await Poll.UntilAsync(() => Volatile.Read(ref ticks) >= 1, 10_000, () => "no tick");
        clock.Dispose();
        int after = Volatile.Read(ref ticks);
        await Task.Delay(100);
        Assert.Equal(after, Volatile.Read(ref ticks));
        Assert.Throws<ObjectDisposedException>(() => clock.Every(TimeSpan.FromSeconds(1), _ => { }));
    }
}
