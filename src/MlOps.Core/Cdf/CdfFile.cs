using System.Collections.Generic;

namespace MlOps.Cdf
{
    /// <summary>A file's metadata as CDF returns it (times are epoch milliseconds).</summary>
    public class CdfFile
    {
        /// <summary>The internal id.</summary>
        public long Id { get; set; }

        /// <summary>The externalId (unique per project and resource type).</summary>
        public string? ExternalId { get; set; }

        /// <summary>The name.</summary>
        public string Name { get; set; } = "";

        /// <summary>Absolute unix-style directory, for example <c>/mlops/diabetes/test</c>.</summary>
        public string? Directory { get; set; }

        /// <summary>The source system.</summary>
        public string? Source { get; set; }

        /// <summary>The media type, for example <c>application/zip</c>.</summary>
        public string? MimeType { get; set; }

        /// <summary>String key/value pairs (CDF limits: 256 pairs, keys 128 bytes, values 10240 bytes, 10240 bytes in total).</summary>
        public Dictionary<string, string>? Metadata { get; set; }

        /// <summary>Linked asset ids.</summary>
        public List<long>? AssetIds { get; set; }

        /// <summary>The data set it belongs to.</summary>
        public long? DataSetId { get; set; }

        /// <summary>Created time in the source system (epoch ms).</summary>
        public long? SourceCreatedTime { get; set; }

        /// <summary>Modified time in the source system (epoch ms).</summary>
        public long? SourceModifiedTime { get; set; }

        /// <summary>Security category ids.</summary>
        public List<long>? SecurityCategories { get; set; }

        /// <summary>True once the content has arrived (CDF sets it asynchronously after the upload).</summary>
        public bool Uploaded { get; set; }

        /// <summary>When the content arrived (epoch ms).</summary>
        public long? UploadedTime { get; set; }

        /// <summary>When it was created (epoch ms).</summary>
        public long CreatedTime { get; set; }

        /// <summary>When it last changed (epoch ms).</summary>
        public long LastUpdatedTime { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"file {Id} {ExternalId ?? Name}{(Uploaded ? "" : " (not uploaded)")}";
    }
}
