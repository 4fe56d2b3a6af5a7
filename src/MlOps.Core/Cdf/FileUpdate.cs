using System.Text.Json.Nodes;

namespace MlOps.Cdf
{
    /// <summary>Changes to one file's metadata fields (content cannot be changed by an update).</summary>
    public sealed class FileUpdate
    {
        /// <summary>Setting an externalId that exists fails with 409.</summary>
        public UpdateNullable<string>? ExternalId { get; set; }

        /// <summary>Absolute unix-style directory.</summary>
        public UpdateNullable<string>? Directory { get; set; }

        /// <summary>The source system.</summary>
        public UpdateNullable<string>? Source { get; set; }

        /// <summary>The media type, for example <c>application/zip</c>.</summary>
        public UpdateNullable<string>? MimeType { get; set; }

        /// <summary>The data set it belongs to.</summary>
        public UpdateNullable<long>? DataSetId { get; set; }

        /// <summary>String key/value pairs.</summary>
        public UpdateDictionary? Metadata { get; set; }

        internal JsonObject ToJson()
        {
            var json = new JsonObject();
            if (ExternalId != null)
            {
                json["externalId"] = ExternalId.ToJson();
            }

            if (Directory != null)
            {
                json["directory"] = Directory.ToJson();
            }

            if (Source != null)
            {
                json["source"] = Source.ToJson();
            }

            if (MimeType != null)
            {
                json["mimeType"] = MimeType.ToJson();
            }

            if (DataSetId != null)
            {
                json["dataSetId"] = DataSetId.ToJson();
            }

            if (Metadata != null)
            {
                json["metadata"] = Metadata.ToJson();
            }

            return json;
        }
    }
}
