using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Kiln.Http;

// Reading request heads, the timeouts the heartbeat enforces, and the hooks the body stream calls.
internal sealed partial class HttpConnection
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<HeadOutcome> ReadHeadAsync()
    {
        while (true)
        {
            if (!_input.TryRead(out var result))
            {
                // Nothing more buffered: this is the end of a pipelined batch, so send what has been answered.
                if (_flushPending) await FlushAsync().ConfigureAwait(false);
                result = await _input.ReadAsync().ConfigureAwait(false);
            }
            var buffer = result.Buffer;
            if (result.IsCanceled)
            {
                var expired = _expired;
                _expired = Phase.None;
                if (buffer.IsEmpty && (_phase == Phase.Idle || _server.IsStopping || !_bytesSeen && expired == Phase.Head))
                {
                    _input.AdvanceTo(buffer.Start);
                    return HeadOutcome.Closed;   // idle timeout, shutdown, or a connection that never sent a byte
                }
                if (expired == Phase.Head)
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                    _error = ParseError.RequestHeadersTimeout;
                    return HeadOutcome.Error;
                }
            }
            if (!buffer.IsEmpty)
            {
                _bytesSeen = true;
                if (_phase == Phase.Idle) SetPhase(Phase.Head, _options.RequestHeadersTimeout);
            }

            var status = ParseHead(buffer, out var consumed);
            if (status == HeadOutcome.Complete)
            {
                _input.AdvanceTo(consumed);
                _phase = Phase.None;
                return HeadOutcome.Complete;
            }
            if (status == HeadOutcome.Error)
            {
                _input.AdvanceTo(buffer.End);
                return HeadOutcome.Error;
            }
            _input.AdvanceTo(consumed, buffer.End);
            if (result.IsCompleted) return HeadOutcome.Closed;   // the peer ended its side mid-head (or between requests)
        }
    }

    /// <summary>Runs the parser over what has arrived; the limits are applied here by slicing its input.</summary>
    private HeadOutcome ParseHead(in ReadOnlySequence<byte> buffer, out SequencePosition consumed)
    {
        consumed = buffer.Start;
        if (buffer.IsEmpty) return HeadOutcome.NeedMore;
        ReadOnlySpan<byte> span;
        if (buffer.IsSingleSegment)
        {
            span = buffer.FirstSpan;
        }
        else
        {
            int max = _options.MaxRequestLineSize + _options.MaxRequestHeadersSize;
            int length = (int)Math.Min(buffer.Length, max);
            if (_scratch is null || _scratch.Length < length)
            {
                if (_scratch is not null) ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = ArrayPool<byte>.Shared.Rent(max);
            }
            buffer.Slice(0, length).CopyTo(_scratch);
            span = _scratch.AsSpan(0, length);
        }

        var handler = new RequestHeadHandler(_request, _head);
        int offset = 0;
        if (_headState == HeadState.RequestLine)
        {
            var line = span.Length > _options.MaxRequestLineSize ? span[.._options.MaxRequestLineSize] : span;
            if (!RequestParser<RequestHeadHandler>.TryParseRequestLine(line, ref handler, out int used, out _error))
            {
                if (_error == ParseError.None && line.Length >= _options.MaxRequestLineSize) _error = ParseError.RequestLineTooLong;
                return _error == ParseError.None ? HeadOutcome.NeedMore : HeadOutcome.Error;
            }
            offset = used;
            _headState = HeadState.Headers;
        }

        var fields = span[offset..];
        int room = _options.MaxRequestHeadersSize - _headerBytes;
        if (fields.Length > room) fields = fields[..room];
        bool done = RequestParser<RequestHeadHandler>.TryParseHeaders(fields, ref handler, out int fieldBytes, out _error);
        _headerBytes += fieldBytes;
        offset += fieldBytes;
        consumed = buffer.GetPosition(offset);
        if (done) return HeadOutcome.Complete;
        if (_error == ParseError.None && fields.Length >= room) _error = ParseError.HeadersTooLarge;
        return _error == ParseError.None ? HeadOutcome.NeedMore : HeadOutcome.Error;
    }

    /// <summary>Called by the server's heartbeat (another thread): expires timeouts by cancelling the pending read.</summary>
    public void OnHeartbeat(long now)
    {
        long flushDeadline = Volatile.Read(ref _flushDeadline);
        if (flushDeadline != 0 && now >= flushDeadline) _output.CancelPendingFlush();
        var phase = _phase;
        if (phase is Phase.Idle or Phase.Head)
        {
            if (now >= Volatile.Read(ref _deadline))
            {
                _expired = phase;
                _input.CancelPendingRead();
            }
        }
        else if (_readingBody && _options.MinRequestBodyDataRate > 0)
        {
            long start = Volatile.Read(ref _bodyStart);
            long elapsed = now - start;
            if (start != 0 && elapsed > _options.MinRequestBodyDataRateGracePeriod.TotalMilliseconds
                && Volatile.Read(ref _bodyBytes) * 1000.0 / elapsed < _options.MinRequestBodyDataRate)
            {
                _expired = Phase.Body;
                _input.CancelPendingRead();
            }
        }
    }

    /// <summary>Called when a graceful shutdown begins: a connection waiting for a request that has not started is closed at once.</summary>
    public void OnStopping()
    {
        var phase = _phase;
        if (phase == Phase.Idle || (phase == Phase.Head && !Volatile.Read(ref _bytesSeen))) _input.CancelPendingRead();
    }

    /// <summary>Before the first body read: answer <c>100 Continue</c> if asked, and send answers still buffered.</summary>
    internal ValueTask BeforeBodyReadAsync()
    {
        if (_head.ExpectContinue && !_continueSent && _head.Version == HttpProtocolVersion.Http11)
        {
            _continueSent = true;
            _output.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
            _flushPending = true;
        }
        if (_bodyStart == 0) Volatile.Write(ref _bodyStart, Environment.TickCount64);
        return _flushPending ? FlushAsync() : default;
    }

    internal void BodyReadStarting() => _readingBody = true;

    internal void BodyReadEnded() => _readingBody = false;

    internal void BodyBytesRead(int count) => Volatile.Write(ref _bodyBytes, _bodyBytes + count);

    /// <summary>Whether a cancelled body read was the data-rate timeout (and clears it).</summary>
    internal bool TakeBodyTimeout()
    {
        if (_expired != Phase.Body) return false;
        _expired = Phase.None;
        _server.Log($"408 for {_request.Method} {_request.Target} from {_transport.RemoteEndPoint}: the body arrived slower than {_options.MinRequestBodyDataRate} bytes/s");
        return true;
    }
}
