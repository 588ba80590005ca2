namespace Kiln.RuntimeTests;

public class PipelineTests
{
    [Fact]
    public async Task Middleware_runs_in_registration_order_around_the_terminal()
    {
        var order = new List<string>();
        Middleware Tag(string name) => async (request, next) =>
        {
            order.Add(name + ">");
            var response = await next(request);
            order.Add("<" + name);
            return response;
        };
        var handler = Pipeline.Compose([Tag("a"), Tag("b")], _ => { order.Add("terminal"); return HttpResponse.Text("x"); });

        var response = await handler(Request.Create("GET", "/"));

        Assert.Equal("x", response.TextBody);
        Assert.Equal(["a>", "b>", "terminal", "<b", "<a"], order);
    }
}
