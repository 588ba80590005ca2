using System.Buffers;

namespace Kiln.Http;

/// <summary>
/// Decodes the chunked transfer coding (RFC 9112 §7.1) incrementally: control bytes (sizes, extensions, CRLFs,
/// trailers) go through a byte-level state machine, so they may be split anywhere across reads; data is copied in
/// bulk. Strict: hex sizes of at most 16 digits, CRLF only, extensions must be <c>;token[=token|quoted-string]</c>,
/// trailer fields must be well-formed and are discarded (their total is limited like a header block); sizes count
/// against the body limit before data arrives.
/// </summary>
internal struct ChunkedDecoder
{
    private enum State : byte { Size, SizeWs, Extension, SizeLf, Data, DataCr, DataLf, TrailerStart, TrailerLine, TrailerLf, FinalLf, Done }

    private const int MaxControlLine = 4096;    // bytes of one size line or trailer line

    private State _state;
    private long _chunkRemaining;
    private int _sizeDigits;
    private int _lineBytes;
    private int _trailerBytes;
    private bool _trailerLineHasColon;
    private bool _trailerLineBadName;
    private ExtensionState _ext;
    private long _total;
    private long _max;
    private int _maxTrailerBytes;

    private enum ExtensionState : byte { BeforeSemicolon, Name, AfterName, AfterNameWs, AfterEquals, Value, Quoted, QuotedEscape, AfterQuoted }

    /// <summary>Starts a new body limited to <paramref name="maxBodySize"/> decoded bytes and <paramref name="maxTrailerBytes"/> of trailer fields.</summary>
    public void Reset(long maxBodySize, int maxTrailerBytes)
    {
        this = default;
        _max = maxBodySize;
        _maxTrailerBytes = maxTrailerBytes;
    }

    /// <summary>Whether the last chunk and the trailer section have been read.</summary>
    public readonly bool IsDone => _state == State.Done;

    /// <summary>Decoded data bytes so far.</summary>
    public readonly long Total => _total;

    /// <summary>
    /// Decodes from <paramref name="input"/> into <paramref name="output"/>. Returns <see cref="OperationStatus.Done"/>
    /// at the end of the body, <see cref="OperationStatus.DestinationTooSmall"/> when the output is full,
    /// <see cref="OperationStatus.NeedMoreData"/> when the input is used up, <see cref="OperationStatus.InvalidData"/>
    /// with <paramref name="error"/> for a malformed or oversized body.
    /// </summary>
    public OperationStatus Decode(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written, out ParseError error)
    {
        consumed = 0;
        written = 0;
        error = ParseError.None;
        while (true)
        {
            if (_state == State.Done) return OperationStatus.Done;
            if (_state == State.Data)
            {
                if (written == output.Length) return OperationStatus.DestinationTooSmall;
                if (consumed == input.Length) return OperationStatus.NeedMoreData;
                int n = (int)Math.Min(_chunkRemaining, Math.Min(input.Length - consumed, output.Length - written));
                input.Slice(consumed, n).CopyTo(output[written..]);
                consumed += n;
                written += n;
                _chunkRemaining -= n;
                if (_chunkRemaining == 0) _state = State.DataCr;
                continue;
            }
            if (consumed == input.Length) return OperationStatus.NeedMoreData;
            error = Step(input[consumed++]);
            if (error != ParseError.None) return OperationStatus.InvalidData;
        }
    }

    private ParseError Step(byte b)
    {
        switch (_state)
        {
            case State.Size:
                if (HexValue(b) is int digit and >= 0)
                {
                    if (++_sizeDigits > 16) return ParseError.InvalidChunkedBody;
                    _chunkRemaining = (_chunkRemaining << 4) | (uint)digit;
                    if (_chunkRemaining < 0) return ParseError.InvalidChunkedBody;
                    return ParseError.None;
                }
                if (_sizeDigits == 0) return ParseError.InvalidChunkedBody;
                return AfterSize(b);
            case State.SizeWs:
                if (b is (byte)' ' or (byte)'\t') return Count();
                if (b != (byte)';') return ParseError.InvalidChunkedBody;   // BWS only before an extension
                _state = State.Extension; _ext = ExtensionState.Name;
                return Count();
            case State.Extension:
                if (b == (byte)'\r') { _state = State.SizeLf; return ExtensionEnd(); }
                return Count() != ParseError.None ? ParseError.InvalidChunkedBody : ExtensionByte(b);
            case State.SizeLf:
                if (b != (byte)'\n') return ParseError.InvalidChunkedBody;
                return SizeComplete();
            case State.DataCr:
                _state = State.DataLf;
                return b == (byte)'\r' ? ParseError.None : ParseError.InvalidChunkedBody;
            case State.DataLf:
                if (b != (byte)'\n') return ParseError.InvalidChunkedBody;
                StartLine(State.Size);
                return ParseError.None;
            case State.TrailerStart:
                if (b == (byte)'\r') { _state = State.FinalLf; return ParseError.None; }
                _trailerLineHasColon = false;
                _trailerLineBadName = !HttpChars.Token.Contains(b);
                _state = State.TrailerLine;
                return _trailerLineBadName ? ParseError.InvalidChunkedBody : Trailer();
            case State.TrailerLine:
                if (b == (byte)'\r')
                {
                    if (!_trailerLineHasColon) return ParseError.InvalidChunkedBody;
                    _state = State.TrailerLf;
                    return ParseError.None;
                }
                if (!_trailerLineHasColon)
                {
                    if (b == (byte)':') _trailerLineHasColon = true;
                    else if (!HttpChars.Token.Contains(b)) return ParseError.InvalidChunkedBody;
                }
                else if (!HttpChars.FieldValue.Contains(b)) return ParseError.InvalidChunkedBody;
                return Trailer();
            case State.TrailerLf:
                if (b != (byte)'\n') return ParseError.InvalidChunkedBody;
                _state = State.TrailerStart;
                return ParseError.None;
            case State.FinalLf:
                if (b != (byte)'\n') return ParseError.InvalidChunkedBody;
                _state = State.Done;
                return ParseError.None;
            default:
                return ParseError.InvalidChunkedBody;
        }
    }

    private ParseError AfterSize(byte b)
    {
        switch (b)
        {
            case (byte)'\r': _state = State.SizeLf; return ParseError.None;
            case (byte)' ' or (byte)'\t': _state = State.SizeWs; return Count();   // BWS before ';' (RFC 9112 §7.1.1)
            case (byte)';': _state = State.Extension; _ext = ExtensionState.Name; return Count();
            default: return ParseError.InvalidChunkedBody;
        }
    }

    private ParseError SizeComplete()
    {
        if (_chunkRemaining > _max - _total) return ParseError.BodyTooLarge;
        _total += _chunkRemaining;
        if (_chunkRemaining == 0) { _state = State.TrailerStart; return ParseError.None; }
        _state = State.Data;
        return ParseError.None;
    }

    // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string
    private ParseError ExtensionByte(byte b)
    {
        bool ws = b is (byte)' ' or (byte)'\t';
        switch (_ext)
        {
            case ExtensionState.BeforeSemicolon:
                if (ws) return ParseError.None;
                if (b == (byte)';') { _ext = ExtensionState.Name; return ParseError.None; }
                return ParseError.InvalidChunkedBody;
            case ExtensionState.Name:
                if (HttpChars.Token.Contains(b)) { _ext = ExtensionState.AfterName; return ParseError.None; }
                return ws ? ParseError.None : ParseError.InvalidChunkedBody;
            case ExtensionState.AfterName:
                if (HttpChars.Token.Contains(b)) return ParseError.None;
                if (b == (byte)'=') { _ext = ExtensionState.AfterEquals; return ParseError.None; }
                if (b == (byte)';') { _ext = ExtensionState.Name; return ParseError.None; }
                if (ws) { _ext = ExtensionState.AfterNameWs; return ParseError.None; }
                return ParseError.InvalidChunkedBody;
            case ExtensionState.AfterNameWs:
                if (ws) return ParseError.None;
                if (b == (byte)'=') { _ext = ExtensionState.AfterEquals; return ParseError.None; }
                if (b == (byte)';') { _ext = ExtensionState.Name; return ParseError.None; }
                return ParseError.InvalidChunkedBody;
            case ExtensionState.AfterEquals:
                if (ws) return ParseError.None;
                if (b == (byte)'"') { _ext = ExtensionState.Quoted; return ParseError.None; }
                if (HttpChars.Token.Contains(b)) { _ext = ExtensionState.Value; return ParseError.None; }
                return ParseError.InvalidChunkedBody;
            case ExtensionState.Value:
                if (HttpChars.Token.Contains(b)) return ParseError.None;
                if (b == (byte)';') { _ext = ExtensionState.Name; return ParseError.None; }
                if (ws) { _ext = ExtensionState.BeforeSemicolon; return ParseError.None; }
                return ParseError.InvalidChunkedBody;
            case ExtensionState.Quoted:
                if (b == (byte)'"') { _ext = ExtensionState.AfterQuoted; return ParseError.None; }
                if (b == (byte)'\\') { _ext = ExtensionState.QuotedEscape; return ParseError.None; }
                return b == (byte)'\t' || b >= 0x20 && b != 0x7F ? ParseError.None : ParseError.InvalidChunkedBody;
            case ExtensionState.QuotedEscape:
                _ext = ExtensionState.Quoted;
                return b == (byte)'\t' || b >= 0x20 && b != 0x7F ? ParseError.None : ParseError.InvalidChunkedBody;
            case ExtensionState.AfterQuoted:
                if (ws) { _ext = ExtensionState.BeforeSemicolon; return ParseError.None; }
                if (b == (byte)';') { _ext = ExtensionState.Name; return ParseError.None; }
                return ParseError.InvalidChunkedBody;
            default:
                return ParseError.InvalidChunkedBody;
        }
    }

    private readonly ParseError ExtensionEnd()
        => _ext is ExtensionState.AfterName or ExtensionState.AfterNameWs or ExtensionState.Value or ExtensionState.AfterQuoted or ExtensionState.BeforeSemicolon
            ? ParseError.None : ParseError.InvalidChunkedBody;

    private void StartLine(State state)
    {
        _state = state;
        _sizeDigits = 0;
        _chunkRemaining = 0;
        _lineBytes = 0;
    }

    private ParseError Count() => ++_lineBytes > MaxControlLine ? ParseError.InvalidChunkedBody : ParseError.None;

    private ParseError Trailer() => ++_trailerBytes > _maxTrailerBytes ? ParseError.TrailersTooLarge : ParseError.None;

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}

