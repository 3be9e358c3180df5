using System.Text;

namespace Monitoring.Silo.Pages;

/// <summary>
/// A chart as an SVG image of a closed window (its report never changes, so browsers may keep it a day). The SVG holds no
/// script and escapes its text (Monitoring.Reports.Charts); the policy forbids script anyway should it be opened alone.
/// </summary>
internal sealed class SvgImage(string svg) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "image/svg+xml; charset=utf-8";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "private, max-age=86400";
        var bytes = Encoding.UTF8.GetBytes(svg);
        response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(httpContext.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes).AsTask();
    }
}
