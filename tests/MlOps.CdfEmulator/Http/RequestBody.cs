using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>
/// Strict reading of JSON request bodies. The real API rejects unknown properties and wrong types with 400,
/// so a client that misspells a field must fail here too instead of being silently ignored.
/// </summary>
internal static class RequestBody
{
    public static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw CdfApiException.BadRequest($"Unable to parse the request body as JSON: {e.Message}");
        }

        return node as JsonObject ?? throw CdfApiException.BadRequest("The request body must be a JSON object.");
    }

    public static void AllowOnly(JsonObject obj, string where, params string[] allowed)
    {
        foreach (var (name, _) in obj)
        {
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                throw CdfApiException.BadRequest($"Unrecognized field \"{name}\" in {where}. Known fields: {string.Join(", ", allowed)}.");
            }
        }
    }

    public static JsonObject? OptionalObject(JsonObject obj, string name)
    {
        var node = obj[name];
        return node switch
        {
            null => null,
            JsonObject o => o,
            _ => throw CdfApiException.BadRequest($"{name} must be an object."),
        };
    }

    public static JsonArray? OptionalArray(JsonObject obj, string name)
    {
        var node = obj[name];
        return node switch
        {
            null => null,
            JsonArray a => a,
            _ => throw CdfApiException.BadRequest($"{name} must be an array."),
        };
    }

    public static string? OptionalString(JsonObject obj, string name, int maxLength = int.MaxValue)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            throw CdfApiException.BadRequest($"{name} must be a string.");
        }

        var text = value.GetValue<string>();
        if (text.Length > maxLength)
        {
            throw CdfApiException.BadRequest($"{name} size must be between 0 and {maxLength} characters (was {text.Length}).");
        }

        return text;
    }

    public static string RequiredString(JsonObject obj, string name, int maxLength = int.MaxValue)
    {
        var text = OptionalString(obj, name, maxLength) ?? throw CdfApiException.BadRequest($"{name} may not be null.");
        if (text.Length == 0)
        {
            throw CdfApiException.BadRequest($"{name} may not be empty.");
        }

        return text;
    }

    public static long? OptionalLong(JsonObject obj, string name, long min = long.MinValue, long max = long.MaxValue)
    {
        var node = obj[name];
        return node is null ? null : AsLong(node, name, min, max);
    }

    public static long AsLong(JsonNode node, string name, long min = long.MinValue, long max = long.MaxValue)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<long>(out var number))
        {
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == Math.Floor(d)
                && d >= long.MinValue && d <= long.MaxValue)
            {
                number = (long)d;
            }
            else
            {
                throw CdfApiException.BadRequest($"{name} must be an integer.");
            }
        }

        if (number < min || number > max)
        {
            throw CdfApiException.BadRequest($"{name} must be between {min} and {max} (was {number}).");
        }

        return number;
    }

    public static bool? OptionalBool(JsonObject obj, string name)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw CdfApiException.BadRequest($"{name} must be a boolean."),
        };
    }

    public static Dictionary<string, string>? OptionalStringMap(JsonObject obj, string name)
    {
        var map = OptionalObject(obj, name);
        if (map is null)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                throw CdfApiException.BadRequest($"{name}.{key} must be a string.");
            }

            result[key] = v.GetValue<string>();
        }

        return result;
    }

    public static List<long>? OptionalLongList(JsonObject obj, string name, int maxCount, long min = 1, long max = CdfIds.MaxId)
    {
        var array = OptionalArray(obj, name);
        if (array is null)
        {
            return null;
        }

        if (array.Count > maxCount)
        {
            throw CdfApiException.BadRequest($"{name} size must be between 0 and {maxCount}.");
        }

        return array.Select(n => AsLong(n ?? throw CdfApiException.BadRequest($"{name} may not contain null."), name, min, max)).ToList();
    }

    /// <summary>Reads <c>{"id":n}</c> or <c>{"externalId":"x"}</c>; anything else is a 400.</summary>
    public static ResourceIdentifier Identifier(JsonNode? node, string where, params string[] alsoAllowed)
    {
        if (node is not JsonObject obj)
        {
            throw CdfApiException.BadRequest($"{where} must be an object with id or externalId.");
        }

        AllowOnly(obj, where, ["id", "externalId", .. alsoAllowed]);
        var id = OptionalLong(obj, "id", 1, CdfIds.MaxId);
        var externalId = OptionalString(obj, "externalId", 255);
        return (id, externalId) switch
        {
            (long i, null) => ResourceIdentifier.ById(i),
            (null, string x) => ResourceIdentifier.ByExternalId(x),
            _ => throw CdfApiException.BadRequest($"{where} must have exactly one of id or externalId."),
        };
    }

    /// <summary>Reads the <c>items</c> array of identifiers; duplicates are a 400 with <c>duplicated</c>, like the real API.</summary>
    public static List<ResourceIdentifier> Identifiers(JsonObject body, int maxCount, string where = "items")
    {
        var items = OptionalArray(body, "items") ?? throw CdfApiException.BadRequest("items may not be null.");
        if (items.Count < 1 || items.Count > maxCount)
        {
            throw CdfApiException.BadRequest($"items size must be between 1 and {maxCount}.");
        }

        var result = items.Select(i => Identifier(i, where)).ToList();
        var duplicated = result.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicated.Count > 0)
        {
            throw new CdfApiException(400, "Duplicate identifiers in request.", duplicated: duplicated);
        }

        return result;
    }

    public static bool QueryBool(HttpContext context, string name, bool @default = false)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            return @default;
        }

        return bool.TryParse(text, out var value) ? value : throw CdfApiException.BadRequest($"Query parameter {name} must be true or false.");
    }
}
