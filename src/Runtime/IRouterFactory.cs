namespace Kiln;

/// <summary>
/// A router that can create itself from an <see cref="IServiceProvider"/>. Every generated router implements it by
/// calling its <c>(IServiceProvider services)</c> constructor, so a host creates the router without reflection
/// (<c>services.AddKiln&lt;AppRouter&gt;()</c> in Kiln.Hosting).
/// </summary>
/// <typeparam name="TRouter">The router type itself.</typeparam>
public interface IRouterFactory<TRouter> where TRouter : Router
{
    /// <summary>Creates the router, resolving each route class and <c>[Use]</c> middleware it needs from <paramref name="services"/>.</summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The router.</returns>
    /// <exception cref="InvalidOperationException">A type the router needs is not registered.</exception>
    static abstract TRouter Create(IServiceProvider services);
}
