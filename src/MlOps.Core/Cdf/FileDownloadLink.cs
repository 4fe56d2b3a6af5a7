namespace MlOps.Cdf
{
    /// <summary>A short-lived, pre-authorised download URL for one file.</summary>
    public sealed class FileDownloadLink
    {
        /// <summary>The internal id (int64).</summary>
        public long? Id { get; set; }

        /// <summary>The externalId (unique per project and resource type).</summary>
        public string? ExternalId { get; set; }

        /// <summary>Absolute URL; needs no Authorization header.</summary>
        public string DownloadUrl { get; set; } = "";

        /// <inheritdoc />
        public override string ToString() => $"download link for {(Id is long id ? "id " + id : "externalId " + ExternalId)} (URL ***)";
    }
}
