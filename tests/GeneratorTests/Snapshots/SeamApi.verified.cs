public abstract class Kiln.Router
    protected abstract Kiln.Router.RouteMatch Kiln.Router.Match(ref Kiln.Router.PathReader path)
    protected static bool Kiln.Router.IsLiteral(System.ReadOnlySpan<byte> segment, System.ReadOnlySpan<byte> literal)
    protected static bool Kiln.Router.IsEnumName(System.ReadOnlySpan<byte> text, System.ReadOnlySpan<byte> name)
    protected static bool Kiln.Router.PeelRight(System.ReadOnlySpan<byte> segment, int start, ref int end, System.ReadOnlySpan<byte> separator, out System.Range value)
    protected static System.ReadOnlySpan<byte> Kiln.Router.RouteSegment(Kiln.Request request, int index)
    protected static System.ReadOnlySpan<byte> Kiln.Router.RouteRest(Kiln.Request request, int index)
    protected static string Kiln.Router.RouteString(System.ReadOnlySpan<byte> value)
    protected static bool Kiln.Router.TryParseAll<T>(string[] values, Kiln.Router.Utf8Parser<T> parse, out T[] result)
    protected static System.Threading.Tasks.ValueTask<Kiln.HttpResponse> Kiln.Router.Then<T>(System.Threading.Tasks.ValueTask<T> pending, System.Func<T, System.Threading.Tasks.ValueTask<Kiln.HttpResponse>> next)
    protected static System.Threading.Tasks.ValueTask<Kiln.HttpResponse> Kiln.Router.Then<T>(System.Threading.Tasks.Task<T> pending, System.Func<T, System.Threading.Tasks.ValueTask<Kiln.HttpResponse>> next)
    protected static System.Threading.Tasks.ValueTask<Kiln.HttpResponse> Kiln.Router.Then<TState, T>(System.Threading.Tasks.ValueTask<T> pending, TState state, System.Func<TState, T, System.Threading.Tasks.ValueTask<Kiln.HttpResponse>> next)
    protected static System.Threading.Tasks.ValueTask<Kiln.HttpResponse> Kiln.Router.NoContentAfter(System.Threading.Tasks.Task pending)
    protected static System.Threading.Tasks.ValueTask<Kiln.HttpResponse> Kiln.Router.NoContentAfter(System.Threading.Tasks.ValueTask pending)
    protected static Kiln.HttpResponse Kiln.Router.MissingValue(string source, string name)
    protected static Kiln.HttpResponse Kiln.Router.InvalidValue(string source, string name, string type)
    protected static Kiln.HttpResponse Kiln.Router.MissingBody(string name)
    protected Kiln.Router.Router()
    public System.Threading.Tasks.ValueTask<Kiln.HttpResponse> Kiln.Router.RouteAsync(Kiln.Request request)
    protected Kiln.Handler[] Kiln.Router.Handlers
    public abstract System.Collections.Generic.IReadOnlyList<Kiln.Endpoint> Kiln.Router.Routes
    public Kiln.Handler Kiln.Router.Handler
protected internal ref struct Kiln.Router.PathReader
    public bool Kiln.Router.PathReader.Next(out System.ReadOnlySpan<byte> segment)
    public void Kiln.Router.PathReader.TakeRest()
    public readonly string Kiln.Router.PathReader.Method
    public readonly bool Kiln.Router.PathReader.AtEnd
protected internal readonly struct Kiln.Router.RouteMatch
    public static Kiln.Router.RouteMatch Kiln.Router.RouteMatch.Route(int id)
    public static Kiln.Router.RouteMatch Kiln.Router.RouteMatch.MethodNotAllowed(string allow)
    public static Kiln.Router.RouteMatch Kiln.Router.RouteMatch.NotFound
protected delegate bool Kiln.Router.Utf8Parser<T>(System.ReadOnlySpan<byte> text, out T value)
public static class Kiln.Binding.ValueParser
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out int value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out long value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out short value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out sbyte value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out byte value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out ushort value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out uint value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out ulong value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out System.Int128 value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out System.UInt128 value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out decimal value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out double value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out float value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out bool value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out System.Guid value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out System.DateOnly value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out System.DateTime value)
    public static bool Kiln.Binding.ValueParser.TryParse(System.ReadOnlySpan<byte> text, out System.DateTimeOffset value)
    public static bool Kiln.Binding.ValueParser.TryParseSpanParsable<T>(System.ReadOnlySpan<byte> text, out T value)
