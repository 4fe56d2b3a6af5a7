namespace MlOps.CdfEmulator;

/// <summary>What an upload or download token in a pre-signed URL stands for.</summary>
internal sealed record TransferLink(string Project, long FileId, long ExpiresAtMs, string? UploadId = null, int PartIndex = -1);
