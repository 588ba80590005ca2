using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Kiln.Server.Linux;

/// <summary>An owned descriptor (an accepted socket) that <see cref="SafeHandle"/> closes once nothing uses it.</summary>
internal sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle < 0;

    protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;
}

/// <summary>Socket addresses as the kernel writes them (<c>struct sockaddr_in</c>, <c>sockaddr_in6</c>).</summary>
internal static unsafe class SocketAddresses
{
    /// <summary>The IP end point in <paramref name="address"/>, or <see langword="null"/> for any other family (a Unix peer has no name).</summary>
    public static IPEndPoint? ToEndPoint(byte* address, int length)
    {
        if (length < 2) return null;
        int family = *(ushort*)address;
        int port = address[2] << 8 | address[3];   // network byte order
        if (family == LibC.AF_INET && length >= 8)
            return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(address + 4, 4)), port);
        if (family == LibC.AF_INET6 && length >= 28)
            return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(address + 8, 16), *(uint*)(address + 24)), port);
        return null;
    }

    /// <summary>
    /// A socket's own address (<c>getsockname</c>): an IP end point, or a Unix socket's path; <see langword="null"/>
    /// for an unnamed socket or when the call fails.
    /// </summary>
    public static EndPoint? LocalOf(int fd)
    {
        byte* address = stackalloc byte[LibC.SocketAddressCapacity];
        int length = LibC.SocketAddressCapacity;
        if (LibC.getsockname(fd, address, &length) != 0) return null;
        if (length > 2 && *(ushort*)address == LibC.AF_UNIX)
        {
            var path = new ReadOnlySpan<byte>(address + 2, length - 2);
            int end = path.IndexOf((byte)0);
            if (end >= 0) path = path[..end];
            return path.IsEmpty ? null : new UnixDomainSocketEndPoint(System.Text.Encoding.UTF8.GetString(path));
        }
        return ToEndPoint(address, length);
    }
}
