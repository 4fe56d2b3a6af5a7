using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>The body of <c>POST /files</c> and <c>/files/initmultipartupload</c>: one file's metadata, validated.</summary>
internal sealed class FileFields
{
    private static readonly string[] Known =
    [
        "externalId", "name", "directory", "source", "mimeType", "metadata", "assetIds", "dataSetId",
        "sourceCreatedTime", "sourceModifiedTime", "securityCategories", "labels", "geoLocation",
    ];

    public string? ExternalId { get; private init; }

    public required string Name { get; init; }

    public string? Directory { get; private init; }

    public string? Source { get; private init; }

    public string? MimeType { get; private init; }

    public Dictionary<string, string>? Metadata { get; private init; }

    public List<long>? AssetIds { get; private init; }

    public long? DataSetId { get; private init; }

    public long? SourceCreatedTime { get; private init; }

    public long? SourceModifiedTime { get; private init; }

    public List<long>? SecurityCategories { get; private init; }

    public List<string>? Labels { get; private init; }

    public JsonNode? GeoLocation { get; private init; }

    public static FileFields Parse(JsonObject body)
    {
        RequestBody.AllowOnly(body, "the file", Known);
        var fields = new FileFields
        {
            ExternalId = RequestBody.OptionalString(body, "externalId", FileLimits.ExternalId),
            Name = RequestBody.RequiredString(body, "name", FileLimits.Name),
            Directory = RequestBody.OptionalString(body, "directory", FileLimits.Directory),
            Source = RequestBody.OptionalString(body, "source", FileLimits.Source),
            MimeType = RequestBody.OptionalString(body, "mimeType", FileLimits.MimeType),
            Metadata = RequestBody.OptionalStringMap(body, "metadata"),
            AssetIds = RequestBody.OptionalLongList(body, "assetIds", FileLimits.AssetIds),
            DataSetId = RequestBody.OptionalLong(body, "dataSetId", 1, CdfIds.MaxId),
            SourceCreatedTime = RequestBody.OptionalLong(body, "sourceCreatedTime", 0),
            SourceModifiedTime = RequestBody.OptionalLong(body, "sourceModifiedTime", 0),
            SecurityCategories = RequestBody.OptionalLongList(body, "securityCategories", FileLimits.SecurityCategories),
            Labels = ParseLabels(RequestBody.OptionalArray(body, "labels"), "labels"),
            GeoLocation = body["geoLocation"]?.DeepClone(),
        };
        if (fields.Directory is not null)
        {
            FileLimits.CheckDirectory(fields.Directory);
        }

        if (fields.Metadata is not null)
        {
            FileLimits.CheckMetadata(fields.Metadata);
        }

        return fields;
    }

    /// <summary>Labels are written as <c>[{"externalId":"x"}]</c>.</summary>
    public static List<string>? ParseLabels(JsonArray? labels, string where)
    {
        if (labels is null)
        {
            return null;
        }

        if (labels.Count > FileLimits.Labels)
        {
            throw CdfApiException.BadRequest($"{where} size must be between 0 and {FileLimits.Labels}.");
        }

        return labels.Select(l =>
        {
            if (l is not JsonObject label)
            {
                throw CdfApiException.BadRequest($"{where} items must be objects with externalId.");
            }

            RequestBody.AllowOnly(label, where, "externalId");
            return RequestBody.RequiredString(label, "externalId", FileLimits.ExternalId);
        }).ToList();
    }

    /// <summary>Writes these fields onto a file; on overwrite only fields that were sent replace the old ones.</summary>
    public void ApplyTo(StoredFile file)
    {
        file.Name = Name;
        file.ExternalId = ExternalId ?? file.ExternalId;
        file.Directory = Directory ?? file.Directory;
        file.Source = Source ?? file.Source;
        file.MimeType = MimeType ?? file.MimeType;
        file.Metadata = Metadata ?? file.Metadata;
        file.AssetIds = AssetIds ?? file.AssetIds;
        file.DataSetId = DataSetId ?? file.DataSetId;
        file.SourceCreatedTime = SourceCreatedTime ?? file.SourceCreatedTime;
        file.SourceModifiedTime = SourceModifiedTime ?? file.SourceModifiedTime;
        file.SecurityCategories = SecurityCategories ?? file.SecurityCategories;
        file.Labels = Labels ?? file.Labels;
        file.GeoLocation = GeoLocation ?? file.GeoLocation;
    }
}
