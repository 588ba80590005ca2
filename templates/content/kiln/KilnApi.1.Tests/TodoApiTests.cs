using System.Net;
using System.Net.Http.Json;
using Kiln;
using Kiln.Generated;

namespace KilnApi._1.Tests;

/// <summary>
/// The API behind the real server: each test class instance creates an HttpServer with the generated router and
/// talks to it with the HttpClient from <see cref="HttpServer.CreateClient"/>, which the server answers in memory
/// through its real HTTP/1.1 connection code (no port, no listener) — so routing, binding, middleware and JSON are
/// tested as clients see them.
/// </summary>
public sealed class TodoApiTests : IAsyncLifetime
{
    private HttpServer _server = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _server = new HttpServer(new AppRouter(new TodoStore()), new ServerOptions());
        _client = _server.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Lists_the_items()
    {
        var todos = await _client.GetFromJsonAsync("/todos", AppJson.Default.ListTodo);

        Assert.Equal([new Todo(1, "Install Kiln", true), new Todo(2, "Write a route", false)], todos);
    }

    [Fact]
    public async Task Filters_by_the_done_query_parameter()
    {
        var open = await _client.GetFromJsonAsync("/todos?done=false", AppJson.Default.ListTodo);

        Assert.Equal([new Todo(2, "Write a route", false)], open);
    }

    [Fact]
    public async Task Creates_an_item_at_its_location()
    {
        var response = await _client.PostAsJsonAsync("/todos", new NewTodo("Ship it"), AppJson.Default.NewTodo);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/todos/3", response.Headers.Location?.OriginalString);
        Assert.Equal(new Todo(3, "Ship it", false), await _client.GetFromJsonAsync("/todos/3", AppJson.Default.Todo));
    }

    [Fact]
    public async Task Rejects_an_empty_title()
    {
        var response = await _client.PostAsJsonAsync("/todos", new NewTodo(" "), AppJson.Default.NewTodo);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("title is required.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Answers_malformed_json_with_400()
    {
        var response = await _client.PostAsync("/todos", new StringContent("{\"title\": ", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Deletes_an_item()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/todos/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/todos/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync("/todos/1")).StatusCode);
    }

    [Fact]
    public async Task A_route_value_that_is_not_an_int_does_not_match()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/todos/abc")).StatusCode);
    }

    [Fact]
    public async Task A_known_path_with_another_method_is_405_with_Allow()
    {
        var response = await _client.PutAsync("/todos", content: null);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD", "POST", "OPTIONS"], response.Content.Headers.Allow);
    }
}
