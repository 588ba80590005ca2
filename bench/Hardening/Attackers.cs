using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kiln.Hardening;

/// <summary>
/// Hostile clients for the soak, in waves until stopped: each wave opens 40 connections — partial heads
/// (slowloris), uploads that only announce 8 MiB, clients that ask for 4 MiB answers and never read, and garbage —
/// holds them a few seconds, then drops them. Prints how many waves ran.
/// </summary>
public static class Attackers
{
    public static async Task<int> RunAsync(string[] args)
    {
        var endPoint = IPEndPoint.Parse(args.Length > 0 ? args[0] : "127.0.0.1:18280");
        int seconds = args.Length > 1 ? int.Parse(args[1]) : 300;
        var stop = DateTime.UtcNow.AddSeconds(seconds);
        int waves = 0;
        while (DateTime.UtcNow < stop)
        {
            var sockets = new List<Socket>();
            for (int i = 0; i < 40; i++)
            {
                try
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                    await socket.ConnectAsync(endPoint);
                    string request = (i % 4) switch
                    {
                        0 => "GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Slow: ",
                        1 => "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\n\r\n" + new string('a', 1000),
                        2 => string.Concat(Enumerable.Repeat("GET /big HTTP/1.1\r\nHost: x\r\n\r\n", 4)),
                        _ => "\x16\x03\x01 garbage \r\n\r\n",
                    };
                    await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None);
                    sockets.Add(socket);
                }
                catch (SocketException) { }
            }
            await Task.Delay(3000);
            foreach (var socket in sockets) socket.Dispose();
            waves++;
        }
        Console.WriteLine($"attackers: {waves} waves of 40 hostile connections");
        return 0;
    }
}
