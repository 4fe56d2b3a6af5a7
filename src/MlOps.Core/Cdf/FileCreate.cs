using System.Collections.Generic;

namespace MlOps.Cdf
{
    /// <summary>A file to create (the body of <c>POST /files</c>); only <see cref="Name"/> is required.</summary>
    public sealed class FileCreate
    {
        /// <summary>Unique per project; creating a second file with it fails with 409 unless overwrite is asked for.</summary>
        public string? ExternalId { get; set; }

        /// <summary>The name.</summary>
        public string Name { get; set; } = "";

        /// <summary>Absolute unix-style directory.</summary>
        public string? Directory { get; set; }

        /// <summary>The source system.</summary>
        public string? Source { get; set; }

        /// <summary>Also sent as the upload's Content-Type.</summary>
        public string? MimeType { get; set; }

        /// <summary>String key/value pairs.</summary>
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

        /// <inheritdoc />
        public override string ToString() => ExternalId ?? Name;
    }
}
