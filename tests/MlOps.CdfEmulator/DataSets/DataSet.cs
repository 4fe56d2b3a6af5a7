namespace MlOps.CdfEmulator;

/// <summary>A data set as the Data Sets API stores it.</summary>
public sealed class DataSet
{
    public required long Id { get; init; }

    public string? ExternalId { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }

    public bool WriteProtected { get; init; }

    public long CreatedTime { get; init; }

    public long LastUpdatedTime { get; init; }
}
