namespace Kiln.Server;

/// <summary>
/// The server's periodic work — the heartbeat (timeouts, the <c>Date</c> line) and the epoll transport's watchdog —
/// on one dedicated thread that sleeps between ticks. Not <see cref="Timer"/>: every timer tick is a thread-pool work
/// item, and each one wakes a pool worker that then spins (<c>sched_yield</c>) before it sleeps again — about a hundred
/// system calls per tick, twenty ticks a second, on an otherwise idle server whose requests never touch the pool.
/// The thread starts with the first <see cref="Every"/>, after the listeners are bound, and stops on
/// <see cref="Dispose"/>.
/// </summary>
internal sealed class ServerClock(Action<string> log) : IDisposable
{
    private readonly AutoResetEvent _wake = new(false);   // a kernel wait with a timeout: no spinning
    private readonly Lock _lock = new();
    private Tick[] _ticks = [];
    private Thread? _thread;
    private volatile bool _stopped;

    /// <summary>Runs <paramref name="action"/> (with <see cref="Environment.TickCount64"/>) every <paramref name="period"/>, first after one period.</summary>
    public void Every(TimeSpan period, Action<long> action)
    {
        long ms = Math.Max(1, (long)period.TotalMilliseconds);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            _ticks = [.. _ticks, new Tick(ms, action) { Due = Environment.TickCount64 + ms }];
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "kiln-clock" };
                _thread.UnsafeStart();
            }
            else
            {
                _wake.Set();   // recompute the next due time
            }
        }
    }

    private void Run()
    {
        while (!_stopped)
        {
            long now = Environment.TickCount64;
            long next = long.MaxValue;
            foreach (var tick in Volatile.Read(ref _ticks))
            {
                if (now >= tick.Due)
                {
                    tick.Due = now + tick.Period;
                    try { tick.Action(now); }
                    catch (Exception e)
                    {
                        try { log($"a periodic task failed (it runs again next period): {e}"); } catch (Exception) { }
                    }
                }
                next = Math.Min(next, tick.Due);
            }
            long wait = Math.Max(1, next - Environment.TickCount64);
            _wake.WaitOne((int)Math.Min(wait, int.MaxValue));
        }
    }

    /// <summary>Stops the thread (waits for a tick in progress, briefly).</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_lock)
        {
            if (_stopped) return;
            _stopped = true;
            thread = _thread;
        }
        _wake.Set();
        // The event is left to the finalizer when the thread is still in a tick: disposing it would fault its next wait.
        if (thread is null || (!ReferenceEquals(thread, Thread.CurrentThread) && thread.Join(TimeSpan.FromSeconds(5))))
            _wake.Dispose();
    }

    private sealed class Tick(long period, Action<long> action)
    {
        public long Period { get; } = period;
        public Action<long> Action { get; } = action;
        public long Due { get; set; }
    }
}
