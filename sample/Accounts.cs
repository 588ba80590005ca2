using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kiln;
using Kiln.Generated;

namespace Sample;

/// <summary>An account as the API shows it.</summary>
public sealed record Account(int Id, string Owner, decimal Balance);

/// <summary>The body of <c>POST /accounts</c>.</summary>
public sealed record NewAccount(string Owner, decimal InitialDeposit);

/// <summary>One movement of money.</summary>
public sealed record Transaction(int Id, decimal Amount, string Description);

/// <summary>An account's recent transactions.</summary>
public sealed record History(int AccountId, IReadOnlyList<Transaction> Transactions);

/// <summary>JSON metadata for every type the API sends or receives (web defaults: camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Account))]
[JsonSerializable(typeof(List<Account>))]
[JsonSerializable(typeof(NewAccount))]
[JsonSerializable(typeof(History))]
internal sealed partial class SampleJson : JsonSerializerContext;

/// <summary>
/// The accounts API. Its methods are ordinary C#; the [Get]/[Post] attributes make the generator route to them
/// (the store is an instance, so the generated router takes it as a constructor argument).
/// </summary>
public sealed class AccountStore
{
    private readonly ConcurrentDictionary<int, Account> _accounts = new();
    private int _nextId = 100;

    /// <summary>Creates the store with a few accounts.</summary>
    public AccountStore()
    {
        foreach (var account in new[] { new Account(1, "Ada", 120.50m), new Account(2, "Grace", 75m), new Account(42, "Douglas", 4242m) })
            _accounts[account.Id] = account;
    }

    /// <summary><c>GET /accounts?owner=&amp;limit=</c>: accounts, optionally filtered by owner.</summary>
    [Get("/accounts")]
    public List<Account> List([Query] int limit = 50, [Query] string? owner = null) =>
        _accounts.Values.Where(a => owner is null || a.Owner.Equals(owner, StringComparison.OrdinalIgnoreCase))
            .OrderBy(a => a.Id).Take(limit).ToList();

    /// <summary><c>GET /accounts/&lt;id&gt;</c>: one account, or 404.</summary>
    [Get("/accounts/<id>")]
    [Produces(200, typeof(Account))]
    [Produces(404, Description = "No account has this id.")]
    public HttpResponse Get(int id) =>
        _accounts.TryGetValue(id, out var account) ? HttpResponse.Json(account, SampleJson.Default.Account) : HttpResponse.NotFound();

    /// <summary><c>GET /accounts/&lt;id&gt;/history</c>: the account's last <c>limit</c> transactions.</summary>
    [Get("/accounts/<id>/history")]
    [Produces(200, typeof(History))]
    [Produces(404, Description = "No account has this id.")]
    public HttpResponse GetHistory(int id, [Query] int limit = 10)
    {
        if (!_accounts.ContainsKey(id)) return HttpResponse.NotFound();
        var transactions = Enumerable.Range(1, 3).Select(i => new Transaction(i, i * 10m * (i % 2 == 0 ? -1 : 1), "transfer " + i)).Take(limit).ToList();
        return HttpResponse.Json(new History(id, transactions), SampleJson.Default.History);
    }

    /// <summary><c>POST /accounts</c> with a JSON body: creates an account; 201 with its location.</summary>
    [Post("/accounts")]
    [Produces(201, typeof(Account), Description = "Created; the Location header is the new account's URL.")]
    [Produces(400, Description = "The owner is missing, or the body is not a NewAccount.")]
    public HttpResponse Create(NewAccount account, [Header("X-Request-Id")] string? requestId)
    {
        if (string.IsNullOrWhiteSpace(account.Owner)) return HttpResponse.BadRequest("owner is required.");
        var created = new Account(Interlocked.Increment(ref _nextId), account.Owner, account.InitialDeposit);
        _accounts[created.Id] = created;
        var response = HttpResponse.Created(AppRouter.Urls.AccountStore.Get(created.Id), created, SampleJson.Default.Account);
        return requestId is null ? response : response.WithHeader("X-Request-Id", requestId);
    }

    /// <summary>Removes an account (used by the admin API).</summary>
    internal bool Remove(int id) => _accounts.TryRemove(id, out _);

    /// <summary>How many accounts exist.</summary>
    internal int Count => _accounts.Count;
}
