using System.Net.Sockets;
using System.Text;

namespace Kiln.Server;

/// <summary>
/// The systemd notification protocol (<c>sd_notify(3)</c>): one datagram per state change to the Unix socket named by
/// <c>NOTIFY_SOCKET</c> (a path, or <c>@name</c> for the abstract namespace). Used for <c>READY=1</c> once the
/// listeners accept and <c>STOPPING=1</c> when graceful shutdown begins, so that <c>Type=notify</c> units and
/// supervisors know when an instance can take traffic and when it has begun to leave. BCL sockets only; a missing
/// or unreachable socket is ignored (the notification is advisory).
/// </summary>
internal static class SystemdNotify
{
    /// <summary>The notification socket of this process, or <see langword="null"/> when not run under a notifying supervisor.</summary>
    public static string? FromEnvironment() => Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 } path ? path : null;

    /// <summary>Sends <paramref name="state"/> (for example <c>READY=1</c>) to <paramref name="socketPath"/>; returns whether it was sent.</summary>
    public static bool Send(string? socketPath, string state)
    {
        if (socketPath is null || !(socketPath[0] == '/' || socketPath[0] == '@')) return false;
        // "@name" is the abstract namespace, whose names start with a NUL byte.
        string address = socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(address));
            return true;
        }
        catch (Exception e) when (e is SocketException or ArgumentException or PlatformNotSupportedException)
        {
            return false;
        }
    }
}
