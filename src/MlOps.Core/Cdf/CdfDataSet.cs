namespace MlOps.Cdf
{
    /// <summary>A CDF data set: files in a write-protected data set can only be written by its owners.</summary>
    public sealed class CdfDataSet
    {
        /// <summary>The internal id (int64).</summary>
        public long Id { get; set; }

        public string? ExternalId { get; set; }

        public string? Name { get; set; }

        /// <summary>Only the data set's owners may write resources in it.</summary>
        public bool WriteProtected { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"data set {Id}" + (ExternalId is null ? "" : $" ({ExternalId})");
    }
}
