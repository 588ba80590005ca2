using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Kiln.Server;

namespace Kiln.Http;

/// <summary>
/// One HTTP/1.1 connection: reads request heads from the transport's input pipe with
/// <see cref="RequestParser{THandler}"/>, runs the server's handler with the connection's reused
/// <see cref="Request"/>, and writes answers to the output pipe — in order, flushing once per batch of pipelined
/// requests already received. Timeouts are enforced by the server's heartbeat through
/// <see cref="OnHeartbeat"/>, which cancels the pending read; cleanup is in <see cref="RunAsync"/>'s finally.
/// </summary>
internal sealed partial class HttpConnection
{
    private enum Phase : byte { None, Idle, Head, Body }
    private enum HeadOutcome : byte { Complete, NeedMore, Closed, Error }
    private enum HeadState : byte { RequestLine, Headers }

    private const int FlushThreshold = 64 * 1024;

    private readonly ServerContext _server;
    private readonly ServerOptions _options;
    private readonly IConnectionTransport _transport;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Request _request = new();
    private readonly RequestHead _head = new();
    private readonly RequestBodyStream _body;

    private HeadState _headState;
    private int _headerBytes;
    private bool _bytesSeen;
    private ParseError _error;
    private bool _flushPending;
    private bool _continueSent;
    private bool _closeAfterResponse;
    private byte[]? _scratch;

    // Read by the heartbeat thread.
    private volatile Phase _phase;
    private long _deadline = long.MaxValue;
    private volatile Phase _expired;
    private volatile bool _readingBody;
    private long _bodyStart;
    private long _bodyBytes;
    private long _flushDeadline;   // 0: no flush waiting

    public HttpConnection(ServerContext server, IConnectionTransport transport, bool isHttps)
    {
        _server = server;
        _options = server.Options;
        _transport = transport;
        _input = transport.Input;
        _output = transport.Output;
        _body = new RequestBodyStream(this, _input);
        _request.RemoteEndPoint = transport.RemoteEndPoint;
        _request.LocalEndPoint = transport.LocalEndPoint;
        _request.IsHttps = isHttps;
        _request.Aborted = transport.Aborted;
        _head.MaxHeaderCount = _options.MaxRequestHeaderCount;
        _head.RequireHost = _options.RequireHost;
    }

    /// <summary>Serves requests until the connection closes; never throws.</summary>
    public async Task RunAsync()
    {
        bool linger = true;
        try
        {
            await ProcessRequestsAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException
            or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            linger = false;   // the transport failed; nothing more to say
        }
        catch (Exception e)
        {
            linger = false;
            _server.Log($"connection from {_transport.RemoteEndPoint} failed: {e}");
        }
        finally
        {
            _phase = Phase.None;
            try
            {
                await _input.CompleteAsync().ConfigureAwait(false);
                await _output.CompleteAsync().ConfigureAwait(false);
                await _transport.CloseAsync(linger).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException) { }
            if (_scratch is not null) ArrayPool<byte>.Shared.Return(_scratch);
        }
    }

    /// <summary>Forced shutdown: tears the transport down, cancelling <see cref="Request.Aborted"/>.</summary>
    public void Abort() => _transport.Abort();

    private async Task ProcessRequestsAsync()
    {
        bool first = true;
        while (true)
        {
            if (_server.IsStopping)
            {
                await FlushAsync().ConfigureAwait(false);
                return;
            }
            _head.Reset();
            _headState = HeadState.RequestLine;
            _headerBytes = 0;
            _bytesSeen = false;
            _continueSent = false;
            _closeAfterResponse = false;
            SetPhase(first ? Phase.Head : Phase.Idle, first ? _options.RequestHeadersTimeout : _options.KeepAliveTimeout);
            first = false;

            var outcome = await ReadHeadAsync().ConfigureAwait(false);
            if (outcome == HeadOutcome.Closed)
            {
                await FlushAsync().ConfigureAwait(false);
                return;
            }
            if (outcome == HeadOutcome.Error || (_error = _head.Complete()) != ParseError.None)
            {
                await WriteErrorAsync(_error).ConfigureAwait(false);
                return;
            }
            if (!await ServeRequestAsync().ConfigureAwait(false)) return;
        }
    }

    /// <summary>Serves one request whose head has been read; returns whether the connection stays open.</summary>
    private async ValueTask<bool> ServeRequestAsync()
    {
        if (_head.IsConnect)
        {
            // Kiln is an origin server, not a proxy: CONNECT is well-formed but not implemented.
            await WriteSimpleAsync(501, "Not Implemented: CONNECT is not supported.", null).ConfigureAwait(false);
            return false;
        }
        bool keepAlive = _head.KeepAlive;

        if (_head.Chunked)
        {
            _body.StartChunked(_options.MaxRequestBodySize);
            _request.HasBody = true;
            _request.Body = _body;
        }
        else if (_head.ContentLength > 0)
        {
            if (_head.ContentLength > _options.MaxRequestBodySize)
            {
                await WriteErrorAsync(ParseError.BodyTooLarge).ConfigureAwait(false);
                return false;
            }
            _body.StartContentLength(_head.ContentLength);
            _request.ContentLength = _head.ContentLength;
            _request.HasBody = true;
            _request.Body = _body;
        }
        else
        {
            _body.StartEmpty();
            if (_head.ContentLength == 0) _request.ContentLength = 0;
        }
        _bodyBytes = 0;
        _bodyStart = 0;

        HttpResponse response = _head.Form == TargetForm.Asterisk
            ? HttpResponse.Status(200)     // OPTIONS *: the server itself answers (see docs/server.md)
            : await InvokeHandlerAsync().ConfigureAwait(false);

        if (response.IsDrop)
        {
            await FlushAsync().ConfigureAwait(false);
            return false;
        }
        if (_body.Failed || _closeAfterResponse || _server.IsStopping) keepAlive = false;
        // A client that asked for 100-continue and never got it may not send the body: do not wait for it.
        if (!_body.IsComplete && _head.ExpectContinue && !_continueSent) keepAlive = false;
        if (keepAlive && WantsClose(response.Headers)) keepAlive = false;

        await WriteResponseAsync(response, keepAlive).ConfigureAwait(false);
        if (!keepAlive || _closeAfterResponse)
        {
            await FlushAsync().ConfigureAwait(false);
            return false;
        }
        if (!_body.IsComplete)
        {
            await FlushAsync().ConfigureAwait(false);
            if (!await _body.DrainAsync().ConfigureAwait(false)) return false;
        }
        if (_output.UnflushedBytes >= FlushThreshold) await FlushAsync().ConfigureAwait(false);
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<HttpResponse> InvokeHandlerAsync()
    {
        try
        {
            var pending = _server.Handler(_request);
            return pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            if (e.CloseConnection) _closeAfterResponse = true;
            if (e.StatusCode is 408 or 413 || _body.Failed)
                _server.Log($"{e.StatusCode} for {_request.Method} {_request.Target} from {_transport.RemoteEndPoint}: {e.Message}");
            return HttpResponse.Text(e.Message, e.StatusCode);
        }
        catch (OperationCanceledException) when (_transport.Aborted.IsCancellationRequested)
        {
            return HttpResponse.Drop;
        }
        catch (Exception e)
        {
            _server.Log($"500 for {_request.Method} {_request.Target}: unhandled exception in the handler: {e}");
            return HttpResponse.Status(500);
        }
    }

    private static bool WantsClose(ResponseHeader? headers)
    {
        for (var h = headers; h is not null; h = h.Next)
            if (h.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("close", StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    private void SetPhase(Phase phase, TimeSpan timeout)
    {
        Volatile.Write(ref _deadline, timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds);
        _expired = Phase.None;
        _phase = phase;
    }
}
