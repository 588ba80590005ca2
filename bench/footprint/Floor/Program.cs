// The floor: bind, listen, accept one connection at a time synchronously, answer every read with a fixed response.
// Usage: floor --urls http://127.0.0.1:PORT (the same argument the other apps of the benchmark take).
using System.Net;
using System.Net.Sockets;

var port = new Uri(args[Array.IndexOf(args, "--urls") + 1]).Port;
var answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!"u8.ToArray();
using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
listener.Listen(512);
var buffer = new byte[4096];
while (true)
{
    using var connection = listener.Accept();
    while (connection.Receive(buffer) > 0) connection.Send(answer);
}
