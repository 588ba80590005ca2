using System.Linq;
using Kiln.Generator.Model;

namespace Kiln.Generator.Emitting
{
    /// <summary>Emits the router class itself: constructor wiring, the route table and per-route middleware.</summary>
    internal static class RouterEmitter
    {
        public static string Emit(RouterModel router)
        {
            var w = new SourceWriter();
            w.Lines(Names.Header).Line();
            if (router.Namespace is not null) w.Open("namespace " + router.Namespace);

            w.Line("/// <summary>");
            w.Line("/// The router generated from this project's route methods (" + router.Routes.Count + " routes). Construct it once and pass it");
            w.Line("/// to <c>HttpServer</c>; <see cref=\"Routes\"/> lists the table.");
            w.Line("/// </summary>");
            string modifiers = router.IsUserDeclared ? "" : router.Accessibility + " sealed ";
            w.Open(modifiers + "partial class " + router.ClassName + " : " + Names.Router + ", " + Names.RouterFactory + "<" + router.ClassName + ">");
            w.Line("private readonly " + Names.Endpoint + "[] _routes;");
            foreach (var argument in router.ConstructorArguments)
                w.Line("private readonly " + argument.TypeName + " " + Names.Field(argument) + ";");
            w.Line();

            w.Line("/// <summary>Creates the router and composes each route's middleware once.</summary>");
            foreach (var argument in router.ConstructorArguments)
                w.Line("/// <param name=\"" + argument.ParameterName + "\">" + (argument.IsMiddleware ? "Middleware used by [Use] routes." : "The instance whose methods serve routes.") + "</param>");
            var parameters = router.ConstructorArguments.Select(a => a.TypeName + " " + a.ParameterName);
            // A public constructor cannot take an internal type (CS0051): with one, the constructor is internal.
            string constructor = router.ConstructorArguments.All(a => a.IsPublic) ? "public " : "internal ";
            w.Open(constructor + router.ClassName + "(" + string.Join(", ", parameters) + ")");
            foreach (var argument in router.ConstructorArguments)
            {
                string nullCheck = " ?? throw new global::System.ArgumentNullException(nameof(" + argument.ParameterName + "))";
                w.Line(Names.Field(argument) + " = " + argument.ParameterName + nullCheck + ";");
            }
            w.Line("var handlers = new " + Names.Handler + "[" + router.Routes.Count + "];");
            foreach (var route in router.Routes)
            {
                var method = router.Methods[route.MethodIndex];
                string adapter = Names.Adapter(route, method);
                var chain = method.RateLimit.Count == 2
                    ? new[] { "new global::Kiln.ClientRateLimiter(" + method.RateLimit[0] + ", " + method.RateLimit[1] + ")" }.ToList()
                    : new System.Collections.Generic.List<string>();
                chain.AddRange(method.Middleware.Select(m => Names.Field(router.ConstructorArguments.First(a => a.IsMiddleware && a.TypeName == m))));
                string handler = chain.Count == 0 ? adapter : Names.Pipeline + ".Compose(" + adapter + ", " + string.Join(", ", chain) + ")";
                w.Line("handlers[" + route.Id + "] = " + handler + ";");
            }
            w.Line("Handlers = handlers;");
            w.Line("_routes = new " + Names.Endpoint + "[]");
            w.Line("{");
            foreach (var route in router.Routes)
                w.Line("    new(" + SourceWriter.Literal(route.HttpMethod) + ", " + SourceWriter.Literal(route.Template.Text) + ", handlers[" + route.Id + "], " + SourceWriter.Literal(route.Name) + "),");
            w.Line("};");
            w.Close();
            w.Line();

            router.EmitServiceConstructor(w);
            w.Line();

            w.Line("/// <inheritdoc/>");
            w.Line("public override global::System.Collections.Generic.IReadOnlyList<" + Names.Endpoint + "> Routes => _routes;");
            w.Close();
            if (router.Namespace is not null) w.Close();
            return w.ToString();
        }

        /// <summary>
        /// The constructor that takes every route class and middleware from an <c>IServiceProvider</c> (one generated
        /// <c>GetService(typeof(T))</c> per argument, no reflection), and the <c>IRouterFactory</c> member that calls it.
        /// </summary>
        private static void EmitServiceConstructor(this RouterModel router, SourceWriter w)
        {
            var arguments = router.ConstructorArguments;
            w.Line("/// <summary>");
            w.Line("/// Creates the router with " + (arguments.Count == 0 ? "nothing from the container (it needs no instances)" : "its route classes and middleware from <paramref name=\"services\"/>, resolved once, now") + ".");
            w.Line("/// </summary>");
            w.Line("/// <param name=\"services\">The application's services (the root provider).</param>");
            if (arguments.Count > 0)
                w.Line("/// <exception cref=\"global::System.InvalidOperationException\">A route class or middleware type is not registered (the message names it).</exception>");
            if (arguments.Count == 0)
            {
                w.Open("public " + router.ClassName + "(global::System.IServiceProvider services) : this()");
                w.Line("global::System.ArgumentNullException.ThrowIfNull(services);");
                w.Close();
            }
            else
            {
                w.Line("public " + router.ClassName + "(global::System.IServiceProvider services)");
                w.Line("    : this(");
                for (int i = 0; i < arguments.Count; i++)
                {
                    var a = arguments[i];
                    w.Line("        (" + a.TypeName + ")KilnResolve(services, typeof(" + a.TypeName + "), " + SourceWriter.Literal(Names.Display(a.TypeName)) + ")" + (i + 1 < arguments.Count ? "," : ")"));
                }
                w.Line("{");
                w.Line("}");
                w.Line();
                w.Line("private static object KilnResolve(global::System.IServiceProvider services, global::System.Type type, string name)");
                w.Line("    => (services ?? throw new global::System.ArgumentNullException(nameof(services))).GetService(type) ?? throw MissingRouterService(name);");
            }
            w.Line();
            w.Line("static " + router.ClassName + " " + Names.RouterFactory + "<" + router.ClassName + ">.Create(global::System.IServiceProvider services) => new(services);");
        }
    }
}
