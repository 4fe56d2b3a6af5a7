namespace MlOps.Benchmarks;

/// <summary>
/// Promotion (a piped Publish-MlModelArtifact: read the source version, verify its hashes, store it as the target's next
/// version with lineage) against publishing the same artifact folder to the source environment, same size, same run:
/// local test → prod (two folders on one disk) and CDF cloud → cloudprod (two directories on the emulator).
/// </summary>
internal static class PromotionBenchmark
{
    public static async Task<IReadOnlyList<Figure>> RunAsync(BenchContext context)
    {
        await context.ProjectAsync();
        var sizeMib = context.SizesMib.Where(s => s <= 100).DefaultIfEmpty(context.SizesMib.Min()).Max();
        var label = BenchContext.SizeLabel(sizeMib);
        var source = BenchContext.MakeArtifact(context.Folder("promote-artifact"), sizeMib);
        var figures = new List<Figure>();
        foreach (var (from, to, store, target) in new[]
        {
            ("test", "prod", "local store", new Target("ratio", "<=", 1.5)),
            ("cloud", "cloudprod", "CDF store (emulator)", (Target?)null),
        })
        {
            var publishes = new List<double>();
            var promotions = new List<double>();
            for (var round = 0; round < context.Rounds(sizeMib); round++)
            {
                var published = context.Run("publish", "bench", from, source);
                var promoted = context.Run("promote", "bench", from, published.Version.ToString(), to);
                publishes.Add(published.Seconds);
                promotions.Add(promoted.Seconds);
                Console.WriteLine($"  promotion {from} -> {to}, {label}, round {round + 1}: publish {published.Seconds:0.000} s, promote {promoted.Seconds:0.000} s");
            }

            figures.Add(Figure.TimeRatio($"{store}: promotion / publish, {label}", "promotion",
                new Quantity($"publish {label} to {from}", publishes.Min(), "s"), new Quantity($"promote it {from} → {to}", promotions.Min(), "s"), target,
                store == "local store" ? "promotion re-reads and verifies every byte, then stores them as a publish does"
                    : "promotion downloads, unpacks and verifies the archive, then publishes it again"));
        }

        BenchContext.DeleteTree(source);
        await context.ClearStoresAsync();
        return figures;
    }
}
