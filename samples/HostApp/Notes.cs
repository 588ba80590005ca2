using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kiln;
using Kiln.Generated;
using Microsoft.Extensions.DependencyInjection;

namespace HostApp;

/// <summary>A note as the API shows it.</summary>
public sealed record Note(int Id, string Text, int CreatedInRequest);

/// <summary>The body of <c>POST /notes</c>.</summary>
public sealed record NewNote(string Text);

/// <summary>What <c>GET /scopes</c> reports about the per-request services.</summary>
public sealed record ScopeReport(int ThisRequest, int Created, int Disposed);

/// <summary>JSON metadata for the API's types (web defaults: camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Note))]
[JsonSerializable(typeof(List<Note>))]
[JsonSerializable(typeof(NewNote))]
[JsonSerializable(typeof(ScopeReport))]
internal sealed partial class NotesJson : JsonSerializerContext;

/// <summary>The application's registrations, shared by <c>Program.cs</c> and the tests.</summary>
public static class NotesServices
{
    /// <summary>Registers the store (singleton), the unit of work (scoped), the route class, and Kiln.</summary>
    /// <param name="services">The host's services.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddNotes(this IServiceCollection services)
    {
        services.AddSingleton<NoteStore>();
        services.AddSingleton<ScopeCounter>();
        services.AddScoped<UnitOfWork>();
        services.AddSingleton<NotesApi>();
        services.AddKiln<AppRouter>();
        return services;
    }
}

/// <summary>The notes, shared by every request (a singleton).</summary>
public sealed class NoteStore
{
    private readonly ConcurrentDictionary<int, Note> _notes = new();
    private int _lastId;

    /// <summary>Every note, oldest first.</summary>
    public List<Note> All() => _notes.Values.OrderBy(n => n.Id).ToList();

    /// <summary>Adds a note.</summary>
    public Note Add(string text, int request)
    {
        var note = new Note(Interlocked.Increment(ref _lastId), text, request);
        _notes[note.Id] = note;
        return note;
    }
}

/// <summary>Counts unit-of-work instances created and disposed (a singleton, so it outlives the scopes).</summary>
public sealed class ScopeCounter
{
    private int _created, _disposed;

    /// <summary>Instances created so far.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Instances disposed so far.</summary>
    public int Disposed => Volatile.Read(ref _disposed);

    internal int OnCreated() => Interlocked.Increment(ref _created);

    internal void OnDisposed() => Interlocked.Increment(ref _disposed);
}

/// <summary>
/// A per-request unit of work (scoped): each request that asks for one gets a new instance, numbered in order, and
/// the host disposes it once the response has been written.
/// </summary>
public sealed class UnitOfWork : IAsyncDisposable
{
    private readonly ScopeCounter _counter;
    private bool _disposed;

    /// <summary>Creates the unit of work and counts it.</summary>
    public UnitOfWork(ScopeCounter counter)
    {
        _counter = counter;
        Number = counter.OnCreated();
    }

    /// <summary>This instance's number (1 for the first created).</summary>
    public int Number { get; }

    /// <summary>Whether the host has disposed it.</summary>
    public bool IsDisposed => _disposed;

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _counter.OnDisposed();
        }
        return default;
    }
}

/// <summary>The notes API: the store comes from the container once; the unit of work per request, by [Service].</summary>
public sealed class NotesApi(NoteStore store, ScopeCounter counter)
{
    /// <summary><c>GET /notes</c>: every note.</summary>
    [Get("/notes")]
    public List<Note> List() => store.All();

    /// <summary><c>POST /notes</c> with <c>{"text":"..."}</c>: 201 with the note, stamped with the request's unit of work.</summary>
    [Post("/notes")]
    public HttpResponse Create(NewNote note, [Service] UnitOfWork work)
    {
        if (string.IsNullOrWhiteSpace(note.Text)) return HttpResponse.BadRequest("text is required.");
        var created = store.Add(note.Text, work.Number);
        return HttpResponse.Created("/notes/" + created.Id, created, NotesJson.Default.Note);
    }

    /// <summary><c>GET /scopes</c>: this request's unit of work, and how many were created and disposed so far.</summary>
    [Get("/scopes")]
    public ScopeReport Scopes([Service] UnitOfWork work) => new(work.Number, counter.Created, counter.Disposed);
}
