using System.Text.Json;

namespace MlOps.Cdf
{
    /// <summary>One call of a function: <c>Running</c> -> <c>Completed</c>, <c>Failed</c> or <c>Timeout</c>.</summary>
    public sealed class FunctionCall
    {
        /// <summary>The internal id (int64).</summary>
        public long Id { get; set; }

        /// <summary>The function's internal id.</summary>
        public long FunctionId { get; set; }

        /// <summary>The status as CDF reports it.</summary>
        public string? Status { get; set; }

        /// <summary>Call start time (epoch ms; for filters, a range).</summary>
        public long? StartTime { get; set; }

        /// <summary>Call end time (epoch ms; for filters, a range).</summary>
        public long? EndTime { get; set; }

        /// <summary>The failure as CDF sent it: a string in some API versions, <c>{message, trace}</c> in others.</summary>
        public JsonElement? Error { get; set; }

        /// <summary>The schedule that made the call, if any.</summary>
        public long? ScheduleId { get; set; }

        /// <summary>When the schedule was due (epoch ms).</summary>
        public long? ScheduledTime { get; set; }

        /// <summary>The failure message, whichever shape <see cref="Error"/> has.</summary>
        public string? ErrorMessage => Error is JsonElement e
            ? e.ValueKind == JsonValueKind.String ? e.GetString()
              : e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()
              : e.ValueKind == JsonValueKind.Null ? null : e.GetRawText()
            : null;

        /// <inheritdoc />
        public override string ToString() => $"call {Id} of function {FunctionId} {Status}";
    }
}
