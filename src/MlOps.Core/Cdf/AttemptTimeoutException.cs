using System;

namespace MlOps.Cdf
{
    /// <summary>One attempt ran out of time (as opposed to the caller cancelling); retried like a connection failure.</summary>
    internal sealed class AttemptTimeoutException : Exception
    {
        public AttemptTimeoutException(TimeSpan timeout)
            : base("No answer within " + timeout)
        {
            Timeout = timeout;
        }

        public TimeSpan Timeout { get; }
    }
}
