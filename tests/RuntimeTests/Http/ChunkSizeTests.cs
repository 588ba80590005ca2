using System.Text;
using Kiln.Http;

namespace Kiln.RuntimeTests.Http;

/// <summary>The chunk-size line of a streamed response: lowercase hex without leading zeros, as uint.ToString("x").</summary>
public class ChunkSizeTests
{
    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(15u)]
    [InlineData(16u)]
    [InlineData(255u)]
    [InlineData(4096u)]
    [InlineData(0xABCDEFu)]
    [InlineData(uint.MaxValue)]
    public void Writes_lowercase_hex(uint value)
    {
        var buffer = new byte[8];
        int n = ChunkedResponseStream.WriteHex(buffer, value);
        Assert.Equal(value.ToString("x"), Encoding.ASCII.GetString(buffer, 0, n));
    }
}
