using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Kiln.Server.Linux;

namespace Kiln.Server;

/// <summary>
/// One bound listening socket (TCP, TLS over TCP, or Unix domain) and how to undo it: a <see cref="System.Net.Sockets.Socket"/>
/// for the accept loops, or — for plain listeners the epoll transport accepts itself — a bare descriptor
/// (<see cref="BindNative"/>).
/// </summary>
internal sealed class Listener : IDisposable
{
    private readonly Socket? _socket;

    private Listener(Socket socket, ConnectionSecurity? security, string? unixPath)
    {
        _socket = socket;
        Handle = socket.SafeHandle;
        Security = security;
        UnixPath = unixPath;
        EndPoint = socket.LocalEndPoint!;
        IsTcp = socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
    }

    private Listener(FileDescriptor handle, EndPoint endPoint, string? unixPath)
    {
        Handle = handle;
        EndPoint = endPoint;
        UnixPath = unixPath;
        IsTcp = endPoint is IPEndPoint;
    }

    /// <summary>The socket, for an accept loop (listeners from <see cref="Bind"/> only).</summary>
    public Socket Socket => _socket ?? throw new InvalidOperationException("A natively bound listener has no Socket: the epoll transport accepts it.");

    /// <summary>The listening descriptor's handle (a reference keeps the descriptor number from being reused).</summary>
    public SafeHandle Handle { get; }
    /// <summary>The handshake before HTTP (TLS), or <see langword="null"/> for plain HTTP.</summary>
    public ConnectionSecurity? Security { get; }
    public string? UnixPath { get; }
    public EndPoint EndPoint { get; }
    public bool IsTcp { get; }

    /// <summary>
    /// Binds a plain (not TLS) listener with libc calls, for the epoll transport, which accepts it itself: no
    /// <see cref="System.Net.Sockets.Socket"/> is made, so .NET's socket engine never starts (see <see cref="NativeListener"/>).
    /// </summary>
    public static Listener BindNative(ListenOptions options, bool reusePort)
    {
        if (options.Security is not null) throw new ArgumentException("TLS listeners are accepted by the socket transport.", nameof(options));
        if (options.EndPoint is InheritedEndPoint inherited)
        {
            var local = NativeListener.Adopt(inherited.FileDescriptor);
            return new Listener(new FileDescriptor(inherited.FileDescriptor), local, null);
        }
        if (options.EndPoint is UnixDomainSocketEndPoint unix)
        {
            string path = unix.ToString();
            RemoveStaleSocketFile(path);
            return new Listener(NativeListener.ListenUnix(path), unix, path);
        }
        var (handle, bound) = NativeListener.ListenTcp((IPEndPoint)options.EndPoint, reusePort);
        return new Listener(handle, bound, null);
    }

    public static Listener Bind(ListenOptions options, bool reusePort)
    {
        if (options.EndPoint is InheritedEndPoint inherited) return Adopt(inherited.FileDescriptor, options.Security);
        if (options.EndPoint is UnixDomainSocketEndPoint unix)
        {
            string path = unix.ToString();
            RemoveStaleSocketFile(path);
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Bind(unix);
                socket.Listen(512);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            return new Listener(socket, null, path);
        }

        var ip = (IPEndPoint)options.EndPoint;
        var tcp = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.AddressFamily == AddressFamily.InterNetworkV6) tcp.DualMode = ip.Address.Equals(IPAddress.IPv6Any);
            if (reusePort) SetReusePort(tcp);
            tcp.Bind(ip);
            tcp.Listen(512);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
        return new Listener(tcp, options.Security, null);
    }

    /// <summary>
    /// Takes over a listening socket the process inherited (systemd socket activation, a supervisor): it is already
    /// bound and listening, so it is only checked. Stopping closes this process's descriptor (after the accept loop
    /// has ended, so that no pending accept makes the close disturb the socket); the socket itself, and the
    /// connections waiting in its backlog, live on in every other process that holds it.
    /// </summary>
    private static Listener Adopt(int fd, ConnectionSecurity? security)
    {
        // The descriptor stays inheritable (no FD_CLOEXEC), on purpose: .NET treats an inheritable socket as possibly
        // shared with other processes and never disconnects it when closing it with operations pending, whereas a
        // close-on-exec one it would disconnect — which, for a listening socket, stops it listening in every process.
        if (OperatingSystem.IsLinux() && LibC.fcntl(fd, LibC.F_GETFD, 0) < 0)
            throw InheritedSocketErrors.NotOpen(fd, Marshal.GetLastPInvokeError());
        Socket socket;
        try
        {
            socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        }
        catch (SocketException e)
        {
            throw InheritedSocketErrors.NotASocket(fd, e.SocketErrorCode, e);
        }
        try
        {
            if (socket.SocketType != SocketType.Stream)
                throw InheritedSocketErrors.NotAStreamSocket(fd, socket.SocketType.ToString());
            if (!IsListening(socket))
                throw InheritedSocketErrors.NotListening(fd);
            if (socket.LocalEndPoint is null)
                throw InheritedSocketErrors.NoLocalAddress(fd);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new Listener(socket, security, null);
    }

    // A stale socket file from an earlier run would make bind fail.
    private static void RemoveStaleSocketFile(string path)
    {
        if (File.Exists(path)) File.Delete(path);
    }

    private static bool IsListening(Socket socket)
    {
        // SO_ACCEPTCONN: 30 on Linux; 0x2 at SOL_SOCKET 0xFFFF on the BSDs and macOS.
        Span<byte> value = stackalloc byte[4];
        int length = OperatingSystem.IsLinux()
            ? socket.GetRawSocketOption(1, 30, value)
            : socket.GetRawSocketOption(0xFFFF, 0x2, value);
        return length >= 1 && BitConverter.ToInt32(value) != 0;
    }

    private static void SetReusePort(Socket socket)
    {
        if (OperatingSystem.IsLinux())
            socket.SetRawSocketOption(1 /* SOL_SOCKET */, 15 /* SO_REUSEPORT */, BitConverter.GetBytes(1));
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
            socket.SetRawSocketOption(0xFFFF /* SOL_SOCKET */, 0x200 /* SO_REUSEPORT */, BitConverter.GetBytes(1));
        else
            throw new PlatformNotSupportedException("ReusePort (SO_REUSEPORT) is supported on Linux, macOS and FreeBSD.");
    }

    public void Dispose()
    {
        if (_socket is not null) _socket.Dispose();
        else Handle.Dispose();
        if (UnixPath is not null)
        {
            try { File.Delete(UnixPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>A listener that is a socket the process inherited, by descriptor (see <see cref="ServerOptions.ListenInherited"/>).</summary>
internal sealed class InheritedEndPoint(int fileDescriptor) : EndPoint
{
    public int FileDescriptor { get; } = fileDescriptor;

    public override string ToString() => "fd:" + FileDescriptor.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Why an inherited descriptor cannot be served: one wording for both ways of checking it.</summary>
internal static class InheritedSocketErrors
{
    public static InvalidOperationException NotOpen(int fd, int errno)
        => new($"Inherited descriptor {fd} is not open (fcntl failed with errno {errno}).");

    public static InvalidOperationException NotASocket(int fd, SocketError error, Exception? inner = null)
        => new($"Inherited descriptor {fd} is not a socket ({error}).", inner);

    public static InvalidOperationException NotAStreamSocket(int fd, string type)
        => new($"Inherited descriptor {fd} is a {type} socket; Kiln needs a listening stream socket (ListenStream= in a systemd .socket unit).");

    public static InvalidOperationException NotListening(int fd)
        => new($"Inherited descriptor {fd} is a socket that is not listening; bind it and call listen() before passing it on.");

    public static InvalidOperationException NoLocalAddress(int fd)
        => new($"Inherited descriptor {fd} has no local address.");
}
