using System;
using System.Diagnostics;

namespace Kiln
{
    /// <summary>
    /// Routes HTTP requests with <c>method</c> whose path matches <c>template</c>
    /// to the annotated method. The Kiln source generator reads this attribute at build time; it does
    /// not survive into the compiled assembly.
    /// </summary>
    /// <remarks>
    /// Template syntax: literal segments separated by <c>/</c>, <c>&lt;name&gt;</c> for one segment bound to
    /// the method parameter of that name (its type is the constraint), an optional literal prefix or suffix
    /// inside the segment (<c>/img-&lt;id&gt;.png</c>), and <c>&lt;*rest&gt;</c> for the remainder of the path.
    /// See docs/routing.md.
    /// </remarks>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public class RouteAttribute : Attribute
    {
        /// <summary>Creates a route for <paramref name="method"/> (an HTTP method token such as <c>GET</c> or <c>PURGE</c>).</summary>
        /// <param name="method">The HTTP method token, case-sensitive as RFC 9110 requires.</param>
        /// <param name="template">The path template, starting with <c>/</c>.</param>
        public RouteAttribute(string method, string template)
        {
            Method = method;
            Template = template;
        }

        /// <summary>The HTTP method token.</summary>
        public string Method { get; }

        /// <summary>The path template.</summary>
        public string Template { get; }

        /// <summary>An optional name for the endpoint, listed in <c>Router.Routes</c>. Defaults to <c>Type.Method</c>.</summary>
        public string? Name { get; set; }
    }

    /// <summary>Routes <c>GET</c> requests (and, unless routed separately, <c>HEAD</c>) for <c>template</c> to the method.</summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public sealed class GetAttribute : RouteAttribute
    {
        /// <summary>Creates a GET route.</summary>
        /// <param name="template">The path template, starting with <c>/</c>.</param>
        public GetAttribute(string template) : base("GET", template) { }
    }

    /// <summary>Routes <c>POST</c> requests for <c>template</c> to the method.</summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public sealed class PostAttribute : RouteAttribute
    {
        /// <summary>Creates a POST route.</summary>
        /// <param name="template">The path template, starting with <c>/</c>.</param>
        public PostAttribute(string template) : base("POST", template) { }
    }

    /// <summary>Routes <c>PUT</c> requests for <c>template</c> to the method.</summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public sealed class PutAttribute : RouteAttribute
    {
        /// <summary>Creates a PUT route.</summary>
        /// <param name="template">The path template, starting with <c>/</c>.</param>
        public PutAttribute(string template) : base("PUT", template) { }
    }

    /// <summary>Routes <c>DELETE</c> requests for <c>template</c> to the method.</summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public sealed class DeleteAttribute : RouteAttribute
    {
        /// <summary>Creates a DELETE route.</summary>
        /// <param name="template">The path template, starting with <c>/</c>.</param>
        public DeleteAttribute(string template) : base("DELETE", template) { }
    }

    /// <summary>Routes <c>PATCH</c> requests for <c>template</c> to the method.</summary>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public sealed class PatchAttribute : RouteAttribute
    {
        /// <summary>Creates a PATCH route.</summary>
        /// <param name="template">The path template, starting with <c>/</c>.</param>
        public PatchAttribute(string template) : base("PATCH", template) { }
    }
}
