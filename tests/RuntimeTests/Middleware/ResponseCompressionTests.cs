using System.IO.Compression;
using System.Text;

namespace Kiln.RuntimeTests;

public class ResponseCompressionTests
{
    private static readonly string Big = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 100));  // 4500 bytes

    private static ValueTask<HttpResponse> Run(HttpResponse inner, string? acceptEncoding, string method = "GET", CompressionOptions? options = null)
    {
        var request = acceptEncoding is null ? Req.Make(method, "/") : Req.Make(method, "/", ("Accept-Encoding", acceptEncoding));
        return new ResponseCompression(options).InvokeAsync(request, _ => inner);
    }

    private static string Decode(HttpResponse response)
    {
        Stream input = new MemoryStream(response.BodyBytes.ToArray());
        input = response.GetHeader("Content-Encoding") switch
        {
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            _ => input,
        };
        using var reader = new StreamReader(input, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [Theory]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("x-gzip", "gzip")]
    [InlineData("br;q=0.5, gzip;q=0.8", "gzip")]
    [InlineData("br;q=0.8, gzip;q=0.8", "br")]        // tie: brotli
    [InlineData("gzip;q=1.0, br;q=0.999", "gzip")]
    [InlineData("*", "br")]
    [InlineData("*;q=0.5, br;q=0", "gzip")]
    [InlineData("BR", "br")]
    [InlineData("gzip ; Q=0.9 , br;q=0.8", "gzip")]
    [InlineData("br;level=5;q=0.7, gzip;q=0.6", "br")]
    public async Task Picks_the_coding_by_accept_encoding_and_round_trips(string accept, string expected)
    {
        var response = await Run(HttpResponse.Text(Big), accept);

        Assert.Equal(expected, response.GetHeader("Content-Encoding"));
        Assert.Equal("Accept-Encoding", response.GetHeader("Vary"));
        Assert.Equal("text/plain; charset=utf-8", response.ContentType);
        Assert.True(response.BodyBytes.Length < Big.Length / 4);
        Assert.Equal(Big, Decode(response));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("identity")]
    [InlineData("deflate")]
    [InlineData("br;q=0, gzip;q=0")]
    [InlineData("gzip;q=banana")]
    public async Task Sends_identity_when_nothing_acceptable_but_still_varies(string? accept)
    {
        var response = await Run(HttpResponse.Text(Big), accept);

        Assert.Null(response.GetHeader("Content-Encoding"));
        Assert.Equal(Big, response.TextBody);
        Assert.Equal("Accept-Encoding", response.GetHeader("Vary"));
    }

    [Fact]
    public async Task Compresses_bytes_and_json_bodies()
    {
        var bytes = await Run(HttpResponse.Bytes(Encoding.UTF8.GetBytes(Big), "application/javascript"), "gzip");
        var pets = Enumerable.Range(0, 100).Select(i => new Pet("Pet number " + i, i)).ToList();
        var json = await Run(HttpResponse.Json(pets, MiddlewareJson.Default.ListPet), "br");

        Assert.Equal(Big, Decode(bytes));
        Assert.Equal("application/javascript", bytes.ContentType);
        Assert.Equal("br", json.GetHeader("Content-Encoding"));
        Assert.Equal("application/json; charset=utf-8", json.ContentType);
        Assert.StartsWith("""[{"Name":"Pet number 0","Age":0}""", Decode(json));
    }

    [Fact]
    public async Task Keeps_status_and_other_headers()
    {
        var response = await Run(HttpResponse.Text(Big, 201).WithHeader("Location", "/x").WithHeader("Vary", "Origin"), "gzip");

        Assert.Equal(201, response.StatusCode);
        Assert.Equal("/x", response.GetHeader("Location"));
        Assert.Equal(["Origin", "Accept-Encoding"], response.HeaderValues("Vary"));
    }

    [Fact]
    public async Task Strong_etag_becomes_weak_and_weak_stays()
    {
        var strong = await Run(HttpResponse.Text(Big).WithHeader("ETag", "\"v1\""), "gzip");
        var weak = await Run(HttpResponse.Text(Big).WithHeader("ETag", "W/\"v1\""), "gzip");

        Assert.Equal(["W/\"v1\""], strong.HeaderValues("ETag"));
        Assert.Equal(["W/\"v1\""], weak.HeaderValues("ETag"));
    }

    public static TheoryData<string, HttpResponse> Skipped => new()
    {
        { "small body", HttpResponse.Text(new string('a', 1023)) },
        { "image", HttpResponse.Bytes(new byte[5000], "image/png") },
        { "video", HttpResponse.Bytes(new byte[5000], "video/mp4") },
        { "audio", HttpResponse.Bytes(new byte[5000], "audio/ogg") },
        { "zip", HttpResponse.Bytes(new byte[5000], "application/zip") },
        { "gzip", HttpResponse.Bytes(new byte[5000], "application/gzip") },
        { "woff2", HttpResponse.Bytes(new byte[5000], "font/woff2") },
        { "already encoded", HttpResponse.Bytes(new byte[5000], "text/plain").WithHeader("Content-Encoding", "gzip") },
        { "no-transform", HttpResponse.Text(Big).WithHeader("Cache-Control", "public, no-transform") },
        { "204", HttpResponse.NoContent() },
        { "304", HttpResponse.Status(304).WithHeader("ETag", "W/\"1\"") },
        { "206", HttpResponse.Bytes(new byte[5000], "text/plain", 206).WithHeader("Content-Range", "bytes 0-4999/9000") },
        { "stream", HttpResponse.Stream((_, _) => ValueTask.CompletedTask, "text/plain") },
        { "random bytes (would not shrink)", HttpResponse.Bytes(RandomBytes(5000), "application/octet-stream") },
    };

    private static byte[] RandomBytes(int n) { var b = new byte[n]; new Random(42).NextBytes(b); return b; }

    [Theory]
    [MemberData(nameof(Skipped))]
    public async Task Leaves_ineligible_responses_uncompressed(string why, HttpResponse inner)
    {
        var response = await Run(inner, "br, gzip");

        Assert.True(response.GetHeader("Content-Encoding") is null || response.GetHeader("Content-Encoding") == inner.GetHeader("Content-Encoding"), why);
        Assert.Equal(inner.BodyBytes.Length, response.BodyBytes.Length);
        Assert.Equal(inner.StatusCode, response.StatusCode);
    }

    [Fact]
    public async Task Head_is_left_alone()
    {
        var response = await Run(HttpResponse.Text(Big), "br", method: "HEAD");

        Assert.Null(response.GetHeader("Content-Encoding"));
        Assert.Equal(Big, response.TextBody);
    }

    [Fact]
    public async Task Svg_is_compressed_and_minimum_size_is_configurable()
    {
        var svg = await Run(HttpResponse.Text(Big, contentType: "image/svg+xml"), "gzip");
        var small = await Run(HttpResponse.Text(new string('a', 200)), "gzip", options: new CompressionOptions { MinimumSize = 100 });

        Assert.Equal("gzip", svg.GetHeader("Content-Encoding"));
        Assert.Equal("gzip", small.GetHeader("Content-Encoding"));
        Assert.Equal(new string('a', 200), Decode(small));
    }

    [Fact]
    public async Task Codings_can_be_disabled()
    {
        var response = await Run(HttpResponse.Text(Big), "br, gzip;q=0.1", options: new CompressionOptions { EnableBrotli = false });

        Assert.Equal("gzip", response.GetHeader("Content-Encoding"));
    }
}
