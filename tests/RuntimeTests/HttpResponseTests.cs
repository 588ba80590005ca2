namespace Kiln.RuntimeTests;

/// <summary>The response factories: one argument order (body, content type, status) and ASP.NET Core's redirect codes.</summary>
public class HttpResponseTests
{
    [Theory]
    [InlineData(false, false, 302)]
    [InlineData(true, false, 301)]
    [InlineData(false, true, 307)]
    [InlineData(true, true, 308)]
    public void Redirect_answers_as_ASP_NET_Core_does(bool permanent, bool preserveMethod, int status)
    {
        var response = HttpResponse.Redirect("/elsewhere?x=1", permanent, preserveMethod);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("/elsewhere?x=1", response.GetHeader("Location"));
        Assert.Equal(ResponseBodyKind.None, response.BodyKind);
    }

    [Fact]
    public void Redirect_defaults_to_302_Found() => Assert.Equal(302, HttpResponse.Redirect("/x").StatusCode);

    [Fact]
    public void Every_body_factory_takes_body_then_content_type_then_status()
    {
        var text = HttpResponse.Text("<p>hi</p>", "text/html; charset=utf-8", 201);
        var bytes = HttpResponse.Bytes(new byte[] { 1 }, "image/png", 202);
        var stream = HttpResponse.Stream((_, _) => ValueTask.CompletedTask, "text/csv", 203);
        Assert.Equal(("text/html; charset=utf-8", 201), (text.ContentType, text.StatusCode));
        Assert.Equal(("image/png", 202), (bytes.ContentType, bytes.StatusCode));
        Assert.Equal(("text/csv", 203), (stream.ContentType, stream.StatusCode));
    }

    [Fact]
    public void Text_with_a_status_is_plain_text()
    {
        var response = HttpResponse.Text("Forbidden", 403);
        Assert.Equal(403, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.ContentType);
        Assert.Equal("Forbidden", response.TextBody);
        Assert.Equal(200, HttpResponse.Text("ok", "text/html").StatusCode);
    }
}
