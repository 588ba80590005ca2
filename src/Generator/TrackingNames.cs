namespace Kiln.Generator
{
    /// <summary>Names of the incremental pipeline's steps, so tests can check what stays cached after an edit.</summary>
    internal static class TrackingNames
    {
        public const string RouteMethods = "Kiln.RouteMethods";
        public const string JsonContexts = "Kiln.JsonContexts";
        public const string RouterDeclarations = "Kiln.RouterDeclarations";
        public const string Router = "Kiln.Router";
        public const string RouterModel = "Kiln.RouterModel";
        public const string RouterDiagnostics = "Kiln.RouterDiagnostics";
        public const string MethodDiagnostics = "Kiln.MethodDiagnostics";
    }
}
