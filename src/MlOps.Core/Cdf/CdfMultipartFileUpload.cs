using System.Collections.Generic;

namespace MlOps.Cdf
{
    /// <summary>The answer to a multipart upload init: the file, the upload id and one pre-signed URL per part, in order.</summary>
    public sealed class CdfMultipartFileUpload : CdfFile
    {
        /// <summary>Pass to <see cref="ICdfFiles.CompleteMultipartUploadAsync"/>.</summary>
        public string UploadId { get; set; } = "";

        /// <summary>One URL per part; parts are 5 MiB or more except the last.</summary>
        public List<string> UploadUrls { get; set; } = new List<string>();

        /// <inheritdoc />
        public override string ToString() => base.ToString() + $" ({UploadUrls.Count} part URLs ***)";
    }
}
