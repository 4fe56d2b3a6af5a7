using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>The file object as the API returns it; absent fields are left out, as CDF does.</summary>
internal static class FileJson
{
    public static JsonObject From(StoredFile file, long nowMs)
    {
        var json = new JsonObject();
        if (file.ExternalId is not null)
        {
            json["externalId"] = file.ExternalId;
        }

        json["name"] = file.Name;
        Add(json, "directory", file.Directory);
        Add(json, "source", file.Source);
        Add(json, "mimeType", file.MimeType);
        if (file.Metadata is not null)
        {
            json["metadata"] = new JsonObject(file.Metadata.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        }

        if (file.AssetIds is not null)
        {
            json["assetIds"] = new JsonArray(file.AssetIds.Select(a => (JsonNode)a).ToArray());
        }

        Add(json, "dataSetId", file.DataSetId);
        Add(json, "sourceCreatedTime", file.SourceCreatedTime);
        Add(json, "sourceModifiedTime", file.SourceModifiedTime);
        if (file.SecurityCategories is not null)
        {
            json["securityCategories"] = new JsonArray(file.SecurityCategories.Select(s => (JsonNode)s).ToArray());
        }

        if (file.Labels is not null)
        {
            json["labels"] = new JsonArray(file.Labels.Select(l => (JsonNode)new JsonObject { ["externalId"] = l }).ToArray());
        }

        if (file.GeoLocation is not null)
        {
            json["geoLocation"] = file.GeoLocation.DeepClone();
        }

        json["id"] = file.Id;
        var uploaded = file.IsUploadedAt(nowMs);
        json["uploaded"] = uploaded;
        if (uploaded)
        {
            json["uploadedTime"] = file.UploadedTime;
        }

        json["createdTime"] = file.CreatedTime;
        json["lastUpdatedTime"] = Math.Max(file.LastUpdatedTime, uploaded ? file.UploadedTime!.Value : 0);
        return json;
    }

    private static void Add(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    private static void Add(JsonObject json, string name, long? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }
}
