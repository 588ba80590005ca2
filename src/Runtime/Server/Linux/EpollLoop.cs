using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Kiln.Server.Linux;

/// <summary>
/// One I/O thread: an edge-triggered epoll set and the connections registered in it. The thread waits in
/// <c>epoll_wait</c>, and for each ready socket completes the connection's parked read or flush — inline, so the
/// request is parsed, handled and answered on this thread, with no hand-off to the thread pool. Registering and
/// closing sockets are commands other threads post (woken through an eventfd); the slot table is touched only by
/// this thread, so nothing here takes a lock.
/// </summary>
internal sealed unsafe class EpollLoop
{
    private const int MaxEvents = 256;
    private const ulong WakeToken = ulong.MaxValue;

    [ThreadStatic] private static EpollLoop? t_current;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly Action<string> _log;
    private readonly ConcurrentQueue<EpollConnection> _toRegister = new();
    private readonly ConcurrentQueue<EpollConnection> _toClose = new();
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
        _thread = new Thread(Run) { IsBackground = true, Name = $"kiln-epoll-{index}" };
        _thread.UnsafeStart();
    }

    /// <summary>Whether the calling thread is this loop's thread.</summary>
    public bool IsCurrentThread => t_current == this;

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

    /// <summary>Stops the thread once the connections still registered are closed; waits for it briefly.</summary>
    public void Stop()
    {
        _stopping = true;
        Wake();
        if (!IsCurrentThread) _thread.Join(TimeSpan.FromSeconds(5));
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
        t_current = this;
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * LibC.EpollEventSize));
        try
        {
            while (true)
            {
                int count = LibC.epoll_wait(_epoll, events, MaxEvents, -1);
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
                    var connection = _slots[(int)(uint)token];
                    // A connection closed earlier in this batch (or its slot's next tenant) ignores a stale event.
                    if (connection is null || connection.Token != token) continue;
                    Dispatch(connection, LibC.EventMask(events, i));
                }
                RunCommands();
                if (_stopping && _slotsUsed == 0) break;
            }
        }
        finally
        {
            for (int slot = 0; slot < _slots.Length; slot++)
                if (_slots[slot] is { } left) CloseNow(left, slot);
            NativeMemory.Free(events);
            LibC.close(_wake);
            LibC.close(_epoll);
            t_current = null;
        }
    }

    private void Dispatch(EpollConnection connection, uint events)
    {
        try
        {
            connection.OnEvents(events);
        }
        catch (Exception e)
        {
            // Continuations run here inline and catch their own exceptions; this is a defect, not a client's doing.
            _log($"I/O thread: unexpected error on a connection: {e}");
            connection.Abort();
        }
    }

    private void RunCommands()
    {
        while (_toRegister.TryDequeue(out var connection)) Add(connection);
        while (_toClose.TryDequeue(out var connection))
        {
            int slot = (int)(uint)connection.Token;
            if (connection.Token != 0 && (uint)slot < (uint)_slots.Length && ReferenceEquals(_slots[slot], connection))
                CloseNow(connection, slot);
            else
                connection.OnClosed();   // never registered (or already closed)
        }
    }

    private void Add(EpollConnection connection)
    {
        if (connection.CloseRequested)
        {
            connection.OnClosed();
            return;
        }
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
        if (LibC.EpollControl(_epoll, LibC.EPOLL_CTL_ADD, connection.Fd, LibC.EPOLLIN | LibC.EPOLLOUT | LibC.EPOLLRDHUP | LibC.EPOLLET, token) < 0)
        {
            _log($"epoll_ctl(ADD) failed (errno {Marshal.GetLastPInvokeError()}); closing the connection");
            connection.Abort();
        }
    }

    private void CloseNow(EpollConnection connection, int slot)
    {
        LibC.EpollControl(_epoll, LibC.EPOLL_CTL_DEL, connection.Fd, 0, 0);
        _slots[slot] = null;
        _freeSlots.Push(slot);
        _slotsUsed--;
        connection.OnClosed();
    }

    private static IOException Error(string call) => new($"{call} failed (errno {Marshal.GetLastPInvokeError()}).");
}
