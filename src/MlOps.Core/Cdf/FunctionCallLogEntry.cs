namespace MlOps.Cdf
{
    /// <summary>One line a call wrote to stdout or stderr.</summary>
    public sealed class FunctionCallLogEntry
    {
        /// <summary>Epoch milliseconds.</summary>
        public long? Timestamp { get; set; }

        /// <summary>The text.</summary>
        public string? Message { get; set; }

        /// <inheritdoc />
        public override string ToString() => Message ?? "";
    }
}
