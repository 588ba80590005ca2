using HostApp;
using Microsoft.Extensions.Hosting;

// Settings come from the host's configuration: Kiln__Urls=http://127.0.0.1:9000 (environment), --Kiln:Urls=...
// (command line), or appsettings.json's "Kiln" section; every ServerOptions limit binds by its name the same way.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddNotes();
using var host = builder.Build();
await host.RunAsync();   // until Ctrl+C or SIGTERM; then in-flight requests finish
