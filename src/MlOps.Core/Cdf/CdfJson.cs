using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Cdf
{
    /// <summary>The JSON conventions of the CDF API: camelCase, nulls left out, ids as int64, times as epoch ms.</summary>
    internal static class CdfJson
    {
        public static readonly JsonSerializerOptions Options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
        };
    }
}
