using System.Runtime.InteropServices;

namespace MlOps.Benchmarks;

/// <summary>
/// A virtual machine's free page reporting, paused for a benchmark run where the kernel lets root do so.
/// </summary>
/// <remarks>
/// On a Firecracker guest (the CI machine) the kernel reports memory that has been free for a while to the host, which takes
/// it back; the next write into the page cache then faults every page in from the host, and a 1 GiB copy that takes 0.35 s
/// takes 2 to 3.5 s. Which operation pays depends on when the reporting pass ran, not on what the operation does, so the
/// throughput figures scattered by a factor of up to six between runs. Where the kernel has the knobs (<c>min_free_ms</c>:
/// how long a page must stay free before it is reported; <c>max_waiting_mib</c>: how much may wait), the run raises them
/// and sets them back afterwards, and each group of benchmarks that writes artifacts first touches the machine's free
/// memory, so the pages its operations reuse are the guest's own. Elsewhere (no knobs, or not root) nothing is changed
/// and <see cref="Description"/> says the figures are subject to it.
/// </remarks>
internal sealed class FreePageReporting : IDisposable
{
    private const string Parameters = "/sys/module/page_reporting/parameters";

    // How long a page must stay free before it is reported (this kernel takes at most between 300000 and 600000 ms, so a group
    // of benchmarks touches memory again when it starts: Refresh), and how much free memory may wait before a pass reports it
    // regardless (1024 MiB by default: a 1 GiB benchmark frees more than that at once).
    private static readonly (string Name, string Value)[] Paused = [("min_free_ms", "300000"), ("max_waiting_mib", "65536")];

    /// <summary>Free memory left untouched by <see cref="Refresh"/>, so that nothing else is pushed out.</summary>
    private const long Margin = 1L << 30;

    private readonly List<(string Path, string Value)> _restore;

    private FreePageReporting(List<(string Path, string Value)> restore, string? description)
    {
        _restore = restore;
        Description = description;
    }

    /// <summary>What the run did about free page reporting, for the machine line of the results (null: the kernel has none).</summary>
    public string? Description { get; }

    public static FreePageReporting Pause()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(Parameters))
        {
            return new FreePageReporting([], null);
        }

        if (!Paused.All(knob => File.Exists(Path.Combine(Parameters, knob.Name))))
        {
            return new FreePageReporting([], "free page reporting to the hypervisor is on and this kernel cannot pause it: figures that write into the page cache vary with it");
        }

        var restore = new List<(string Path, string Value)>();
        try
        {
            foreach (var (name, value) in Paused)
            {
                var path = Path.Combine(Parameters, name);
                var previous = File.ReadAllText(path).Trim();
                Write(path, value);
                restore.Add((path, previous));
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            new FreePageReporting(restore, null).Dispose();
            return new FreePageReporting([], $"free page reporting to the hypervisor is on (pausing it failed: {e.Message}): figures that write into the page cache vary with it");
        }

        var changes = string.Join(", ", restore.Zip(Paused, (was, now) => $"{now.Name} {was.Value} → {now.Value}"));
        var paused = new FreePageReporting(restore, $"free page reporting to the hypervisor paused for the run ({changes}; set back after)");
        // Set back also when the run is interrupted (Ctrl+C, or the process told to end).
        Console.CancelKeyPress += (_, _) => paused.Dispose();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => paused.Dispose();
        return paused;
    }

    /// <summary>
    /// Writes every page of the machine's free memory but <see cref="Margin"/> and frees it again, so the host backs those pages:
    /// the page allocator hands a new file's page cache any free page, so touching a few GiB is not enough (measured: a 1 GiB copy
    /// still took 2.4 to 3 s in half the rounds after touching 2.5 GiB, and 0.30 to 0.41 s in every round after touching 12 GiB).
    /// A group of benchmarks that writes artifacts calls it when it starts. Does nothing where reporting was not paused.
    /// </summary>
    public unsafe void Refresh()
    {
        if (_restore.Count == 0)
        {
            return;
        }

        var free = File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemFree:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024)
            .FirstOrDefault();
        var bytes = free - Margin;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        const int chunk = 64 << 20;
        var blocks = new List<IntPtr>();
        try
        {
            for (long done = 0; done < bytes; done += chunk)
            {
                var block = (byte*)NativeMemory.Alloc(chunk);
                blocks.Add((IntPtr)block);
                for (var i = 0; i < chunk; i += 4096)
                {
                    block[i] = 1;
                }
            }
        }
        finally
        {
            foreach (var block in blocks)
            {
                NativeMemory.Free((void*)block);
            }
        }

        Console.WriteLine($"  touched {bytes >> 30} GiB of free memory in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>A sysfs attribute is written in place (File.WriteAllText would truncate it, which sysfs refuses).</summary>
    private static void Write(string path, string value)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
        var bytes = System.Text.Encoding.ASCII.GetBytes(value);
        stream.Write(bytes, 0, bytes.Length);
    }

    public void Dispose()
    {
        lock (_restore)
        {
            foreach (var (path, value) in _restore)
            {
                Write(path, value);
            }

            _restore.Clear();
        }
    }
}
