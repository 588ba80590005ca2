using System.Net.Sockets;
using System.Text;

namespace Kiln.RuntimeTests.Support;

/// <summary>A parsed HTTP response as a raw client saw it.</summary>
public sealed record RawResponse(string Version, int Status, List<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>A socket client that sends exact bytes and reads responses strictly (for pipelining and malformed input).</summary>
public sealed class RawClient(Socket socket) : IDisposable
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    public Socket Socket => socket;

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Reads one response; <paramref name="headRequest"/> means no body follows the head.</summary>
    public async Task<RawResponse> ReadResponseAsync(bool headRequest = false, int timeoutMs = 10_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        string statusLine = await ReadLineAsync(cts.Token) ?? throw new IOException("Connection closed before a response.");
        var parts = statusLine.Split(' ', 3);
        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            var line = await ReadLineAsync(cts.Token) ?? throw new IOException("Connection closed inside a response head.");
            if (line.Length == 0) break;
            int colon = line.IndexOf(':');
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }
        var response = new RawResponse(parts[0], int.Parse(parts[1]), headers, []);
        if (headRequest || response.Status is 204 or 304 || response.Status < 200) return response;
        if (response.Header("Transfer-Encoding") is "chunked")
        {
            var body = new MemoryStream();
            while (true)
            {
                var sizeLine = await ReadLineAsync(cts.Token) ?? throw new IOException("EOF in chunked body");
                int size = Convert.ToInt32(sizeLine.Split(';')[0], 16);
                if (size == 0) { await ReadLineAsync(cts.Token); break; }
                body.Write(await ReadExactAsync(size, cts.Token));
                await ReadLineAsync(cts.Token);
            }
            return response with { Body = body.ToArray() };
        }
        if (response.Header("Content-Length") is { } cl)
            return response with { Body = await ReadExactAsync(int.Parse(cl), cts.Token) };
        // Close-delimited.
        var rest = new MemoryStream();
        while (await FillAsync(cts.Token)) { }
        rest.Write(_buffer, _start, _end - _start);
        _start = _end;
        return response with { Body = rest.ToArray() };
    }

    /// <summary>Whether the server closed the connection (EOF) within the timeout, with nothing more sent.</summary>
    public async Task<bool> IsClosedByServerAsync(int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            if (_end > _start) return false;
            return !await FillAsync(cts.Token);
        }
        catch (OperationCanceledException) { return false; }
        catch (SocketException) { return true; }
    }

    /// <summary>Everything until the server closes.</summary>
    public async Task<string> ReadToEndAsync(int timeoutMs = 10_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try { while (await FillAsync(cts.Token)) { } } catch (SocketException) { }
        var text = Encoding.Latin1.GetString(_buffer, _start, _end - _start);
        _start = _end;
        return text;
    }

    private async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                if (lf == _start || _buffer[lf - 1] != '\r') throw new InvalidDataException("Bare LF in response");
                var line = Encoding.Latin1.GetString(_buffer, _start, lf - 1 - _start);
                _start = lf + 1;
                return line;
            }
            if (!await FillAsync(ct)) return null;
        }
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken ct)
    {
        var result = new byte[count];
        int got = 0;
        while (got < count)
        {
            if (_end == _start && !await FillAsync(ct)) throw new IOException("EOF in body");
            int n = Math.Min(count - got, _end - _start);
            Array.Copy(_buffer, _start, result, got, n);
            _start += n;
            got += n;
        }
        return result;
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_end == _buffer.Length)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        int n = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct);
        _end += n;
        return n > 0;
    }

    public void Dispose() => socket.Dispose();
}
