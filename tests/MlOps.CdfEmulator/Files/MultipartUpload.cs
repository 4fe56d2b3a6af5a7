namespace MlOps.CdfEmulator;

/// <summary>A multipart upload in progress: which of its parts have arrived and where they are on disk.</summary>
internal sealed class MultipartUpload(string uploadId, int partCount)
{
    public string UploadId { get; } = uploadId;

    public string?[] PartPaths { get; } = new string?[partCount];
}
