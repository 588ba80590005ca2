using System.Collections.Concurrent;
using Kiln;

namespace KilnApi._1;

/// <summary>A to-do item as the API shows it.</summary>
public sealed record Todo(int Id, string Title, bool Done);

/// <summary>The body of <c>POST /todos</c>.</summary>
public sealed record NewTodo(string Title);

/// <summary>
/// The to-do API. Each route is an ordinary method: the generator matches the path at build time, binds the
/// parameters (route values, query, JSON body) and writes the result as JSON through <see cref="AppJson"/>.
/// </summary>
public sealed class TodoStore
{
    private readonly ConcurrentDictionary<int, Todo> _todos = new();
    private int _lastId;

    /// <summary>Creates the store with two items.</summary>
    public TodoStore()
    {
        Add("Install Kiln", done: true);
        Add("Write a route", done: false);
    }

    /// <summary><c>GET /todos?done=true</c>: every item, or only the done (or open) ones.</summary>
    [Get("/todos")]
    public List<Todo> List([Query] bool? done = null) =>
        _todos.Values.Where(t => done is null || t.Done == done).OrderBy(t => t.Id).ToList();

    /// <summary><c>GET /todos/42</c>: one item, or 404. <c>&lt;id&gt;</c> is an int, so <c>/todos/abc</c> does not match.</summary>
    [Get("/todos/<id>")]
    public HttpResponse Get(int id) =>
        _todos.TryGetValue(id, out var todo) ? HttpResponse.Json(todo, AppJson.Default.Todo) : HttpResponse.NotFound();

    /// <summary><c>POST /todos</c> with <c>{"title":"..."}</c>: 201 with the new item and its location.</summary>
    [Post("/todos")]
    public HttpResponse Create(NewTodo todo)
    {
        if (string.IsNullOrWhiteSpace(todo.Title)) return HttpResponse.BadRequest("title is required.");
        var created = Add(todo.Title, done: false);
        return HttpResponse.Created("/todos/" + created.Id, created, AppJson.Default.Todo);
    }

    /// <summary><c>DELETE /todos/42</c>: 204, or 404 if there is no such item.</summary>
    [Delete("/todos/<id>")]
    public HttpResponse Delete(int id) => _todos.TryRemove(id, out _) ? HttpResponse.NoContent() : HttpResponse.NotFound();

    private Todo Add(string title, bool done)
    {
        var todo = new Todo(Interlocked.Increment(ref _lastId), title, done);
        _todos[todo.Id] = todo;
        return todo;
    }
}
