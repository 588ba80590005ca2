using System;
using System.Diagnostics;

namespace Kiln
{
    /// <summary>
    /// Declares a response of the route method for the generated OpenAPI document (<c>AppRouter.OpenApiJson</c>): its
    /// status code and, optionally, the type of its JSON body. The generator infers the response of a method that
    /// returns a value; a method that returns <c>HttpResponse</c> declares its responses with this attribute (repeat it
    /// once per status). It changes nothing at run time.
    /// </summary>
    /// <remarks>
    /// <c>[Produces(201, typeof(Account))]</c> documents a 201 whose body is an <c>Account</c> as JSON (the schema comes
    /// from the project's <c>JsonSerializerContext</c>, with its naming policy); <c>[Produces(404)]</c> a 404 without a
    /// documented body; <c>[Produces(200, typeof(string), ContentType = "text/plain")]</c> another media type.
    /// </remarks>
    [Conditional("KILN_KEEP_ATTRIBUTES")]
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public sealed class ProducesAttribute : Attribute
    {
        /// <summary>Declares a response with <paramref name="statusCode"/> and, when given, a body of <paramref name="type"/>.</summary>
        /// <param name="statusCode">The HTTP status code, 100–599.</param>
        /// <param name="type">The body's type (written as JSON unless <see cref="ContentType"/> says otherwise), or <see langword="null"/> for no documented body.</param>
        public ProducesAttribute(int statusCode, Type? type = null)
        {
            StatusCode = statusCode;
            Type = type;
        }

        /// <summary>The HTTP status code.</summary>
        public int StatusCode { get; }

        /// <summary>The body's type, or <see langword="null"/>.</summary>
        public Type? Type { get; }

        /// <summary>The body's media type; <c>application/json</c> when <see cref="Type"/> is given and this is not.</summary>
        public string? ContentType { get; set; }

        /// <summary>The response's description in the document; the status code's reason phrase when not given.</summary>
        public string? Description { get; set; }
    }
}
