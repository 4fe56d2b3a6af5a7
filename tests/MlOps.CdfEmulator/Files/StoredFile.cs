using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>
/// A file as the emulator stores it: CDF metadata plus where its bytes are on disk. Instances handed out by
/// <see cref="FileStore"/> are snapshots; later changes on the server do not show in them.
/// </summary>
public sealed class StoredFile
{
    public required string Project { get; init; }

    public required long Id { get; init; }

    public string? ExternalId { get; internal set; }

    public string Name { get; internal set; } = "";

    public string? Directory { get; internal set; }

    public string? Source { get; internal set; }

    public string? MimeType { get; internal set; }

    public IReadOnlyDictionary<string, string>? Metadata { get; internal set; }

    public IReadOnlyList<long>? AssetIds { get; internal set; }

    public long? DataSetId { get; internal set; }

    public long? SourceCreatedTime { get; internal set; }

    public long? SourceModifiedTime { get; internal set; }

    public IReadOnlyList<long>? SecurityCategories { get; internal set; }

    /// <summary>Label external ids.</summary>
    public IReadOnlyList<string>? Labels { get; internal set; }

    internal JsonNode? GeoLocation { get; set; }

    public required long CreatedTime { get; init; }

    public long LastUpdatedTime { get; internal set; }

    /// <summary>When the last complete upload arrived (epoch ms); null while no bytes have arrived.</summary>
    public long? ContentArrivedTime { get; internal set; }

    /// <summary>When <c>uploaded</c> turns (or turned) true: arrival plus the configured uploaded delay.</summary>
    public long? UploadedTime { get; internal set; }

    /// <summary>The file holding the bytes of the last complete upload.</summary>
    public string? ContentPath { get; internal set; }

    public long ContentLength { get; internal set; }

    internal MultipartUpload? Multipart { get; set; }

    public bool HasContent => ContentPath is not null;

    /// <summary>What the API reports as <c>uploaded</c> at <paramref name="nowMs"/>.</summary>
    public bool IsUploadedAt(long nowMs) => UploadedTime is long t && nowMs >= t;

    /// <summary>The stored bytes (for assertions; use <see cref="ContentPath"/> for large files).</summary>
    public byte[] ReadContent() => ContentPath is null ? [] : File.ReadAllBytes(ContentPath);

    internal StoredFile Clone() => (StoredFile)MemberwiseClone();
}
