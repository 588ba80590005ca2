namespace Kiln;

/// <summary>
/// Thrown while reading or binding a request when the request itself is at fault; the server answers
/// <see cref="StatusCode"/> with <see cref="Exception.Message"/> as a short plain-text reason.
/// </summary>
public sealed class BadHttpRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A short reason, safe to send to the client.</param>
    /// <param name="statusCode">A 4xx status code.</param>
    public BadHttpRequestException(string message, int statusCode = 400) : base(message) => StatusCode = statusCode;

    /// <summary>The status code the server answers with.</summary>
    public int StatusCode { get; }

    /// <summary>Whether the connection must close after the answer (the body could not be read to its end).</summary>
    public bool CloseConnection => StatusCode is 413 or 408;
}
