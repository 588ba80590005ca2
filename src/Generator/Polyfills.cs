// Language features the netstandard2.0 target needs declared.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
