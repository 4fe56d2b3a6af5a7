using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>
/// One item's <c>update</c> object from <c>POST /files/update</c>: per field <c>set</c>/<c>setNull</c>, and for
/// metadata, assetIds, securityCategories and labels also <c>add</c>/<c>remove</c>. Content cannot be changed here.
/// </summary>
internal sealed class FileUpdate
{
    private readonly List<Action<StoredFile>> changes = [];

    public static FileUpdate Parse(JsonObject update)
    {
        RequestBody.AllowOnly(update, "update", "externalId", "directory", "source", "mimeType", "metadata", "assetIds", "dataSetId",
            "sourceCreatedTime", "sourceModifiedTime", "securityCategories", "labels", "geoLocation");
        var result = new FileUpdate();
        foreach (var (name, node) in update)
        {
            if (node is not JsonObject change)
            {
                throw CdfApiException.BadRequest($"update.{name} must be an object such as {{\"set\": ...}}.");
            }

            result.changes.Add(name switch
            {
                "externalId" => SetString(change, name, FileLimits.ExternalId, (f, v) => f.ExternalId = v),
                "directory" => SetString(change, name, FileLimits.Directory, (f, v) =>
                {
                    if (v is not null)
                    {
                        FileLimits.CheckDirectory(v);
                    }

                    f.Directory = v;
                }),
                "source" => SetString(change, name, FileLimits.Source, (f, v) => f.Source = v),
                "mimeType" => SetString(change, name, FileLimits.MimeType, (f, v) => f.MimeType = v),
                "dataSetId" => SetLong(change, name, 1, (f, v) => f.DataSetId = v),
                "sourceCreatedTime" => SetLong(change, name, 0, (f, v) => f.SourceCreatedTime = v),
                "sourceModifiedTime" => SetLong(change, name, 0, (f, v) => f.SourceModifiedTime = v),
                "metadata" => Metadata(change),
                "assetIds" => LongList(change, name, FileLimits.AssetIds, f => f.AssetIds, (f, v) => f.AssetIds = v),
                "securityCategories" => LongList(change, name, FileLimits.SecurityCategories, f => f.SecurityCategories, (f, v) => f.SecurityCategories = v),
                "labels" => Labels(change),
                _ => GeoLocation(change),
            });
        }

        return result;
    }

    public void ApplyTo(StoredFile file)
    {
        foreach (var change in changes)
        {
            change(file);
        }
    }

    private static Action<StoredFile> SetString(JsonObject change, string name, int maxLength, Action<StoredFile, string?> assign)
    {
        RequestBody.AllowOnly(change, $"update.{name}", "set", "setNull");
        var value = RequestBody.OptionalString(change, "set", maxLength);
        return Choose(change, name, value, assign);
    }

    private static Action<StoredFile> SetLong(JsonObject change, string name, long min, Action<StoredFile, long?> assign)
    {
        RequestBody.AllowOnly(change, $"update.{name}", "set", "setNull");
        var value = RequestBody.OptionalLong(change, "set", min, CdfIds.MaxId);
        return Choose(change, name, value, assign);
    }

    private static Action<StoredFile> Choose<T>(JsonObject change, string name, T? value, Action<StoredFile, T?> assign)
    {
        var setNull = RequestBody.OptionalBool(change, "setNull") == true;
        if (value is null == !setNull)
        {
            throw CdfApiException.BadRequest($"update.{name} must have exactly one of set or setNull: true.");
        }

        return f => assign(f, value);
    }

    private static Action<StoredFile> Metadata(JsonObject change)
    {
        RequestBody.AllowOnly(change, "update.metadata", "set", "add", "remove");
        var set = RequestBody.OptionalStringMap(change, "set");
        var add = RequestBody.OptionalStringMap(change, "add");
        var removeNode = RequestBody.OptionalArray(change, "remove");
        var remove = removeNode?.Select(n => n?.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? n.GetValue<string>()
            : throw CdfApiException.BadRequest("update.metadata.remove must list keys as strings.")).ToList();
        if (set is not null && (add is not null || remove is not null))
        {
            throw CdfApiException.BadRequest("update.metadata takes either set, or add and/or remove.");
        }

        if (set is null && add is null && remove is null)
        {
            throw CdfApiException.BadRequest("update.metadata needs set, add or remove.");
        }

        return f =>
        {
            Dictionary<string, string> result;
            if (set is not null)
            {
                result = new Dictionary<string, string>(set, StringComparer.Ordinal);
            }
            else
            {
                result = new Dictionary<string, string>(f.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
                foreach (var key in remove ?? [])
                {
                    result.Remove(key);
                }

                foreach (var (key, value) in add ?? [])
                {
                    result[key] = value;
                }
            }

            FileLimits.CheckMetadata(result);
            f.Metadata = result;
        };
    }

    private static Action<StoredFile> LongList(JsonObject change, string name, int maxCount, Func<StoredFile, IReadOnlyList<long>?> read,
        Action<StoredFile, IReadOnlyList<long>> assign)
    {
        RequestBody.AllowOnly(change, $"update.{name}", "set", "add", "remove");
        var set = RequestBody.OptionalLongList(change, "set", maxCount);
        var add = RequestBody.OptionalLongList(change, "add", maxCount);
        var remove = RequestBody.OptionalLongList(change, "remove", maxCount);
        return f =>
        {
            var result = set ?? (read(f) ?? []).Except(remove ?? []).Concat((add ?? []).Except(read(f) ?? [])).ToList();
            if (result.Count > maxCount)
            {
                throw CdfApiException.BadRequest($"{name} size must be between 0 and {maxCount}.");
            }

            assign(f, result);
        };
    }

    private static Action<StoredFile> Labels(JsonObject change)
    {
        RequestBody.AllowOnly(change, "update.labels", "add", "remove");
        var add = FileFields.ParseLabels(RequestBody.OptionalArray(change, "add"), "update.labels.add") ?? [];
        var remove = FileFields.ParseLabels(RequestBody.OptionalArray(change, "remove"), "update.labels.remove") ?? [];
        return f =>
        {
            var result = (f.Labels ?? []).Except(remove).Concat(add.Except(f.Labels ?? [])).ToList();
            if (result.Count > FileLimits.Labels)
            {
                throw CdfApiException.BadRequest($"labels size must be between 0 and {FileLimits.Labels}.");
            }

            f.Labels = result;
        };
    }

    private static Action<StoredFile> GeoLocation(JsonObject change)
    {
        RequestBody.AllowOnly(change, "update.geoLocation", "set", "setNull");
        var set = change["set"]?.DeepClone();
        return Choose(change, "geoLocation", set, (f, v) => f.GeoLocation = v);
    }
}
