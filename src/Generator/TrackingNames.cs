namespace Kiln.Generator
{
    /// <summary>Names of the incremental pipeline's steps, so tests can check what stays cached after an edit.</summary>
    internal static class TrackingNames
    {
        // The emit path: location-free values only. An edit that changes no route leaves every one of them cached.
        public const string RouteMethods = "Kiln.RouteMethods";
        public const string JsonContexts = "Kiln.JsonContexts";
        public const string RouterDeclarations = "Kiln.RouterDeclarations";
        public const string DefaultRouterWanted = "Kiln.DefaultRouterWanted";
        public const string Router = "Kiln.Router";
        public const string RouterModel = "Kiln.RouterModel";
        public const string OpenApiInputs = "Kiln.OpenApiInputs";

        // The diagnostics path: carries source locations, so moving code re-runs it (and only it).
        public const string ParsedMethods = "Kiln.ParsedMethods";
        public const string ParsedRouterDeclarations = "Kiln.ParsedRouterDeclarations";
        public const string MethodDiagnostics = "Kiln.MethodDiagnostics";
        public const string DeclarationDiagnostics = "Kiln.DeclarationDiagnostics";
        public const string RouterDiagnostics = "Kiln.RouterDiagnostics";
        public const string AttributeWithoutRouteDiagnostics = "Kiln.AttributeWithoutRouteDiagnostics";
    }
}
