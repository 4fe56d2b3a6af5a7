namespace MlOps.Cdf
{
    /// <summary>Which failures a request may be repeated after.</summary>
    internal enum CdfRetryMode
    {
        /// <summary>Safe to repeat: 429, 500, 502, 503, 504, connection failures and timeouts.</summary>
        Idempotent,

        /// <summary>Not safe to repeat once the server may have acted: only 429 (rejected before processing).</summary>
        OnlyThrottled,

        /// <summary>Never repeated (for example a body stream that cannot be rewound).</summary>
        None,
    }
}
