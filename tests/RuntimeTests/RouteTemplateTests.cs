using Kiln.Generated;
using Sample;

namespace Kiln.RuntimeTests;

/// <summary>
/// <see cref="Request.RouteTemplate"/> through the sample's generated router (no sockets): the template of the route
/// the generated matcher chose, as written, for every kind of route — and nothing when no route matched.
/// </summary>
public sealed class RouteTemplateTests
{
    private static readonly AppRouter Router = CreateRouter();

    private static AppRouter CreateRouter()
    {
        var store = new AccountStore();
        return new AppRouter(store, new Admin(store), new Site(new StaticFiles(AppContext.BaseDirectory)), new ApiKeyMiddleware("secret"));
    }

    [Theory]
    [InlineData("GET", "/accounts", "/accounts")]
    [InlineData("GET", "/accounts?limit=2", "/accounts")]
    [InlineData("POST", "/accounts", "/accounts")]
    [InlineData("GET", "/accounts/2", "/accounts/<id>")]
    [InlineData("HEAD", "/accounts/2", "/accounts/<id>")]                  // HEAD falls back to the GET route
    [InlineData("GET", "/accounts/2/history", "/accounts/<id>/history")]
    [InlineData("GET", "/accounts/%32/history", "/accounts/<id>/history")]  // matched on the decoded path
    [InlineData("DELETE", "/admin/accounts/2", "/admin/accounts/<id>")]     // behind [Use] middleware that answers 401
    [InlineData("GET", "/files/css/site.css", "/files/<*path>")]
    [InlineData("GET", "/health", "/health")]
    [InlineData("GET", "/accounts/bob/history", null)]                      // <id> is an int: 404
    [InlineData("PUT", "/accounts", null)]                                  // routed for other methods: 405
    [InlineData("GET", "/accounts/", null)]                                 // the trailing-slash redirect: 308
    [InlineData("GET", "/no/such/page", null)]
    public async Task Is_the_matched_routes_template_as_written(string method, string target, string? template)
    {
        var request = Request.Create(method, target);
        await Router.RouteAsync(request);
        Assert.Equal(template, request.RouteTemplate);
    }
}
