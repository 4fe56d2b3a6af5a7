namespace MlOps.CdfEmulator;

/// <summary>
/// Server-generated ids. They start far above 2^31 (and stay below 2^53, the JavaScript-safe limit CDF keeps to)
/// and grow by random steps, so a client that stores ids in an int or assumes consecutive ids breaks here first.
/// </summary>
internal sealed class CdfIds
{
    public const long MaxId = (1L << 53) - 1;

    private long last = 1_000_000_000_000_000L + Random.Shared.NextInt64(1_000_000_000_000L);

    public long Next() => Interlocked.Add(ref last, Random.Shared.Next(1, 98));
}
