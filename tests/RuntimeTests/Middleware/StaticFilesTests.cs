using System.Globalization;
using System.Text;

namespace Kiln.RuntimeTests;

/// <summary>A scratch directory: <c>outside/secret.txt</c> next to the served <c>root/</c>.</summary>
public sealed class StaticFilesFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("kiln-static-").FullName;
    public string Root => Path.Combine(Dir, "root");
    public const string Hello = "Hello, static world!";   // 20 bytes

    public StaticFilesFixture()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Combine(Root, "sub"));
        Directory.CreateDirectory(Path.Combine(Root, "site"));
        Directory.CreateDirectory(Path.Combine(Dir, "outside"));
        File.WriteAllText(Path.Combine(Root, "hello.txt"), Hello);
        File.WriteAllText(Path.Combine(Root, "with space.txt"), "spaced");
        File.WriteAllText(Path.Combine(Root, "a%2Fb.txt"), "percent");
        File.WriteAllText(Path.Combine(Root, "style.css"), "body{}");
        File.WriteAllText(Path.Combine(Root, "noext"), "?");
        File.WriteAllText(Path.Combine(Root, ".env"), "SECRET=1");
        File.WriteAllText(Path.Combine(Root, "sub", "data.json"), "{}");
        File.WriteAllText(Path.Combine(Root, "site", "index.html"), "<h1>home</h1>");
        File.WriteAllText(Path.Combine(Dir, "outside", "secret.txt"), "top secret");
        File.WriteAllText(Path.Combine(Dir, "secret.txt"), "top secret");
        File.WriteAllBytes(Path.Combine(Root, "big.bin"), Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray());
        // Links: inside → inside is fine; anything whose final target is outside the root is not.
        File.CreateSymbolicLink(Path.Combine(Root, "alias.txt"), "hello.txt");
        File.CreateSymbolicLink(Path.Combine(Root, "escape.txt"), Path.Combine(Dir, "outside", "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(Root, "relative-escape.txt"), "../outside/secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(Root, "outdir"), Path.Combine(Dir, "outside"));
        File.CreateSymbolicLink(Path.Combine(Root, "chain.txt"), "sub/hop.txt");
        File.CreateSymbolicLink(Path.Combine(Root, "sub", "hop.txt"), "../../secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(Root, "subalias"), "sub");
        File.CreateSymbolicLink(Path.Combine(Root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(Root, "loop2"), "loop1");
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

public class StaticFilesTests(StaticFilesFixture fx) : IClassFixture<StaticFilesFixture>
{
    private StaticFiles Files(StaticFileOptions? options = null) => new(fx.Root, options);

    private static readonly Handler Fallback = _ => HttpResponse.Text("fallback", 404);

    [Fact]
    public async Task Serves_a_file_with_type_length_and_validators()
    {
        var response = await Files().ServeAsync(Req.Get("/files/hello.txt"), "hello.txt");
        var mtime = File.GetLastWriteTimeUtc(Path.Combine(fx.Root, "hello.txt"));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(ResponseBodyKind.Bytes, response.BodyKind);
        Assert.Equal(StaticFilesFixture.Hello, response.BodyText());
        Assert.Equal("text/plain; charset=utf-8", response.ContentType);
        Assert.Equal($"W/\"14-{mtime.Ticks:x}\"", response.GetHeader("ETag"));
        Assert.Equal(mtime.ToString("r", CultureInfo.InvariantCulture), response.GetHeader("Last-Modified"));
        Assert.Equal("bytes", response.GetHeader("Accept-Ranges"));
    }

    [Theory]
    [InlineData("style.css", "text/css; charset=utf-8")]
    [InlineData("sub/data.json", "application/json; charset=utf-8")]
    [InlineData("noext", "application/octet-stream")]
    [InlineData("big.bin", "application/octet-stream")]
    public async Task Content_type_comes_from_the_extension(string path, string type)
        => Assert.Equal(type, (await Files().ServeAsync(Req.Get("/"), path)).ContentType);

    [Fact]
    public async Task Options_can_add_content_types_and_cache_control()
    {
        var files = Files(new StaticFileOptions { ContentTypes = new Dictionary<string, string> { [".txt"] = "text/x-custom" }, CacheControl = "public, max-age=60" });

        var response = await files.ServeAsync(Req.Get("/"), "hello.txt");

        Assert.Equal("text/x-custom", response.ContentType);
        Assert.Equal("public, max-age=60", response.GetHeader("Cache-Control"));
    }

    [Theory]
    [InlineData("missing.txt")]
    [InlineData("../secret.txt")]
    [InlineData("sub/../../secret.txt")]
    [InlineData("sub/../hello.txt")]         // refused even though it stays inside: no dot segments at all
    [InlineData("./hello.txt")]
    [InlineData("..\\secret.txt")]
    [InlineData("sub\\data.json")]
    [InlineData("/etc/passwd")]
    [InlineData("hello.txt\0.png")]
    [InlineData(".env")]                      // hidden files are off by default
    [InlineData("escape.txt")]                // absolute symlink to outside
    [InlineData("relative-escape.txt")]       // relative symlink climbing out
    [InlineData("outdir/secret.txt")]         // symlinked directory outside
    [InlineData("chain.txt")]                 // link → link → outside
    [InlineData("loop1")]                     // link loop
    [InlineData("sub")]                       // a directory without an index file
    public async Task Refuses_paths_outside_the_root_or_otherwise_unsafe(string path)
    {
        var response = await Files().ServeAsync(Req.Get("/"), path);

        Assert.Equal(404, response.StatusCode);
        Assert.DoesNotContain("secret", response.BodyText());
    }

    [Fact]
    public async Task Refuses_the_absolute_path_of_a_file_inside_the_root_too()
        => Assert.Equal(404, (await Files().ServeAsync(Req.Get("/"), Path.Combine(fx.Root, "hello.txt"))).StatusCode);

    [Theory]
    [InlineData("alias.txt", StaticFilesFixture.Hello)]
    [InlineData("subalias/data.json", "{}")]
    [InlineData("site", "<h1>home</h1>")]
    [InlineData("site/", "<h1>home</h1>")]
    [InlineData("with space.txt", "spaced")]
    public async Task Serves_links_that_stay_inside_and_index_files(string path, string body)
    {
        var response = await Files().ServeAsync(Req.Get("/"), path);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(body, response.BodyText());
    }

    [Fact]
    public async Task Hidden_files_can_be_enabled()
        => Assert.Equal("SECRET=1", (await Files(new StaticFileOptions { ServeHiddenFiles = true }).ServeAsync(Req.Get("/"), ".env")).BodyText());

    [Fact]
    public async Task Other_methods_get_405_with_allow()
    {
        var response = await Files().ServeAsync(Req.Make("POST", "/"), "hello.txt");

        Assert.Equal(405, response.StatusCode);
        Assert.Equal("GET, HEAD", response.GetHeader("Allow"));
    }

    [Fact]
    public async Task Head_gets_the_same_headers()
    {
        var get = await Files().ServeAsync(Req.Get("/"), "hello.txt");
        var head = await Files().ServeAsync(Req.Make("HEAD", "/"), "hello.txt");

        Assert.Equal(200, head.StatusCode);
        Assert.Equal(get.GetHeader("ETag"), head.GetHeader("ETag"));
        Assert.Equal(get.ContentType, head.ContentType);
        Assert.Equal(20, head.BodyBytes.Length);   // the server sends Content-Length: 20 and no body
    }

    private async Task<string> ETag() => (await Files().ServeAsync(Req.Get("/"), "hello.txt")).GetHeader("ETag")!;
    private string LastModified() => File.GetLastWriteTimeUtc(Path.Combine(fx.Root, "hello.txt")).ToString("r", CultureInfo.InvariantCulture);

    [Fact]
    public async Task If_none_match_with_the_etag_gives_304_with_validators_and_no_body()
    {
        var etag = await ETag();

        foreach (var value in new[] { etag, "\"other\", " + etag, etag[2..], "*" })
        {
            var response = await Files().ServeAsync(Req.Get("/", ("If-None-Match", value)), "hello.txt");
            Assert.Equal(304, response.StatusCode);
            Assert.Equal(ResponseBodyKind.None, response.BodyKind);
            Assert.Equal(etag, response.GetHeader("ETag"));
        }
    }

    [Fact]
    public async Task If_none_match_that_differs_gives_200_even_when_if_modified_since_would_match()
    {
        var response = await Files().ServeAsync(Req.Get("/", ("If-None-Match", "W/\"stale\""), ("If-Modified-Since", LastModified())), "hello.txt");

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task If_modified_since_compares_to_the_second()
    {
        var lastModified = DateTime.Parse(LastModified(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

        var same = await Files().ServeAsync(Req.Get("/", ("If-Modified-Since", LastModified())), "hello.txt");
        var earlier = await Files().ServeAsync(Req.Get("/", ("If-Modified-Since", lastModified.AddSeconds(-1).ToString("r", CultureInfo.InvariantCulture))), "hello.txt");
        var garbage = await Files().ServeAsync(Req.Get("/", ("If-Modified-Since", "yesterday")), "hello.txt");

        Assert.Equal(304, same.StatusCode);
        Assert.Equal(200, earlier.StatusCode);
        Assert.Equal(200, garbage.StatusCode);
    }

    [Theory]
    [InlineData("bytes=0-4", "Hello", "bytes 0-4/20")]
    [InlineData("bytes=7-", "static world!", "bytes 7-19/20")]
    [InlineData("bytes=-6", "world!", "bytes 14-19/20")]
    [InlineData("bytes=15-1000", "orld!", "bytes 15-19/20")]
    [InlineData("bytes=-100", StaticFilesFixture.Hello, "bytes 0-19/20")]
    public async Task Single_range_gives_206_with_content_range(string range, string body, string contentRange)
    {
        var response = await Files().ServeAsync(Req.Get("/", ("Range", range)), "hello.txt");

        Assert.Equal(206, response.StatusCode);
        Assert.Equal(body, response.BodyText());
        Assert.Equal(contentRange, response.GetHeader("Content-Range"));
    }

    [Theory]
    [InlineData("bytes=20-")]
    [InlineData("bytes=99999999999999999999999-")]
    [InlineData("bytes=-0")]
    public async Task Unsatisfiable_range_gives_416_with_the_length(string range)
    {
        var response = await Files().ServeAsync(Req.Get("/", ("Range", range)), "hello.txt");

        Assert.Equal(416, response.StatusCode);
        Assert.Equal("bytes */20", response.GetHeader("Content-Range"));
    }

    [Theory]
    [InlineData("bytes=0-1,5-6")]     // multiple ranges: ignored, whole file
    [InlineData("bytes=5-2")]         // invalid: ignored
    [InlineData("items=0-4")]
    [InlineData("bytes=a-b")]
    public async Task Multiple_or_malformed_ranges_are_ignored(string range)
    {
        var response = await Files().ServeAsync(Req.Get("/", ("Range", range)), "hello.txt");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(StaticFilesFixture.Hello, response.BodyText());
        Assert.Null(response.GetHeader("Content-Range"));
    }

    [Fact]
    public async Task If_range_with_a_matching_date_honours_the_range_and_anything_else_sends_all()
    {
        var matching = await Files().ServeAsync(Req.Get("/", ("Range", "bytes=0-4"), ("If-Range", LastModified())), "hello.txt");
        var etag = await Files().ServeAsync(Req.Get("/", ("Range", "bytes=0-4"), ("If-Range", await ETag())), "hello.txt");

        Assert.Equal(206, matching.StatusCode);
        Assert.Equal(200, etag.StatusCode);
        Assert.Equal(20, etag.BodyBytes.Length);
    }

    [Fact]
    public async Task Large_files_are_streamed_and_ranges_apply()
    {
        var files = Files(new StaticFileOptions { MaxBufferedFileSize = 1024 });
        var expected = File.ReadAllBytes(Path.Combine(fx.Root, "big.bin"));

        var whole = await files.ServeAsync(Req.Get("/"), "big.bin");
        var part = await files.ServeAsync(Req.Get("/", ("Range", "bytes=1000-3999")), "big.bin");

        Assert.Equal(ResponseBodyKind.Stream, whole.BodyKind);
        Assert.Equal(expected, await Drain(whole));
        Assert.Equal(206, part.StatusCode);
        Assert.Equal("bytes 1000-3999/5000", part.GetHeader("Content-Range"));
        Assert.Equal(expected[1000..4000], await Drain(part));
    }

    private static async Task<byte[]> Drain(HttpResponse response)
    {
        var sink = new MemoryStream();
        await response.BodyWriter!(sink, CancellationToken.None);
        return sink.ToArray();
    }

    [Theory]
    [InlineData("/files/hello.txt", StaticFilesFixture.Hello)]
    [InlineData("/files/with%20space.txt", "spaced")]
    [InlineData("/files/a%252Fb.txt", "percent")]            // an encoded '%' stays a literal '%'
    [InlineData("/files/sub/data.json", "{}")]
    [InlineData("/files/site/", "<h1>home</h1>")]
    public async Task Middleware_serves_under_its_prefix(string target, string body)
    {
        var handler = Pipeline.Compose([Files(new StaticFileOptions { RequestPathPrefix = "/files" }).InvokeAsync], Fallback);

        var response = await handler(Req.Get(target));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(body, response.BodyText());
    }

    [Theory]
    [InlineData("GET", "/hello.txt")]                       // outside the prefix
    [InlineData("GET", "/filesx/hello.txt")]
    [InlineData("GET", "/files/missing.txt")]
    [InlineData("POST", "/files/hello.txt")]
    [InlineData("GET", "/files/..%2Fsecret.txt")]            // encoded slash decoded to a '..' segment: refused
    [InlineData("GET", "/files/%2e%2e/%2e%2e/secret.txt")]   // climbs above '/': the router's 400, not a file
    [InlineData("GET", "/files/sub%5C..%5C..%5Csecret.txt")] // encoded backslashes
    [InlineData("GET", "/files/hello.txt%00.png")]
    [InlineData("GET", "/files/outdir/secret.txt")]
    public async Task Middleware_falls_through_to_next_when_no_file_may_be_served(string method, string target)
    {
        var handler = Pipeline.Compose([Files(new StaticFileOptions { RequestPathPrefix = "/files" }).InvokeAsync], Fallback);

        var response = await handler(Req.Make(method, target));

        Assert.Equal("fallback", response.TextBody);
    }

    [Fact]
    public void Root_is_resolved_and_must_exist()
    {
        Assert.Equal(StaticFiles.RealPath(fx.Root), Files().Root);
        Assert.Throws<DirectoryNotFoundException>(() => new StaticFiles(Path.Combine(fx.Dir, "nope")));
    }

    [Fact]
    public void Real_path_applies_dot_dot_after_resolving_a_link()
    {
        // subalias → sub, so subalias/.. is the root again (realpath semantics, not string surgery).
        var real = StaticFiles.RealPath(Path.Combine(fx.Root, "subalias", "..", "hello.txt"));

        Assert.Equal(Path.Combine(StaticFiles.RealPath(fx.Root)!, "hello.txt"), real);
    }
}
