using System.Diagnostics;
using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Diagnostics;
using Xunit;

namespace MlOps.Core.Tests.Cdf;

/// <summary>
/// The change lock kept in CDF Files: one holder at a time, a waiter that gives up naming the holder, a live holder (its
/// heartbeat moving CDF's lastUpdatedTime) never taken over whatever the clocks say, a silent one taken over, and a holder
/// that learns it lost the lease.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class CdfLeaseTests : IAsyncLifetime
{
    private const string LockId = "mlops-lock/diabetes-prediction-test";
    private static readonly CdfLeaseTiming Fast = new() { Heartbeat = TimeSpan.FromMilliseconds(100), StaleAfter = TimeSpan.FromSeconds(2), Poll = TimeSpan.FromMilliseconds(50) };
    private readonly EmulatorClock _clock = new();
    private CdfEmulatorServer _cdf = null!;
    private CdfClient _client = null!;

    public async Task InitializeAsync()
    {
        _cdf = await CdfTestSetup.StartAsync(clock: _clock);
        _client = CdfTestSetup.Client(_cdf);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _cdf.DisposeAsync();
    }

    private CdfLease Take(string change, TimeSpan wait, RecordingReporter? reporter = null, string user = "alice") =>
        CdfLease.Acquire(_client.Files, new FileCreate { ExternalId = LockId, Name = "lock" }, "diabetes-prediction-test", change, user, wait, Fast,
            ErrorIds.ServiceBusy, reporter ?? new RecordingReporter(), default);

    private CdfFile? Stored() => _client.Files.RetrieveAsync([Identity.Create(LockId)], true).GetAwaiter().GetResult().SingleOrDefault();

    [Fact]
    public void A_held_lease_makes_the_next_change_wait_then_fail_with_ServiceBusy_naming_the_holder_and_release_deletes_it()
    {
        using (var held = Take("deploy", TimeSpan.Zero))
        {
            Assert.Equal(held.FileId, Stored()!.Id);
            Assert.Contains("alice@", Stored()!.Metadata!["mlops_owner"]);

            var reporter = new RecordingReporter();
            var watch = Stopwatch.StartNew();
            var busy = Assert.Throws<MlOpsException>(() => Take("roll back", TimeSpan.FromMilliseconds(500), reporter, "bob"));
            Assert.Equal(ErrorIds.ServiceBusy, busy.ErrorId);
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(500));
            Assert.Contains("alice@", busy.Message);
            Assert.Contains("deploy", busy.Message);
            Assert.Contains("waiting", Assert.Single(reporter.Warnings));
            Assert.False(held.Lost);
        }

        Assert.Null(Stored());
        using var next = Take("roll back", TimeSpan.Zero);
        Assert.NotNull(Stored());
    }

    [Fact]
    public async Task A_waiter_takes_the_lease_as_soon_as_the_holder_releases_it()
    {
        var held = Take("deploy", TimeSpan.Zero);
        var signal = new WaitingReporter();
        var waiting = Task.Run(() => CdfLease.Acquire(_client.Files, new FileCreate { ExternalId = LockId, Name = "lock" }, "diabetes-prediction-test",
            "deploy", "bob", TimeSpan.FromSeconds(30), Fast, ErrorIds.ServiceBusy, signal, default));
        Assert.True(signal.Waiting.Wait(TimeSpan.FromSeconds(20)), "the second change did not meet the held lease");
        Assert.False(waiting.IsCompleted);
        held.Dispose();
        using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("bob@", Stored()!.Metadata!["mlops_owner"]);
    }

    [Fact]
    public void A_live_holder_is_never_taken_over_even_when_CDFs_clock_jumps_hours_ahead()
    {
        using var held = Take("deploy", TimeSpan.Zero);
        _clock.Advance(TimeSpan.FromHours(2));     // every timestamp CDF writes is now two hours after the holder's clock

        var busy = Assert.Throws<MlOpsException>(() => Take("deploy", Fast.StaleAfter * 2, user: "bob"));
        Assert.Equal(ErrorIds.ServiceBusy, busy.ErrorId);
        Assert.False(held.Lost);
        Assert.Equal(held.FileId, Stored()!.Id);
        Assert.Contains("alice@", Stored()!.Metadata!["mlops_owner"]);
    }

    [Fact]
    public async Task A_lease_without_heartbeat_is_taken_over_by_its_file_id_after_StaleAfter_of_watching_whatever_its_age_says()
    {
        // Left by a holder that was killed: created moments ago by CDF's clock, so no age rule would remove it.
        var dead = await _client.Files.CreateAsync(new FileCreate
        {
            ExternalId = LockId, Name = "lock",
            Metadata = new() { ["mlops_owner"] = "carol@build-7 process 42", ["mlops_change"] = "deploy", ["mlops_since"] = "2026-12-06 05:00:00Z" },
        });

        var reporter = new RecordingReporter();
        var watch = Stopwatch.StartNew();
        using var lease = Take("deploy", TimeSpan.FromSeconds(30), reporter, "bob");
        Assert.True(watch.Elapsed >= Fast.StaleAfter);
        Assert.NotEqual(dead.Id, lease.FileId);
        Assert.Contains(reporter.Warnings, w => w.StartsWith("Taking over diabetes-prediction-test from carol@build-7 process 42", StringComparison.Ordinal));
        Assert.Contains("bob@", Stored()!.Metadata!["mlops_owner"]);
    }

    [Fact]
    public async Task A_lease_whose_holder_ran_on_this_machine_and_ended_is_taken_over_at_once()
    {
        using var ended = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
        await ended.StandardOutput.ReadToEndAsync();
        await ended.WaitForExitAsync();
        await _client.Files.CreateAsync(new FileCreate
        {
            ExternalId = LockId, Name = "lock",
            Metadata = new()
            {
                ["mlops_owner"] = $"carol@{Environment.MachineName} process {ended.Id}", ["mlops_change"] = "deploy", ["mlops_since"] = "2026-12-06 05:00:00Z",
                ["mlops_host"] = Environment.MachineName, ["mlops_process"] = $"{ended.Id}:{DateTime.UtcNow.Ticks}",
            },
        });

        var reporter = new RecordingReporter();
        var watch = Stopwatch.StartNew();
        using var lease = Take("deploy", TimeSpan.FromSeconds(30), reporter, "bob");
        Assert.True(watch.Elapsed < Fast.StaleAfter, $"took {watch.Elapsed.TotalSeconds:0.0} s: it waited for the heartbeat instead");
        Assert.Contains(reporter.Warnings, w => w.Contains("that process has ended", StringComparison.Ordinal));

        // A holder on this machine that still runs (this process) is not taken over that way.
        var busy = Assert.Throws<MlOpsException>(() => Take("deploy", TimeSpan.FromMilliseconds(300), user: "dave"));
        Assert.Equal(ErrorIds.ServiceBusy, busy.ErrorId);
    }

    [Fact]
    public async Task A_holder_whose_lease_was_taken_over_knows_it_lost_and_its_release_leaves_the_new_lease_alone()
    {
        var held = Take("deploy", TimeSpan.Zero);
        await _client.Files.DeleteAsync([Identity.Create(held.FileId)]);
        using var other = Take("deploy", TimeSpan.Zero, user: "bob");

        var deadline = Stopwatch.StartNew();
        while (!held.Lost && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.True(held.Lost);
        var lost = Assert.Throws<MlOpsException>(() => held.EnsureHeld(ErrorIds.ServiceBusy, "diabetes-prediction-test"));
        Assert.Equal(ErrorIds.ServiceBusy, lost.ErrorId);
        Assert.Contains("Nothing was switched", lost.RecommendedAction);

        held.Dispose();
        Assert.Equal(other.FileId, Stored()!.Id);
    }

    [Fact]
    public void The_heartbeat_moves_the_lease_files_lastUpdatedTime_in_CDF()
    {
        using var held = Take("deploy", TimeSpan.Zero);
        var first = Stored()!.LastUpdatedTime;
        var deadline = Stopwatch.StartNew();
        while (Stored()!.LastUpdatedTime == first && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(50);
        }

        Assert.True(Stored()!.LastUpdatedTime > first);
        Assert.NotEqual("0", Stored()!.Metadata!["mlops_heartbeat"]);
    }
}
