using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MlOps.Packaging
{
    /// <summary>The generated Python runtime (handler.py and mlops_runtime/), embedded in this assembly.</summary>
    public static class RuntimeFiles
    {
        private const string Prefix = "MlOps.Runtime/";
        private static readonly object WriteGate = new object();

        /// <summary>
        /// Writes the runtime's packages (mlops_runtime, and akerbp with the names model code written for akerbp.mlops imports)
        /// into <paramref name="folder"/> (for PYTHONPATH, so model code that imports them also runs in its own tests) and
        /// returns the folder.
        /// </summary>
        public static string WriteRuntimeFolder(string folder)
        {
            foreach (var (path, content) in All().Where(f => f.Path.IndexOf('/') > 0))
            {
                var target = Path.Combine(folder, path.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                lock (WriteGate)
                {
                    if (File.Exists(target) && File.ReadAllBytes(target).SequenceEqual(content))
                    {
                        continue;
                    }

                    // Written aside and moved in: a deploy running in parallel (or in another process) never reads half a file.
                    var temp = target + "." + System.Guid.NewGuid().ToString("N") + ".tmp";
                    File.WriteAllBytes(temp, content);
                    try
                    {
                        if (File.Exists(target))
                        {
                            File.Replace(temp, target, null);
                        }
                        else
                        {
                            File.Move(temp, target);
                        }
                    }
                    catch (IOException) when (File.Exists(target) && File.ReadAllBytes(target).SequenceEqual(content))
                    {
                        File.Delete(temp);
                    }
                }
            }

            return folder;
        }

        /// <summary>Package-relative path ('/'-separated) and content of every runtime file, in ordinal order.</summary>
        public static IReadOnlyList<(string Path, byte[] Content)> All()
        {
            var assembly = typeof(RuntimeFiles).Assembly;
            return assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith(Prefix, System.StringComparison.Ordinal))
                .OrderBy(n => n, System.StringComparer.Ordinal)
                .Select(n =>
                {
                    using (var stream = assembly.GetManifestResourceStream(n)!)
                    using (var copy = new MemoryStream())
                    {
                        stream.CopyTo(copy);
                        return (n.Substring(Prefix.Length).Replace('\\', '/'), copy.ToArray());
                    }
                })
                .ToList();
        }
    }
}
