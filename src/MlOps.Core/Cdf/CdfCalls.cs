using System;
using MlOps.Diagnostics;

namespace MlOps.Cdf
{
    /// <summary>
    /// How MlOps's CDF stores and platforms classify failed requests (what to do about them is <see cref="CdfRetryPolicy"/>'s).
    /// </summary>
    internal static class CdfCalls
    {
        public static bool IsDuplicate(Exception e) =>
            e is CdfDuplicateException || e.InnerException is CdfDuplicateException || (e is MlOpsException m && m.ErrorId == CdfErrorIds.CdfDuplicated);

        /// <summary>Whether a failure names a transient condition (throttled, unavailable, connection, timeout).</summary>
        public static bool IsTransient(Exception e) =>
            e is MlOpsException m && (m.ErrorId == CdfErrorIds.CdfThrottled || m.ErrorId == CdfErrorIds.CdfServiceUnavailable
            || m.ErrorId == CdfErrorIds.CdfConnectionFailed || m.ErrorId == CdfErrorIds.CdfTimeout);
    }
}
