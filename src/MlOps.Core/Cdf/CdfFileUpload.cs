namespace MlOps.Cdf
{
    /// <summary>The answer to a file create: the file plus the pre-signed URL its content goes to.</summary>
    public sealed class CdfFileUpload : CdfFile
    {
        /// <summary>Absolute, pre-authorised URL for one PUT of the content; send no CDF Authorization header to it.</summary>
        public string UploadUrl { get; set; } = "";

        /// <inheritdoc />
        public override string ToString() => base.ToString() + " (upload URL ***)";
    }
}
