namespace Kiln.RuntimeTests.Support;

/// <summary>
/// The server tests run once per transport: each test class that starts servers uses its virtual
/// <c>Transport</c> (<see cref="ServerTransport.Sockets"/>), and a derived class at the end of the same file runs
/// every test again on <see cref="Epoll"/>.
/// </summary>
public static class Transports
{
    /// <summary>The epoll transport where it exists (Linux); elsewhere the socket transport again.</summary>
    public static ServerTransport Epoll => OperatingSystem.IsLinux() ? ServerTransport.Epoll : ServerTransport.Sockets;
}
