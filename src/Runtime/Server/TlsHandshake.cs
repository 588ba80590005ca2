using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Kiln.Server;

/// <summary>
/// What a listener does with an accepted socket before HTTP starts; <see langword="null"/> on a listener means
/// nothing (plain HTTP over the socket). The only implementation is <see cref="TlsHandshake"/>, constructed by
/// <see cref="ServerOptions.ListenTls"/> alone: an app that never calls it never constructs one, so NativeAOT leaves
/// <see cref="SslStream"/>, X.509 and the crypto interop out of the binary.
/// </summary>
internal abstract class ConnectionSecurity
{
    /// <summary>Authenticates the connection; the returned transport owns <paramref name="socket"/>.</summary>
    /// <param name="socket">The accepted socket.</param>
    /// <param name="timeout">How long the client has to complete the handshake.</param>
    public abstract Task<IConnectionTransport> AuthenticateAsync(Socket socket, TimeSpan timeout);
}

/// <summary>TLS with a server certificate (HTTP/1.1 by ALPN; no client certificate) through <see cref="SslStream"/>.</summary>
internal sealed class TlsHandshake(X509Certificate2 certificate) : ConnectionSecurity
{
    public override async Task<IConnectionTransport> AuthenticateAsync(Socket socket, TimeSpan timeout)
    {
        var remote = socket.RemoteEndPoint;
        var local = socket.LocalEndPoint;
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                ClientCertificateRequired = false,
            }, cancel.Token).ConfigureAwait(false);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new StreamTransport(ssl, remote, local);
    }
}
