namespace MlOps.Benchmarks;

/// <summary>
/// Slots for figures that are not measured yet. Each is listed in the results as "pending", never as a result.
/// To fill one: replace the body with the measurement, returning <see cref="Figure"/>s (see ThroughputBenchmarks for
/// the helpers), and keep the entry in Program.cs.
/// </summary>
internal static class PendingBenchmarks
{
    /// <summary>
    /// SLOT (the lead adds it with the CDF Functions platform): deploy N models to CDF Functions on the emulator at once
    /// against deploying them one after another; ratio = parallel wall time ÷ sequential wall time.
    /// </summary>
    public static Task<IReadOnlyList<Figure>> ParallelDeployAsync(BenchContext context) =>
        Task.FromResult<IReadOnlyList<Figure>>(
        [
            Figure.Pending("CDF Functions (emulator): parallel deploy / sequential deploy", "deploy",
                "pending: to be measured once services deploy to CDF Functions (tests/MlOps.Benchmarks/PendingBenchmarks.cs)"),
        ]);
}
