namespace MlOps.Cdf
{
    /// <summary>Why a function deployment or call failed (<c>trace</c> holds pip output or the Python traceback).</summary>
    public sealed class FunctionError
    {
        /// <summary>The HTTP-like error code, if any.</summary>
        public int? Code { get; set; }

        /// <summary>The text.</summary>
        public string? Message { get; set; }

        /// <summary>Details: pip output or the Python traceback.</summary>
        public string? Trace { get; set; }

        /// <inheritdoc />
        public override string ToString() => Message ?? "unknown error";
    }
}
