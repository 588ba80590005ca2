using System.Reflection;
using Kiln.GeneratorTests.Infrastructure;

namespace Kiln.GeneratorTests;

/// <summary>
/// The generated <c>(IServiceProvider)</c> constructor and <c>[Service]</c> parameters, compiled through the real
/// generator and run against a hand-written provider that records what it was asked for.
/// </summary>
public class ServiceProviderTests
{
    private const string Source = """
        namespace Api;

        public sealed class Greeting { public string Word { get; set; } = "hello"; }
        public interface IUnitOfWork { int Id { get; } }
        public sealed class UnitOfWork(int id) : IUnitOfWork { public int Id => id; }
        public sealed class Missing;

        public sealed class Tag(string tag) : IMiddleware
        {
            public async ValueTask<HttpResponse> InvokeAsync(Request request, Handler next) => (await next(request)).WithHeader("X-Tag", tag);
        }

        [Use<Tag>]
        public sealed class Greeter(Greeting greeting)
        {
            [Get("/greet/<name>")]
            public string Greet(string name) => greeting.Word + " " + name;

            [Get("/work")]
            public static string Work([Service] IUnitOfWork work) => "work " + work.Id;

            [Get("/maybe")]
            public static string Maybe([Service] Missing? missing, [Service] IUnitOfWork? work = null) => (missing is null ? "none" : "some") + "/" + (work?.Id.ToString() ?? "none");

            [Get("/required-missing")]
            public static string RequiredMissing([Service] Missing missing) => "unreachable";
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => GeneratorHarness.Compile(Source));

    /// <summary>A provider over a fixed set of instances that logs every type asked for.</summary>
    private sealed class Services(params object[] instances) : IServiceProvider
    {
        public List<string> Asked { get; } = new();

        public object? GetService(Type serviceType)
        {
            Asked.Add(serviceType.FullName!);
            return instances.FirstOrDefault(serviceType.IsInstanceOfType);
        }
    }

    private static object New(string type, params object[] arguments) => GeneratorHarness.New(s_assembly.Value, type, arguments);

    private static Router FromServices(IServiceProvider services)
    {
        try
        {
            return GeneratorHarness.CreateRouter(s_assembly.Value, "Kiln.Generated.AppRouter", services);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static Services RootServices() => new(New("Api.Greeting"), New("Api.Greeter", New("Api.Greeting")), New("Api.Tag", "t"));

    [Fact]
    public async Task The_service_provider_constructor_resolves_every_route_class_and_middleware_once()
    {
        var greeting = New("Api.Greeting");
        greeting.GetType().GetProperty("Word")!.SetValue(greeting, "hi");
        var services = new Services(New("Api.Greeter", greeting), New("Api.Tag", "from-di"));

        var router = FromServices(services);
        var first = await router.SendAsync("GET", "/greet/ada");
        var second = await router.SendAsync("GET", "/greet/bob");

        Assert.Equal(new[] { "Api.Greeter", "Api.Tag" }, services.Asked);   // at construction, not per request
        Assert.Equal(("hi ada", "from-di"), (first.Body, first.Header("X-Tag")));
        Assert.Equal("hi bob", second.Body);
    }

    [Fact]
    public void A_missing_registration_fails_at_construction_naming_the_type()
    {
        var services = new Services(New("Api.Greeter", New("Api.Greeting")));   // no Api.Tag

        var error = Assert.Throws<InvalidOperationException>(() => FromServices(services));

        Assert.StartsWith("The router needs a Api.Tag, but the service provider has none: register it, for example services.AddSingleton<Api.Tag>().", error.Message);
    }

    [Fact]
    public void A_null_provider_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => FromServices(null!));
    }

    [Fact]
    public void The_router_creates_itself_through_IRouterFactory()
    {
        var type = s_assembly.Value.GetType("Kiln.Generated.AppRouter")!;
        var create = typeof(ServiceProviderTests).GetMethod(nameof(CreateThroughFactory), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);

        var router = (Router)create.Invoke(null, [RootServices()])!;

        Assert.Equal(type, router.GetType());
        Assert.Equal(4, router.Routes.Count);
    }

    private static TRouter CreateThroughFactory<TRouter>(IServiceProvider services) where TRouter : Router, IRouterFactory<TRouter> => TRouter.Create(services);

    [Fact]
    public async Task A_service_parameter_is_resolved_from_the_request_services_each_request()
    {
        var router = FromServices(RootServices());

        var first = Request.Create("GET", "/work");
        first.Services = new Services(New("Api.UnitOfWork", 1));
        var second = Request.Create("GET", "/work");
        second.Services = new Services(New("Api.UnitOfWork", 2));

        Assert.Equal("work 1", TestResponse.From(await router.RouteAsync(first)).Body);
        Assert.Equal("work 2", TestResponse.From(await router.RouteAsync(second)).Body);
        Assert.Equal(new[] { "Api.IUnitOfWork" }, ((Services)second.Services).Asked);
    }

    [Fact]
    public async Task Optional_service_parameters_are_null_when_not_registered_or_without_services()
    {
        var router = FromServices(RootServices());
        var withServices = Request.Create("GET", "/maybe");
        withServices.Services = new Services(New("Api.UnitOfWork", 7));

        Assert.Equal("none/7", TestResponse.From(await router.RouteAsync(withServices)).Body);
        Assert.Equal("none/none", (await router.SendAsync("GET", "/maybe")).Body);
    }

    [Fact]
    public async Task A_required_service_without_request_services_names_the_parameter_and_the_fix()
    {
        var router = FromServices(RootServices());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => router.RouteAsync(Request.Create("GET", "/work")).AsTask());

        Assert.Equal("The [Service] parameter 'work' (Api.IUnitOfWork) needs Request.Services, but this request has none: run the app under "
            + "Kiln.Hosting (services.AddKiln<TRouter>()), or set Request.Services in a middleware.", error.Message);
    }

    [Fact]
    public async Task A_required_service_that_is_not_registered_names_the_type()
    {
        var router = FromServices(RootServices());
        var request = Request.Create("GET", "/required-missing");
        request.Services = new Services();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => router.RouteAsync(request).AsTask());

        Assert.Equal("The [Service] parameter 'missing' needs a Api.Missing, but none is registered: register it, for example services.AddScoped<Api.Missing>().", error.Message);
    }

    [Fact]
    public async Task The_positional_constructor_still_works()
    {
        var router = GeneratorHarness.CreateRouter(s_assembly.Value, "Kiln.Generated.AppRouter", New("Api.Greeter", New("Api.Greeting")), New("Api.Tag", "p"));

        var response = await router.SendAsync("GET", "/greet/x");

        Assert.Equal(("hello x", "p"), (response.Body, response.Header("X-Tag")));
    }

    [Fact]
    public async Task A_router_without_instances_also_takes_a_provider()
    {
        var router = GeneratorHarness.CreateRouter(GeneratorHarness.Compile("""
            public static class Hello { [Get("/hi")] public static string Hi() => "hi"; }
            """), "Kiln.Generated.AppRouter", new Services());

        Assert.Equal("hi", (await router.SendAsync("GET", "/hi")).Body);
    }
}
