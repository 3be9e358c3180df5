namespace Monitoring.Silo.Pages;

/// <summary>A chart as a PNG image (notifications' image links), cacheable for <paramref name="maxAgeSeconds"/>.</summary>
internal sealed class PngImage(byte[] png, int maxAgeSeconds) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "image/png";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = FormattableString.Invariant($"public, max-age={maxAgeSeconds}");
        response.ContentLength = png.Length;
        return HttpMethods.IsHead(httpContext.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(png).AsTask();
    }
}
