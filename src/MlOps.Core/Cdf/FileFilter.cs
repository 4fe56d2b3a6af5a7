using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace MlOps.Cdf
{
    /// <summary>Conditions for listing files; every given one must hold (metadata: all given pairs match exactly).</summary>
    public sealed class FileFilter
    {
        /// <summary>The name.</summary>
        public string? Name { get; set; }

        /// <summary>Only files whose directory starts with this.</summary>
        public string? DirectoryPrefix { get; set; }

        /// <summary>Only those whose externalId starts with this.</summary>
        public string? ExternalIdPrefix { get; set; }

        /// <summary>The media type, for example <c>application/zip</c>.</summary>
        public string? MimeType { get; set; }

        /// <summary>The source system.</summary>
        public string? Source { get; set; }

        /// <summary>String key/value pairs.</summary>
        public Dictionary<string, string>? Metadata { get; set; }

        /// <summary>Only files whose content has (true) or has not (false) arrived.</summary>
        public bool? Uploaded { get; set; }

        /// <summary>Only files in one of these data sets.</summary>
        public List<Identity>? DataSetIds { get; set; }

        /// <summary>Linked asset ids.</summary>
        public List<long>? AssetIds { get; set; }

        /// <summary>When it was created (epoch ms).</summary>
        public CdfTimeRange? CreatedTime { get; set; }

        /// <summary>When it last changed (epoch ms).</summary>
        public CdfTimeRange? LastUpdatedTime { get; set; }

        /// <summary>When the content arrived (epoch ms).</summary>
        public CdfTimeRange? UploadedTime { get; set; }

        internal JsonObject ToJson()
        {
            var json = new JsonObject();
            Add(json, "name", Name);
            Add(json, "directoryPrefix", DirectoryPrefix);
            Add(json, "externalIdPrefix", ExternalIdPrefix);
            Add(json, "mimeType", MimeType);
            Add(json, "source", Source);
            if (Metadata != null)
            {
                var metadata = new JsonObject();
                foreach (var pair in Metadata)
                {
                    metadata[pair.Key] = pair.Value;
                }

                json["metadata"] = metadata;
            }

            if (Uploaded is bool uploaded)
            {
                json["uploaded"] = uploaded;
            }

            if (DataSetIds != null)
            {
                json["dataSetIds"] = new JsonArray(DataSetIds.Select(d => (JsonNode)d.ToJson()).ToArray());
            }

            if (AssetIds != null)
            {
                json["assetIds"] = new JsonArray(AssetIds.Select(a => (JsonNode)JsonValue.Create(a)).ToArray());
            }

            if (CreatedTime != null)
            {
                json["createdTime"] = CreatedTime.ToJson();
            }

            if (LastUpdatedTime != null)
            {
                json["lastUpdatedTime"] = LastUpdatedTime.ToJson();
            }

            if (UploadedTime != null)
            {
                json["uploadedTime"] = UploadedTime.ToJson();
            }

            return json;
        }

        private static void Add(JsonObject json, string name, string? value)
        {
            if (value != null)
            {
                json[name] = value;
            }
        }
    }
}
