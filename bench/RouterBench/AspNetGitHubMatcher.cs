using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Benchmarks;

/// <summary>
/// ASP.NET Core's endpoint matcher (<c>DfaMatcher</c>, the one <c>UseRouting</c> runs) built from the GitHub routes:
/// one <see cref="RouteEndpoint"/> per row (<c>{param}</c> syntax, <see cref="HttpMethodMetadata"/>), built by the
/// framework's own <c>DfaMatcherBuilder</c> taken from a service provider configured with <c>AddRouting()</c>.
/// <c>DfaMatcherBuilder</c> and <c>Matcher</c> are internal, so reflection is used once at setup to reach them; the
/// benchmark then calls <c>Matcher.MatchAsync(HttpContext)</c> through a delegate bound to the instance.
/// </summary>
public sealed class AspNetGitHubMatcher
{
    private readonly Func<HttpContext, Task> _match;
    private readonly ServiceProvider _services;

    /// <summary>The endpoints in route-row order.</summary>
    public RouteEndpoint[] Endpoints { get; }

    public AspNetGitHubMatcher(IReadOnlyList<GitHubRoute> routes)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRouting();
        _services = services.BuildServiceProvider();

        Endpoints = routes.Select(r => new RouteEndpoint(
            _ => Task.CompletedTask,
            RoutePatternFactory.Parse(r.AspNetTemplate),
            order: 0,
            new EndpointMetadataCollection(new HttpMethodMetadata([r.Method])),
            r.Name)).ToArray();

        var routing = typeof(EndpointDataSource).Assembly;
        var builderType = routing.GetType("Microsoft.AspNetCore.Routing.Matching.DfaMatcherBuilder", throwOnError: true)!;
        var builder = _services.GetRequiredService(builderType);
        var add = builderType.GetMethod("AddEndpoint", BindingFlags.Public | BindingFlags.Instance)!;
        foreach (var endpoint in Endpoints) add.Invoke(builder, [endpoint]);
        var matcher = builderType.GetMethod("Build", BindingFlags.Public | BindingFlags.Instance)!.Invoke(builder, null)!;
        MatcherTypeName = matcher.GetType().FullName!;
        var matchAsync = routing.GetType("Microsoft.AspNetCore.Routing.Matching.Matcher", throwOnError: true)!
            .GetMethod("MatchAsync", BindingFlags.Public | BindingFlags.Instance)!;
        _match = matchAsync.CreateDelegate<Func<HttpContext, Task>>(matcher);
    }

    /// <summary>The concrete matcher type (expected: <c>Microsoft.AspNetCore.Routing.Matching.DfaMatcher</c>).</summary>
    public string MatcherTypeName { get; }

    /// <summary>
    /// A context for one lookup: method and (already decoded) path set, as Kestrel would leave them, over a feature
    /// collection shaped like Kestrel's (see <see cref="ServerLikeFeatures"/>).
    /// </summary>
    public static DefaultHttpContext Context(string method, string path)
    {
        var context = new DefaultHttpContext(new ServerLikeFeatures());
        context.Request.Method = method;
        context.Request.Path = new PathString(path);
        return context;
    }

    /// <summary>Runs the matcher; the result is <c>context.GetEndpoint()</c> (and <c>Request.RouteValues</c>).</summary>
    public Task MatchAsync(HttpContext context) => _match(context);
}
