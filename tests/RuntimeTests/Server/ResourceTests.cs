using System.Net.Sockets;
using System.Text;
using Kiln.Http;
using Kiln.RuntimeTests.Support;

namespace Kiln.RuntimeTests.Server;

/// <summary>
/// What a client can make the server hold — body buffers, output buffers, time — stays bounded, and one client's
/// excess never becomes another client's error. Loopback or in-memory pipes only; every wait is for a condition,
/// with a deadline.
/// </summary>
[Collection(TimingSensitive.Name)]
public class ResourceTests
{
    private const string Upload8MiB = "POST /length HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\nExpect: 100-continue\r\n\r\n";

    [Fact]
    public async Task A_declared_content_length_reserves_nothing_until_the_bytes_arrive()
    {
        await using var server = await TestServer.StartAsync();
        var clients = new List<RawClient>();
        try
        {
            for (int i = 0; i < 16; i++)
            {
                var client = await server.ConnectAsync();
                clients.Add(client);
                await client.SendAsync(Upload8MiB);
            }
            // 100 Continue is sent when the handler starts reading the body: all sixteen are reading now.
            foreach (var client in clients) Assert.Equal(100, (await client.ReadResponseAsync(headRequest: true)).Status);
            // 16 x 8 MiB declared; what is held is one first block each.
            Assert.InRange(server.Server.BufferedBodyBytes, 1, 16 * 4096);

            using var plain = await server.ConnectAsync();
            await plain.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(200, (await plain.ReadResponseAsync()).Status);

            // The bytes arrive: the body is read whole and the reservation is given back.
            await clients[0].SendAsync(new byte[8 * 1024 * 1024]);
            Assert.Equal("8388608", (await clients[0].ReadResponseAsync()).Text);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
        await server.WaitForConnectionsAsync(0);
        Assert.Equal(0, server.Server.BufferedBodyBytes);
    }

    [Fact]
    public async Task Bodies_past_the_shared_buffer_limit_are_503_for_that_request_only()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxBufferedBodyBytes = 2 * 1024 * 1024);
        using var holder = await server.ConnectAsync();
        await holder.SendAsync("POST /length HTTP/1.1\r\nHost: x\r\nContent-Length: 1500000\r\n\r\n");
        await holder.SendAsync(new byte[1_400_000]);   // most of the allowance, held while the rest is awaited
        await Poll.UntilAsync(() => server.Server.BufferedBodyBytes >= 1_400_000, 10_000, () => $"buffered {server.Server.BufferedBodyBytes}");

        using var second = await server.ConnectAsync();
        await second.SendAsync("POST /length HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
        var sending = second.SendAsync(new byte[1_000_000]);
        var refused = await second.ReadResponseAsync();
        Assert.Equal((503, "close"), (refused.Status, refused.Header("Connection")));
        Assert.Contains("Service Unavailable", refused.Text);
        try { await sending; } catch (SocketException) { }

        // Everyone else is served, including a small upload that fits.
        using var other = await server.ConnectAsync();
        await other.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\nPOST /length HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        Assert.Equal(200, (await other.ReadResponseAsync()).Status);
        Assert.Equal("5", (await other.ReadResponseAsync()).Text);

        await holder.SendAsync(new byte[100_000]);
        Assert.Equal("1500000", (await holder.ReadResponseAsync()).Text);
        Assert.Contains("503", server.Log.ToString());
    }

    [Fact]
    public async Task Out_of_memory_pressure_from_uploads_never_fails_other_requests()
    {
        // Issue 12's repro: a GC heap limited as in a 256 MiB container, 32 uploads that announce 8 MiB each.
        using var child = ChildServer.Start(("DOTNET_GCHeapHardLimit", "0xC000000"));
        var uploads = new List<Socket>();
        try
        {
            for (int i = 0; i < 32; i++)
            {
                var socket = await ConnectAsync(child);
                uploads.Add(socket);
                await socket.SendAsync(Encoding.ASCII.GetBytes(Upload8MiB.Replace("/length", "/upload")), SocketFlags.None);
            }
            foreach (var socket in uploads) Assert.Equal(100, await ReadStatusAsync(socket));
            Assert.All(await GetsAsync(child), status => Assert.Equal(200, status));

            // Every upload now sends its 8 MiB (256 MiB in all, more than the heap) while plain requests go on.
            var body = new byte[8 * 1024 * 1024];
            var results = uploads.Select(async socket =>
            {
                var answer = ReadStatusAsync(socket);   // read while sending: an early 503 is not lost to a reset
                try { await socket.SendAsync(body, SocketFlags.None); } catch (SocketException) { }
                return await answer;
            }).ToArray();
            var during = new List<int>();
            while (!results.All(r => r.IsCompleted)) during.AddRange(await GetsAsync(child, 2));
            var statuses = await Task.WhenAll(results);

            Assert.All(statuses, status => Assert.Contains(status, new[] { 200, 503 }));
            Assert.Contains(200, statuses);
            Assert.All(during, status => Assert.Equal(200, status));
            Assert.All(await GetsAsync(child), status => Assert.Equal(200, status));
            Assert.False(child.HasExited);
        }
        finally
        {
            foreach (var socket in uploads) socket.Dispose();
        }
    }

    public static TheoryData<string> LargeAnswers => new() { "/bytes", "/text", "/json", "/stream-async", "/stream-sync" };

    [Theory]
    [MemberData(nameof(LargeAnswers))]
    public async Task A_client_that_does_not_read_holds_a_bounded_output_buffer(string path)
    {
        const int Size = 4 * 1024 * 1024;
        var payload = new byte[Size];
        for (int i = 0; i < Size; i++) payload[i] = (byte)('a' + i % 26);
        string text = Encoding.ASCII.GetString(payload);
        await using var connection = new PipeConnection(request => request.Target switch
        {
            "/bytes" => HttpResponse.Bytes(payload),
            "/text" => HttpResponse.Text(text),
            "/json" => HttpResponse.Json(new Message(text), TestJson.Default.Message),
            "/stream-async" => HttpResponse.Stream(async (body, ct) => await body.WriteAsync(payload, ct)),
            "/stream-sync" => HttpResponse.Stream((body, _) => { body.Write(payload); return ValueTask.CompletedTask; }),
            _ => HttpResponse.Text("end-of-test"),
        });
        await connection.SendAsync(string.Concat(Enumerable.Repeat($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n", 4)) + "GET /end HTTP/1.1\r\nHost: x\r\n\r\n");

        // The connection writes until a flush has to wait for the client; what it holds then is the bound.
        await connection.FlushBlocked.WaitAsync(TimeSpan.FromSeconds(30));
        long held = connection.BufferedAnswerBytes();
        Assert.InRange(held, 1, ConnectionBuffers.OutputPauseThreshold + ResponseWriter.FlushThreshold + 1024);

        // Reading everything then gets the four answers, complete, and the last one after them.
        long total = 0;
        int answers = 0;
        string carry = "";
        while (!carry.Contains("end-of-test", StringComparison.Ordinal))
        {
            var result = await connection.Answers.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            total += result.Buffer.Length;
            var seen = carry + Encoding.ASCII.GetString(System.Buffers.BuffersExtensions.ToArray(result.Buffer));
            for (int at = 0; (at = seen.IndexOf("HTTP/1.1 200 OK", at, StringComparison.Ordinal)) >= 0; at++) answers++;
            carry = seen[^Math.Min(seen.Length, 14)..];   // shorter than a status line, so none is counted twice
            connection.Answers.AdvanceTo(result.Buffer.End);
            Assert.False(result.IsCompleted, "the connection closed early");
        }
        Assert.Equal(5, answers);
        Assert.True(total > 4L * Size, $"{total} bytes answered");
    }

    [Fact]
    public async Task A_burst_buys_one_grace_period_of_silence_not_a_rate_averaged_over_the_upload()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.MinRequestBodyDataRate = 1000;
            o.MinRequestBodyDataRateGracePeriod = TimeSpan.FromMilliseconds(500);
        });
        using var client = await server.ConnectAsync();
        // 200 000 bytes at once would, averaged over the upload, excuse 200 s of silence at 1000 B/s.
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
        await client.SendAsync(new byte[200_000]);
        var response = await client.ReadResponseAsync(timeoutMs: 20_000);
        Assert.Equal((408, "close"), (response.Status, response.Header("Connection")));
        Assert.Contains("slower than 1000 bytes/s", server.Log.ToString());
    }

    [Fact]
    public void The_data_rate_window_drains_while_waiting_and_a_burst_refills_it_only_to_one_grace_period()
    {
        var options = new ServerOptions { MinRequestBodyDataRate = 1000, MinRequestBodyDataRateGracePeriod = TimeSpan.FromSeconds(1) };
        var input = new System.IO.Pipelines.Pipe();
        var timeouts = new TimeoutControl(options, input.Reader, new System.IO.Pipelines.Pipe().Writer);
        timeouts.ResetBodyRate();

        long before = Environment.TickCount64;
        timeouts.BodyReadStarting();
        long after = Environment.TickCount64;
        timeouts.Tick(before + 900);   // at most 900 ms of waiting: 100 of the 1000 bytes of allowance left
        Assert.Equal(TimeoutControl.Wait.None, timeouts.TakeExpired());
        timeouts.Tick(after + 1100);   // at least 1100 ms: the allowance is spent
        Assert.Equal(TimeoutControl.Wait.BodyRate, timeouts.TakeExpired());
        Assert.True(input.Reader.TryRead(out var cancelled) && cancelled.IsCanceled);
        input.Reader.AdvanceTo(cancelled.Buffer.Start);

        // A megabyte arrives at once: it refills the allowance to one grace period's worth, no more.
        timeouts.BodyReadEnded();
        timeouts.BodyBytesRead(1_000_000);
        before = Environment.TickCount64;
        timeouts.BodyReadStarting();
        after = Environment.TickCount64;
        timeouts.Tick(before + 900);
        Assert.Equal(TimeoutControl.Wait.None, timeouts.TakeExpired());
        timeouts.Tick(after + 1100);
        Assert.Equal(TimeoutControl.Wait.BodyRate, timeouts.TakeExpired());

        // Time the application spends elsewhere does not count.
        timeouts.BodyReadEnded();
        timeouts.BodyBytesRead(1000);
        timeouts.Tick(Environment.TickCount64 + 60_000);
        Assert.Equal(TimeoutControl.Wait.None, timeouts.TakeExpired());
    }

    [Fact]
    public async Task A_partial_request_head_at_shutdown_is_closed_at_once()
    {
        await using var connection = new PipeConnection(_ => HttpResponse.Text("ok"));
        await Poll.UntilAsync(() => connection.PendingReads >= 1, 10_000, () => "the connection waits for its first request");
        await connection.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        // The connection has taken the partial head and waits for the rest.
        await Poll.UntilAsync(() => connection.PendingReads >= 2, 10_000, () => $"pending reads {connection.PendingReads}");
        connection.BeginStopping();
        await connection.Run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, connection.BufferedAnswerBytes());
    }

    [Fact]
    public async Task Stop_does_not_wait_for_a_client_holding_a_partial_head()
    {
        var server = await TestServer.StartAsync(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        await client.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        await server.Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));   // the timeout is 30 s
        Assert.True(await client.IsClosedByServerAsync());
        Assert.DoesNotContain("aborting", server.Log.ToString());
    }

    private static async Task<Socket> ConnectAsync(ChildServer child)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(child.EndPoint);
        return socket;
    }

    /// <summary>The status of the next answer (0 when the connection ended first), within 60 s.</summary>
    private static async Task<int> ReadStatusAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[12];
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
        catch (SocketException) { return 0; }
        // Skip the rest of a 100 Continue ("HTTP/1.1 100 Continue\r\n\r\n") so the next read starts at the final answer.
        int status = int.Parse(Encoding.ASCII.GetString(buffer, 9, 3));
        if (status == 100)
        {
            var rest = new byte["HTTP/1.1 100 Continue\r\n\r\n".Length - 12];
            for (int r = 0; r < rest.Length;) r += await socket.ReceiveAsync(rest.AsMemory(r), SocketFlags.None, cts.Token);
        }
        return status;
    }

    private static async Task<int[]> GetsAsync(ChildServer child, int count = 20)
        => await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            using var socket = await ConnectAsync(child);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {(i % 2 == 0 ? "/plaintext" : "/alloc")} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), SocketFlags.None);
            return await ReadStatusAsync(socket);
        }));
}
