using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>List limits and opaque cursors. A cursor remembers the last id returned, so paging stays stable while items are added.</summary>
internal static class Paging
{
    public const int DefaultLimit = 100;

    public static int Limit(JsonNode? node, int max = 1000)
    {
        if (node is null)
        {
            return DefaultLimit;
        }

        return (int)RequestBody.AsLong(node, "limit", 1, max);
    }

    public static int Limit(string? query, int max = 1000)
    {
        if (string.IsNullOrEmpty(query))
        {
            return DefaultLimit;
        }

        if (!long.TryParse(query, out var limit) || limit < 1 || limit > max)
        {
            throw CdfApiException.BadRequest($"limit must be between 1 and {max}.");
        }

        return (int)limit;
    }

    public static string Encode(string resource, long lastId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{resource}:{lastId}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The id after which the next page starts, or null for the first page.</summary>
    public static long? Decode(string resource, string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            var prefix = resource + ":";
            if (text.StartsWith(prefix, StringComparison.Ordinal) && long.TryParse(text[prefix.Length..], out var id))
            {
                return id;
            }
        }
        catch (FormatException)
        {
        }

        throw CdfApiException.BadRequest("Invalid cursor.");
    }

    /// <summary>Takes one page of <paramref name="ordered"/> (sorted by id) after the cursor and says where the next starts.</summary>
    public static (List<T> Page, string? NextCursor) Page<T>(IEnumerable<T> ordered, Func<T, long> id, string resource, string? cursor,
        int limit, int maxPageSize)
    {
        var after = Decode(resource, cursor);
        var size = Math.Min(limit, Math.Max(1, maxPageSize));
        var rest = after is long a ? ordered.Where(x => id(x) > a) : ordered;
        var page = rest.Take(size + 1).ToList();
        if (page.Count <= size)
        {
            return (page, null);
        }

        page.RemoveAt(size);
        return (page, Encode(resource, id(page[^1])));
    }
}
