using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>The <c>filter</c> of <c>POST /files/list</c>; every given condition must hold.</summary>
internal static class FileFilter
{
    private static readonly string[] TimeRanges = ["createdTime", "lastUpdatedTime", "uploadedTime", "sourceCreatedTime", "sourceModifiedTime"];

    /// <param name="dataSetIds">Resolves the data sets a filter names (by id or external id) to their ids.</param>
    public static Func<StoredFile, bool> Parse(JsonObject? filter, long nowMs, Func<IEnumerable<ResourceIdentifier>, HashSet<long>> dataSetIds)
    {
        if (filter is null)
        {
            return _ => true;
        }

        RequestBody.AllowOnly(filter, "filter",
            ["name", "directoryPrefix", "externalIdPrefix", "mimeType", "metadata", "dataSetIds", "assetIds", "source", "uploaded", .. TimeRanges]);
        var conditions = new List<Func<StoredFile, bool>>();
        if (RequestBody.OptionalString(filter, "name") is { } name)
        {
            conditions.Add(f => f.Name == name);
        }

        if (RequestBody.OptionalString(filter, "directoryPrefix") is { } directoryPrefix)
        {
            conditions.Add(f => f.Directory?.StartsWith(directoryPrefix, StringComparison.Ordinal) == true);
        }

        if (RequestBody.OptionalString(filter, "externalIdPrefix") is { } externalIdPrefix)
        {
            conditions.Add(f => f.ExternalId?.StartsWith(externalIdPrefix, StringComparison.Ordinal) == true);
        }

        if (RequestBody.OptionalString(filter, "mimeType") is { } mimeType)
        {
            conditions.Add(f => f.MimeType == mimeType);
        }

        if (RequestBody.OptionalString(filter, "source") is { } source)
        {
            conditions.Add(f => f.Source == source);
        }

        if (RequestBody.OptionalStringMap(filter, "metadata") is { } metadata)
        {
            conditions.Add(f => metadata.All(pair => f.Metadata?.TryGetValue(pair.Key, out var v) == true && v == pair.Value));
        }

        if (RequestBody.OptionalArray(filter, "dataSetIds") is { } dataSets)
        {
            // By id as given; by external id through the Data Sets API (an unknown external id matches nothing).
            var identifiers = dataSets.Select(d => RequestBody.Identifier(d, "filter.dataSetIds")).ToList();
            var ids = identifiers.Where(d => d.Id is not null).Select(d => d.Id!.Value).ToHashSet();
            ids.UnionWith(dataSetIds(identifiers.Where(d => d.Id is null)));
            conditions.Add(f => f.DataSetId is long id && ids.Contains(id));
        }

        if (RequestBody.OptionalLongList(filter, "assetIds", 100) is { } assetIds)
        {
            conditions.Add(f => f.AssetIds?.Intersect(assetIds).Any() == true);
        }

        if (RequestBody.OptionalBool(filter, "uploaded") is bool uploaded)
        {
            conditions.Add(f => f.IsUploadedAt(nowMs) == uploaded);
        }

        foreach (var field in TimeRanges)
        {
            if (RequestBody.OptionalObject(filter, field) is not { } range)
            {
                continue;
            }

            RequestBody.AllowOnly(range, $"filter.{field}", "min", "max");
            var min = RequestBody.OptionalLong(range, "min", 0) ?? long.MinValue;
            var max = RequestBody.OptionalLong(range, "max", 0) ?? long.MaxValue;
            Func<StoredFile, long?> read = field switch
            {
                "createdTime" => f => f.CreatedTime,
                "lastUpdatedTime" => f => f.LastUpdatedTime,
                "uploadedTime" => f => f.IsUploadedAt(nowMs) ? f.UploadedTime : null,
                "sourceCreatedTime" => f => f.SourceCreatedTime,
                _ => f => f.SourceModifiedTime,
            };
            conditions.Add(f => read(f) is long t && t >= min && t <= max);
        }

        return f => conditions.All(c => c(f));
    }
}
