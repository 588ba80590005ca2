using System.Net;
using System.Net.Sockets;

namespace Kiln.RuntimeTests.Server;

/// <summary><see cref="ServerOptions.FromArgs"/>: --urls, --urls=, KILN_URLS, unix sockets, errors.</summary>
[Collection("environment")]
public class ServerOptionsTests
{
    private static string[] Endpoints(ServerOptions options) => options.Listeners.Select(l => l.EndPoint.ToString()!).ToArray();

    [Fact]
    public void Default_is_loopback_on_the_default_port()
    {
        Environment.SetEnvironmentVariable("KILN_URLS", null);
        Assert.Equal(["127.0.0.1:5005"], Endpoints(ServerOptions.FromArgs([], 5005)));
    }

    [Fact]
    public void Urls_argument_in_both_spellings_and_several_addresses()
    {
        Assert.Equal(["127.0.0.1:9000", "[::1]:9001"], Endpoints(ServerOptions.FromArgs(["--urls", "http://127.0.0.1:9000;http://[::1]:9001"])));
        Assert.Equal(["0.0.0.0:80"], Endpoints(ServerOptions.FromArgs(["--urls=http://*"])));
        Assert.Equal(["127.0.0.1:7000"], Endpoints(ServerOptions.FromArgs(["--urls=http://localhost:7000/"])));
    }

    [Fact]
    public void Environment_variable_is_used_unless_arguments_say_otherwise()
    {
        try
        {
            Environment.SetEnvironmentVariable("KILN_URLS", "http://127.0.0.1:9100");
            Assert.Equal(["127.0.0.1:9100"], Endpoints(ServerOptions.FromArgs([])));
            Assert.Equal(["127.0.0.1:9200"], Endpoints(ServerOptions.FromArgs(["--urls", "http://127.0.0.1:9200"])));
        }
        finally
        {
            Environment.SetEnvironmentVariable("KILN_URLS", null);
        }
    }

    [Fact]
    public void Unix_socket_urls()
    {
        var options = ServerOptions.FromArgs(["--urls", "unix:/tmp/a.sock;http://unix:/tmp/b.sock"]);
        Assert.All(options.Listeners, l => Assert.IsType<UnixDomainSocketEndPoint>(l.EndPoint));
        Assert.Equal(["/tmp/a.sock", "/tmp/b.sock"], Endpoints(options));
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:21", "expected http://host:port")]
    [InlineData("http://127.0.0.1:99999", "not a port number")]
    [InlineData("http://example.com:80", "not an IP address")]
    [InlineData("https://127.0.0.1:443", "needs a certificate")]
    [InlineData("http://127.0.0.1:80/app", "a path is not supported")]
    [InlineData("unix:relative.sock", "absolute path")]
    public void Invalid_urls_are_rejected_with_a_clear_message(string url, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ServerOptions.FromArgs(["--urls", url]));
        Assert.Contains(expected, e.Message);
        Assert.Contains(url, e.Message);
    }
}
