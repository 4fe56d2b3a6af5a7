using System.Diagnostics;

namespace MlOps.CdfEmulator;

/// <summary>
/// A link of fixed capacity in one direction: every transfer in that direction shares it, each chunk taking its turn on
/// the wire (bytes ÷ rate), as a real link between a client and CDF's storage would. Unlimited when the rate is null.
/// </summary>
internal sealed class BandwidthLimit(long? bytesPerSecond)
{
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _freeAt;

    public bool Limited => bytesPerSecond is > 0;

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> at most at the link's rate.</summary>
    public async Task CopyAsync(Stream source, Stream destination, CancellationToken cancel)
    {
        if (!Limited)
        {
            await source.CopyToAsync(destination, cancel);
            return;
        }

        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancel)) > 0)
        {
            await WaitForTurnAsync(read, cancel);
            await destination.WriteAsync(buffer.AsMemory(0, read), cancel);
        }
    }

    /// <summary>
    /// Books the chunk's time on the link and waits until it would have crossed. A timer that wakes late is made up by the
    /// next chunks (a link idle for less than <see cref="Burst"/> lends its time), so the average rate is the link's, not less.
    /// </summary>
    private Task WaitForTurnAsync(int bytes, CancellationToken cancel)
    {
        double done;
        lock (_gate)
        {
            var now = _clock.Elapsed.TotalSeconds;
            _freeAt = Math.Max(_freeAt, now - Burst.TotalSeconds) + bytes / (double)bytesPerSecond!.Value;
            done = _freeAt;
        }

        var wait = TimeSpan.FromSeconds(done - _clock.Elapsed.TotalSeconds);
        return wait > TimeSpan.FromMilliseconds(5) ? Task.Delay(wait, cancel) : Task.CompletedTask;
    }

    private static readonly TimeSpan Burst = TimeSpan.FromMilliseconds(20);
}
