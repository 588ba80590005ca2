namespace Kiln.RuntimeTests;

/// <summary>
/// The helpers generated adapters continue with instead of being async methods (<c>Router.Then</c>,
/// <c>Router.NoContentAfter</c>): the value may arrive later, fail, or be there already. The generated adapters
/// that call them are compiled and run in GeneratorTests.AdapterTests; here each path is driven by hand.
/// </summary>
public class RouterContinuationTests
{
    /// <summary>Exposes the protected helpers (a generated router is such a subclass).</summary>
    private sealed class Helpers : Router
    {
        public override IReadOnlyList<Endpoint> Routes => [];

        protected override RouteMatch Match(ref PathReader path) => RouteMatch.NotFound;

        public static ValueTask<HttpResponse> After<T>(ValueTask<T> pending, Func<T, ValueTask<HttpResponse>> next) => Then(pending, next);

        public static ValueTask<HttpResponse> After<T>(Task<T> pending, Func<T, ValueTask<HttpResponse>> next) => Then(pending, next);

        public static ValueTask<HttpResponse> After<TState, T>(ValueTask<T> pending, TState state, Func<TState, T, ValueTask<HttpResponse>> next) => Then(pending, state, next);

        public static ValueTask<HttpResponse> Empty(Task pending) => NoContentAfter(pending);

        public static ValueTask<HttpResponse> Empty(ValueTask pending) => NoContentAfter(pending);
    }

    [Fact]
    public async Task A_value_that_is_there_continues_at_once()
    {
        var response = Helpers.After(new ValueTask<string>("now"), static text => HttpResponse.Text(text));
        Assert.True(response.IsCompletedSuccessfully);
        Assert.Equal("now", TextOf(await response));
    }

    [Fact]
    public async Task A_value_that_arrives_later_continues_with_it_and_the_state()
    {
        var body = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var response = Helpers.After(new ValueTask<string>(body.Task), (Id: 7, Name: "x"), static (state, text) => HttpResponse.Text(state.Id + state.Name + text, 201));
        Assert.False(response.IsCompleted);
        body.SetResult("!");
        var result = await response;
        Assert.Equal(201, result.StatusCode);
        Assert.Equal("7x!", TextOf(result));
    }

    [Fact]
    public async Task A_task_that_fails_later_fails_the_response()
    {
        var pending = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool continued = false;
        var response = Helpers.After(pending.Task, _ => { continued = true; return HttpResponse.NoContent(); });
        pending.SetException(new InvalidOperationException("late"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await response);
        Assert.Equal("late", error.Message);
        Assert.False(continued);
    }

    [Fact]
    public async Task A_continuation_that_is_itself_pending_is_awaited()
    {
        var inner = new TaskCompletionSource<HttpResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var outer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var response = Helpers.After(outer.Task, _ => new ValueTask<HttpResponse>(inner.Task));
        outer.SetResult(1);
        await Task.Yield();
        Assert.False(response.IsCompleted);
        inner.SetResult(HttpResponse.Status(202));
        Assert.Equal(202, (await response).StatusCode);
    }

    [Fact]
    public async Task NoContentAfter_waits_for_the_method()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var response = Helpers.Empty(done.Task);
        Assert.False(response.IsCompleted);
        done.SetResult();
        Assert.Equal(204, (await response).StatusCode);
        Assert.Equal(204, (await Helpers.Empty(ValueTask.CompletedTask)).StatusCode);

        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failing = Helpers.Empty(new ValueTask(failed.Task));
        failed.SetException(new TimeoutException());
        await Assert.ThrowsAsync<TimeoutException>(async () => await failing);
    }

    private static string? TextOf(HttpResponse response) => response.TextBody;
}
