using System;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Diagnostics;

namespace MlOps.Cdf
{
    /// <summary>
    /// How MlOps's CDF stores and platforms classify failed requests and retry the ones the client leaves to them:
    /// reads and idempotent requests after a transient failure; creates never blindly (callers look first).
    /// </summary>
    internal static class CdfCalls
    {
        public static bool IsDuplicate(Exception e) =>
            e is CdfDuplicateException || e.InnerException is CdfDuplicateException || (e is MlOpsException m && m.ErrorId == CdfErrorIds.CdfDuplicated);

        public static bool IsTransient(MlOpsException e) =>
            e.ErrorId == CdfErrorIds.CdfThrottled || e.ErrorId == CdfErrorIds.CdfServiceUnavailable
            || e.ErrorId == CdfErrorIds.CdfConnectionFailed || e.ErrorId == CdfErrorIds.CdfTimeout;

        /// <summary>The first pause between attempts; each later one doubles.</summary>
        public static readonly TimeSpan DefaultDelay = TimeSpan.FromMilliseconds(200);

        /// <summary>Waits before attempt <paramref name="attempt"/> + 1: exponential from <paramref name="baseDelay"/> (200 ms), with jitter.</summary>
        public static void Pause(int attempt, CancellationToken cancellationToken, TimeSpan? baseDelay = null) =>
            Task.Delay(TimeSpan.FromMilliseconds((baseDelay ?? DefaultDelay).TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.5 + new Random().NextDouble())),
                cancellationToken).GetAwaiter().GetResult();

        /// <summary>Runs a read or idempotent request, trying again (up to <paramref name="attempts"/> times) after transient failures.</summary>
        public static T Run<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, int attempts = 6, TimeSpan? baseDelay = null)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return call(cancellationToken).GetAwaiter().GetResult();
                }
                catch (MlOpsException e) when (IsTransient(e) && attempt < attempts)
                {
                    Pause(attempt, cancellationToken, baseDelay);
                }
            }
        }

        public static void Run(Func<CancellationToken, Task> call, CancellationToken cancellationToken, int attempts = 6, TimeSpan? baseDelay = null) =>
            Run(async ct =>
            {
                await call(ct).ConfigureAwait(false);
                return true;
            }, cancellationToken, attempts, baseDelay);
    }
}
