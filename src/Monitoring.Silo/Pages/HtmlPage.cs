using System.Text;

namespace Monitoring.Silo.Pages;

/// <summary>
/// A rendered page as a response: HTML with a Content-Security-Policy that allows no script at all (the pages need
/// none), no external resource, inline styles only, and forms posting to this site only.
/// </summary>
internal sealed class HtmlPage(string html, int status) : IResult
{
    /// <summary>Sent with every page: nothing runs, nothing loads from elsewhere, nothing frames the page.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public int Status => status;

    public string Html => html;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers.CacheControl = "no-store";
        var bytes = Encoding.UTF8.GetBytes(html);
        response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(httpContext.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes).AsTask();
    }
}
