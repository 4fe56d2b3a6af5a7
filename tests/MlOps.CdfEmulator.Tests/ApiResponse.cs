using System.Net;
using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator.Tests;

/// <summary>Status, headers and parsed JSON body of one API answer.</summary>
public sealed class ApiResponse
{
    public required HttpStatusCode Status { get; init; }

    public required string Text { get; init; }

    public JsonNode? Body { get; init; }

    public string? RequestId { get; init; }

    public string? RetryAfter { get; init; }

    public JsonNode? Error => Body?["error"];

    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse
        {
            Status = response.StatusCode,
            Text = text,
            Body = text.Length > 0 ? JsonNode.Parse(text) : null,
            RequestId = response.Headers.TryGetValues("X-Request-ID", out var ids) ? ids.Single() : null,
            RetryAfter = response.Headers.TryGetValues("Retry-After", out var after) ? after.Single() : null,
        };
    }
}
