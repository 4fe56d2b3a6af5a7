using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>Writes JSON responses and the CDF error envelope.</summary>
internal static class CdfJson
{
    public static async Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    public static Task WriteItemsAsync(HttpContext context, int status, IEnumerable<JsonNode> items, string? nextCursor = null)
    {
        var body = new JsonObject { ["items"] = new JsonArray(items.ToArray()) };
        if (nextCursor is not null)
        {
            body["nextCursor"] = nextCursor;
        }

        return WriteAsync(context, status, body);
    }

    public static JsonObject Error(int code, string message, IReadOnlyList<ResourceIdentifier>? missing = null,
        IReadOnlyList<ResourceIdentifier>? duplicated = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (missing is { Count: > 0 })
        {
            error["missing"] = new JsonArray(missing.Select(m => (JsonNode)m.ToJson()).ToArray());
        }

        if (duplicated is { Count: > 0 })
        {
            error["duplicated"] = new JsonArray(duplicated.Select(d => (JsonNode)d.ToJson()).ToArray());
        }

        return new JsonObject { ["error"] = error };
    }

    public static async Task WriteErrorAsync(HttpContext context, CdfApiException failure)
    {
        foreach (var (name, value) in failure.Headers)
        {
            context.Response.Headers[name] = value;
        }

        await WriteAsync(context, failure.Status, Error(failure.Status, failure.Message, failure.Missing, failure.Duplicated));
    }
}
