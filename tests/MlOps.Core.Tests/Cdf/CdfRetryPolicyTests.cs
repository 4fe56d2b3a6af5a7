using System.Diagnostics;
using MlOps.Cdf;
using MlOps.Diagnostics;
using Xunit;

namespace MlOps.Core.Tests.Cdf;

/// <summary>The one retry policy: which layer repeats what, how often, and that its waits end on cancellation.</summary>
public sealed class CdfRetryPolicyTests
{
    private static MlOpsException Unavailable() => new(CdfErrorIds.CdfServiceUnavailable, MlOpsErrorKind.ConnectionError, "503", null);

    private static Func<CancellationToken, Task<int>> FailingTimes(int failures, Func<MlOpsException> error, List<int> calls) => _ =>
    {
        calls.Add(calls.Count + 1);
        return calls.Count <= failures ? Task.FromException<int>(error()) : Task.FromResult(calls.Count);
    };

    [Fact]
    public void A_read_the_client_retries_is_not_repeated_again_here()
    {
        var calls = new List<int>();
        var policy = new CdfRetryPolicy(clientRetriesReads: true) { Attempts = 6, BaseDelay = TimeSpan.Zero };
        Assert.Equal(CdfErrorIds.CdfServiceUnavailable, Assert.Throws<MlOpsException>(() => policy.Read(FailingTimes(1, Unavailable, calls), default)).ErrorId);
        Assert.Single(calls);
    }

    [Fact]
    public void A_read_through_a_client_without_retries_is_repeated_here()
    {
        var calls = new List<int>();
        var policy = new CdfRetryPolicy(clientRetriesReads: false) { Attempts = 6, BaseDelay = TimeSpan.Zero };
        Assert.Equal(3, policy.Read(FailingTimes(2, Unavailable, calls), default));
        Assert.Equal(3, calls.Count);
    }

    [Fact]
    public void A_repeat_gives_up_after_its_attempts_and_never_repeats_a_failure_that_is_not_transient()
    {
        var policy = new CdfRetryPolicy { Attempts = 4, BaseDelay = TimeSpan.Zero };
        var calls = new List<int>();
        Assert.Throws<MlOpsException>(() => policy.Repeat(FailingTimes(10, Unavailable, calls), default));
        Assert.Equal(4, calls.Count);

        calls.Clear();
        var badRequest = Assert.Throws<MlOpsException>(() => policy.Repeat(FailingTimes(10,
            () => new MlOpsException(CdfErrorIds.CdfBadRequest, MlOpsErrorKind.InvalidArgument, "400", null), calls), default));
        Assert.Equal(CdfErrorIds.CdfBadRequest, badRequest.ErrorId);
        Assert.Single(calls);

        calls.Clear();
        Assert.Equal(2, policy.Repeat(FailingTimes(1, Unavailable, calls), default, attempts: 2));
    }

    [Fact]
    public void Creates_that_re_read_their_outcome_keep_at_least_three_attempts()
    {
        Assert.Equal(3, new CdfRetryPolicy { Attempts = 1 }.WriteAttempts);
        Assert.Equal(8, new CdfRetryPolicy { Attempts = 8 }.WriteAttempts);
    }

    [Fact]
    public void A_pause_ends_when_the_command_is_cancelled()
    {
        var policy = new CdfRetryPolicy { Attempts = 10, BaseDelay = TimeSpan.FromMinutes(1) };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => policy.Repeat(FailingTimes(10, Unavailable, new List<int>()), cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the pause went on for {watch.Elapsed} after cancellation");
    }

    [Fact]
    public void Pauses_double_up_to_the_cap()
    {
        var capped = new CdfRetryPolicy { BaseDelay = TimeSpan.FromMinutes(1) }.WithMaxDelay(TimeSpan.FromMilliseconds(20));
        var watch = Stopwatch.StartNew();
        capped.Pause(10, default);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"a pause capped at 20 ms took {watch.Elapsed}");
    }
}
