using System.Text.Json.Nodes;

namespace MlOps.Cdf
{
    /// <summary>An inclusive range of epoch-millisecond times for list filters; either end may be open.</summary>
    public sealed class CdfTimeRange
    {
        /// <summary>Inclusive lower bound (epoch ms); null for open.</summary>
        public long? Min { get; set; }

        /// <summary>Inclusive upper bound (epoch ms); null for open.</summary>
        public long? Max { get; set; }

        internal JsonObject ToJson()
        {
            var json = new JsonObject();
            if (Min is long min)
            {
                json["min"] = min;
            }

            if (Max is long max)
            {
                json["max"] = max;
            }

            return json;
        }
    }
}
