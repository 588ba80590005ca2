using Kiln.GeneratorTests.Infrastructure;

namespace Kiln.GeneratorTests;

/// <summary>
/// The runtime surface generated code depends on, as a reviewed listing: <c>Kiln.Router</c> (its public members and
/// the protected contract generated routers call) and the public types of <c>Kiln.Routing</c> and
/// <c>Kiln.Binding</c>. A change here changes what every generated router compiles against; it should be deliberate.
/// </summary>
public class SeamApiTests
{
    [Fact]
    public void The_generator_seam_is_listed()
    {
        var surface = PublicSurface.Of(typeof(Router).Assembly.Location, type =>
            type.ToDisplayString() is "Kiln.Router" || type.ContainingType?.ToDisplayString() == "Kiln.Router"
            || type.ContainingNamespace.ToDisplayString() is "Kiln.Routing" or "Kiln.Binding");

        Snapshot.Verify(surface, "SeamApi");
    }

    [Fact]
    public void Plumbing_is_not_public()
    {
        var surface = PublicSurface.Of(typeof(Router).Assembly.Location);

        // Matching state, the thread-static UTF-8 buffer, the binding helpers and test hooks are internal or gone.
        Assert.DoesNotContain("class Kiln.Routing.RoutePath", surface, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"Kiln\.Request\.Route\b", surface);   // the matching state (RouteTemplate is public API)
        Assert.DoesNotContain("class Kiln.Binding.Bind", surface, StringComparison.Ordinal);
        Assert.DoesNotContain("ValueParser.Utf8", surface, StringComparison.Ordinal);
        Assert.DoesNotContain("Router.Find", surface, StringComparison.Ordinal);
        Assert.DoesNotContain("virtual System.Threading.Tasks.ValueTask<Kiln.HttpResponse> Kiln.Router.RouteAsync", surface, StringComparison.Ordinal);
        // What remains public on Router is what users call.
        Assert.Contains("public System.Threading.Tasks.ValueTask<Kiln.HttpResponse> Kiln.Router.RouteAsync(Kiln.Request request)", surface, StringComparison.Ordinal);
    }
}
