using Kiln.GeneratorTests.Infrastructure;

namespace Kiln.GeneratorTests;

/// <summary>The generator end to end: source text in, a compiled router out, requests through it.</summary>
public class FoundationTests
{
    private const string Accounts = """
        namespace App;

        public static class Accounts
        {
            [Get("/accounts")]
            public static string List() => "all accounts";

            [Get("/accounts/<id>")]
            public static string Get(int id) => "account " + id;

            [Get("/accounts/<name>")]
            public static string ByName(string name) => "account named " + name;

            [Get("/accounts/<id>/history")]
            public static ValueTask<string> History(int id) => new("history of " + id);

            [Post("/accounts")]
            public static async Task<HttpResponse> Create(Request request)
            {
                var body = await request.ReadBodyAsStringAsync();
                return HttpResponse.Text("created " + body, 201);
            }

            [Get("/")]
            public static byte[] Root() => "root"u8.ToArray();
        }
        """;

    [Theory]
    [InlineData("GET", "/accounts", 200, "all accounts")]
    [InlineData("GET", "/accounts/42", 200, "account 42")]
    [InlineData("GET", "/accounts/bob", 200, "account named bob")]
    [InlineData("GET", "/accounts/42/history", 200, "history of 42")]
    [InlineData("GET", "/", 200, "root")]
    [InlineData("GET", "/accounts/42/nothing", 404, "Not Found")]
    [InlineData("GET", "/nothing", 404, "Not Found")]
    [InlineData("DELETE", "/accounts", 405, "Method Not Allowed")]
    public async Task Routes_requests_to_the_annotated_methods(string method, string target, int status, string body)
    {
        var router = GeneratorHarness.CreateRouter(Accounts);

        var response = await router.SendAsync(method, target);

        Assert.Equal(status, response.Status);
        Assert.Equal(body, response.Body);
    }

    [Fact]
    public async Task Reads_a_text_body_and_returns_the_method_response()
    {
        var router = GeneratorHarness.CreateRouter(Accounts);

        var response = await router.SendAsync("POST", "/accounts", "alice");

        Assert.Equal(201, response.Status);
        Assert.Equal("created alice", response.Body);
    }

    [Fact]
    public async Task Answers_405_with_the_allowed_methods()
    {
        var router = GeneratorHarness.CreateRouter(Accounts);

        var response = await router.SendAsync("PUT", "/accounts");

        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD, POST, OPTIONS", response.Header("Allow"));
    }

    [Fact]
    public void Lists_the_route_table_as_data()
    {
        var router = GeneratorHarness.CreateRouter(Accounts);

        var rows = router.Routes.Select(r => $"{r.Method} {r.Template} {r.Name}").ToList();

        Assert.Equal(
        [
            "GET / Accounts.Root",
            "GET /accounts Accounts.List",
            "POST /accounts Accounts.Create",
            "GET /accounts/<id> Accounts.Get",
            "GET /accounts/<id>/history Accounts.History",
            "GET /accounts/<name> Accounts.ByName",
        ], rows);
    }
}
