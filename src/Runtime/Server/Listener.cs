using System.Net;
using System.Net.Sockets;

namespace Kiln.Server;

/// <summary>One bound listening socket (TCP, TLS over TCP, or Unix domain) and how to undo it.</summary>
internal sealed class Listener : IDisposable
{
    private Listener(Socket socket, ConnectionSecurity? security, string? unixPath)
    {
        Socket = socket;
        Security = security;
        UnixPath = unixPath;
        EndPoint = socket.LocalEndPoint!;
    }

    public Socket Socket { get; }
    /// <summary>The handshake before HTTP (TLS), or <see langword="null"/> for plain HTTP.</summary>
    public ConnectionSecurity? Security { get; }
    public string? UnixPath { get; }
    public EndPoint EndPoint { get; }
    public bool IsTcp => UnixPath is null;

    public static Listener Bind(ListenOptions options, bool reusePort)
    {
        if (options.EndPoint is UnixDomainSocketEndPoint unix)
        {
            string path = unix.ToString();
            // A stale socket file from an earlier run would make bind fail.
            if (File.Exists(path)) File.Delete(path);
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
        Socket.Dispose();
        if (UnixPath is not null)
        {
            try { File.Delete(UnixPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
