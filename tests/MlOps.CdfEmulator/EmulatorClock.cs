namespace MlOps.CdfEmulator;

/// <summary>
/// Wall-clock time that tests can move forward, so token expiry, nonce expiry and link expiry can be
/// exercised without sleeping. Real delays (slow-response faults, the uploaded delay) still use real time.
/// </summary>
public sealed class EmulatorClock : TimeProvider
{
    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    /// <summary>Now as CDF writes timestamps: epoch milliseconds.</summary>
    public long NowMs => GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Moves this clock forward (tokens, nonces and links expire accordingly).</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
}
