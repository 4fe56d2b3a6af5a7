using System;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Diagnostics;

namespace MlOps.Cdf
{
    /// <summary>
    /// The one place a CDF store or platform tunes what it does after a transient failure (throttling, 5xx, a dropped
    /// connection, a timeout). Each kind of request is retried by one layer only:
    /// <list type="bullet">
    /// <item><see cref="Read{T}"/>: a request the client's HTTP pipeline repeats itself (GET, list, by-ids). It is not
    /// repeated here as well, unless the client was built without retries.</item>
    /// <item><see cref="Repeat{T}"/>: a step whose repetition is harmless but which the HTTP pipeline leaves alone (a delete
    /// by id, a streamed upload, a session, several requests that belong together).</item>
    /// <item>A create that may have happened although its answer was lost is never repeated blindly: its caller re-reads
    /// the outcome between attempts, at most <see cref="WriteAttempts"/> times, pausing with <see cref="Pause"/>.</item>
    /// </list>
    /// Every wait observes the cancellation token.
    /// </summary>
    public sealed class CdfRetryPolicy
    {
        /// <summary>The default first pause between attempts.</summary>
        public static readonly TimeSpan DefaultDelay = TimeSpan.FromMilliseconds(200);

        /// <param name="clientRetriesReads">Whether the client under the store repeats reads itself (false for a client built with one attempt).</param>
        public CdfRetryPolicy(bool clientRetriesReads = true)
        {
            ClientRetriesReads = clientRetriesReads;
        }

        /// <summary>The policy for a store or platform working through <paramref name="client"/>.</summary>
        public static CdfRetryPolicy For(CdfClient client) => new CdfRetryPolicy(client.Options.Retry.MaxAttempts > 1);

        /// <summary>Whether the client repeats reads itself, so <see cref="Read{T}"/> does not.</summary>
        public bool ClientRetriesReads { get; }

        /// <summary>Attempts of a step this layer repeats, including the first (default 6).</summary>
        public int Attempts { get; set; } = 6;

        /// <summary>The first pause between attempts (default 200 ms); each later one doubles, with jitter, up to <see cref="MaxDelay"/>.</summary>
        public TimeSpan BaseDelay { get; set; } = DefaultDelay;

        /// <summary>The longest pause between two attempts.</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>A copy of this policy whose pauses are at most <paramref name="maxDelay"/> (a step that must learn its outcome soon).</summary>
        public CdfRetryPolicy WithMaxDelay(TimeSpan maxDelay) =>
            new CdfRetryPolicy(ClientRetriesReads) { Attempts = Attempts, BaseDelay = BaseDelay, MaxDelay = maxDelay < MaxDelay ? maxDelay : MaxDelay };

        /// <summary>Attempts of a create that re-reads its outcome after a lost answer: at least three.</summary>
        public int WriteAttempts => Math.Max(3, Attempts);

        /// <summary>A request the client repeats itself: run once, or repeated here when the client does not.</summary>
        public T Read<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
            Repeat(call, cancellationToken, ClientRetriesReads ? 1 : Attempts);

        /// <summary>A step whose repetition is harmless, repeated after transient failures (at most <paramref name="attempts"/>, default <see cref="Attempts"/>).</summary>
        public T Repeat<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, int? attempts = null)
        {
            var limit = Math.Max(1, attempts ?? Attempts);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return call(cancellationToken).GetAwaiter().GetResult();
                }
                catch (MlOpsException e) when (CdfCalls.IsTransient(e) && attempt < limit)
                {
                    Pause(attempt, cancellationToken);
                }
            }
        }

        /// <inheritdoc cref="Repeat{T}"/>
        public void Repeat(Func<CancellationToken, Task> call, CancellationToken cancellationToken, int? attempts = null) =>
            Repeat(async ct =>
            {
                await call(ct).ConfigureAwait(false);
                return true;
            }, cancellationToken, attempts);

        /// <summary>Waits before attempt <paramref name="attempt"/> + 1: exponential from <see cref="BaseDelay"/>, with jitter, capped at <see cref="MaxDelay"/>.</summary>
        public void Pause(int attempt, CancellationToken cancellationToken)
        {
            double jitter;
            lock (Jitter)
            {
                jitter = 0.5 + Jitter.NextDouble();
            }

            var ms = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 16)) * jitter);
            Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, ms)), cancellationToken).GetAwaiter().GetResult();
        }

        private static readonly Random Jitter = new Random();
    }
}
