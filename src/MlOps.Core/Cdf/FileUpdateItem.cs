using System;
using System.Text.Json.Nodes;

namespace MlOps.Cdf
{
    /// <summary>Which file to update and how.</summary>
    public sealed class FileUpdateItem
    {
        /// <summary>Updates <paramref name="file"/> with <paramref name="update"/>.</summary>
        public FileUpdateItem(Identity file, FileUpdate update)
        {
            File = file ?? throw new ArgumentNullException(nameof(file));
            Update = update ?? throw new ArgumentNullException(nameof(update));
        }

        /// <summary>The file to change.</summary>
        public Identity File { get; }

        /// <summary>The changes.</summary>
        public FileUpdate Update { get; }

        internal JsonObject ToJson()
        {
            var json = File.ToJson();
            json["update"] = Update.ToJson();
            return json;
        }
    }
}
