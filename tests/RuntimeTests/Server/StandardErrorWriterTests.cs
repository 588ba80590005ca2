using System.IO.Pipes;
using System.Text;
using Kiln.Server;

namespace Kiln.RuntimeTests.Server;

/// <summary>The default error log: UTF-8 lines written to a descriptor without Console (here a pipe instead of fd 2).</summary>
public class StandardErrorWriterTests
{
    [Fact]
    public async Task Writes_UTF8_lines_unbuffered_to_the_descriptor()
    {
        if (OperatingSystem.IsWindows()) return;   // the default there is Console.Error
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var client = new AnonymousPipeClientStream(PipeDirection.Out, pipe.ClientSafePipeHandle);
        var writer = new StandardErrorWriter((int)client.SafePipeHandle.DangerousGetHandle());
        string large = new('é', 3000);   // 6000 bytes: past the stack buffer

        writer.WriteLine("kiln: 431 for 127.0.0.1 — Grüße");
        writer.Write('x');
        writer.Write("yz");
        writer.WriteLine();
        writer.WriteLine(large);
        client.Dispose();   // EOF for the reader: nothing was held back in a buffer

        var text = await new StreamReader(pipe, Encoding.UTF8).ReadToEndAsync();
        Assert.Equal("kiln: 431 for 127.0.0.1 — Grüße\nxyz\n" + large + "\n", text);
    }

    [Fact]
    public async Task The_default_error_log_is_standard_error_without_Console()
    {
        await using var server = new HttpServer(_ => new(HttpResponse.Ok()), new ServerOptions());
        var log = server.ErrorLog;
        if (OperatingSystem.IsWindows()) Assert.Same(Console.Error, log);
        else Assert.IsType<StandardErrorWriter>(log);
    }
}
