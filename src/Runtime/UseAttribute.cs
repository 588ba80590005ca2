using System.Diagnostics;

namespace Kiln;

/// <summary>
/// Runs the middleware <typeparamref name="TMiddleware"/> around the annotated route method, or around every route
/// method of the annotated class. The generated router takes an instance of <typeparamref name="TMiddleware"/> as a
/// constructor argument and composes it into each route's chain once, at start-up.
/// </summary>
/// <typeparam name="TMiddleware">The middleware type. The constraint makes a type that is not an
/// <see cref="IMiddleware"/> a compiler error at the attribute.</typeparam>
/// <remarks>
/// On a class it applies to the routes of that class, of classes derived from it and of classes nested in it.
/// Order: the route's rate limit, then class-level <c>[Use]</c> (outer before nested, base before derived), then the
/// method's, then the method.
/// Like the other route attributes it is <c>[Conditional]</c>: the generator reads it and it does not survive into
/// the compiled assembly.
/// </remarks>
[Conditional("KILN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class UseAttribute<TMiddleware> : Attribute
    where TMiddleware : IMiddleware
{
}
