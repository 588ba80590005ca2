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
    private const int UnixPathCapacity = 108;   // sizeof(sockaddr_un.sun_path)

    /// <summary>A bound, listening, non-blocking TCP socket on <paramref name="endPoint"/>; the bound address (port 0 resolved).</summary>
    public static (FileDescriptor Handle, EndPoint Bound) ListenTcp(IPEndPoint endPoint, bool reusePort)
    {
        bool v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        var handle = Create(v6 ? LibC.AF_INET6 : LibC.AF_INET);
        try
        {
            int fd = (int)handle.DangerousGetHandle();
            if (v6) SetOption(fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, endPoint.Address.Equals(IPAddress.IPv6Any) ? 0 : 1);
            if (reusePort) SetOption(fd, LibC.SOL_SOCKET, LibC.SO_REUSEPORT, 1);
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

    /// <summary>A bound, listening, non-blocking Unix domain socket at <paramref name="path"/> (no file may be there).</summary>
    public static FileDescriptor ListenUnix(string path)
    {
        int bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes >= UnixPathCapacity)
            throw new ArgumentException($"The Unix socket path is {bytes} bytes; the limit is {UnixPathCapacity - 1}: {path}", nameof(path));
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
            throw InheritedSocketErrors.NotOpen(fd, Marshal.GetLastPInvokeError());
        int type = GetOption(fd, LibC.SOL_SOCKET, LibC.SO_TYPE, out int errno);
        if (errno != 0)
            throw InheritedSocketErrors.NotASocket(fd, Error(errno).SocketErrorCode);
        if (type != LibC.SOCK_STREAM)
            throw InheritedSocketErrors.NotAStreamSocket(fd, TypeName(type));
        if (GetOption(fd, LibC.SOL_SOCKET, LibC.SO_ACCEPTCONN, out _) == 0)
            throw InheritedSocketErrors.NotListening(fd);
        var local = SocketAddresses.LocalOf(fd)
            ?? throw InheritedSocketErrors.NoLocalAddress(fd);
        int flags = LibC.fcntl(fd, LibC.F_GETFL, 0);
        if (flags < 0 || LibC.fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0)
            throw new InvalidOperationException($"Inherited descriptor {fd} could not be made non-blocking (errno {Marshal.GetLastPInvokeError()}).");
        return local;
    }

    private static FileDescriptor Create(int family)
    {
        int fd = LibC.socket(family, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) throw Error(Marshal.GetLastPInvokeError());
        return new FileDescriptor(fd);
    }

    private static void SetOption(int fd, int level, int name, int value) => Check(LibC.SetOption(fd, level, name, value));

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
        LibC.EPERM or LibC.EACCES => SocketError.AccessDenied,
        LibC.EBADF or LibC.ENOTSOCK => SocketError.NotSocket,
        LibC.EINVAL => SocketError.InvalidArgument,
        LibC.ENFILE or LibC.EMFILE => SocketError.TooManyOpenSockets,
        LibC.EAFNOSUPPORT => SocketError.AddressFamilyNotSupported,
        LibC.EADDRINUSE => SocketError.AddressAlreadyInUse,
        LibC.EADDRNOTAVAIL => SocketError.AddressNotAvailable,
        LibC.ENOBUFS or LibC.ENOMEM => SocketError.NoBufferSpaceAvailable,
        _ => SocketError.SocketError,
    }));
}
