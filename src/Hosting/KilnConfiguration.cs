using System.Net;
using Microsoft.Extensions.Configuration;

namespace Kiln.Hosting;

/// <summary>
/// <see cref="ServerOptions"/> from configuration: the section <c>Kiln</c> binds every limit and timeout by its
/// property name (<c>Kiln:MaxRequestBodySize</c>, <c>Kiln:KeepAliveTimeout</c> as <c>00:02:00</c>,
/// <c>Kiln:Transport</c> …) through the configuration binder's source generator, and <c>Kiln:Urls</c> (else the
/// host's top-level <c>urls</c>) lists the listeners as <see cref="ServerOptions.ListenUrls"/> reads them.
/// </summary>
internal static class KilnConfiguration
{
    /// <summary>The configuration section Kiln reads.</summary>
    public const string SectionName = "Kiln";

    /// <summary>The default listener when neither configuration nor code adds one (as <see cref="ServerOptions.FromArgs"/>).</summary>
    public const int DefaultPort = 8080;

    public static ServerOptions CreateOptions(IConfiguration? configuration, Action<ServerOptions>? configure)
    {
        var options = new ServerOptions();
        if (configuration is not null)
        {
            var section = configuration.GetSection(SectionName);
            section.Bind(options);   // source-generated (EnableConfigurationBindingGenerator): no reflection
            var urls = section["Urls"] ?? configuration["urls"];
            if (!string.IsNullOrWhiteSpace(urls)) options.ListenUrls(urls);
        }
        configure?.Invoke(options);
        if (!options.HasListeners) options.Listen(IPAddress.Loopback, DefaultPort);
        return options;
    }
}
