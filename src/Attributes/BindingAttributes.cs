using System;
using System.Diagnostics;

namespace Kiln
{
    /// <summary>Binds the parameter from the query string: by the parameter's name, or by <see cref="Name"/>.</summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class QueryAttribute : Attribute
    {
        /// <summary>Binds from the query key named like the parameter.</summary>
        public QueryAttribute() { }

        /// <summary>Binds from the query key <paramref name="name"/>.</summary>
        /// <param name="name">The query key.</param>
        public QueryAttribute(string name) { Name = name; }

        /// <summary>The query key, or <see langword="null"/> for the parameter's name.</summary>
        public string? Name { get; }
    }

    /// <summary>Binds the parameter from the request header <see cref="Name"/> (case-insensitive).</summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class HeaderAttribute : Attribute
    {
        /// <summary>Binds from the header <paramref name="name"/>.</summary>
        /// <param name="name">The header field name, for example <c>X-Request-Id</c>.</param>
        public HeaderAttribute(string name) { Name = name; }

        /// <summary>The header field name.</summary>
        public string Name { get; }
    }

    /// <summary>Binds the parameter from the request body (text, bytes, a stream, or JSON).</summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class BodyAttribute : Attribute
    {
    }

    /// <summary>
    /// Binds the parameter from the request's services (<c>Request.Services</c>): the generated adapter calls
    /// <c>GetService(typeof(T))</c> on them for every request. Under <c>Kiln.Hosting</c> (<c>services.AddKiln</c>) they
    /// are the request's dependency-injection scope, so a scoped service is a new instance per request, disposed
    /// after the response. A required service that is not registered, or a request without services (no host set
    /// them), is a server error (500, logged) naming the parameter; a nullable parameter or one with a
    /// <see langword="null"/> default receives <see langword="null"/> instead.
    /// </summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class ServiceAttribute : Attribute
    {
    }

    /// <summary>
    /// Limits the annotated route (or every route of the annotated class, of classes derived from it and of classes
    /// nested in it) to <see cref="PerSecond"/> requests per second per client address, with bursts of up to
    /// <see cref="Burst"/>; excess requests get 429 with Retry-After. The nearest one wins: the method's, then the
    /// innermost class's.
    /// </summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, Inherited = true)]
    public sealed class RateLimitAttribute : Attribute
    {
        /// <summary>Creates a token-bucket limit.</summary>
        /// <param name="perSecond">Tokens added per second.</param>
        /// <param name="burst">Bucket size.</param>
        public RateLimitAttribute(double perSecond, int burst) { PerSecond = perSecond; Burst = burst; }

        /// <summary>Tokens added per second.</summary>
        public double PerSecond { get; }

        /// <summary>Bucket size.</summary>
        public int Burst { get; }
    }

    /// <summary>
    /// Declares the router class the generator fills in (instead of the default <c>Kiln.Generated.AppRouter</c>).
    /// Apply to a <c>partial class</c>; its name, namespace and accessibility are kept.
    /// </summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    public sealed class RouterAttribute : Attribute
    {
    }
}
