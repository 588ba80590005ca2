using System.Buffers;
using System.Text;
using Kiln.Http;

namespace Kiln.RuntimeTests.Http;

/// <summary>The chunked decoder, fed whole and one byte at a time (control lines may split anywhere).</summary>
public class ChunkedDecoderTests
{
    private static (OperationStatus Status, string Data, ParseError Error, int Consumed) Decode(string input, int step, long max = 1 << 20, int maxTrailer = 16384)
    {
        var decoder = new ChunkedDecoder();
        decoder.Reset(max, maxTrailer);
        var bytes = Encoding.Latin1.GetBytes(input);
        var output = new byte[4096];
        int consumed = 0, written = 0;
        var status = OperationStatus.NeedMoreData;
        ParseError error = ParseError.None;
        while (consumed < bytes.Length)
        {
            int n = Math.Min(step, bytes.Length - consumed);
            status = decoder.Decode(bytes.AsSpan(consumed, n), output.AsSpan(written), out int used, out int wrote, out error);
            consumed += used;
            written += wrote;
            if (status is OperationStatus.Done or OperationStatus.InvalidData) break;
        }
        return (status, Encoding.Latin1.GetString(output, 0, written), error, consumed);
    }

    public static TheoryData<string, string> Valid => new()
    {
        { "5\r\nhello\r\n0\r\n\r\n", "hello" },
        { "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world" },
        { "A;name=value;flag\r\n0123456789\r\n0\r\n\r\n", "0123456789" },
        { "3 ; q=\"a \\\"b\\\"\"\r\nabc\r\n0\r\n\r\n", "abc" },
        { "1\r\nx\r\n0\r\nTrailer-A: 1\r\nB: two words\r\n\r\n", "x" },
        { "000000000000000f\r\n0123456789abcde\r\n0\r\n\r\n", "0123456789abcde" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_bodies_decode_whole_and_byte_by_byte(string input, string expected)
    {
        foreach (int step in new[] { input.Length, 1, 3 })
        {
            var (status, data, error, consumed) = Decode(input, step);
            Assert.Equal((OperationStatus.Done, expected, ParseError.None, input.Length), (status, data, error, consumed));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("5\r\nhel")]
    [InlineData("5\r\nhello\r\n0\r\n")]
    [InlineData("5\r\nhello\r\n0\r\nX: 1\r\n")]
    public void Incomplete_bodies_need_more(string input)
        => Assert.Equal(OperationStatus.NeedMoreData, Decode(input + "", Math.Max(1, input.Length)).Status);

    [Theory]
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("+5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5_0\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5 \r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\nhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhelloX\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    [InlineData("\r\n")]
    [InlineData("5;\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\"unterminated\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a b\r\nhello\r\n0\r\n\r\n")]
    [InlineData("1\r\nx\r\n0\r\nNo colon\r\n\r\n")]
    [InlineData("1\r\nx\r\n0\r\nBad Name: 1\r\n\r\n")]
    [InlineData("1\r\nx\r\n0\r\nX: \x01\r\n\r\n")]
    [InlineData("1\r\nx\r\n0\r\n\n")]
    [InlineData("10000000000000000\r\n")]   // 17 hex digits: overflow guard
    public void Malformed_bodies_are_rejected(string input)
    {
        foreach (int step in new[] { input.Length, 1 })
        {
            var (status, _, error, _) = Decode(input, step);
            Assert.Equal(OperationStatus.InvalidData, status);
            Assert.Equal(ParseError.InvalidChunkedBody, error);
        }
    }

    [Fact]
    public void Sizes_count_against_the_limit_before_the_data_arrives()
    {
        var (status, data, error, _) = Decode("5\r\nhello\r\n6\r\n", 100, max: 10);
        Assert.Equal((OperationStatus.InvalidData, "hello", ParseError.BodyTooLarge), (status, data, error));
        Assert.Equal(OperationStatus.Done, Decode("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", 100, max: 10).Status);
    }

    [Fact]
    public void Trailer_section_over_its_limit_is_rejected_as_too_large()
    {
        string body = "1\r\nx\r\n0\r\nX-Trailer: " + new string('t', 60) + "\r\n\r\n";
        Assert.Equal(OperationStatus.Done, Decode(body, 7, maxTrailer: 80).Status);
        var (status, _, error, _) = Decode(body, 7, maxTrailer: 40);
        Assert.Equal((OperationStatus.InvalidData, ParseError.TrailersTooLarge, 431), (status, error, error.StatusCode()));
    }
}
