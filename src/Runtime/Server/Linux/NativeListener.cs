using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Kiln.Server.Linux;

/// <summary>
/// Listening sockets for the epoll transport, made with libc calls instead of <see cref="Socket"/>: the first
/// <see cref="Socket"/> of a process starts .NET's socket-engine thread, which a server that accepts on its own
/// epoll loop never uses (about 0.6 ms of start-up on the way to the first answer here, and an idle thread after).
/// The options are those <see cref="Listener"/> sets on a <see cref="Socket"/>: IPv6 dual mode for the IPv6
/// wildcard only, <c>SO_REUSEPORT</c> when asked, a backlog of 512, no <c>SO_REUSEADDR</c>. Failures are
/// <see cref="SocketException"/>s with the same error codes.
/// </summary>
internal static unsafe class NativeListener
{
    private const int Backlog = 512;
    private const int SOCK_STREAM = 1;
    private const int SOL_SOCKET = 1;
    private const int SO_TYPE = 3;
    private const int SO_REUSEPORT = 15;
    private const int SO_ACCEPTCONN = 30;
    private const int IPPROTO_IPV6 = 41;
    private const int IPV6_V6ONLY = 26;
    private const int UnixPathCapacity = 108;   // sizeof(sockaddr_un.sun_path)

    /// <summary>A bound, listening, non-blocking TCP socket on <paramref name="endPoint"/>; the bound address (port 0 resolved).</summary>
    public static (FileDescriptor Handle, EndPoint Bound) ListenTcp(IPEndPoint endPoint, bool reusePort)
    {
        bool v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        var handle = Create(v6 ? LibC.AF_INET6 : LibC.AF_INET);
        try
        {
            int fd = (int)handle.DangerousGetHandle();
            if (v6) SetOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, endPoint.Address.Equals(IPAddress.IPv6Any) ? 0 : 1);
            if (reusePort) SetOption(fd, SOL_SOCKET, SO_REUSEPORT, 1);
            byte* address = stackalloc byte[LibC.SocketAddressCapacity];
            int length = Write(endPoint, address);
            Check(LibC.bind(fd, address, length));
            Check(LibC.listen(fd, Backlog));
            return (handle, SocketAddresses.LocalOf(fd) ?? endPoint);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>A bound, listening, non-blocking Unix domain socket at <paramref name="path"/> (a stale file there is replaced).</summary>
    public static FileDescriptor ListenUnix(string path)
    {
        int bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes >= UnixPathCapacity)
            throw new ArgumentException($"The Unix socket path is {bytes} bytes; the limit is {UnixPathCapacity - 1}: {path}", nameof(path));
        if (File.Exists(path)) File.Delete(path);
        var handle = Create(LibC.AF_UNIX);
        try
        {
            int fd = (int)handle.DangerousGetHandle();
            byte* address = stackalloc byte[2 + UnixPathCapacity];
            new Span<byte>(address, 2 + UnixPathCapacity).Clear();
            *(ushort*)address = LibC.AF_UNIX;
            Encoding.UTF8.GetBytes(path, new Span<byte>(address + 2, UnixPathCapacity - 1));
            Check(LibC.bind(fd, address, 2 + bytes + 1));
            Check(LibC.listen(fd, Backlog));
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks an inherited descriptor (a listening stream socket) and makes it non-blocking; its address. The descriptor
    /// stays the caller's until it is wrapped (see <see cref="Listener"/>).
    /// </summary>
    public static EndPoint Adopt(int fd)
    {
        if (LibC.fcntl(fd, LibC.F_GETFD, 0) < 0)
            throw new InvalidOperationException($"Inherited descriptor {fd} is not open (fcntl failed with errno {Marshal.GetLastPInvokeError()}).");
        int type = GetOption(fd, SOL_SOCKET, SO_TYPE, out int errno);
        if (errno != 0)
            throw new InvalidOperationException($"Inherited descriptor {fd} is not a socket ({Error(errno).SocketErrorCode}).");
        if (type != SOCK_STREAM)
            throw new InvalidOperationException($"Inherited descriptor {fd} is a {TypeName(type)} socket; Kiln needs a listening stream socket (ListenStream= in a systemd .socket unit).");
        if (GetOption(fd, SOL_SOCKET, SO_ACCEPTCONN, out _) == 0)
            throw new InvalidOperationException($"Inherited descriptor {fd} is a socket that is not listening; bind it and call listen() before passing it on.");
        var local = LocalAddress(fd)
            ?? throw new InvalidOperationException($"Inherited descriptor {fd} has no local address.");
        int flags = LibC.fcntl(fd, LibC.F_GETFL, 0);
        if (flags < 0 || LibC.fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0)
            throw new InvalidOperationException($"Inherited descriptor {fd} could not be made non-blocking (errno {Marshal.GetLastPInvokeError()}).");
        return local;
    }

    private static FileDescriptor Create(int family)
    {
        int fd = LibC.socket(family, SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) throw Error(Marshal.GetLastPInvokeError());
        return new FileDescriptor(fd);
    }

    private static void SetOption(int fd, int level, int name, int value)
        => Check(LibC.setsockopt(fd, level, name, &value, sizeof(int)));

    private static int GetOption(int fd, int level, int name, out int errno)
    {
        int value = 0, length = sizeof(int);
        errno = LibC.getsockopt(fd, level, name, &value, &length) == 0 ? 0 : Marshal.GetLastPInvokeError();
        return value;
    }

    private static void Check(int result)
    {
        if (result < 0) throw Error(Marshal.GetLastPInvokeError());
    }

    // The address of a socket: an IP end point, or a Unix socket's path; null for an unnamed one.
    private static EndPoint? LocalAddress(int fd)
    {
        byte* address = stackalloc byte[LibC.SocketAddressCapacity];
        int length = LibC.SocketAddressCapacity;
        if (LibC.getsockname(fd, address, &length) != 0) return null;
        if (length > 2 && *(ushort*)address == LibC.AF_UNIX)
        {
            var path = new ReadOnlySpan<byte>(address + 2, length - 2);
            int end = path.IndexOf((byte)0);
            if (end >= 0) path = path[..end];
            return path.IsEmpty ? null : new UnixDomainSocketEndPoint(Encoding.UTF8.GetString(path));
        }
        return SocketAddresses.ToEndPoint(address, length);
    }

    private static int Write(IPEndPoint endPoint, byte* address)
    {
        new Span<byte>(address, LibC.SocketAddressCapacity).Clear();
        address[2] = (byte)(endPoint.Port >> 8);   // network byte order
        address[3] = (byte)endPoint.Port;
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            *(ushort*)address = LibC.AF_INET;
            endPoint.Address.TryWriteBytes(new Span<byte>(address + 4, 4), out _);
            return 16;
        }
        *(ushort*)address = LibC.AF_INET6;
        endPoint.Address.TryWriteBytes(new Span<byte>(address + 8, 16), out _);
        *(uint*)(address + 24) = (uint)endPoint.Address.ScopeId;
        return 28;
    }

    private static string TypeName(int type) => type switch
    {
        2 => nameof(SocketType.Dgram),
        3 => nameof(SocketType.Raw),
        4 => nameof(SocketType.Rdm),
        5 => nameof(SocketType.Seqpacket),
        _ => type.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    // The SocketError .NET reports for the errno values a bind or listen gives.
    private static SocketException Error(int errno) => new((int)(errno switch
    {
        1 or 13 => SocketError.AccessDenied,              // EPERM, EACCES
        9 or 88 => SocketError.NotSocket,                 // EBADF, ENOTSOCK
        22 => SocketError.InvalidArgument,                // EINVAL
        23 or 24 => SocketError.TooManyOpenSockets,       // ENFILE, EMFILE
        97 => SocketError.AddressFamilyNotSupported,      // EAFNOSUPPORT
        98 => SocketError.AddressAlreadyInUse,            // EADDRINUSE
        99 => SocketError.AddressNotAvailable,            // EADDRNOTAVAIL
        105 => SocketError.NoBufferSpaceAvailable,        // ENOBUFS
        12 => SocketError.NoBufferSpaceAvailable,         // ENOMEM
        _ => SocketError.SocketError,
    }));
}
