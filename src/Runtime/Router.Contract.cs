using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Kiln.Shared;
using Kiln.Routing;

namespace Kiln;

// The contract between the runtime and the code Kiln's generator emits into a Router subclass: a match result, a
// path reader that records segment boundaries as it goes, access to route values, and the answers for values that
// do not bind. Everything here is protected (visible to the generated subclass only) and is the whole of what
// generated code may call on Router; the rest of the runtime it uses is public API (Request, HttpResponse,
// ValueParser, Pipeline).
public abstract partial class Router
{
    /// <summary>
    /// The generated matcher: reads <paramref name="path"/> segment by segment (a DFA emitted as C#) and returns
    /// the route for the request method, <see cref="RouteMatch.MethodNotAllowed"/> when the path is routed for other
    /// methods only, or <see cref="RouteMatch.NotFound"/>.
    /// </summary>
    /// <param name="path">The normalized path and the request method; records where each segment lies.</param>
    /// <returns>The result.</returns>
    protected abstract RouteMatch Match(ref PathReader path);

    /// <summary>The handler of each route ID (the adapter wrapped in the route's middleware); set once by the generated constructor.</summary>
    protected Handler[] Handlers
    {
        get => _handlers;
        init => _handlers = value;
    }

    /// <summary>What matching a path gave: a route ID, "only other methods are routed here" with their Allow value, or nothing.</summary>
    protected internal readonly struct RouteMatch
    {
        private readonly int _route;   // the route ID + 1, so that default is NotFound

        private RouteMatch(int route, string? allow)
        {
            _route = route;
            Allow = allow;
        }

        /// <summary>No route matches the path (404). Also the value of <c>default</c>.</summary>
        public static RouteMatch NotFound => default;

        /// <summary>The route with ID <paramref name="id"/> (its index in <see cref="Routes"/>) matches.</summary>
        /// <param name="id">The route ID.</param>
        /// <returns>The result.</returns>
        public static RouteMatch Route(int id) => new(id + 1, null);

        /// <summary>The path is routed, but not for the request's method (405, or 204 for OPTIONS).</summary>
        /// <param name="allow">The Allow header value, computed at build time (for example <c>GET, HEAD, OPTIONS</c>).</param>
        /// <returns>The result.</returns>
        public static RouteMatch MethodNotAllowed(string allow) => new(0, allow);

        internal bool IsRoute => _route > 0;

        internal int Id => _route - 1;

        internal string? Allow { get; }
    }

    /// <summary>
    /// The normalized path as the generated matcher reads it: one segment at a time, recording where each lies so
    /// that adapters can bind route values later without searching again. The root path <c>/</c> has no segments;
    /// <c>/a/</c> has two, the second empty.
    /// </summary>
    protected internal ref struct PathReader
    {
        private readonly ReadOnlySpan<byte> _path;
        private readonly Span<int> _bounds;
        private int _position;
        private int _depth;

        internal PathReader(ReadOnlySpan<byte> path, Span<int> bounds, string method)
        {
            _path = path;
            _bounds = bounds;
            _position = path.Length == 1 ? 2 : 1;
            _depth = 0;
            Method = method;
        }

        /// <summary>The request method (interned for the standard methods).</summary>
        public string Method { get; }

        /// <summary>Whether every segment has been read.</summary>
        public readonly bool AtEnd => _position > _path.Length;

        /// <summary>Reads the next segment and records where it lies; <see langword="false"/> when the path has no more.</summary>
        /// <param name="segment">The segment (percent-decoded, except <c>%2F</c> and <c>%25</c>).</param>
        /// <returns>Whether there was a segment.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Next(out ReadOnlySpan<byte> segment)
        {
            int start = _position;
            if (start > _path.Length)
            {
                segment = default;
                return false;
            }
            segment = _path.Slice(start);
            int length = segment.IndexOf((byte)'/');
            if (length >= 0) segment = segment.Slice(0, length);
            int end = start + segment.Length;
            int index = _depth++ * 2;
            _bounds[index] = start;
            _bounds[index + 1] = end;
            _position = end + 1;
            return true;
        }

        /// <summary>Records the rest of the path (possibly empty) as the next segment, for a catch-all.</summary>
        public void TakeRest()
        {
            int index = _depth * 2;
            _bounds[index] = Math.Min(_position, _path.Length);
            _bounds[index + 1] = _path.Length;
        }
    }

    /// <summary>Whether a segment equals a literal (the generated matcher compares every literal with this).</summary>
    /// <param name="segment">The segment.</param>
    /// <param name="literal">The literal's UTF-8 bytes.</param>
    /// <returns>Whether they are equal.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static bool IsLiteral(ReadOnlySpan<byte> segment, ReadOnlySpan<byte> literal) => segment.SequenceEqual(literal);

    /// <summary>Whether text names an enum member by Kiln's value grammar (ASCII letters in either case, other bytes exactly).</summary>
    /// <param name="text">The value's UTF-8 bytes.</param>
    /// <param name="name">The member name's UTF-8 bytes.</param>
    /// <returns>Whether it names the member.</returns>
    protected static bool IsEnumName(ReadOnlySpan<byte> text, ReadOnlySpan<byte> name) => ValueGrammar.NameEquals(text, name);

    /// <summary>
    /// Splits pattern segments (<c>&lt;name&gt;.&lt;ext&gt;</c>) from the right, by the value grammar: peels the
    /// rightmost parameter off <c>segment[start..end]</c> at the last <paramref name="separator"/> that leaves both
    /// sides non-empty.
    /// </summary>
    /// <param name="segment">The segment.</param>
    /// <param name="start">Where the pattern's parameters start (after its literal prefix).</param>
    /// <param name="end">Where the current parameter ends; on success, where the separator starts.</param>
    /// <param name="separator">The literal between this parameter and the previous one.</param>
    /// <param name="value">The peeled value's range.</param>
    /// <returns>Whether such a separator exists.</returns>
    protected static bool PeelRight(ReadOnlySpan<byte> segment, int start, ref int end, ReadOnlySpan<byte> separator, out Range value)
    {
        int valueEnd = end;
        bool found = ValueGrammar.PeelRight(segment, start, ref end, separator, out int valueStart);
        value = found ? valueStart..valueEnd : default;
        return found;
    }

    /// <summary>Route segment <paramref name="index"/> of the matched path (<c>%2F</c> and <c>%25</c> still encoded).</summary>
    /// <param name="request">The request the matcher matched.</param>
    /// <param name="index">The segment index (0 for the first segment after the leading '/').</param>
    /// <returns>The segment's bytes.</returns>
    protected static ReadOnlySpan<byte> RouteSegment(Request request, int index) => request.Route.Segment(index);

    /// <summary>The rest of the matched path from segment <paramref name="index"/> on, for a catch-all (may be empty).</summary>
    /// <param name="request">The request the matcher matched.</param>
    /// <param name="index">The catch-all's segment index.</param>
    /// <returns>The bytes.</returns>
    protected static ReadOnlySpan<byte> RouteRest(Request request, int index) => request.Route.Rest(index);

    /// <summary>A route value as a string, with <c>%2F</c> and <c>%25</c> decoded to <c>/</c> and <c>%</c>.</summary>
    /// <param name="value">Bytes from <see cref="RouteSegment"/> or <see cref="RouteRest"/>.</param>
    /// <returns>The string.</returns>
    protected static string RouteString(ReadOnlySpan<byte> value) => RoutePath.Decode(value);

    /// <summary>Parses one value from UTF-8, as the <see cref="Binding.ValueParser"/> methods and generated enum parsers do.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="text">The UTF-8 text.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether it parsed.</returns>
    protected delegate bool Utf8Parser<T>(ReadOnlySpan<byte> text, out T value);

    /// <summary>Parses every value of a repeated query key or header with <paramref name="parse"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="values">The values.</param>
    /// <param name="parse">The element parser.</param>
    /// <param name="result">The parsed values.</param>
    /// <returns><see langword="false"/> at the first value that does not parse.</returns>
    protected static bool TryParseAll<T>(string[] values, Utf8Parser<T> parse, out T[] result)
    {
        result = new T[values.Length];
        byte[]? rented = null;
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            for (int i = 0; i < values.Length; i++)
            {
                int max = Encoding.UTF8.GetMaxByteCount(values[i].Length);
                if (max > buffer.Length)
                {
                    if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
                    buffer = rented = ArrayPool<byte>.Shared.Rent(max);
                }
                int length = Encoding.UTF8.GetBytes(values[i], buffer);
                if (!parse(buffer[..length], out result[i])) return false;
            }
            return true;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // Continuations. An adapter that waits for a body or for its method's Task would be an async method, and every
    // async method is a state machine the compiler writes and the user's build pays for, per route. Instead the
    // adapter hands what it waits for to one of these shared helpers with a static lambda for the rest: no state
    // machine in generated code, no allocation when the value is already there, and none for the lambda either (it
    // captures nothing; what it needs travels as the state argument).

    /// <summary>Runs <paramref name="next"/> on the value of <paramref name="pending"/> once it is there (at once when it already is).</summary>
    /// <typeparam name="T">The awaited value.</typeparam>
    /// <param name="pending">A body being read, or a route method's result.</param>
    /// <param name="next">The rest of the adapter (a static lambda).</param>
    /// <returns>The response.</returns>
    protected static ValueTask<HttpResponse> Then<T>(ValueTask<T> pending, Func<T, ValueTask<HttpResponse>> next)
        => pending.IsCompletedSuccessfully ? next(pending.Result) : ThenAsync(pending, next);

    /// <inheritdoc cref="Then{T}(ValueTask{T}, Func{T, ValueTask{HttpResponse}})"/>
    protected static ValueTask<HttpResponse> Then<T>(Task<T> pending, Func<T, ValueTask<HttpResponse>> next)
        => pending.IsCompletedSuccessfully ? next(pending.Result) : ThenAsync(new ValueTask<T>(pending), next);

    /// <summary>
    /// Runs <paramref name="next"/> on <paramref name="state"/> (the values the adapter bound so far) and the value of
    /// <paramref name="pending"/> once it is there (at once when it already is).
    /// </summary>
    /// <typeparam name="TState">A value or tuple of values the rest of the adapter needs.</typeparam>
    /// <typeparam name="T">The awaited value.</typeparam>
    /// <param name="pending">A body being read.</param>
    /// <param name="state">What <paramref name="next"/> needs besides the value.</param>
    /// <param name="next">The rest of the adapter (a static lambda).</param>
    /// <returns>The response.</returns>
    protected static ValueTask<HttpResponse> Then<TState, T>(ValueTask<T> pending, TState state, Func<TState, T, ValueTask<HttpResponse>> next)
        => pending.IsCompletedSuccessfully ? next(state, pending.Result) : ThenAsync(pending, state, next);

    /// <summary>204 once <paramref name="pending"/> (a route method returning <see cref="Task"/>) completes.</summary>
    /// <param name="pending">The method's task.</param>
    /// <returns>The response.</returns>
    protected static ValueTask<HttpResponse> NoContentAfter(Task pending)
        => pending.IsCompletedSuccessfully ? new(HttpResponse.NoContent()) : NoContentAfterAsync(new ValueTask(pending));

    /// <inheritdoc cref="NoContentAfter(Task)"/>
    protected static ValueTask<HttpResponse> NoContentAfter(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully) return NoContentAfterAsync(pending);
        pending.GetAwaiter().GetResult();   // consumes it: a pooled IValueTaskSource goes back to its pool
        return new(HttpResponse.NoContent());
    }

    private static async ValueTask<HttpResponse> ThenAsync<T>(ValueTask<T> pending, Func<T, ValueTask<HttpResponse>> next)
        => await next(await pending.ConfigureAwait(false)).ConfigureAwait(false);

    private static async ValueTask<HttpResponse> ThenAsync<TState, T>(ValueTask<T> pending, TState state, Func<TState, T, ValueTask<HttpResponse>> next)
        => await next(state, await pending.ConfigureAwait(false)).ConfigureAwait(false);

    private static async ValueTask<HttpResponse> NoContentAfterAsync(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        return HttpResponse.NoContent();
    }

    /// <summary>400: a required value is missing.</summary>
    /// <param name="source">"query parameter" or "header".</param>
    /// <param name="name">The key or header name.</param>
    /// <returns>The response.</returns>
    protected static HttpResponse MissingValue(string source, string name) => HttpResponse.BadRequest($"Missing required {source} '{name}'.");

    /// <summary>400: a value does not parse as its type.</summary>
    /// <param name="source">"query parameter", "header" or "route value".</param>
    /// <param name="name">The key, header or parameter name.</param>
    /// <param name="type">The expected type, for the message.</param>
    /// <returns>The response.</returns>
    protected static HttpResponse InvalidValue(string source, string name, string type) => HttpResponse.BadRequest($"The {source} '{name}' is not a valid {type}.");

    /// <summary>400: a required body is missing.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The response.</returns>
    protected static HttpResponse MissingBody(string name) => HttpResponse.BadRequest($"The request body ('{name}') is required.");

    /// <summary>
    /// The exception of the generated <c>(IServiceProvider)</c> constructor when the provider has no
    /// <paramref name="typeName"/> (a route class or a <c>[Use]</c> middleware the router needs): thrown at
    /// start-up, naming the type and how to register it.
    /// </summary>
    /// <param name="typeName">The missing type, as C# names it.</param>
    /// <returns>The exception to throw.</returns>
    protected static InvalidOperationException MissingRouterService(string typeName) => new(
        $"The router needs a {typeName}, but the service provider has none: register it, for example services.AddSingleton<{typeName}>(). "
        + "Route classes and [Use] middleware are resolved once, when the router is created.");

    /// <summary>
    /// A required <c>[Service]</c> parameter: <c>request.Services.GetService(serviceType)</c>, or an
    /// <see cref="InvalidOperationException"/> (a 500, logged) that names the parameter when the request has no
    /// services or the type is not registered.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="serviceType">The parameter's type.</param>
    /// <param name="parameter">The parameter's name, for the message.</param>
    /// <param name="typeName">The type as C# names it, for the message.</param>
    /// <returns>The service.</returns>
    protected static object RequiredService(Request request, Type serviceType, string parameter, string typeName)
    {
        var services = request.Services ?? throw new InvalidOperationException(
            $"The [Service] parameter '{parameter}' ({typeName}) needs Request.Services, but this request has none: run the app "
            + "under Kiln.Hosting (services.AddKiln<TRouter>()), or set Request.Services in a middleware.");
        return services.GetService(serviceType) ?? throw new InvalidOperationException(
            $"The [Service] parameter '{parameter}' needs a {typeName}, but none is registered: register it, for example services.AddScoped<{typeName}>().");
    }
}
