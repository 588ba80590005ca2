using System.Text;
using Kiln.RuntimeTests.Support;

namespace Kiln.RuntimeTests;

/// <summary>Request's body readers, query and cookie collections: the documented contracts, one by one.</summary>
public class RequestReadingTests
{
    private static Request Json(string body)
        => Request.Create("POST", "/", [new("Content-Type", "application/json")], Encoding.UTF8.GetBytes(body));

    [Fact]
    public async Task Invalid_json_says_so_with_the_position()
    {
        var e = await Assert.ThrowsAsync<BadHttpRequestException>(() => Json("{\"Text\": tru}").ReadFromJsonAsync(TestJson.Default.Message).AsTask());
        Assert.Equal(400, e.StatusCode);
        Assert.StartsWith("The request body is not valid JSON: 'tru}' is an invalid JSON literal.", e.Message);
        Assert.EndsWith("LineNumber: 0 | BytePositionInLine: 12.", e.Message);
    }

    [Theory]
    [InlineData("{\"Text\": 42}", "$.Text")]
    [InlineData("[1, 2]", "$")]
    public async Task Valid_json_of_the_wrong_shape_names_the_type_and_the_path(string body, string path)
    {
        var e = await Assert.ThrowsAsync<BadHttpRequestException>(() => Json(body).ReadFromJsonAsync(TestJson.Default.Message).AsTask());
        Assert.Equal(400, e.StatusCode);
        Assert.StartsWith("The request body is JSON, but not a valid Message: ", e.Message);
        Assert.Contains("Path: " + path, e.Message);
    }

    [Fact]
    public async Task Trailing_data_after_the_json_value_is_invalid_json()
    {
        var e = await Assert.ThrowsAsync<BadHttpRequestException>(() => Json("{\"Text\": \"a\"} x").ReadFromJsonAsync(TestJson.Default.Message).AsTask());
        Assert.StartsWith("The request body is not valid JSON: ", e.Message);
        Assert.Equal("a", (await Json(" {\"Text\": \"a\"} \r\n").ReadFromJsonAsync(TestJson.Default.Message))!.Text);
    }

    [Fact]
    public async Task Raw_body_readers_give_what_was_sent_and_an_empty_body_is_empty()
    {
        // HTTP cannot tell "no body" from an empty one (a request without a length has a zero-length body), so the
        // raw readers — and [Body] string / byte[] parameters — get "" and [] rather than a 400. JSON needs a value.
        var none = Request.Create("POST", "/");
        Assert.Equal(("", 0), (await none.ReadBodyAsStringAsync(), (await none.ReadBodyAsBytesAsync()).Length));
        var e = await Assert.ThrowsAsync<BadHttpRequestException>(() =>
            Request.Create("POST", "/", [new("Content-Type", "application/json")]).ReadFromJsonAsync(TestJson.Default.Message).AsTask());
        Assert.Equal((400, "The request body is empty; a JSON value was expected."), (e.StatusCode, e.Message));

        var text = new string('é', 100_000);   // many blocks, and multi-byte characters across block edges
        var some = Request.Create("POST", "/", body: Encoding.UTF8.GetBytes(text));
        Assert.Equal(text, await some.ReadBodyAsStringAsync());
    }

    [Fact]
    public async Task Body_readers_take_a_cancellation_token()
    {
        var request = Request.Create("POST", "/");
        request.Body = new NeverEndingStream();
        request.HasBody = true;
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.ReadBodyAsBytesAsync(cts.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.ReadBodyAsStringAsync(cts.Token).AsTask());
        request.Headers.Set("Content-Type", "application/json");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.ReadFromJsonAsync(TestJson.Default.Message, cts.Token).AsTask());
    }

    [Fact]
    public async Task A_cancelled_body_read_leaves_the_connection_usable()
    {
        await using var server = await TestServer.StartAsync(handler: async request =>
        {
            if (request.Target != "/cancel") return HttpResponse.Text(await request.ReadBodyAsStringAsync());
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            try { await request.ReadBodyAsBytesAsync(cts.Token); }
            catch (OperationCanceledException) { return HttpResponse.Text("cancelled"); }
            return HttpResponse.Text("read");
        });
        using var client = await server.ConnectAsync();
        await client.SendAsync("POST /cancel HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        Assert.Equal("cancelled", (await client.ReadResponseAsync()).Text);
        // The unread rest of the body is drained as usual, and the next request is read after it.
        await client.SendAsync("defghijPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok");
        Assert.Equal("ok", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public void Query_keys_are_case_sensitive_and_the_first_of_repeated_values_is_the_value()
    {
        var request = Request.Create("GET", "/?tag=a&Tag=B&tag=c&empty=&flag");
        Assert.Equal(("a", "B"), (request.Query["tag"], request.Query["Tag"]));
        Assert.Equal(["a", "c"], request.Query.GetAll("tag"));
        Assert.Null(request.Query["TAG"]);
        Assert.Equal(("", ""), (request.Query["empty"], request.Query["flag"]));
    }

    [Fact]
    public void Cookies_can_be_enumerated_in_the_order_sent()
    {
        var request = Request.Create("GET", "/", [new("Cookie", "a=1; session=\"abc\"; ;novalue; b = 2 "), new("Cookie", "a=3")]);
        Assert.Equal([new("a", "1"), new("session", "abc"), new("b", "2"), new("a", "3")], request.GetCookies());
        Assert.Equal("1", request.GetCookie("a"));
        Assert.Empty(Request.Create("GET", "/").GetCookies());
    }

    private sealed class NeverEndingStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
