using System.Text.Json;

namespace MlOps.Cdf
{
    /// <summary>What a call's handler returned (<c>GET .../calls/{id}/response</c>).</summary>
    public sealed class FunctionCallResponse
    {
        /// <summary>The function's internal id.</summary>
        public long? FunctionId { get; set; }

        /// <summary>The call's id.</summary>
        public long? CallId { get; set; }

        /// <summary>The handler's JSON return value.</summary>
        public JsonElement? Response { get; set; }
    }
}
