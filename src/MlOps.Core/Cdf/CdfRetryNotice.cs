using System;

namespace MlOps.Cdf
{
    /// <summary>A retry about to happen, for logging. Holds no secrets and no signed URLs (transfers name only their host).</summary>
    public sealed class CdfRetryNotice
    {
        internal CdfRetryNotice(string operation, int attempt, int maxAttempts, TimeSpan delay, int? statusCode, string? requestId, string reason)
        {
            Operation = operation;
            Attempt = attempt;
            MaxAttempts = maxAttempts;
            Delay = delay;
            StatusCode = statusCode;
            RequestId = requestId;
            Reason = reason;
        }

        /// <summary>For example <c>POST /files/list</c> or <c>PUT upload to 127.0.0.1:5081</c>.</summary>
        public string Operation { get; }

        /// <summary>The attempt that failed (1 for the first).</summary>
        public int Attempt { get; }

        /// <summary>The configured attempt limit.</summary>
        public int MaxAttempts { get; }

        /// <summary>The wait before the next attempt.</summary>
        public TimeSpan Delay { get; }

        /// <summary>The HTTP status of the failed attempt; null for a connection failure or timeout.</summary>
        public int? StatusCode { get; }

        /// <summary>CDF's <c>X-Request-ID</c> of the failed attempt, if any.</summary>
        public string? RequestId { get; }

        /// <summary>Why the attempt failed, in a few words.</summary>
        public string Reason { get; }

        /// <inheritdoc />
        public override string ToString() =>
            $"{Operation}: attempt {Attempt} of {MaxAttempts} failed ({Reason}{(RequestId is null ? "" : ", X-Request-ID " + RequestId)}); retrying in {Delay.TotalMilliseconds:0} ms.";
    }
}
