using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace MlOps.Cdf
{
    /// <summary>A metadata update: replace all pairs, or add some and remove some keys.</summary>
    public sealed class UpdateDictionary
    {
        private UpdateDictionary(IReadOnlyDictionary<string, string>? set, IReadOnlyDictionary<string, string>? add, IReadOnlyList<string>? remove)
        {
            SetPairs = set;
            AddPairs = add;
            RemoveKeys = remove;
        }

        /// <summary>Pairs replacing all metadata, or null.</summary>
        public IReadOnlyDictionary<string, string>? SetPairs { get; }

        /// <summary>Pairs to add or change, or null.</summary>
        public IReadOnlyDictionary<string, string>? AddPairs { get; }

        /// <summary>Keys to remove, or null.</summary>
        public IReadOnlyList<string>? RemoveKeys { get; }

        /// <summary>Replaces the whole dictionary.</summary>
        public static UpdateDictionary Set(IDictionary<string, string> pairs) =>
            new UpdateDictionary(new Dictionary<string, string>(pairs), null, null);

        /// <summary>Adds or changes <paramref name="add"/> and removes <paramref name="remove"/>; other keys stay.</summary>
        public static UpdateDictionary Change(IDictionary<string, string>? add, IEnumerable<string>? remove = null) =>
            new UpdateDictionary(null, add is null ? null : new Dictionary<string, string>(add), remove?.ToList());

        internal JsonObject ToJson()
        {
            var json = new JsonObject();
            if (SetPairs != null)
            {
                json["set"] = Map(SetPairs);
                return json;
            }

            if (AddPairs != null)
            {
                json["add"] = Map(AddPairs);
            }

            if (RemoveKeys != null)
            {
                json["remove"] = new JsonArray(RemoveKeys.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray());
            }

            return json;
        }

        private static JsonObject Map(IReadOnlyDictionary<string, string> pairs)
        {
            var map = new JsonObject();
            foreach (var pair in pairs)
            {
                map[pair.Key] = pair.Value;
            }

            return map;
        }
    }
}
