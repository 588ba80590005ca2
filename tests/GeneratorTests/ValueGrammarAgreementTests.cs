using System.Globalization;
using System.Text;
using Kiln.Binding;
using Kiln.Generator;
using Kiln.Generator.Routing;
using Kiln.GeneratorTests.Infrastructure;
using GenValueType = Kiln.Generator.Routing.ValueType;

namespace Kiln.GeneratorTests;

/// <summary>
/// The seam's agreement test: for every value type, the generator's build-time answer (<see cref="ValueOracle"/>,
/// on which the matcher's shape rests) and the runtime's parse (<see cref="ValueParser"/>, and the generated enum
/// parsers) accept exactly the same texts — on a table of inputs that includes non-ASCII digits, letters whose case
/// folds only outside ASCII, and lookalikes. Both sides are built on src/Shared/ValueGrammar.cs; this holds them to it.
/// </summary>
public class ValueGrammarAgreementTests
{
    private static readonly string[] Inputs =
    [
        "", "0", "1", "-1", "-0", "007", "+1", " 1", "1 ", "1_000", "1,000", "0x10", "-", "--1",
        "127", "128", "-128", "-129", "255", "256", "32767", "32768", "-32768", "-32769", "65535", "65536",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296", "00000000002147483647",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616",
        "170141183460469231731687303715884105727", "170141183460469231731687303715884105728",
        "-170141183460469231731687303715884105728", "-170141183460469231731687303715884105729",
        "340282366920938463463374607431768211455", "340282366920938463463374607431768211456",
        "1.5", "-1.5", ".5", "5.", "1e3", "1E+3", "1e-3", "1e", "1.5e3", "1e308", "1e309", "-1e309", "3.4e38", "3.5e38",
        "79228162514264337593543950335", "79228162514264337593543950336", "NaN", "Infinity", "-Infinity", "∞",
        "١٢٣", "１２３", "²", "Ⅻ", "٣.٥",
        "true", "TRUE", "tRuE", "false", "False", "yes", "1true", "truе" /* Cyrillic е */, "ｔｒｕｅ",
        "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "0000-01-01", "0001-01-01", "9999-12-31",
        "2024-1-01", "2024/01/01", "２０２４-01-01", "2024-01-01T00:00", "2024-01-01T23:59:59.9999999Z", "2024-01-01t10:30+02:00",
        "2024-01-01T24:00", "2024-01-01T10:30:00+14:01", "2024-01-01 10:30", "0001-01-01T00:00-01:00",
        "0f8fad5b-cd9f-4b0d-9c2d-8c8e8a6b3c1d", "0F8FAD5B-CD9F-4B0D-9C2D-8C8E8A6B3C1D", "0f8fad5bcd9f4b0d9c2d8c8e8a6b3c1d",
        "{0f8fad5b-cd9f-4b0d-9c2d-8c8e8a6b3c1d}", "0f8fad5b-cd9f-4b0d-9c2d-8c8e8a6b3c1", "0f8fad5g-cd9f-4b0d-9c2d-8c8e8a6b3c1d",
        "0f8fad5bcd9f4b0d9c2d8c8e8a6b3c1", "00000000000000000000000000000000", "12345678901234567890123456789012",
        "Red", "red", "RED", "rEd", "Café", "café", "CAFé", "CAFÉ", "cafe", "Cafe\u0301", "Straße", "STRASSE", "strasse", "STRAßE",
        "Ωmega", "ωmega", "ΩMEGA", "İstanbul", "istanbul", "Istanbul", "K", "k", "\u212A" /* Kelvin sign */, "ǅ", "ǆ", "Ǆ",
    ];

    private static readonly GenValueType Word = new(ValueKind.Enum, "global::App.Word", "Word",
        new[] { "Red", "Café", "Straße", "Ωmega", "İstanbul", "K", "ǅ" }.ToEquatableArray());

    public static TheoryData<string> Kinds() =>
        [.. Enum.GetNames<ValueKind>().Where(k => k is not (nameof(ValueKind.String) or nameof(ValueKind.SpanParsable) or nameof(ValueKind.Enum)))];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Build_time_and_run_time_accept_the_same_texts(string kind)
    {
        var valueKind = Enum.Parse<ValueKind>(kind);
        var type = GenValueType.Of(valueKind, "T", kind);
        var disagreements = new List<string>();
        foreach (var input in Inputs)
        {
            bool buildTime = ValueOracle.Accepts(type, input) == Acceptance.Yes;
            bool runTime = RunTime(valueKind, Encoding.UTF8.GetBytes(input));
            if (buildTime != runTime) disagreements.Add($"\"{input}\": build time {buildTime}, run time {runTime}");
        }
        Assert.True(disagreements.Count == 0, kind + ":\n" + string.Join("\n", disagreements));
        // The table is not vacuous for this type: it has texts on both sides of the line.
        Assert.Contains(Inputs, i => ValueOracle.Accepts(type, i) == Acceptance.Yes);
        Assert.Contains(Inputs, i => ValueOracle.Accepts(type, i) == Acceptance.No);
    }

    private static bool RunTime(ValueKind kind, ReadOnlySpan<byte> text) => kind switch
    {
        ValueKind.SByte => ValueParser.TryParse(text, out sbyte _),
        ValueKind.Byte => ValueParser.TryParse(text, out byte _),
        ValueKind.Int16 => ValueParser.TryParse(text, out short _),
        ValueKind.UInt16 => ValueParser.TryParse(text, out ushort _),
        ValueKind.Int32 => ValueParser.TryParse(text, out int _),
        ValueKind.UInt32 => ValueParser.TryParse(text, out uint _),
        ValueKind.Int64 => ValueParser.TryParse(text, out long _),
        ValueKind.UInt64 => ValueParser.TryParse(text, out ulong _),
        ValueKind.Int128 => ValueParser.TryParse(text, out Int128 _),
        ValueKind.UInt128 => ValueParser.TryParse(text, out UInt128 _),
        ValueKind.Decimal => ValueParser.TryParse(text, out decimal _),
        ValueKind.Double => ValueParser.TryParse(text, out double _),
        ValueKind.Single => ValueParser.TryParse(text, out float _),
        ValueKind.Guid => ValueParser.TryParse(text, out Guid _),
        ValueKind.Bool => ValueParser.TryParse(text, out bool _),
        ValueKind.DateOnly => ValueParser.TryParse(text, out DateOnly _),
        ValueKind.DateTime => ValueParser.TryParse(text, out DateTime _),
        ValueKind.DateTimeOffset => ValueParser.TryParse(text, out DateTimeOffset _),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Fact]
    public void Parsed_values_are_the_values_written()
    {
        Assert.True(ValueParser.TryParse("-170141183460469231731687303715884105728"u8, out Int128 min));
        Assert.Equal(Int128.MinValue, min);
        Assert.True(ValueParser.TryParse("18446744073709551615"u8, out ulong max));
        Assert.Equal(ulong.MaxValue, max);
        Assert.True(ValueParser.TryParse("-128"u8, out sbyte small));
        Assert.Equal(sbyte.MinValue, small);
        Assert.True(ValueParser.TryParse("00000000002147483647"u8, out int padded));
        Assert.Equal(int.MaxValue, padded);
        Assert.True(ValueParser.TryParse("2024-02-29"u8, out DateOnly date));
        Assert.Equal(new DateOnly(2024, 2, 29), date);
        Assert.True(ValueParser.TryParse("0F8FAD5BCD9F4B0D9C2D8C8E8A6B3C1D"u8, out Guid guid));
        Assert.Equal(Guid.Parse("0f8fad5b-cd9f-4b0d-9c2d-8c8e8a6b3c1d"), guid);
        Assert.True(ValueParser.TryParse("TRUE"u8, out bool yes) && yes);
    }

    /// <summary>
    /// Enums end to end: a compiled router with an enum route and a string route at the same position. Whatever the
    /// generator decided at build time, each path lands where the grammar says: on the enum route (answering the
    /// member) exactly when the oracle accepts the text, otherwise on the string route — never a 400.
    /// </summary>
    [Fact]
    public async Task Enum_names_route_and_bind_as_the_build_decided()
    {
        var router = GeneratorHarness.CreateRouter($$"""
            namespace App;

            public enum Word { {{string.Join(", ", Word.EnumNames)}} }

            public static class Words
            {
                [Get("/words/<word>")] public static string ByWord(Word word) => "enum " + word;
                [Get("/words/<text>")] public static string ByText(string text) => "string " + text;
            }
            """);
        var failures = new List<string>();
        foreach (var input in Inputs.Where(i => i.Length > 0))
        {
            var response = await router.SendAsync("GET", "/words/" + Uri.EscapeDataString(input));
            string? member = Word.EnumNames.FirstOrDefault(n => ValueOracle.Accepts(Word with { EnumNames = new[] { n }.ToEquatableArray() }, input) == Acceptance.Yes);
            string expected = member is not null ? "enum " + member : "string " + input;
            if (response.Status != 200 || response.Body != expected)
                failures.Add($"\"{input}\": {response.Status} {response.Body}, expected {expected}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// The drift this grammar closed: the build once folded case beyond ASCII ("CAFÉ" named Café) while the runtime did
    /// not, so the matcher sent <c>/drinks/CAFÉ</c> to the enum route without a run-time test and the adapter answered
    /// 400. Now both sides say "CAFÉ" is no member: the catch-all gets it; "CAFé" is Café.
    /// </summary>
    [Theory]
    [InlineData("/drinks/CAF%C3%89", "rest ")]
    [InlineData("/drinks/CAF%C3%A9", "drink Café")]
    [InlineData("/drinks/caf%C3%A9", "drink Café")]
    public async Task A_literal_the_enum_does_not_name_is_not_sent_to_the_enum_route(string target, string body)
    {
        var router = GeneratorHarness.CreateRouter("""
            namespace App;

            public enum Drink { Café, Tea }

            public static class Drinks
            {
                [Get("/drinks/<drink>")] public static string ByName(Drink drink) => "drink " + drink;
                [Get("/drinks/CAFÉ/<*rest>")] public static string Special(string rest) => "rest " + rest;
            }
            """);

        var response = await router.SendAsync("GET", target);

        Assert.Equal(200, response.Status);
        Assert.Equal(body, response.Body);
    }
}
