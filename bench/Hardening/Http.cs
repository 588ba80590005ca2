using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kiln.Hardening;

/// <summary>Minimal raw HTTP/1.1 over a socket: send exact bytes, read one answer's status.</summary>
public static class Http
{
    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return socket;
    }

    public static Task<int> SendAsync(Socket socket, string text) => socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);

    /// <summary>Reads until a status line has arrived and returns its code (0 when the server closed first); the rest is discarded.</summary>
    public static async Task<int> ReadStatusAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[16 * 1024];
        int got = 0;
        try
        {
            while (got < 12)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, cts.Token);
                if (n == 0) return 0;
                got += n;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException) { return got >= 12 ? Parse(buffer) : 0; }
        return Parse(buffer);
    }

    private static int Parse(byte[] buffer) => int.Parse(Encoding.ASCII.GetString(buffer, 9, 3));

    /// <summary>One GET on a fresh connection; the status (0 when none came within the timeout).</summary>
    public static async Task<int> GetAsync(IPEndPoint endPoint, string path, TimeSpan timeout)
    {
        try
        {
            using var socket = await ConnectAsync(endPoint);
            await SendAsync(socket, $"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            return await ReadStatusAsync(socket, timeout);
        }
        catch (SocketException) { return 0; }
    }
}
