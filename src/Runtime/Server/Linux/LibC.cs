using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Server.Linux;

/// <summary>
/// The few libc calls the epoll transport makes, as source-generated P/Invokes (no run-time marshalling, no
/// reflection; the same stubs under the JIT and NativeAOT). Every argument is blittable; errors are
/// <c>-1</c> with <c>errno</c> in <see cref="Marshal.GetLastPInvokeError"/>. Constants are Linux's generic ABI values
/// (x86-64 and arm64 agree on all of them).
/// </summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    public const int EPERM = 1;
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int EINVAL = 22;
    public const int ENFILE = 23;
    public const int EMFILE = 24;
    public const int ENOTSOCK = 88;
    public const int EAFNOSUPPORT = 97;
    public const int EADDRINUSE = 98;
    public const int EADDRNOTAVAIL = 99;
    public const int ENOBUFS = 105;

    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;

    public const int AF_UNIX = 1;
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int SOCK_STREAM = 1;
    public const int SOL_SOCKET = 1;
    public const int SO_TYPE = 3;
    public const int SO_REUSEPORT = 15;
    public const int SO_ACCEPTCONN = 30;
    public const int IPPROTO_TCP = 6;
    public const int TCP_NODELAY = 1;
    public const int IPPROTO_IPV6 = 41;
    public const int IPV6_V6ONLY = 26;

    /// <summary>Room for any socket address (<c>sizeof(struct sockaddr_storage)</c>).</summary>
    public const int SocketAddressCapacity = 128;

    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;

    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLET = 1u << 31;

    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_NOSIGNAL = 0x4000;

    public const int F_GETFD = 1;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int O_NONBLOCK = 0x800;

    public const int RLIMIT_NOFILE = 7;

    public const int SHUT_WR = 1;
    public const int SHUT_RDWR = 2;

    /// <summary>
    /// <c>struct epoll_event</c> is packed (12 bytes, data at offset 4) on x86-64 and naturally aligned (16 bytes,
    /// data at offset 8) elsewhere; the transport reads and writes it through these offsets.
    /// </summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int EpollDataOffset = EpollEventSize == 12 ? 4 : 8;

    public static uint EventMask(byte* events, int index) => Unsafe.ReadUnaligned<uint>(events + index * EpollEventSize);

    public static ulong EventData(byte* events, int index) => Unsafe.ReadUnaligned<ulong>(events + index * EpollEventSize + EpollDataOffset);

    /// <summary><c>setsockopt</c> of an int option.</summary>
    public static int SetOption(int fd, int level, int name, int value) => setsockopt(fd, level, name, &value, sizeof(int));

    /// <summary><c>epoll_ctl</c> with an event built on the stack.</summary>
    public static int EpollControl(int epfd, int op, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        Unsafe.WriteUnaligned(ev, events);
        Unsafe.WriteUnaligned(ev + EpollDataOffset, data);
        return epoll_ctl(epfd, op, fd, ev);
    }

    [LibraryImport(Library, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, void* @event);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int epoll_wait(int epfd, void* events, int maxevents, int timeout);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint read(int fd, void* buf, nuint count);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint write(int fd, void* buf, nuint count);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint recv(int fd, void* buf, nuint len, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint send(int fd, void* buf, nuint len, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int accept4(int fd, void* addr, int* addrlen, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int bind(int fd, void* addr, int addrlen);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int listen(int fd, int backlog);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int name, void* value, int* length);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int getsockname(int fd, void* addr, int* addrlen);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, void* value, int length);

    /// <summary><c>getrlimit</c>: <paramref name="limits"/> receives the soft and the hard limit (<c>struct rlimit</c>, two <c>rlim_t</c>, each an <c>unsigned long</c>).</summary>
    [LibraryImport(Library, SetLastError = true)]
    public static partial int getrlimit(int resource, nuint* limits);

    /// <summary><c>opendir</c> of a NUL-terminated path.</summary>
    [LibraryImport(Library, SetLastError = true)]
    public static partial nint opendir(byte* name);

    /// <summary><c>readdir</c>: the next entry, or null at the end (or on an error, with <c>errno</c> set).</summary>
    [LibraryImport(Library, SetLastError = true)]
    public static partial nint readdir(nint dir);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int closedir(nint dir);

    /// <summary><c>fcntl(fd, cmd, arg)</c> with an int argument (the variadic call passes it like a fixed one on Linux).</summary>
    [LibraryImport(Library, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);
}
