using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Kiln.Server.Linux;

/// <summary>
/// One I/O thread: an edge-triggered epoll set and the connections registered in it. The thread waits in
/// <c>epoll_wait</c>, and for each ready socket completes the connection's parked read or flush — inline, so the
/// request is parsed, handled and answered on this thread, with no hand-off to the thread pool. Registering and
/// closing sockets are commands other threads post (woken through an eventfd); the slot table is touched only by
/// the owning thread, so nothing here takes a lock.
/// </summary>
/// <remarks>
/// A handler that blocks its thread (synchronous I/O, a lock, <c>Thread.Sleep</c>) would stall every connection of
/// the loop — and deadlock if it waits for this very loop, as a synchronous body read does. So the transport's
/// watchdog (<see cref="HandOffIfBlocked"/>) gives the loop a new thread when one dispatch has run for
/// <see cref="BlockedAfter"/>: the new owner first treats every socket as ready (the old thread may have fetched
/// events it will never process), and the old thread, once its handler returns, sees it is no longer the owner and
/// exits.
/// </remarks>
internal sealed unsafe class EpollLoop
{
    private const int MaxEvents = 256;
    private const ulong WakeToken = ulong.MaxValue;
    private const uint Aborting = 1u << 28;       // Dispatch: abort the connection
    private const uint Registered = 1u << 30;     // Dispatch: the connection is registered; start serving it
    private const uint Closed = 1u << 29;         // Dispatch: the connection has left the epoll set; close its socket

    /// <summary>How long one dispatch may hold the thread before the loop moves to a new one.</summary>
    public static readonly TimeSpan BlockedAfter = TimeSpan.FromMilliseconds(100);

    private readonly int _epoll;
    private readonly int _wake;
    private readonly int _index;
    private readonly Action<string> _log;
    private volatile Thread _owner;
    private long _busySince;   // Environment.TickCount64 when the running dispatch began; 0 between dispatches
    private int _rescan;       // a new owner treats every socket as ready once
    private readonly ConcurrentQueue<EpollConnection> _toRegister = new();
    private readonly ConcurrentQueue<EpollConnection> _toClose = new();
    private readonly ConcurrentQueue<Action> _commands = new();
    private EpollAcceptor[] _acceptors = [];   // copied on write: added from any thread, read by the loop thread
    private EpollConnection?[] _slots = new EpollConnection?[64];
    private readonly Stack<int> _freeSlots = new();
    private int _slotsUsed;
    private uint _generation;
    private int _wakePending;
    private volatile bool _stopping;

    public EpollLoop(int index, Action<string> log)
    {
        _log = log;
        _epoll = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (_epoll < 0) throw Error("epoll_create1");
        _wake = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (_wake < 0)
        {
            LibC.close(_epoll);
            throw Error("eventfd");
        }
        if (LibC.EpollControl(_epoll, LibC.EPOLL_CTL_ADD, _wake, LibC.EPOLLIN, WakeToken) < 0)
        {
            var error = Error("epoll_ctl");
            LibC.close(_wake);
            LibC.close(_epoll);
            throw error;
        }
        _index = index;
        StartThread();
    }

    /// <summary>Whether the calling thread is this loop's (current) thread.</summary>
    public bool IsCurrentThread => ReferenceEquals(_owner, Thread.CurrentThread);

    /// <summary>Adds a connection to the epoll set (on the loop thread, soon).</summary>
    public void Register(EpollConnection connection)
    {
        _toRegister.Enqueue(connection);
        Wake();
    }

    /// <summary>Removes a connection from the epoll set and closes its socket (on the loop thread, soon).</summary>
    public void Close(EpollConnection connection)
    {
        _toClose.Enqueue(connection);
        Wake();
    }

    /// <summary>
    /// Runs <paramref name="command"/> on the loop thread, under the watchdog, soon: listener changes, and a timeout's
    /// or shutdown's cancellation of a parked read or flush (a delegate each; none per request). Posted from the loop
    /// thread itself, it runs after the events of the next wait, which never waits longer than 1 ms then.
    /// </summary>
    public void Post(Action command)
    {
        _commands.Enqueue(command);
        Wake();
    }

    /// <summary>Adds a listening socket to the epoll set (level-triggered: a backlog left reports again). Any thread.</summary>
    public bool AddListener(EpollAcceptor acceptor)
    {
        int index;
        lock (_commands)
        {
            index = Array.IndexOf(_acceptors, acceptor);
            if (index < 0)
            {
                index = _acceptors.Length;
                Volatile.Write(ref _acceptors, [.. _acceptors, acceptor]);
            }
        }
        // Generation 0 (connections never have it) and the acceptor's index + 1 (never 0, never the wake token).
        return LibC.EpollControl(_epoll, LibC.EPOLL_CTL_ADD, acceptor.Fd, LibC.EPOLLIN, (ulong)(index + 1)) == 0;
    }

    /// <summary>The loop thread: takes a listening socket out of the epoll set.</summary>
    public void RemoveListener(EpollAcceptor acceptor) => LibC.EpollControl(_epoll, LibC.EPOLL_CTL_DEL, acceptor.Fd, 0, 0);

    /// <summary>Stops the thread once the connections still registered are closed; waits for it briefly.</summary>
    public void Stop()
    {
        _stopping = true;
        Wake();
        var owner = _owner;
        if (!ReferenceEquals(owner, Thread.CurrentThread)) owner.Join(TimeSpan.FromSeconds(5));
    }

    /// <summary>The watchdog: moves the loop to a new thread if one dispatch has blocked its thread too long.</summary>
    public void HandOffIfBlocked(long now)
    {
        long since = Volatile.Read(ref _busySince);
        if (since == 0 || now - since < (long)BlockedAfter.TotalMilliseconds || _stopping) return;
        if (Interlocked.CompareExchange(ref _busySince, 0, since) != since) return;
        _log($"I/O thread {_index}: a handler blocked it for over {BlockedAfter.TotalMilliseconds:0} ms; " +
            "its other connections move to a new thread (await instead of blocking, or use Task.Run for blocking work)");
        Volatile.Write(ref _rescan, 1);
        StartThread();
    }

    // The new thread owns the loop before it runs: it need not wait for its creator to say so.
    [MemberNotNull(nameof(_owner))]
    private void StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = $"kiln-epoll-{_index}" };
        _owner = thread;
        thread.UnsafeStart();
    }

    private void Wake()
    {
        // Commands posted from the loop thread itself run after the current batch; others wake it once.
        if (IsCurrentThread || Interlocked.Exchange(ref _wakePending, 1) != 0) return;
        ulong one = 1;
        LibC.write(_wake, &one, sizeof(ulong));
    }

    private void Run()
    {
        var me = Thread.CurrentThread;
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * LibC.EpollEventSize));
        bool replaced = false;
        try
        {
            if (Interlocked.Exchange(ref _rescan, 0) != 0)
            {
                // Taking over from a blocked thread: it may hold events it has not processed, and edges do not repeat.
                for (int slot = 0; slot < _slots.Length && !replaced; slot++)
                    if (_slots[slot] is { } connection) replaced = !Dispatch(connection, LibC.EPOLLIN | LibC.EPOLLOUT, me);
                replaced = replaced || !RunCommands(me);
                if (replaced) return;
            }
            while (true)
            {
                // Work this thread queued for itself wakes nobody (Wake skips the eventfd on the loop thread): sockets to
                // register or close are taken after a wait that does not block; a command, after the next events or 1 ms.
                int timeout = !_toRegister.IsEmpty || !_toClose.IsEmpty ? 0 : _commands.IsEmpty ? -1 : 1;
                int count = LibC.epoll_wait(_epoll, events, MaxEvents, timeout);
                if (count < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EINTR) continue;
                    _log($"epoll_wait failed (errno {errno}); the I/O thread stops");
                    break;
                }
                for (int i = 0; i < count; i++)
                {
                    ulong token = LibC.EventData(events, i);
                    if (token == WakeToken)
                    {
                        ulong value;
                        LibC.read(_wake, &value, sizeof(ulong));
                        Volatile.Write(ref _wakePending, 0);
                        continue;
                    }
                    if (token >> 32 == 0)
                    {
                        // A listener: accepting runs no handler code, so it needs no watchdog.
                        var acceptors = Volatile.Read(ref _acceptors);
                        if (token - 1 < (ulong)acceptors.Length)
                        {
                            try { acceptors[(int)token - 1].OnReadable(); }
                            catch (Exception e) { _log($"I/O thread: accepting failed: {e}"); }
                        }
                        continue;
                    }
                    var connection = _slots[(int)(uint)token];
                    // A connection closed earlier in this batch (or its slot's next tenant) ignores a stale event.
                    if (connection is null || connection.Token != token) continue;
                    if (!Dispatch(connection, LibC.EventMask(events, i), me))
                    {
                        replaced = true;
                        return;
                    }
                }
                if (!RunCommands(me))
                {
                    replaced = true;
                    return;
                }
                if (_stopping && _slotsUsed == 0 && _commands.IsEmpty) break;
            }
        }
        finally
        {
            NativeMemory.Free(events);
            if (!replaced)
            {
                for (int slot = 0; slot < _slots.Length; slot++)
                    if (_slots[slot] is { } left) CloseNow(left, slot);
                LibC.close(_wake);
                LibC.close(_epoll);
            }
        }
    }

    // Runs a connection's event handling (and the request it completes, inline) under the watchdog's eye; false
    // when the watchdog moved the loop to another thread meanwhile (this thread must then leave at once). Whoever
    // clears _busySince first decides: this thread finishing, or the watchdog handing off.
    private bool Dispatch(EpollConnection connection, uint events, Thread me)
    {
        long mine = BeginWatched();
        try
        {
            if (events == Aborting) connection.Abort();
            else if (events == Registered) connection.OnRegistered();
            else if (events == (Aborting | Registered))
            {
                connection.Abort();
                connection.OnRegistered();
            }
            else if (events == Closed) connection.OnClosed();
            else connection.OnEvents(events);
        }
        catch (Exception e)
        {
            // Continuations run here inline and catch their own exceptions; this is a defect, not a client's doing.
            _log($"I/O thread: unexpected error on a connection: {e}");
            connection.Abort();
        }
        return EndWatched(mine, me);
    }

    // The watchdog's window around work that may run connection code: opened with the time it began, and closed by
    // whoever clears it first — this thread finishing (true while it is still the owner), or the watchdog handing off.
    private long BeginWatched()
    {
        long mine = Math.Max(1, Environment.TickCount64);
        Volatile.Write(ref _busySince, mine);
        return mine;
    }

    private bool EndWatched(long mine, Thread me)
        => Interlocked.CompareExchange(ref _busySince, 0, mine) == mine && ReferenceEquals(_owner, me);

    // Runs posted commands, registers and closes sockets. Connection code runs here only inside a watched window (a
    // command's, or Dispatch's), and a thread the watchdog has replaced leaves at once, so it never touches the slots.
    private bool RunCommands(Thread me)
    {
        while (_commands.TryDequeue(out var command))
        {
            // A command may complete a connection's read or flush, whose continuation runs here: under the watchdog.
            long mine = BeginWatched();
            try { command(); }
            catch (Exception e) { _log($"I/O thread: a command failed: {e}"); }
            if (!EndWatched(mine, me)) return false;
        }
        while (_toRegister.TryDequeue(out var connection))
        {
            // One dispatch for both, so that a hand-off in between cannot leave the connection unserved (its slot held).
            if (!Dispatch(connection, Add(connection) ? Registered : Aborting | Registered, me)) return false;
        }
        while (_toClose.TryDequeue(out var connection))
        {
            int slot = (int)(uint)connection.Token;
            if (connection.Token != 0 && (uint)slot < (uint)_slots.Length && ReferenceEquals(_slots[slot], connection))
                Remove(connection, slot);
            // The end of the connection's HTTP code runs inline from here (never registered, or already closed: the same).
            if (!Dispatch(connection, Closed, me)) return false;
        }
        return true;
    }

    // False when epoll refused the socket (the caller aborts the connection).
    private bool Add(EpollConnection connection)
    {
        // Closed before it was registered: whoever closed it also queued the close, which ends it (watched) below.
        if (connection.CloseRequested) return true;
        int slot;
        if (_freeSlots.Count > 0)
        {
            slot = _freeSlots.Pop();
        }
        else
        {
            slot = _slotsUsed;
            if (slot == _slots.Length) Array.Resize(ref _slots, _slots.Length * 2);
        }
        // Generation 0 is never used, so a token of 0 means "not registered".
        if (++_generation == 0) _generation = 1;
        ulong token = (uint)slot | ((ulong)_generation << 32);
        connection.Token = token;
        _slots[slot] = connection;
        _slotsUsed++;
        // Edge-triggered, both directions; a socket that is already readable reports it at once.
        if (LibC.EpollControl(_epoll, LibC.EPOLL_CTL_ADD, connection.Fd, LibC.EPOLLIN | LibC.EPOLLOUT | LibC.EPOLLRDHUP | LibC.EPOLLET, token) == 0)
            return true;
        _log($"epoll_ctl(ADD) failed (errno {Marshal.GetLastPInvokeError()}); closing the connection");
        return false;
    }

    private void CloseNow(EpollConnection connection, int slot)
    {
        Remove(connection, slot);
        connection.OnClosed();
    }

    private void Remove(EpollConnection connection, int slot)
    {
        LibC.EpollControl(_epoll, LibC.EPOLL_CTL_DEL, connection.Fd, 0, 0);
        _slots[slot] = null;
        _freeSlots.Push(slot);
        _slotsUsed--;
    }

    private static IOException Error(string call) => new($"{call} failed (errno {Marshal.GetLastPInvokeError()}).");
}
