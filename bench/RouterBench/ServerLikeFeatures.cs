using System.Collections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Benchmarks;

/// <summary>
/// The feature collection behind the ASP.NET Core benchmark's <see cref="DefaultHttpContext"/>s, shaped like
/// Kestrel's: the request, endpoint and route-values features are fields found by a chain of type tests (as in
/// Kestrel's generated <c>HttpProtocol</c> feature collection), everything else in a <see cref="FeatureCollection"/>.
/// With <c>new DefaultHttpContext()</c> instead, every <c>SetEndpoint</c> and <c>RouteValues</c> access — the
/// matcher makes both — is a dictionary lookup that a server never pays, and the ASP.NET row would be slower than
/// ASP.NET Core really is.
/// </summary>
public sealed class ServerLikeFeatures : IFeatureCollection
{
    private readonly FeatureCollection _others = new();
    private object? _request = new HttpRequestFeature();
    private object? _response = new HttpResponseFeature();
    private object? _endpoint = new EndpointFeature();
    private object? _routeValues = new RouteValuesFeature();
    private int _revision;

    public bool IsReadOnly => false;

    public int Revision => _revision + _others.Revision;

    public object? this[Type key]
    {
        get => key == typeof(IHttpRequestFeature) ? _request
            : key == typeof(IHttpResponseFeature) ? _response
            : key == typeof(IEndpointFeature) ? _endpoint
            : key == typeof(IRouteValuesFeature) ? _routeValues
            : _others[key];
        set
        {
            if (key == typeof(IHttpRequestFeature)) _request = value;
            else if (key == typeof(IHttpResponseFeature)) _response = value;
            else if (key == typeof(IEndpointFeature)) _endpoint = value;
            else if (key == typeof(IRouteValuesFeature)) _routeValues = value;
            else { _others[key] = value; return; }
            _revision++;
        }
    }

    public TFeature? Get<TFeature>()
    {
        if (typeof(TFeature) == typeof(IHttpRequestFeature)) return (TFeature?)_request;
        if (typeof(TFeature) == typeof(IHttpResponseFeature)) return (TFeature?)_response;
        if (typeof(TFeature) == typeof(IEndpointFeature)) return (TFeature?)_endpoint;
        if (typeof(TFeature) == typeof(IRouteValuesFeature)) return (TFeature?)_routeValues;
        return _others.Get<TFeature>();
    }

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        if (_request is not null) yield return new(typeof(IHttpRequestFeature), _request);
        if (_response is not null) yield return new(typeof(IHttpResponseFeature), _response);
        if (_endpoint is not null) yield return new(typeof(IEndpointFeature), _endpoint);
        if (_routeValues is not null) yield return new(typeof(IRouteValuesFeature), _routeValues);
        foreach (var pair in _others) yield return pair;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class EndpointFeature : IEndpointFeature
    {
        public Microsoft.AspNetCore.Http.Endpoint? Endpoint { get; set; }
    }

    private sealed class RouteValuesFeature : IRouteValuesFeature
    {
        public RouteValueDictionary RouteValues { get; set; } = new();
    }
}
