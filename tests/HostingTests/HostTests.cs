using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using HostApp;
using Kiln.Generated;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiln.HostingTests;

/// <summary>
/// Kiln.Hosting with the host sample (samples/HostApp): an app built with Host.CreateApplicationBuilder, a
/// singleton store, a scoped unit of work injected by [Service], settings from configuration, served over a socket
/// and requested with curl.
/// </summary>
public sealed class HostTests
{
    private static (IHost Host, RecordingLoggerProvider Logs) Build(string[] args, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var logs = new RecordingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddNotes();
        configure?.Invoke(builder);
        return (builder.Build(), logs);
    }

    private static string Url(IHost host) => "http://" + host.Services.GetRequiredService<HttpServer>().BoundEndPoints[0];

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task A_scoped_service_is_a_new_instance_per_request_and_disposed_after_it()
    {
        var (host, _) = Build(["--Kiln:Urls=http://127.0.0.1:0"]);
        using var _ = host;
        await host.StartAsync();
        var counter = host.Services.GetRequiredService<ScopeCounter>();
        try
        {
            var reports = new List<JsonElement>();
            for (int i = 0; i < 3; i++)
            {
                var (exit, body, error) = await Curl.RunAsync(Url(host) + "/scopes");
                Assert.True(exit == 0, error);
                reports.Add(Json(body));
            }

            // Each request had its own instance, created for it...
            Assert.Equal([1, 2, 3], reports.Select(r => r.GetProperty("thisRequest").GetInt32()));
            Assert.Equal([1, 2, 3], reports.Select(r => r.GetProperty("created").GetInt32()));
            // ...not yet disposed while its own handler ran, and disposed after its response.
            Assert.All(reports, r => Assert.Equal(r.GetProperty("thisRequest").GetInt32() - 1, r.GetProperty("disposed").GetInt32()));
            await Poll.UntilAsync(() => counter.Disposed == 3, 5000, () => "disposed: " + counter.Disposed);

            // The store is a singleton: what one request adds, the next sees.
            var created = await Curl.RunAsync("-X", "POST", Url(host) + "/notes", "-H", "Content-Type: application/json", "-d", "{\"text\":\"hello\"}");
            Assert.Equal("{\"id\":1,\"text\":\"hello\",\"createdInRequest\":4}", created.Stdout);
            Assert.Equal("[{\"id\":1,\"text\":\"hello\",\"createdInRequest\":4}]", (await Curl.RunAsync(Url(host) + "/notes")).Stdout);
            Assert.Equal(4, counter.Created);   // GET /notes asks for no unit of work
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task The_environment_variable_Kiln__Urls_configures_the_published_app_which_stops_gracefully_on_SIGTERM()
    {
        const string url = "http://127.0.0.1:21081";
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kiln-host.dll"));
        psi.Environment["Kiln__Urls"] = url;
        psi.Environment["Logging__Console__FormatterName"] = "simple";
        using var app = Process.Start(psi)!;
        var output = new StringBuilder();
        app.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        app.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        string Output() { lock (output) return output.ToString(); }
        try
        {
            await Poll.UntilAsync(() => Output().Contains("Kiln listening on 127.0.0.1:21081"), 30000, Output);

            var (exit, body, error) = await Curl.RunAsync(url + "/scopes");
            Assert.True(exit == 0, error);
            Assert.Equal(1, Json(body).GetProperty("thisRequest").GetInt32());

            using var kill = Process.Start("kill", ["-TERM", app.Id.ToString()])!;
            await kill.WaitForExitAsync();
            await app.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, app.ExitCode);
            Assert.Contains("Kiln stopped", Output());
            Assert.Contains("GET /scopes 200", Output());   // the access log, through the console logger
        }
        finally
        {
            if (!app.HasExited) app.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void Every_limit_binds_from_the_Kiln_section_by_its_property_name()
    {
        var (host, _) = Build([
            "--Kiln:Urls=http://127.0.0.1:0;unix:/tmp/kiln-hosting-test.sock",
            "--Kiln:MaxRequestBodySize=1234",
            "--Kiln:MaxRequestHeaderCount=7",
            "--Kiln:KeepAliveTimeout=00:00:05",
            "--Kiln:MinRequestBodyDataRate=0",
            "--Kiln:Transport=Sockets",
            "--Kiln:ReusePort=true",
        ]);
        using var _ = host;

        var options = host.Services.GetRequiredService<ServerOptions>();

        Assert.Equal(1234, options.MaxRequestBodySize);
        Assert.Equal(7, options.MaxRequestHeaderCount);
        Assert.Equal(TimeSpan.FromSeconds(5), options.KeepAliveTimeout);
        Assert.Equal(0, options.MinRequestBodyDataRate);
        Assert.Equal(ServerTransport.Sockets, options.Transport);
        Assert.True(options.ReusePort);
        Assert.Equal(8 * 1024, options.MaxRequestLineSize);   // not configured: the default
        Assert.Equal(["127.0.0.1:0", "/tmp/kiln-hosting-test.sock"], options.Listeners.Select(l => l.EndPoint.ToString()));
    }

    [Fact]
    public void Code_configuration_runs_after_the_configuration_section_and_without_urls_the_default_is_loopback_8080()
    {
        var builder = Host.CreateApplicationBuilder(["--Kiln:MaxRequestBodySize=1234"]);
        builder.Services.AddKiln<AppRouter>(options => options.MaxRequestBodySize *= 2);

        using var host = builder.Build();
        var options = host.Services.GetRequiredService<ServerOptions>();

        Assert.Equal(2468, options.MaxRequestBodySize);
        Assert.Equal("127.0.0.1:8080", Assert.Single(options.Listeners).EndPoint.ToString());
    }

    [Fact]
    public async Task A_configured_limit_is_enforced()
    {
        var (host, _) = Build(["--Kiln:Urls=http://127.0.0.1:0", "--Kiln:MaxRequestBodySize=16"]);
        using var _ = host;
        await host.StartAsync();
        try
        {
            var (_, status, _) = await Curl.RunAsync("-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", Url(host) + "/notes",
                "-H", "Content-Type: application/json", "-d", "{\"text\":\"far too long for the limit\"}");
            Assert.Equal("413", status);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void A_route_class_that_is_not_registered_fails_at_start_up_naming_it()
    {
        var builder = Host.CreateApplicationBuilder(["--Kiln:Urls=http://127.0.0.1:0"]);
        builder.Services.AddSingleton<NoteStore>();
        builder.Services.AddSingleton<ScopeCounter>();
        builder.Services.AddKiln<AppRouter>();   // NotesApi itself is not registered
        using var host = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<HttpServer>());

        Assert.Contains("The router needs a HostApp.NotesApi, but the service provider has none", error.Message);
    }

    [Fact]
    public async Task Access_log_events_carry_structured_fields_and_server_events_have_ids()
    {
        var (host, logs) = Build(["--Kiln:Urls=http://127.0.0.1:0"]);
        using var _ = host;
        await host.StartAsync();
        using (var client = host.Services.GetRequiredService<HttpServer>().CreateClient())
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/missing?x=1")).StatusCode);
        await host.StopAsync();

        var request = Assert.Single(logs.Events, e => e.Category == "Kiln.Requests");
        Assert.Equal((LogLevel.Information, 20, "Request"), (request.Level, request.Id.Id, request.Id.Name));
        Assert.Equal("GET", request.Fields["Method"]);
        Assert.Equal("/missing?x=1", request.Fields["Path"]);
        Assert.Equal(404, request.Fields["StatusCode"]);
        Assert.Equal("127.0.0.1", request.Fields["RemoteAddress"]);
        Assert.IsType<double>(request.Fields["ElapsedMilliseconds"]);
        var server = logs.Events.Where(e => e.Category == "Kiln.Server").Select(e => e.Id.Name).ToList();
        Assert.Equal(["Listening", "Stopping", "Stopped"], server);
    }

    [Fact]
    public async Task No_access_log_event_is_made_when_the_level_is_disabled()
    {
        var (host, logs) = Build(["--Kiln:Urls=http://127.0.0.1:0"], builder => builder.Logging.AddFilter("Kiln.Requests", LogLevel.Warning));
        using var _ = host;
        await host.StartAsync();
        using (var client = host.Services.GetRequiredService<HttpServer>().CreateClient())
            Assert.Equal("[]", await client.GetStringAsync("/notes"));
        await host.StopAsync();

        Assert.DoesNotContain(logs.Events, e => e.Category == "Kiln.Requests");
        Assert.Contains(logs.Events, e => e.Category == "Kiln.Server" && e.Id.Name == "Listening");
    }

    [Fact]
    public async Task Handler_exceptions_are_logged_as_server_errors()
    {
        var (host, logs) = Build(["--Kiln:Urls=http://127.0.0.1:0"]);
        using var _ = host;
        var server = host.Services.GetRequiredService<HttpServer>();
        server.Use((request, next) => request.Path == "/boom" ? throw new InvalidOperationException("boom detail") : next(request));
        await host.StartAsync();
        using (var client = server.CreateClient())
            Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync("/boom")).StatusCode);
        await host.StopAsync();

        var error = Assert.Single(logs.Events, e => e.Category == "Kiln.Server" && e.Level == LogLevel.Error);
        Assert.Equal(11, error.Id.Id);
        Assert.Contains("boom detail", (string)error.Fields["Message"]!);
        Assert.Contains(logs.Events, e => e.Category == "Kiln.Requests" && (int)e.Fields["StatusCode"]! == 500);
    }

    [Fact]
    public async Task Stopping_the_host_lets_an_in_flight_request_finish()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (host, _) = Build(["--Kiln:Urls=http://127.0.0.1:0"]);
        using var _ = host;
        var server = host.Services.GetRequiredService<HttpServer>();
        server.Use(async (request, next) =>
        {
            if (request.Path != "/slow") return await next(request);
            started.SetResult();
            await release.Task;
            return HttpResponse.Text("finished");
        });
        await host.StartAsync();

        var slow = Curl.RunAsync(Url(host) + "/slow");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var stopping = host.StopAsync();
        Assert.False(stopping.IsCompleted);   // draining: the request is still in flight
        release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("finished", (await slow).Stdout);
    }

    [Fact]
    public async Task The_in_memory_client_runs_requests_in_their_own_scope_too()
    {
        var (host, _) = Build(["--Kiln:Urls=http://127.0.0.1:0"]);
        using var _ = host;
        using var client = host.Services.GetRequiredService<HttpServer>().CreateClient();

        var first = Json(await client.GetStringAsync("/scopes"));
        var second = Json(await client.GetStringAsync("/scopes"));

        Assert.Equal((1, 2), (first.GetProperty("thisRequest").GetInt32(), second.GetProperty("thisRequest").GetInt32()));
        await host.Services.GetRequiredService<HttpServer>().StopAsync();
    }
}
