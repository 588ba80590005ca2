using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Kiln.RuntimeTests.Conformance;

/// <summary>
/// Every row of every corpus in ../shared/conformance, sent through the real connection code over in-memory pipes.
/// The expected outcome of a row is the source's own expectation (<see cref="SourceExpectations"/>), except where
/// <see cref="Deviations"/> — the one place — says otherwise and why. One test per file reports all mismatches at once.
/// </summary>
public class ConformanceTests(ITestOutputHelper output)
{
    /// <summary>The transport under the connection: <see langword="null"/> for in-memory pipes (see <see cref="Support.Transports"/>).</summary>
    protected virtual ServerTransport? Transport => null;

    [CorpusFact("llhttp_requests.jsonl")]
    public Task Llhttp_requests() => CheckAsync("llhttp_requests.jsonl");

    [CorpusFact("kestrel_bad_requests.jsonl")]
    public Task Kestrel_bad_requests() => CheckAsync("kestrel_bad_requests.jsonl");

    [CorpusFact("go_nethttp_cases.jsonl")]
    public Task Go_nethttp_cases() => CheckAsync("go_nethttp_cases.jsonl");

    [CorpusFact("desync_guardian_cases.jsonl")]
    public Task Desync_guardian_cases() => CheckAsync("desync_guardian_cases.jsonl");

    [CorpusFact("http_garden_trophies.jsonl")]
    public Task Http_garden_trophies() => CheckAsync("http_garden_trophies.jsonl");

    private async Task CheckAsync(string file)
    {
        var rows = SharedCorpus.Rows(file);
        Assert.NotEmpty(rows);
        var failures = new List<string>();
        var usedDeviations = new HashSet<Deviation>();
        int run = 0, skipped = 0, deviated = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            string key = SourceExpectations.Key(file, row, i);
            var expectation = SourceExpectations.For(file, row);
            var deviation = Deviations.Find(file, key, row);
            if (deviation is not null)
            {
                usedDeviations.Add(deviation);
                expectation = deviation.ExpectationFor(row);
                deviated++;
            }
            if (expectation.IsSkip) { skipped++; continue; }
            run++;
            var input = SourceExpectations.Input(file, row);
            bool lax = SourceExpectations.RunWithoutHostRequirement(file);
            var (outcome, seen, text) = await ConnectionHarness.RunAsync(input, o => o.RequireHost = !lax, Transport);
            var problem = expectation.Check(outcome, seen);
            if (problem is not null)
                failures.Add($"[{key}] expected {expectation.Description}: {problem}\n    input: {Show(input)}\n    output: {Show(text)}");
        }
        var stale = Deviations.For(file).Where(d => !usedDeviations.Contains(d)).ToList();
        foreach (var d in stale) failures.Add($"deviation '{d.Key}' matches no row of {file} (stale entry)");
        output.WriteLine($"{file} over {Transport?.ToString() ?? "in-memory pipes"}: {rows.Count} rows, {run} run, {skipped} skipped, {deviated} with a documented deviation, {failures.Count} failures");
        foreach (var f in failures) output.WriteLine(f);
        Assert.True(failures.Count == 0, $"{failures.Count} of {rows.Count} rows of {file} failed:\n" + string.Join("\n", failures));
    }

    private static string Show(byte[] bytes) => Show(Encoding.Latin1.GetString(bytes));

    private static string Show(string text)
    {
        var s = JsonSerializer.Serialize(text.Length > 300 ? text[..300] + "…" : text);
        return s;
    }
}

/// <summary>Every corpus row over a loopback socket through the socket transport.</summary>
public sealed class ConformanceTestsOverSockets(ITestOutputHelper output) : ConformanceTests(output)
{
    protected override ServerTransport? Transport => ServerTransport.Sockets;
}

/// <summary>Every corpus row over a loopback socket through the epoll transport.</summary>
public sealed class ConformanceTestsOverEpoll(ITestOutputHelper output) : ConformanceTests(output)
{
    protected override ServerTransport? Transport => Support.Transports.Epoll;
}
