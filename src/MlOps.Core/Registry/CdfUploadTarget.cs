using MlOps.Cdf;

namespace MlOps.Registry
{
    /// <summary>A claimed version number and where its bytes go: one upload URL, or a multipart session with its part size.</summary>
    internal sealed class CdfUploadTarget
    {
        public CdfUploadTarget(CdfFile claim, int number, string? uploadUrl, CdfMultipartFileUpload? multipart, long partSize)
        {
            ExternalId = claim.ExternalId!;
            FileId = claim.Id;
            CreatedTime = claim.CreatedTime;
            Number = number;
            UploadUrl = uploadUrl;
            Multipart = multipart;
            PartSize = partSize;
        }

        public string ExternalId { get; }

        /// <summary>The claim's own file: every step after the claim acts on it by this id.</summary>
        public long FileId { get; }

        /// <summary>When CDF created the claim: CDF's time, against which other claims' heartbeats are judged.</summary>
        public long CreatedTime { get; }

        public int Number { get; }
        public string? UploadUrl { get; }
        public CdfMultipartFileUpload? Multipart { get; }
        public long PartSize { get; }
    }
}
