namespace Kiln;

/// <summary>
/// Thrown while reading or binding a request when the request cannot be served as sent; the server answers
/// <see cref="StatusCode"/> with <see cref="Exception.Message"/> as a short plain-text reason.
/// </summary>
public sealed class BadHttpRequestException : Exception
{
    private readonly bool _closeConnection;

    /// <summary>Creates the exception.</summary>
    /// <param name="message">A short reason, safe to send to the client.</param>
    /// <param name="statusCode">A 4xx status code (the server itself also uses 503 when it cannot buffer a body now).</param>
    public BadHttpRequestException(string message, int statusCode = 400) : base(message) => StatusCode = statusCode;

    /// <summary>The server's own: a body that could not be read to its end also closes the connection.</summary>
    internal BadHttpRequestException(string message, int statusCode, bool closeConnection) : this(message, statusCode)
        => _closeConnection = closeConnection;

    /// <summary>The status code the server answers with.</summary>
    public int StatusCode { get; }

    /// <summary>Whether the connection must close after the answer (the body could not be read to its end).</summary>
    public bool CloseConnection => _closeConnection || StatusCode is 413 or 408;
}
