using System.Net;
using System.Text.Json.Serialization;

namespace Kiln.RuntimeTests;

public record Pet(string Name, int Age);

[JsonSerializable(typeof(Pet))]
[JsonSerializable(typeof(List<Pet>))]
internal partial class MiddlewareJson : JsonSerializerContext;

public class RequestLoggingTests
{
    private static async Task<(HttpResponse, RequestLogEntry)> Log(Request request, Handler inner, ManualTime? time = null)
    {
        RequestLogEntry? entry = null;
        time ??= new ManualTime();
        var logging = new RequestLogging(e => entry = e, time);
        var response = await logging.InvokeAsync(request, async r => { time.Advance(TimeSpan.FromMilliseconds(12.5)); return await inner(r); });
        return (response, entry ?? throw new Xunit.Sdk.XunitException("nothing logged"));
    }

    [Fact]
    public async Task Entry_has_method_target_status_bytes_and_duration()
    {
        var (_, entry) = await Log(Req.Get("/a/b?x=1").From("198.51.100.4"), _ => HttpResponse.Text("héllo", 201));

        Assert.Equal("GET", entry.Method);
        Assert.Equal("/a/b?x=1", entry.Target);
        Assert.Equal(201, entry.StatusCode);
        Assert.Equal(6, entry.Bytes);             // UTF-8 bytes, not chars
        Assert.Equal(TimeSpan.FromMilliseconds(12.5), entry.Duration);
        Assert.Equal(IPAddress.Parse("198.51.100.4"), entry.ClientAddress);
    }

    [Fact]
    public async Task Json_body_is_measured_and_still_sent()
    {
        var (response, entry) = await Log(Req.Get("/pet"), _ => HttpResponse.Json(new Pet("Rex", 3), MiddlewareJson.Default.Pet));

        Assert.Equal("""{"Name":"Rex","Age":3}""", response.BodyText());
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        Assert.Equal(22, entry.Bytes);
    }

    [Fact]
    public async Task Streamed_body_has_unknown_size_and_head_has_zero()
    {
        var (_, streamed) = await Log(Req.Get("/s"), _ => HttpResponse.Stream((_, _) => ValueTask.CompletedTask));
        var (_, head) = await Log(Req.Make("HEAD", "/t"), _ => HttpResponse.Text("12345"));

        Assert.Null(streamed.Bytes);
        Assert.Equal(0, head.Bytes);
    }

    [Fact]
    public async Task Logs_the_target_as_received_even_when_rewritten_inside()
    {
        var (_, entry) = await Log(Req.Get("/old"), r => { r.Rewrite("POST", "/new"); return Req.Ok(r); });

        Assert.Equal("GET /old", entry.Method + " " + entry.Target);
    }

    [Fact]
    public async Task Exception_is_logged_as_500_and_rethrown()
    {
        RequestLogEntry? entry = null;
        var logging = new RequestLogging(e => entry = e, new ManualTime());

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await logging.InvokeAsync(Req.Get("/boom"), _ => throw new InvalidOperationException()));

        Assert.Equal(500, entry?.StatusCode);
    }

    [Fact]
    public async Task Writes_one_default_line_per_request()
    {
        var writer = new StringWriter();
        var time = new ManualTime();
        var logging = new RequestLogging(writer, LogFormat.Default, time);

        await logging.InvokeAsync(Req.Get("/one").From("127.0.0.1"), _ => { time.Advance(TimeSpan.FromMilliseconds(1.25)); return HttpResponse.Text("abc"); });
        await logging.InvokeAsync(Req.Get("/two").From("127.0.0.1"), _ => HttpResponse.NotFound());

        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["2026-11-21T22:00:00.000Z 127.0.0.1 GET /one 200 3B 1.25ms", "2026-11-21T22:00:00.001Z 127.0.0.1 GET /two 404 9B 0ms"],
            lines);
    }

    [Fact]
    public async Task Writes_common_log_format()
    {
        var writer = new StringWriter();
        var logging = new RequestLogging(writer, LogFormat.Common, new ManualTime());

        await logging.InvokeAsync(Req.Get("/apache_pb.gif?x=1").From("127.0.0.1"), _ => HttpResponse.Bytes(new byte[2326], "image/gif"));

        Assert.Equal("127.0.0.1 - - [21/Nov/2026:22:00:00 +0000] \"GET /apache_pb.gif?x=1 HTTP/1.1\" 200 2326" + Environment.NewLine, writer.ToString());
    }

    [Fact]
    public async Task Dropped_connection_is_logged_with_status_0()
    {
        var (_, entry) = await Log(Req.Get("/"), _ => HttpResponse.Drop);

        Assert.Equal(0, entry.StatusCode);
    }
}

public class ExceptionHandlerTests
{
    [Fact]
    public async Task Exception_becomes_a_bare_500_and_is_logged()
    {
        var log = new StringWriter();
        var handler = new ExceptionHandler(log);

        var response = await handler.InvokeAsync(Req.Get("/orders/7"), _ => throw new InvalidOperationException("connection string Password=hunter2"));

        Assert.Equal(500, response.StatusCode);
        Assert.Equal("Internal Server Error", response.TextBody);
        Assert.Null(response.Headers!.Next);                 // only Cache-Control: nothing about the failure
        Assert.Equal("no-store", response.GetHeader("Cache-Control"));
        Assert.Contains("GET /orders/7", log.ToString());
        Assert.Contains("InvalidOperationException: connection string Password=hunter2", log.ToString());
    }

    [Fact]
    public async Task Exception_from_an_async_handler_after_an_await_is_caught()
    {
        var handler = new ExceptionHandler((TextWriter?)null);

        var response = await handler.InvokeAsync(Req.Get("/"), async _ => { await Task.Yield(); throw new IOException("disk"); });

        Assert.Equal(500, response.StatusCode);
    }

    [Fact]
    public async Task Bad_request_exceptions_pass_through_to_the_server()
    {
        var handler = new ExceptionHandler((TextWriter?)null);

        var e = await Assert.ThrowsAsync<BadHttpRequestException>(async () =>
            await handler.InvokeAsync(Req.Get("/"), _ => throw new BadHttpRequestException("too big", 413)));

        Assert.Equal(413, e.StatusCode);
    }

    [Fact]
    public async Task Callback_receives_the_request_and_exception_and_a_failing_log_still_answers_500()
    {
        string? seen = null;
        var handler = new ExceptionHandler((request, e) => { seen = request.Path + " " + e.Message; throw new Exception("log down"); });

        var response = await handler.InvokeAsync(Req.Get("/x"), _ => throw new ArgumentException("bad"));

        Assert.Equal(500, response.StatusCode);
        Assert.Equal("/x bad", seen);
    }

    [Fact]
    public async Task Success_passes_through()
    {
        var response = await new ExceptionHandler((TextWriter?)null).InvokeAsync(Req.Get("/"), Req.Ok);

        Assert.Equal("ok", response.TextBody);
    }
}
