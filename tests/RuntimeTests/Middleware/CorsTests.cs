namespace Kiln.RuntimeTests;

public class CorsTests
{
    private const string App = "https://app.example.com";

    private static readonly Cors Strict = new(new CorsOptions
    {
        AllowedOrigins = [App],
        AllowedMethods = ["PUT", "DELETE"],
        AllowedHeaders = ["Authorization", "X-Api-Key"],
        ExposedHeaders = ["X-Total-Count"],
        AllowCredentials = true,
        MaxAge = TimeSpan.FromMinutes(10),
    });

    private static async Task<(HttpResponse Response, bool NextCalled)> Run(Cors cors, Request request)
    {
        bool called = false;
        var response = await cors.InvokeAsync(request, r => { called = true; return HttpResponse.Text("data").WithHeader("X-Total-Count", "3"); });
        return (response, called);
    }

    private static Request Preflight(string origin, string method, string? headers = null)
    {
        var list = new List<(string, string)> { ("Origin", origin), ("Access-Control-Request-Method", method) };
        if (headers is not null) list.Add(("Access-Control-Request-Headers", headers));
        return Req.Make("OPTIONS", "/api/items", list.ToArray());
    }

    [Fact]
    public async Task Preflight_is_answered_with_204_and_allow_headers_without_calling_next()
    {
        var (response, called) = await Run(Strict, Preflight(App, "PUT", "authorization, x-api-key"));

        Assert.False(called);
        Assert.Equal(204, response.StatusCode);
        Assert.Equal(App, response.GetHeader("Access-Control-Allow-Origin"));
        Assert.Equal("true", response.GetHeader("Access-Control-Allow-Credentials"));
        Assert.Equal("DELETE, GET, HEAD, POST, PUT", response.GetHeader("Access-Control-Allow-Methods"));
        Assert.Equal("Authorization, X-Api-Key", response.GetHeader("Access-Control-Allow-Headers"));
        Assert.Equal("600", response.GetHeader("Access-Control-Max-Age"));
        Assert.Contains("Origin", response.GetHeader("Vary"));
    }

    [Theory]
    [InlineData("https://evil.example", "PUT", null)]
    [InlineData(App, "PATCH", null)]
    [InlineData(App, "PUT", "X-Other")]
    [InlineData(App, "PUT", "Authorization, X-Other")]
    public async Task Refused_preflight_is_204_without_allow_headers(string origin, string method, string? headers)
    {
        var (response, called) = await Run(Strict, Preflight(origin, method, headers));

        Assert.False(called);
        Assert.Equal(204, response.StatusCode);
        Assert.Null(response.GetHeader("Access-Control-Allow-Origin"));
        Assert.Null(response.GetHeader("Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task Safelisted_methods_pass_preflight_without_being_listed()
    {
        var (response, _) = await Run(new Cors(App), Preflight(App, "POST"));

        Assert.Equal(App, response.GetHeader("Access-Control-Allow-Origin"));
        Assert.Equal("GET, HEAD, POST", response.GetHeader("Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task Options_without_request_method_is_not_a_preflight()
    {
        var (response, called) = await Run(Strict, Req.Make("OPTIONS", "/", ("Origin", App)));

        Assert.True(called);
        Assert.Equal(App, response.GetHeader("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Simple_request_from_an_allowed_origin_gets_allow_origin_vary_credentials_and_exposed()
    {
        var (response, called) = await Run(Strict, Req.Get("/api/items", ("Origin", App)));

        Assert.True(called);
        Assert.Equal("data", response.TextBody);
        Assert.Equal(App, response.GetHeader("Access-Control-Allow-Origin"));
        Assert.Equal("Origin", response.GetHeader("Vary"));
        Assert.Equal("true", response.GetHeader("Access-Control-Allow-Credentials"));
        Assert.Equal("X-Total-Count", response.GetHeader("Access-Control-Expose-Headers"));
    }

    [Fact]
    public async Task Request_from_another_origin_gets_the_response_without_allow_origin()
    {
        var (response, called) = await Run(Strict, Req.Get("/api/items", ("Origin", "https://evil.example")));

        Assert.True(called);
        Assert.Null(response.GetHeader("Access-Control-Allow-Origin"));
        Assert.Equal("Origin", response.GetHeader("Vary"));
    }

    [Fact]
    public async Task Request_without_origin_passes_through_untouched()
    {
        var (response, _) = await Run(Strict, Req.Get("/api/items"));

        Assert.Null(response.GetHeader("Access-Control-Allow-Origin"));
        Assert.Null(response.GetHeader("Vary"));
    }

    [Fact]
    public async Task Any_origin_answers_star_and_any_headers_echo_the_request()
    {
        var any = new Cors(new CorsOptions { AllowedOrigins = ["*"], AllowedMethods = ["*"], AllowedHeaders = ["*"] });

        var (simple, _) = await Run(any, Req.Get("/", ("Origin", "https://anyone.example")));
        var (preflight, _) = await Run(any, Preflight("https://anyone.example", "PATCH", "X-Custom, Content-Type"));

        Assert.Equal("*", simple.GetHeader("Access-Control-Allow-Origin"));
        Assert.Null(simple.GetHeader("Vary"));
        Assert.Equal("*", preflight.GetHeader("Access-Control-Allow-Origin"));
        Assert.Equal("PATCH", preflight.GetHeader("Access-Control-Allow-Methods"));
        Assert.Equal("X-Custom, Content-Type", preflight.GetHeader("Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task Any_origin_with_credentials_echoes_the_origin()
    {
        var any = new Cors(new CorsOptions { AllowedOrigins = ["*"], AllowCredentials = true });

        var (response, _) = await Run(any, Req.Get("/", ("Origin", "https://anyone.example")));

        Assert.Equal("https://anyone.example", response.GetHeader("Access-Control-Allow-Origin"));
        Assert.Equal("Origin", response.GetHeader("Vary"));
        Assert.Equal("true", response.GetHeader("Access-Control-Allow-Credentials"));
    }
}
