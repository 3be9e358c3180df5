using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging;

namespace Monitoring.Reports.Rendering;

/// <summary>
/// Renders a page component to an HTML string with ASP.NET Core's <see cref="HtmlRenderer"/> (static server rendering:
/// no circuit, no JavaScript). Razor HTML-encodes every text and attribute value it writes, so a page is safe by
/// construction; the only raw markup is chart SVG, whose text the chart code escapes.
/// </summary>
/// <remarks>
/// Why <see cref="HtmlRenderer"/> and not <c>RazorComponentResult</c>/<c>MapRazorComponents</c>: the same call renders
/// the silo's pages, the benchmarks (no web host) and a static report file (no web host either), and the silo keeps
/// minimal-API endpoints that read the grains and choose the status code and security headers themselves, without the
/// Blazor endpoint machinery (antiforgery middleware, interactive render modes) that nothing here uses. One renderer
/// per call: a renderer's dispatcher runs one render at a time, so sharing one would serialize concurrent requests.
/// </remarks>
/// <param name="services">Services the components may inject (none of ours do; the renderer needs a provider).</param>
/// <param name="loggers">Logger factory for the renderer.</param>
public sealed class PageRenderer(IServiceProvider services, ILoggerFactory loggers)
{
    /// <summary>Renders <typeparamref name="TPage"/> with its <c>Model</c> parameter set to <paramref name="model"/>.</summary>
    public async Task<string> RenderAsync<TPage, TModel>(TModel model)
        where TPage : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?> { ["Model"] = model });
            var root = await renderer.RenderComponentAsync<TPage>(parameters);
            return root.ToHtmlString();
        });
    }
}
