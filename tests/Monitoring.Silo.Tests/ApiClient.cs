using System.Net.Http.Json;
using System.Text.Json;

namespace Monitoring.Silo.Tests;

/// <summary>Small helpers over the silo's JSON API.</summary>
public sealed class ApiClient(Uri api) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = api };

    public HttpClient Http => _http;

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<long> PredictionsAsync(string model) =>
        (await GetJsonAsync($"/api/models/default/{model}")).GetProperty("totals").GetProperty("predictions").GetInt64();

    public async Task<HttpResponseMessage> PutJsonAsync(string path, object body) => await _http.PutAsJsonAsync(path, body);

    public void Dispose() => _http.Dispose();
}
