namespace Kiln.RuntimeTests;

public class CookieTests
{
    [Fact]
    public void Reads_cookies_from_every_cookie_header()
    {
        var request = Request.Create("GET", "/", [new("Cookie", "a=1; session=\"abc\""), new("Cookie", "theme=dark")]);

        Assert.Equal(("1", "abc", "dark", null), (request.GetCookie("a"), request.GetCookie("session"), request.GetCookie("theme"), request.GetCookie("Theme")));
    }

    [Fact]
    public void Writes_set_cookie_headers_with_attributes()
    {
        var response = HttpResponse.Text("x")
            .WithCookie("session", "abc", new CookieOptions { Path = "/app", Secure = true, MaxAge = TimeSpan.FromHours(1) })
            .WithDeletedCookie("old");

        var values = new List<string>();
        for (var h = response.Headers; h is not null; h = h.Next) values.Add(h.Value);

        Assert.Equal("old=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax", values[0]);
        Assert.Equal("session=abc; Path=/app; Max-Age=3600; Secure; HttpOnly; SameSite=Lax", values[1]);
        Assert.Throws<ArgumentException>(() => HttpResponse.Text("x").WithCookie("bad name", "v"));
        Assert.Throws<ArgumentException>(() => HttpResponse.Text("x").WithCookie("n", "a;b"));
    }
}
