using System;

namespace MlOps.Registry
{
    /// <summary>How the CDF Files store lays out and writes versions.</summary>
    public sealed class CdfStoreOptions
    {
        /// <summary>The CDF Files directory holding versions (akerbp.mlops uses /mlops).</summary>
        public string Directory { get; set; } = "/mlops";

        /// <summary>A data set to put new versions in, or null.</summary>
        public long? DataSetId { get; set; }

        /// <summary>
        /// Finds the data set's id when the settings name it by external id (asked once, when first needed). With a data set,
        /// the store reads only the versions in it and puts new ones in it, as akerbp.mlops does.
        /// </summary>
        public Func<long?>? DataSetResolver { get; set; }

        /// <summary>
        /// A claimed version whose heartbeat CDF has not seen for this long (by CDF's own times) is taken to be abandoned by a
        /// publisher that died, and removed by the next publisher. A live publisher touches its claim every <see cref="ClaimHeartbeat"/>.
        /// </summary>
        public TimeSpan StaleClaimAge { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>How often a publisher touches its claim while it uploads (so CDF's lastUpdatedTime shows it alive).</summary>
        public TimeSpan ClaimHeartbeat { get; set; } = TimeSpan.FromMinutes(1);

        /// <summary>How long to wait for CDF to mark an upload as complete.</summary>
        public TimeSpan UploadedTimeout { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>Archives larger than this are uploaded in parts (CDF's single upload takes up to 5 GiB).</summary>
        public long MultipartThreshold { get; set; } = 4L * 1024 * 1024 * 1024;

        /// <summary>Part size for multipart uploads (CDF accepts 5 MiB to 4000 MiB).</summary>
        public long PartSize { get; set; } = 256L * 1024 * 1024;

        /// <summary>How often a transient failure (throttling, 5xx, a dropped connection) is tried again before giving up.</summary>
        public int TransientAttempts { get; set; } = 6;

        /// <summary>Scales the waits between those attempts (tests use small values).</summary>
        public TimeSpan TransientDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>
        /// Whether the client under the store repeats reads itself (default: true, as a client built with retries does); when
        /// false, the store repeats them (<see cref="MlOps.Cdf.CdfRetryPolicy.Read{T}"/>).
        /// </summary>
        public bool ClientRetriesReads { get; set; } = true;

        /// <summary>Where temporary archives and unpacked versions go (default: the system temp folder).</summary>
        public string? TempFolder { get; set; }
    }
}
