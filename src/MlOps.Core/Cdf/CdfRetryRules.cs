using System;
using System.Net.Http;
using System.Text.RegularExpressions;

namespace MlOps.Cdf
{
    /// <summary>
    /// Which requests are retried after what, and how long to wait; the same rule as the Python SDK's HTTP client.
    /// A create, call or update that failed with a 5xx or a dropped connection may still have happened server-side,
    /// so it is not repeated: the caller reconciles (re-reads by externalId) before trying again.
    /// </summary>
    internal static class CdfRetryRules
    {
        // POSTs that only read (or whose repetition is harmless), relative to /api/v1/projects/{project}.
        private static readonly Regex ReadLikePost = new Regex(
            @"^/(files/(list|byids|search|aggregate|downloadlink)"
            + @"|functions/(list|byids|status)"
            + @"|functions/schedules/(list|byids)"
            + @"|functions/[^/]+/calls/(list|byids)"
            + @"|sessions/(byids|revoke)"
            + @"|datasets/(list|byids))/?$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private static readonly object RandomGate = new object();
        private static readonly Random Random = new Random();

        /// <summary>The retry mode for <paramref name="method"/> on <paramref name="path"/> (relative to the project, without query).</summary>
        public static CdfRetryMode Classify(HttpMethod method, string path)
        {
            if (method == HttpMethod.Get || method == HttpMethod.Put || method == HttpMethod.Head || method == HttpMethod.Delete
                || method == HttpMethod.Options)
            {
                return CdfRetryMode.Idempotent;
            }

            return ReadLikePost.IsMatch(path) ? CdfRetryMode.Idempotent : CdfRetryMode.OnlyThrottled;
        }

        /// <summary>Whether a status is worth another attempt under <paramref name="mode"/>.</summary>
        public static bool IsRetryableStatus(int status, CdfRetryMode mode) => mode switch
        {
            CdfRetryMode.Idempotent => status == 429 || status == 500 || status == 502 || status == 503 || status == 504,
            CdfRetryMode.OnlyThrottled => status == 429,
            _ => false,
        };

        /// <summary>
        /// Full-jitter exponential backoff: uniform in [0, min(max, base * 2^retry)], raised to <paramref name="retryAfter"/>
        /// when the server sent one, capped at <see cref="CdfRetryOptions.MaxDelay"/>, then scaled. <c>retry</c> is 0 for the
        /// first retry; <c>randomFraction</c> fixes the jitter (tests).
        /// </summary>
        public static TimeSpan Delay(CdfRetryOptions options, int retry, TimeSpan? retryAfter, double? randomFraction = null)
        {
            var maxMs = Math.Max(0, options.MaxDelay.TotalMilliseconds);
            var ceilingMs = Math.Min(maxMs, Math.Max(0, options.BaseDelay.TotalMilliseconds) * Math.Pow(2, Math.Min(retry, 30)));
            double fraction;
            if (randomFraction is double f)
            {
                fraction = f;
            }
            else
            {
                lock (RandomGate)
                {
                    fraction = Random.NextDouble();
                }
            }

            var ms = ceilingMs * fraction;
            if (retryAfter is TimeSpan floor && floor.TotalMilliseconds > ms)
            {
                ms = floor.TotalMilliseconds;
            }

            ms = Math.Min(ms, maxMs) * Math.Max(0, options.DelayScale);
            return TimeSpan.FromMilliseconds(ms);
        }
    }
}
