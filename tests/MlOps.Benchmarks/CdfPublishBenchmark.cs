using System.Diagnostics;
using MlOps.Cdf;
using MlOps.CdfEmulator;

namespace MlOps.Benchmarks;

/// <summary>
/// Publish to CDF Files on the emulator (tar.gz, hashes, claim, upload, completion) against a raw HTTP PUT of the same
/// bytes to upload URLs from the same emulator, in the same run. The publish runs in the store worker process, which
/// reports its peak resident memory above its level before publishing.
/// </summary>
internal static class CdfPublishBenchmark
{
    public sealed record Result(double PutMibPerSecond, double PublishMibPerSecond, double PeakExtraMib)
    {
        public double Ratio => PublishMibPerSecond / PutMibPerSecond;
    }

    public static async Task<Result> RunAsync(string work, int sizeMib)
    {
        var source = Path.Combine(work, "cdf-artifact");
        PublishBenchmark.MakeArtifact(source, sizeMib);
        var files = Directory.GetFiles(source, "*", SearchOption.AllDirectories);
        var mib = files.Sum(f => new FileInfo(f).Length) / 1048576.0;
        const string secret = "bench-secret";
        Environment.SetEnvironmentVariable("MLOPS_BENCH_CDF_SECRET", secret);
        await using var cdf = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
        {
            Projects = ["bench"],
            Clients = [new EmulatorClient { ClientId = "bench", ClientSecret = secret }],
            StorageFolder = Path.Combine(work, "cdf-storage"),
        });
        using var client = new CdfClient(new CdfClientOptions
        {
            BaseUrl = cdf.BaseUrl, Project = "bench", Credentials = CdfCredentials.ClientCredentials(cdf.TokenUrl, "bench", secret),
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        Console.WriteLine($"cdf publish: artifact of {mib:0} MiB in {files.Length} files, emulator at {cdf.BaseUrl}");

        var puts = new List<double>();
        var publishes = new List<double>();
        var peaks = new List<double>();
        for (var round = 0; round < 2; round++)
        {
            PublishBenchmark.FlushDirtyPages();
            var clock = Stopwatch.StartNew();
            foreach (var file in files)
            {
                var created = await client.Files.CreateAsync(new FileCreate { ExternalId = $"raw/{round}/{Path.GetFileName(file)}", Name = Path.GetFileName(file) });
                await using var stream = File.OpenRead(file);
                using var content = new StreamContent(stream);
                content.Headers.ContentLength = stream.Length;
                (await http.PutAsync(created.UploadUrl, content)).EnsureSuccessStatusCode();
            }

            puts.Add(clock.Elapsed.TotalSeconds);
            PublishBenchmark.FlushDirtyPages();
            var output = PublishBenchmark.RunWorker("publish-cdf", cdf.BaseUrl, "bench", cdf.TokenUrl, "bench", "MLOPS_BENCH_CDF_SECRET", "bench", "test", source);
            publishes.Add(double.Parse(PublishBenchmark.Field(output, "ELAPSED_MS"), System.Globalization.CultureInfo.InvariantCulture) / 1000);
            peaks.Add(long.Parse(PublishBenchmark.Field(output, "PEAK_EXTRA_BYTES")) / 1048576.0);
            Console.WriteLine($"  round {round + 1}: raw PUT {puts[^1]:0.000} s, publish {publishes[^1]:0.000} s, peak extra {peaks[^1]:0.0} MiB");
        }

        return new Result(mib / puts.Min(), mib / publishes.Min(), peaks.Max());
    }
}
