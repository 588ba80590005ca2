using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Kiln.Server;

namespace Kiln.Http;

/// <summary>
/// One HTTP/1.1 connection over a transport's pipe pair: the request loop. It reads a head
/// (<see cref="RequestHeadReader"/>), runs the server's handler with the connection's reused <see cref="Request"/>
/// (whose body is the <see cref="RequestBodyStream"/>), and has the <see cref="ResponseWriter"/> answer — in order,
/// flushing once per batch of pipelined requests already received. Each part has one owner: this loop owns the head
/// reader and the writer, the handler reads the body within the loop's flow, and the only state other threads touch
/// (the heartbeat's timeouts, the shutdown signal) is the <see cref="TimeoutControl"/>. Cleanup is in
/// <see cref="RunAsync"/>'s finally.
/// </summary>
/// <remarks>
/// The connection knows its transport only as <see cref="IConnectionTransport"/>: it reads requests from
/// <see cref="IDuplexPipe.Input"/>, writes answers to <see cref="IDuplexPipe.Output"/>, and ends with
/// <see cref="IConnectionTransport.CloseAsync"/> or <see cref="IConnectionTransport.Abort"/>.
/// </remarks>
internal sealed class HttpConnection
{
    private readonly ServerContext _server;
    private readonly ServerOptions _options;
    private readonly IConnectionTransport _transport;
    private readonly PipeReader _input;
    private readonly Request _request = new();
    private readonly RequestHead _head = new();
    private readonly TimeoutControl _timeouts;
    private readonly RequestHeadReader _headReader;
    private readonly ResponseWriter _writer;
    private readonly RequestBodyStream _body;
    private bool _closeAfterResponse;   // set while handling a request whose body could not be read
    private readonly Action<Exception> _logDisposeError;
    private RequestTelemetry _telemetry;

    public HttpConnection(ServerContext server, IConnectionTransport transport, bool isHttps)
    {
        _server = server;
        _options = server.Options;
        _transport = transport;
        _input = transport.Input;
        _timeouts = new TimeoutControl(_options, transport.Input, transport.Output);
        _headReader = new RequestHeadReader(_options, _request, _head);
        _writer = new ResponseWriter(server, transport, _request, _timeouts);
        _body = new RequestBodyStream(server, transport, _request, _timeouts, _writer);
        _request.RemoteEndPoint = transport.RemoteEndPoint;
        _request.LocalEndPoint = transport.LocalEndPoint;
        _request.IsHttps = isHttps;
        _request.Aborted = transport.Aborted;
        _request.BodyBudget = server.BodyBudget;
        _head.MaxHeaderCount = _options.MaxRequestHeaderCount;
        _head.RequireHost = _options.RequireHost;
        _logDisposeError = LogDisposeError;
    }

    /// <summary>Called by the server's heartbeat (another thread): see <see cref="TimeoutControl.Tick"/>.</summary>
    public void OnHeartbeat(long now) => _timeouts.Tick(now);

    /// <summary>Called when a graceful shutdown begins (another thread): see <see cref="TimeoutControl.OnStopping"/>.</summary>
    public void OnStopping() => _timeouts.OnStopping();

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
            _timeouts.Stop();
            try
            {
                await _input.CompleteAsync().ConfigureAwait(false);
                await _transport.Output.CompleteAsync().ConfigureAwait(false);
                await _transport.CloseAsync(linger).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException) { }
            _headReader.Dispose();
        }
    }

    /// <summary>Forced shutdown: tears the transport down, cancelling <see cref="Request.Aborted"/>.</summary>
    public void Abort() => _transport.Abort();

    private async Task ProcessRequestsAsync()
    {
        bool first = true;
        while (true)
        {
            _headReader.Reset();
            _closeAfterResponse = false;
            if (!_timeouts.WaitForRequest(first))
            {
                await _writer.FlushIfPendingAsync().ConfigureAwait(false);   // shutting down: read no more requests
                return;
            }
            first = false;

            var outcome = await ReadHeadAsync().ConfigureAwait(false);
            if (outcome == HeadOutcome.Closed)
            {
                await _writer.FlushIfPendingAsync().ConfigureAwait(false);
                return;
            }
            if (outcome == HeadOutcome.Error)
            {
                CountRejected(_headReader.Error);
                await _writer.WriteErrorAsync(_headReader.Error, _head).ConfigureAwait(false);
                return;
            }
            bool keepAlive;
            try
            {
                keepAlive = await ServeRequestAsync().ConfigureAwait(false);
            }
            finally
            {
                _request.EndServices();   // first: a late read of Services makes no scope that nobody would dispose
                if (_request.HasDisposables) await _request.DisposeRegisteredAsync(_logDisposeError).ConfigureAwait(false);
            }
            if (!keepAlive) return;
        }
    }

    private void LogDisposeError(Exception e)
        => _server.Log($"disposing what {_request.Method} {_request.Target} registered for disposal failed: {e}");

    private enum HeadOutcome : byte { Complete, Closed, Error }

    /// <summary>Reads until a whole head has been parsed, the peer leaves, or a limit or timeout rejects it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<HeadOutcome> ReadHeadAsync()
    {
        while (true)
        {
            if (!_input.TryRead(out var result))
            {
                // Nothing more buffered: this is the end of a pipelined batch, so send what has been answered.
                await _writer.FlushIfPendingAsync().ConfigureAwait(false);
                result = await _input.ReadAsync().ConfigureAwait(false);
            }
            var buffer = result.Buffer;
            bool stopping = false;
            if (result.IsCanceled)
            {
                var expired = _timeouts.TakeExpired();
                stopping = _timeouts.IsStopping;   // the drain (answers say close from the shutdown's start)
                if (buffer.IsEmpty && (expired is TimeoutControl.Wait.FirstRequest or TimeoutControl.Wait.NextRequest || stopping))
                {
                    _input.AdvanceTo(buffer.Start);
                    return HeadOutcome.Closed;   // idle timeout, shutdown, or a connection that never sent a byte
                }
                if (expired == TimeoutControl.Wait.Head && !stopping)
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                    _headReader.Fail(ParseError.RequestHeadersTimeout);
                    return HeadOutcome.Error;
                }
            }
            if (!buffer.IsEmpty && !_headReader.BytesSeen)
            {
                _headReader.SawBytes();
                _timeouts.HeadStarted();
            }

            var status = _headReader.Parse(buffer, out var consumed);
            if (status == RequestHeadReader.Status.Complete)
            {
                _input.AdvanceTo(consumed);
                _timeouts.HeadComplete();
                var error = _head.Complete();
                if (error == ParseError.None) return HeadOutcome.Complete;
                _headReader.Fail(error);
                return HeadOutcome.Error;
            }
            if (status == RequestHeadReader.Status.Error)
            {
                _input.AdvanceTo(buffer.End);
                return HeadOutcome.Error;
            }
            _input.AdvanceTo(consumed, buffer.End);
            // The peer ended its side mid-head (or between requests); or the server is stopping and this head, only
            // partly here, is not a request in flight: close at once rather than hold the shutdown for it.
            if (result.IsCompleted || stopping) return HeadOutcome.Closed;
        }
    }

    /// <summary>Counts a request the server refused on a limit, a timeout or the grammar (<c>kiln.rejected_requests</c>).</summary>
    private static void CountRejected(ParseError error) => Instruments.Rejected(error.ErrorType(), error.StatusCode());

    /// <summary>Serves one request whose head has been read; returns whether the connection stays open.</summary>
    private async ValueTask<bool> ServeRequestAsync()
    {
        bool measured = _telemetry.Start(_request);   // three flag checks when nobody listens
        try
        {
            if (_head.IsConnect)
            {
                // Kiln is an origin server, not a proxy: CONNECT is well-formed but not implemented.
                _telemetry.Respond(501);
                await _writer.WriteSimpleAsync(501, "Not Implemented: CONNECT is not supported.").ConfigureAwait(false);
                return false;
            }
            bool keepAlive = _head.KeepAlive;

            if (_head.Chunked)
            {
                _body.StartChunked(_options.MaxRequestBodySize, _options.MaxRequestHeadersSize, _head.ExpectContinue);
                _request.HasBody = true;
                _request.Body = _body;
            }
            else if (_head.ContentLength > 0)
            {
                if (_head.ContentLength > _options.MaxRequestBodySize)
                {
                    CountRejected(ParseError.BodyTooLarge);
                    _telemetry.Respond(ParseError.BodyTooLarge.StatusCode());
                    await _writer.WriteErrorAsync(ParseError.BodyTooLarge, _head).ConfigureAwait(false);
                    return false;
                }
                _body.StartContentLength(_head.ContentLength, _head.ExpectContinue);
                _request.ContentLength = _head.ContentLength;
                _request.HasBody = true;
                _request.Body = _body;
            }
            else
            {
                _body.StartEmpty();
                if (_head.ContentLength == 0) _request.ContentLength = 0;
            }

            HttpResponse response = _head.Form == TargetForm.Asterisk
                ? HttpResponse.Status(200)     // OPTIONS *: the server itself answers (see docs/server.md)
                : await InvokeHandlerAsync().ConfigureAwait(false);

            if (response.IsDrop)
            {
                _telemetry.Fail("dropped");
                await _writer.FlushIfPendingAsync().ConfigureAwait(false);
                return false;
            }
            if (_body.Failed || _closeAfterResponse || _server.IsStopping) keepAlive = false;
            // A client that asked for 100-continue and never got it may not send the body: do not wait for it.
            if (_body.ContinueOwed) keepAlive = false;
            if (keepAlive && ResponseWriter.WantsClose(response)) keepAlive = false;
            _telemetry.Respond(response.StatusCode);

            if (!await _writer.WriteResponseAsync(response, keepAlive).ConfigureAwait(false))
            {
                await _writer.FlushAsync().ConfigureAwait(false);
                return false;
            }
            if (!_body.IsComplete)
            {
                await _writer.FlushAsync().ConfigureAwait(false);
                if (!await _body.DrainAsync().ConfigureAwait(false)) return false;
            }
            await _writer.FlushIfLargeAsync().ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (measured && Fail(e))
        {
            throw;   // not reached: Fail records the exception and declines to catch it
        }
        finally
        {
            if (_body.Rejection is { } reason) Instruments.Rejected(reason, _body.RejectionStatus);
            if (measured) _telemetry.Stop(_request);
        }
    }

    /// <summary>Records a failure on its way to the connection loop (the transport broke mid-answer); never catches it.</summary>
    private bool Fail(Exception e)
    {
        _telemetry.Fail(e);
        return false;
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
            if (e.StatusCode is 408 or 413 or 503 || _body.Failed)
                _server.Log($"{e.StatusCode} for {_request.Method} {_request.Target} from {_transport.RemoteEndPoint}: {e.Message}");
            return HttpResponse.Text(e.Message, e.StatusCode);
        }
        catch (OperationCanceledException e) when (_transport.Aborted.IsCancellationRequested)
        {
            _telemetry.Fail(e);
            return HttpResponse.Drop;
        }
        catch (Exception e)
        {
            _telemetry.Fail(e);
            _server.Log($"500 for {_request.Method} {_request.Target}: unhandled exception in the handler: {e}");
            return HttpResponse.Status(500);
        }
    }
}
