using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Kiln.Server;

namespace Kiln.Http;

/// <summary>
/// The connection's output producer: the only writer of the output pipe. Writes answers (status line, <c>Date</c>,
/// framing headers, the response's own headers, the body), <c>100 Continue</c>, and the error answers for requests
/// that could not be read; decides when to flush (once per batch of pipelined answers, or when enough is waiting)
/// and puts every flush under the flush timeout of <see cref="TimeoutControl"/>. Owned by the connection's flow.
/// </summary>
internal sealed class ResponseWriter(ServerContext server, IConnectionTransport transport, Request request, TimeoutControl timeouts)
{
    /// <summary>Answers waiting beyond this many bytes are flushed without waiting for the end of the batch.</summary>
    public const int FlushThreshold = 64 * 1024;

    private readonly PipeWriter _output = transport.Output;
    private bool _flushPending;
    private ArrayBufferWriter<byte>? _jsonBuffer;
    private Utf8JsonWriter? _jsonWriter;
    private ChunkedResponseStream? _responseStream;

    /// <summary>Whether answers have been written that are not flushed yet.</summary>
    public bool FlushPending => _flushPending;

    /// <summary>
    /// Writes <paramref name="response"/>. Returns whether the connection may stay open after it: false when
    /// <paramref name="keepAlive"/> is false or the body is delimited by closing the connection (a streamed body to
    /// an HTTP/1.0 client).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> WriteResponseAsync(HttpResponse response, bool keepAlive)
    {
        int status = response.StatusCode;
        bool head = ReferenceEquals(request.Method, HttpMethods.Head);
        // 1xx, 204 and 304 never carry a body (RFC 9110 §6.4.1).
        bool bodyless = status < 200 || status == 204 || status == 304;
        switch (bodyless ? ResponseBodyKind.None : response.BodyKind)
        {
            case ResponseBodyKind.Text:
            {
                string text = response.TextBody ?? "";
                int length = Encoding.UTF8.GetByteCount(text);
                WriteHead(status, response.ContentType, length, response.Headers, keepAlive);
                if (head || length == 0) break;
                if (length <= FlushThreshold)
                {
                    var span = _output.GetSpan(length);
                    _output.Advance(Encoding.UTF8.GetBytes(text, span));
                }
                else
                {
                    await WriteLargeAsync(text).ConfigureAwait(false);
                }
                break;
            }
            case ResponseBodyKind.Bytes:
            {
                var bytes = response.BodyBytes;
                WriteHead(status, response.ContentType, bytes.Length, response.Headers, keepAlive);
                if (!head) await WriteAsync(bytes).ConfigureAwait(false);
                break;
            }
            case ResponseBodyKind.Json:
            {
                try
                {
                    SerializeJson(response);
                }
                catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
                {
                    server.Log($"500 for {request.Method} {request.Target}: the JSON response could not be written: {e.Message}");
                    WriteHead(500, null, 0, null, keepAlive);
                    break;
                }
                var json = _jsonBuffer!.WrittenMemory;
                WriteHead(status, response.ContentType, json.Length, response.Headers, keepAlive);
                if (!head) await WriteAsync(json).ConfigureAwait(false);
                if (_jsonBuffer.Capacity > FlushThreshold)
                {
                    // An unusually large document: do not keep its buffer for the rest of the connection's life.
                    _jsonBuffer = null;
                    _jsonWriter = null;
                }
                break;
            }
            case ResponseBodyKind.Stream:
                keepAlive = await WriteStreamedAsync(response, status, head, keepAlive).ConfigureAwait(false);
                break;
            default:
                WriteHead(status, null, bodyless ? -2 : 0, response.Headers, keepAlive);
                break;
        }
        _flushPending = true;
        return keepAlive;
    }

    /// <summary>
    /// Writes a body: at once when it is small, else in slices of <see cref="FlushThreshold"/> with a flush after
    /// each, so the output never holds more than about a slice beyond the pipe's pause threshold (back-pressure).
    /// </summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> body)
    {
        if (body.Length <= FlushThreshold)
        {
            _output.Write(body.Span);
            return;
        }
        while (!body.IsEmpty)
        {
            int n = Math.Min(body.Length, FlushThreshold);
            _output.Write(body.Span[..n]);
            body = body[n..];
            await FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Encodes a large text body as UTF-8 straight into the output, flushing every <see cref="FlushThreshold"/> bytes.</summary>
    private async ValueTask WriteLargeAsync(string text)
    {
        int index = 0, unflushed = 0;
        while (index < text.Length)
        {
            // Never splits a surrogate pair: FromUtf16 stops before a scalar that does not fit.
            var span = _output.GetSpan(ConnectionBuffers.SegmentSize);
            System.Text.Unicode.Utf8.FromUtf16(text.AsSpan(index), span, out int read, out int written);
            _output.Advance(written);
            index += read;
            unflushed += written;
            if (unflushed >= FlushThreshold)
            {
                await FlushAsync().ConfigureAwait(false);
                unflushed = 0;
            }
        }
    }

    /// <summary>Whether the application set <c>Connection: close</c> on <paramref name="response"/>.</summary>
    public static bool WantsClose(HttpResponse response)
    {
        for (var h = response.Headers; h is not null; h = h.Next)
            if (h.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("close", StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    private void SerializeJson(HttpResponse response)
    {
        _jsonBuffer ??= new ArrayBufferWriter<byte>(1024);
        _jsonBuffer.ResetWrittenCount();
        if (_jsonWriter is null) _jsonWriter = new Utf8JsonWriter(_jsonBuffer, new JsonWriterOptions { SkipValidation = true });
        else _jsonWriter.Reset(_jsonBuffer);
        JsonSerializer.Serialize(_jsonWriter, response.JsonValue, response.JsonTypeInfo!);
        _jsonWriter.Flush();
    }

    private async ValueTask<bool> WriteStreamedAsync(HttpResponse response, int status, bool head, bool keepAlive)
    {
        // HTTP/1.0 has no chunked coding: the body is delimited by closing the connection.
        bool chunked = request.Version == HttpProtocolVersion.Http11;
        WriteHead(status, response.ContentType, chunked ? -1 : -2, response.Headers, keepAlive && chunked);
        if (head) return keepAlive && chunked;
        var stream = _responseStream ??= new ChunkedResponseStream(this, _output);
        stream.Start(chunked);
        try
        {
            await response.BodyWriter!(stream, transport.Aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not IOException)
        {
            // The head is already sent; the only honest signal left is to cut the connection.
            server.Log($"the streamed response for {request.Method} {request.Target} failed: {e}");
            throw new IOException("The response body writer failed.", e);
        }
        stream.End();
        return keepAlive && chunked;
    }

    /// <summary>Writes the head; <paramref name="contentLength"/> is -1 for chunked and -2 for no framing header.</summary>
    private void WriteHead(int status, string? contentType, long contentLength, ResponseHeader? headers, bool keepAlive)
    {
        var output = _output;
        output.Write(StatusLines.Get(status));
        output.Write(server.Date.HeaderLine);
        if (contentType is not null)
        {
            output.Write("Content-Type: "u8);
            WriteString(contentType);
            output.Write("\r\n"u8);
        }
        if (contentLength >= 0)
        {
            output.Write("Content-Length: "u8);
            var span = output.GetSpan(24);
            Utf8Formatter.TryFormat(contentLength, span, out int n);   // the plain integer formatter: no format strings or cultures
            span[n++] = (byte)'\r';
            span[n++] = (byte)'\n';
            output.Advance(n);
        }
        else if (contentLength == -1)
        {
            output.Write("Transfer-Encoding: chunked\r\n"u8);
        }
        if (!keepAlive) output.Write("Connection: close\r\n"u8);
        else if (request.Version == HttpProtocolVersion.Http10) output.Write("Connection: keep-alive\r\n"u8);
        if (headers is not null) WriteHeaders(headers);
        output.Write("\r\n"u8);
    }

    // The list is newest first; recursion emits it in the order the headers were added.
    private void WriteHeaders(ResponseHeader header)
    {
        if (header.Next is not null) WriteHeaders(header.Next);
        // Framing and connection headers are the server's to write.
        if (header.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            || header.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            || header.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            return;
        WriteString(header.Name);
        _output.Write(": "u8);
        WriteString(header.Value);
        _output.Write("\r\n"u8);
    }

    private void WriteString(string value)
    {
        var span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        _output.Advance(Encoding.UTF8.GetBytes(value, span));
    }

    /// <summary>Writes <c>100 Continue</c> (sent with the next flush).</summary>
    public void WriteContinue()
    {
        _output.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
        _flushPending = true;
    }

    /// <summary>Answers a request that could not be read, with <c>Connection: close</c>, and flushes.</summary>
    public ValueTask WriteErrorAsync(ParseError error, RequestHead head)
    {
        var options = server.Options;
        server.Log($"{error.StatusCode()} for {transport.RemoteEndPoint}: {error.Reason()}" + error switch
        {
            ParseError.RequestHeadersTimeout => $" (the request head did not arrive within {options.RequestHeadersTimeout.TotalSeconds:0.###} s)",
            ParseError.RequestLineTooLong => $" (limit {options.MaxRequestLineSize} bytes)",
            ParseError.HeadersTooLarge => $" (limit {options.MaxRequestHeadersSize} bytes)",
            ParseError.TooManyHeaders => $" (limit {options.MaxRequestHeaderCount} fields)",
            ParseError.BodyTooLarge => $" (Content-Length {head.ContentLength}, limit {options.MaxRequestBodySize} bytes)",
            _ => "",
        });
        return WriteSimpleAsync(error.StatusCode(), error.Reason());
    }

    /// <summary>Answers with a short plain-text reason and <c>Connection: close</c>, and flushes.</summary>
    public ValueTask WriteSimpleAsync(int status, string reason)
    {
        int length = Encoding.UTF8.GetByteCount(reason);
        WriteHead(status, HttpResponse.TextPlain, length, null, keepAlive: false);
        var span = _output.GetSpan(length);
        _output.Advance(Encoding.UTF8.GetBytes(reason, span));
        _flushPending = true;
        return FlushAsync();
    }

    /// <summary>Flushes if answers are waiting.</summary>
    public ValueTask FlushIfPendingAsync() => _flushPending ? FlushAsync() : default;

    /// <summary>Flushes if more than <see cref="FlushThreshold"/> bytes of answers are waiting.</summary>
    public ValueTask FlushIfLargeAsync() => _output.UnflushedBytes >= FlushThreshold ? FlushAsync() : default;

    /// <summary>
    /// Sends what has been written. A client that stops reading its answers (the output pipe full, the socket
    /// blocked) is given <see cref="ServerOptions.RequestHeadersTimeout"/> before the heartbeat cancels the flush.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync()
    {
        _flushPending = false;
        var pending = _output.FlushAsync();
        FlushResult result;
        if (pending.IsCompleted)
        {
            result = pending.Result;
        }
        else
        {
            timeouts.FlushStarting();
            try { result = await pending.ConfigureAwait(false); }
            finally { timeouts.FlushEnded(); }
        }
        if (result.IsCanceled)
        {
            server.Log($"closing the connection from {transport.RemoteEndPoint}: it did not read its answers within {server.Options.RequestHeadersTimeout.TotalSeconds:0.###} s");
            throw new IOException("The client stopped reading.");
        }
        if (result.IsCompleted) throw new IOException("The client closed the connection.");
    }
}
