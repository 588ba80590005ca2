using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Kiln.Http;

// Writing answers: status line, Date, framing headers, the response's own headers, and the body.
internal sealed partial class HttpConnection
{
    private ArrayBufferWriter<byte>? _jsonBuffer;
    private Utf8JsonWriter? _jsonWriter;
    private ChunkedResponseStream? _responseStream;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteResponseAsync(HttpResponse response, bool keepAlive)
    {
        int status = response.StatusCode;
        bool head = ReferenceEquals(_request.Method, HttpMethods.Head);
        // 1xx, 204 and 304 never carry a body (RFC 9110 §6.4.1).
        bool bodyless = status < 200 || status == 204 || status == 304;
        switch (bodyless ? ResponseBodyKind.None : response.BodyKind)
        {
            case ResponseBodyKind.Text:
            {
                string text = response.TextBody ?? "";
                int length = Encoding.UTF8.GetByteCount(text);
                WriteHead(status, response.ContentType, length, response.Headers, keepAlive);
                if (!head && length > 0)
                {
                    var span = _output.GetSpan(length);
                    _output.Advance(Encoding.UTF8.GetBytes(text, span));
                }
                break;
            }
            case ResponseBodyKind.Bytes:
            {
                var bytes = response.BodyBytes.Span;
                WriteHead(status, response.ContentType, bytes.Length, response.Headers, keepAlive);
                if (!head && !bytes.IsEmpty) _output.Write(bytes);
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
                    _server.Log($"500 for {_request.Method} {_request.Target}: the JSON response could not be written: {e.Message}");
                    WriteHead(500, null, 0, null, keepAlive);
                    break;
                }
                var json = _jsonBuffer!.WrittenSpan;
                WriteHead(status, response.ContentType, json.Length, response.Headers, keepAlive);
                if (!head) _output.Write(json);
                break;
            }
            case ResponseBodyKind.Stream:
                await WriteStreamedAsync(response, status, head, keepAlive).ConfigureAwait(false);
                break;
            default:
                WriteHead(status, null, bodyless ? -2 : 0, response.Headers, keepAlive);
                break;
        }
        _flushPending = true;
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

    private async ValueTask WriteStreamedAsync(HttpResponse response, int status, bool head, bool keepAlive)
    {
        // HTTP/1.0 has no chunked coding: the body is delimited by closing the connection.
        bool chunked = _request.Version == HttpVersion.Http11;
        if (!chunked) _closeAfterResponse = true;
        WriteHead(status, response.ContentType, chunked ? -1 : -2, response.Headers, keepAlive && chunked);
        if (head) return;
        var stream = _responseStream ??= new ChunkedResponseStream(_output);
        stream.Start(chunked);
        try
        {
            await response.BodyWriter!(stream, _transport.Aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not IOException)
        {
            // The head is already sent; the only honest signal left is to cut the connection.
            _server.Log($"the streamed response for {_request.Method} {_request.Target} failed: {e}");
            throw new IOException("The response body writer failed.", e);
        }
        stream.End();
    }

    /// <summary>Writes the head; <paramref name="contentLength"/> is -1 for chunked and -2 for no framing header.</summary>
    private void WriteHead(int status, string? contentType, long contentLength, ResponseHeader? headers, bool keepAlive)
    {
        var output = _output;
        output.Write(StatusLines.Get(status));
        output.Write(_server.Date.HeaderLine);
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
        else if (_request.Version == HttpVersion.Http10) output.Write("Connection: keep-alive\r\n"u8);
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

    /// <summary>Answers a request that could not be read, with <c>Connection: close</c> (the connection then closes).</summary>
    private ValueTask WriteErrorAsync(ParseError error)
    {
        _server.Log($"{error.StatusCode()} for {_transport.RemoteEndPoint}: {error.Reason()}" + error switch
        {
            ParseError.RequestHeadersTimeout => $" (the request head did not arrive within {_options.RequestHeadersTimeout.TotalSeconds:0.###} s)",
            ParseError.RequestLineTooLong => $" (limit {_options.MaxRequestLineSize} bytes)",
            ParseError.HeadersTooLarge => $" (limit {_options.MaxRequestHeadersSize} bytes)",
            ParseError.TooManyHeaders => $" (limit {_options.MaxRequestHeaderCount} fields)",
            ParseError.BodyTooLarge => $" (Content-Length {_head.ContentLength}, limit {_options.MaxRequestBodySize} bytes)",
            _ => "",
        });
        var allow = error.Allow();
        return WriteSimpleAsync(error.StatusCode(), error.Reason(), allow is null ? null : new ResponseHeader("Allow", allow, null));
    }

    private ValueTask WriteSimpleAsync(int status, string reason, ResponseHeader? headers)
    {
        int length = Encoding.UTF8.GetByteCount(reason);
        WriteHead(status, HttpResponse.TextPlain, length, headers, keepAlive: false);
        var span = _output.GetSpan(length);
        _output.Advance(Encoding.UTF8.GetBytes(reason, span));
        _flushPending = true;
        return FlushAsync();
    }

    /// <summary>
    /// Sends what has been written. A client that stops reading its answers (the output pipe full, the socket
    /// blocked) is given <see cref="ServerOptions.RequestHeadersTimeout"/> before the heartbeat cancels the flush.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushAsync()
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
            Volatile.Write(ref _flushDeadline, Environment.TickCount64 + (long)_options.RequestHeadersTimeout.TotalMilliseconds);
            try { result = await pending.ConfigureAwait(false); }
            finally { Volatile.Write(ref _flushDeadline, 0); }
        }
        if (result.IsCanceled)
        {
            _server.Log($"closing the connection from {_transport.RemoteEndPoint}: it did not read its answers within {_options.RequestHeadersTimeout.TotalSeconds:0.###} s");
            throw new IOException("The client stopped reading.");
        }
        if (result.IsCompleted) throw new IOException("The client closed the connection.");
    }
}
