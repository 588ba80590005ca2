namespace Kiln.Server.Linux;

/// <summary>
/// The lock-free hand-off, for one direction of one socket, between the event loop (which learns from edge-triggered
/// epoll that the socket became ready) and the connection (which tries the operation and, when it would block,
/// waits). Three states: <c>Idle</c> (nothing known), <c>Notified</c> (an edge arrived while nobody waited: try
/// again) and <c>Waiting</c> (the connection is parked; whoever moves it out of <c>Waiting</c> owns the operation
/// and must complete it). Edges are never lost: the connection clears a notification before it retries, and parks
/// only if no edge arrived since.
/// </summary>
internal struct Readiness
{
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int Notified = 2;

    private int _state;

    /// <summary>The loop: the socket became ready. True when a waiter was parked — the caller now completes it.</summary>
    public bool Signal()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == Notified) return false;
            if (state == Waiting)
            {
                if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting) return true;
            }
            else if (Interlocked.CompareExchange(ref _state, Notified, Idle) == Idle)
            {
                return false;
            }
        }
    }

    /// <summary>The connection: takes a pending notification (the operation is worth trying again).</summary>
    public bool TakeNotification() => Volatile.Read(ref _state) == Notified && Interlocked.Exchange(ref _state, Idle) == Notified;

    /// <summary>The connection, after the operation would block: parks. False when an edge arrived meanwhile (retry).</summary>
    public bool TryPark() => Interlocked.CompareExchange(ref _state, Waiting, Idle) == Idle;

    /// <summary>Anyone (cancellation, abort): takes a parked waiter, which the caller then completes.</summary>
    public bool TryUnpark() => Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting;

    /// <summary>Marks the direction ready without an edge (a read that filled its buffer may have left more behind).</summary>
    public void Notify()
    {
        if (Volatile.Read(ref _state) == Idle) Interlocked.CompareExchange(ref _state, Notified, Idle);
    }
}
