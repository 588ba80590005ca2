using Kiln.GeneratorTests.Infrastructure;

namespace Kiln.GeneratorTests;

/// <summary>What users get: the generated files for small representative route tables, reviewed as snapshots.</summary>
public class SnapshotTests
{
    private const string AccountsApi = """
        using System.Text.Json.Serialization;
        namespace Bank;

        public sealed record Account(int Id, string Owner, decimal Balance);
        public sealed record NewAccount(string Owner);

        [JsonSerializable(typeof(Account))]
        [JsonSerializable(typeof(NewAccount))]
        [JsonSerializable(typeof(List<Account>))]
        internal partial class BankJson : JsonSerializerContext;

        public sealed class AccountStore
        {
            [Get("/accounts")]
            public List<Account> List([Query] int limit = 50) => new();

            [Get("/accounts/<id>")]
            public Account? Get(int id) => null;

            [Post("/accounts")]
            public Account Create(NewAccount account, [Header("X-Request-Id")] string? requestId) => new(1, account.Owner, 0);

            [Delete("/accounts/<id>")]
            public void Delete(int id) { }
        }
        """;

    private const string Services = """
        namespace Shop;

        public interface IClock { DateTimeOffset Now { get; } }
        public sealed class Orders { public int Count => 0; }

        public sealed class Audit : IMiddleware
        {
            public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next) => next(request);
        }

        [Use<Audit>]
        public sealed class OrderApi(Orders orders)
        {
            [Get("/orders/count")]
            public string Count([Service] IClock clock, [Service] Orders? maybe) => orders.Count + " at " + clock.Now.ToString("O");
        }
        """;

    private const string Precedence = """
        namespace Shop;

        public enum Color { Red, Green }

        public static class Items
        {
            [Get("/items/new")] public static string New() => "new";
            [Get("/items/<id>")] public static string ById(int id) => "id";
            [Get("/items/<color>")] public static string ByColor(Color color) => "color";
            [Get("/items/<slug>")] public static string BySlug(string slug) => "slug";
            [Get("/images/img-<id>.png")] public static string Image(int id) => "image";
            [Get("/files/<*path>")] public static string File(string path) => path;
        }
        """;

    [Fact]
    public void Accounts_api_router_shell() => Snapshot.Verify(Generate(AccountsApi, "AppRouter.g.cs"), "AccountsApi.Router");

    [Fact]
    public void Accounts_api_adapters() => Snapshot.Verify(Generate(AccountsApi, "AppRouter.Adapters.g.cs"), "AccountsApi.Adapters");

    [Fact]
    public void Services_router_shell() => Snapshot.Verify(Generate(Services, "AppRouter.g.cs"), "Services.Router");

    [Fact]
    public void Services_adapters() => Snapshot.Verify(Generate(Services, "AppRouter.Adapters.g.cs"), "Services.Adapters");

    [Fact]
    public void Accounts_api_matcher() => Snapshot.Verify(Generate(AccountsApi, "AppRouter.Matcher.g.cs"), "AccountsApi.Matcher");

    [Fact]
    public void Precedence_matcher() => Snapshot.Verify(Generate(Precedence, "AppRouter.Matcher.g.cs"), "Precedence.Matcher");

    private static string Generate(string source, string hintName)
    {
        var (result, _) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        return GeneratorHarness.Generated(result, hintName);
    }
}
