using Microsoft.CodeAnalysis;

namespace Kiln.GeneratorTests;

public partial class DiagnosticTests
{
    // ---- KILN040: routes of one method without distinct names (their URL builders cannot be named) ----

    [Theory]
    [InlineData("[Get(\"/users/<id>\", Name = \"ById\")] [[|Get(\"/u/<id>\")|]]", "the route GET /u/<id> has no Name")]
    [InlineData("[Get(\"/users/<id>\", Name = \"ById\")] [[|Get(\"/u/<id>\", Name = \"ById\")|]]", "the Name \"ById\" is used by two of its routes")]
    [InlineData("[[|Get(\"/users/<id>\", Name = \"Users.ById\")|]] [Get(\"/u/<id>\", Name = \"Short\")]", "the Name \"Users.ById\" of GET /users/<id> is not a C# identifier")]
    [InlineData("[[|Get(\"/users/<id>\", Name = \"Get\")|]] [Get(\"/u/<id>\", Name = \"Short\")]", "the Name \"Get\" of GET /users/<id> is the method's own name")]
    public void KILN040_routes_of_one_method_need_distinct_names(string markedAttributes, string reason)
    {
        AssertSingle($$"""
            namespace App;

            public static class Users
            {
                {{markedAttributes}}
                public static string Get(int id) => "";
            }
            """, "KILN040",
            "Users.Get has 2 routes, so its URL builders are named by each route's Name (Urls.Users.Get.<Name>(...)), but " + reason
            + "; give every route of the method a distinct Name that is a C# identifier (for example Name = \"ByLogin\"); until then Urls.Users.Get has no URL builders",
            DiagnosticSeverity.Warning);
    }
}
