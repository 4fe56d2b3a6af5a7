using System;

namespace MlOps.Cdf
{
    /// <summary>
    /// Retry limits. Delays grow as <c>BaseDelay * 2^attempt</c> up to <see cref="MaxDelay"/>, with full jitter
    /// (a uniform random fraction of that), and never fall below a <c>Retry-After</c> the server sent (itself capped
    /// at <see cref="MaxDelay"/>).
    /// </summary>
    public sealed class CdfRetryOptions
    {
        /// <summary>Attempts per request including the first; 1 turns retries off.</summary>
        public int MaxAttempts { get; set; } = 6;

        /// <summary>The backoff before the first retry (before jitter).</summary>
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary>The longest wait between two attempts, whatever the backoff or <c>Retry-After</c> says.</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Multiplies every computed delay; tests set a small value (for example 0.001) to run fast.</summary>
        public double DelayScale { get; set; } = 1.0;

        /// <summary>A copy, so a client is not affected by later changes to the options it was built from.</summary>
        internal CdfRetryOptions Clone() => (CdfRetryOptions)MemberwiseClone();

        /// <inheritdoc />
        public override string ToString() => $"{MaxAttempts} attempts, base {BaseDelay.TotalSeconds:0.###} s, max {MaxDelay.TotalSeconds:0.###} s";
    }
}
